"""The README's screenshots are not stale: each PNG was made (screenshots/make_screenshots.py)
from the snapshot SVG the snapshot tests hold the app to now. A few file hashes, no rendering:
when a snapshot changes, this fails until the PNGs are made again."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
AGAIN = "the README's screenshots are stale: run python screenshots/make_screenshots.py"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest() -> list[tuple[str, str, str, str]]:
    rows = [tuple(line.split()) for line in (SHOTS / "SOURCES").read_text().splitlines()]
    assert rows and all(len(row) == 4 for row in rows)
    return rows  # type: ignore[return-value]


def test_every_screenshot_comes_from_the_snapshot_of_today() -> None:
    for png, png_hash, svg, svg_hash in manifest():
        assert (ROOT / svg).is_file(), f"{svg} is gone: {AGAIN}"
        assert sha256(ROOT / svg) == svg_hash, f"{svg} changed since {png} was made: {AGAIN}"
        assert sha256(SHOTS / png) == png_hash, f"{png} was not made from {svg}: {AGAIN}"


def test_the_readme_shows_exactly_the_screenshots_made() -> None:
    shown = set(re.findall(r"\(screenshots/([\w-]+\.png)\)", (ROOT / "README.md").read_text()))
    made = {row[0] for row in manifest()}
    assert shown == made
    assert {p.name for p in SHOTS.glob("*.png")} == made  # no leftover image
