from geelark_tui.cli import main

raise SystemExit(main())
