"""geelark-tui: restart failed and cancelled GeeLark automation tasks."""

import sys

__version__ = "0.1.0"

# `import httpx` also imports httpx's own command-line tool (httpx._main: click, pygments and
# rich's console, progress, syntax and table) whenever those happen to be installed, as they
# are next to textual: ~40 ms of every start-up, TUI and headless, for code we never run.
# A None entry makes that one import fail, which httpx expects (it then defines a stub).
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
# The same for trio: httpcore imports it at its own import whenever it is installed (it is on
# many machines: IPython and test tools bring it), ~90 ms of the first request of every run,
# for a backend we never use (this package runs on asyncio only). httpcore expects it missing.
if "httpcore" not in sys.modules:
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
