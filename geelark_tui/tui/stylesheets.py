"""The app's stylesheets: what the first screen needs, and what only the later screens do.

Textual parses every stylesheet of `App.CSS_PATH` before the first paint; with every screen's
rules in it, that was 7 % of the instructions to the first screen (`bench_instructions`).
The later screens' files are the `CSS_PATH` of every full screen but the entry screen, so
Textual reads them as the first of those is shown; the app reads them before that, after the
first paint (`read_later`), and Textual finds them there. The dialogs' styles are in app.tcss.
"""

from __future__ import annotations

from pathlib import Path, PurePath

from textual.css.stylesheet import Stylesheet

_HERE = Path(__file__).parent
FIRST: list[str | PurePath] = [_HERE / "app.tcss"]
LATER: list[str | PurePath] = [_HERE / "later.tcss", _HERE / "widgets" / "results_grid.tcss"]
EVERY: list[str | PurePath] = [*FIRST, *LATER]


def read_later(stylesheet: Stylesheet) -> None:
    """Add the later screens' rules to the app's stylesheet and parse them (the rest comes
    from Textual's cache). No widget on screen is restyled: none of these rules is theirs."""
    for path in LATER:
        if not stylesheet.has_source(str(path), ""):
            stylesheet.read(path)
    stylesheet.parse()
