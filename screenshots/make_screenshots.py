"""Regenerate the README's screenshots: `python screenshots/make_screenshots.py`.

Each screenshot is one of the snapshot tests' SVGs (tests/tui/test_snapshots.py: the real app,
fixed data, a fixed terminal size, no clock or cursor blink), turned into a PNG with
rsvg-convert (Debian: librsvg2-bin; fonts-firacode and fonts-symbola make the glyphs right).
`SOURCES` records, for each PNG, the SHA-256 of the SVG it was made from and of the PNG itself;
tests/test_screenshots.py (in the default test run, a few file hashes) fails as soon as a
snapshot changes and the PNGs were not made again. No secret can appear: the snapshots use a
fixed dummy token, shown masked.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent
SNAPSHOTS = OUT.parent / "tests" / "tui" / "__snapshots__" / "test_snapshots"
MANIFEST = OUT / "SOURCES"
# PNG name -> the snapshot it shows.
SHOTS = {
    "entry": "test_entry[120x40]",
    "confirm": "test_confirm_include_all[120x40]",
    "progress": "test_progress[120x40]",
    "results": "test_results[120x40]",
    "results-80x24": "test_results_long_summary[80x24]",
    "settings": "test_settings[120x40]",
    "find": "test_find",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("rsvg-convert is missing: apt-get install librsvg2-bin fonts-firacode "
              "fonts-symbola", file=sys.stderr)
        return 1
    lines = []
    for name, snapshot in SHOTS.items():
        svg, png = SNAPSHOTS / f"{snapshot}.svg", OUT / f"{name}.png"
        subprocess.run([converter, "-b", "#1e1e1e", "-o", str(png), str(svg)], check=True)
        lines.append(f"{name}.png {sha256(png)} {svg.relative_to(OUT.parent)} {sha256(svg)}")
        print(png)
    MANIFEST.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
