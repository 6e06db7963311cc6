"""`geelark-tui` with no command: resolve config, credentials and base URL exactly as the
headless command does, then run the app (or the demo).

The app handles SIGTERM, SIGHUP and SIGINT itself (stop the run, log it, restore the
terminal, exit with 128 + the signal number: see `tui/lifecycle.py`), and every
traceback the process might print goes through `geelark_tui.redact` (no credential in it)."""

from __future__ import annotations

import argparse
import contextlib
import sys

from geelark_tui.config import load_config, resolve_config_path
from geelark_tui.context import AppContext
from geelark_tui.exitcodes import EXIT_USAGE


def _saved_theme(config_flag: str | None) -> str | None:
    """The user's theme, read (never written) for the demo."""
    with contextlib.suppress(Exception):
        return load_config(resolve_config_path(config_flag)).ui.theme
    return None


def run_tui(args: argparse.Namespace) -> int:
    from geelark_tui.redact import install_hooks
    from geelark_tui.tui.app import GeeLarkApp

    install_hooks()  # the environment's credentials now; the config's once it is loaded

    if getattr(args, "demo", False):
        from geelark_tui.tui.demo import demo_text, start_demo

        demo = start_demo(theme=_saved_theme(args.config))
        try:
            app = GeeLarkApp(demo.context, prefill=demo_text(), handle_signals=True)
            app.run()
        finally:
            demo.close()
        return app.return_code or 0

    if args.base_url is not None:
        from geelark_tui.connection import ConnectionConfigError, validate_base_url

        try:
            validate_base_url(args.base_url)
        except ConnectionConfigError as exc:
            print(f"geelark-tui: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    from geelark_tui import history

    config = load_config(resolve_config_path(args.config))
    context = AppContext(config, base_url_flag=args.base_url, run_log=history.run_log_path())
    app = GeeLarkApp(context, handle_signals=True)
    install_hooks(app.redactor.secrets)
    app.run()
    return app.return_code or 0
