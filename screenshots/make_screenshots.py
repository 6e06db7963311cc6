"""Regenerate the README's screenshots from the real app: `python screenshots/make_screenshots.py`.

Drives `geelark-tui --demo`'s app (the built-in simulator, nothing real contacted) with
Textual's Pilot at 120x36, saves an SVG of each screen, and turns each into a PNG with
rsvg-convert when it is installed (Debian: librsvg2-bin; fonts-firacode and fonts-symbola
make the glyphs right). No secret can appear: the demo's token is a fixed dummy, shown masked.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

from textual import events

from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.demo import demo_text, start_demo

OUT = Path(__file__).resolve().parent
SIZE = (120, 36)
TICKET = """\
Hi support, these failed overnight, please retry:
574376043897425811, 574376043897425847 and 574376043897425852
also 574376043897425811 (again) and #57437604389742589 from the sheet, thanks!
"""


async def wait_until(pilot: object, predicate: object, timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


def save(app: GeeLarkApp, name: str) -> Path:
    svg = OUT / f"{name}.svg"
    svg.write_text(app.export_screenshot(title=f"geelark-tui: {name}"))
    converter = shutil.which("rsvg-convert")
    if converter:
        png = OUT / f"{name}.png"
        subprocess.run([converter, "-b", "#1e1e1e", "-o", str(png), str(svg)], check=True)
        svg.unlink()
        return png
    return svg


async def main() -> None:
    demo = start_demo(latency=0.6)
    try:
        app = GeeLarkApp(demo.context, prefill=demo_text(), blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.3)
            app.post_message(events.Paste(TICKET))
            await pilot.pause(0.5)
            print(save(app, "entry"))

            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: "Confirm" in type(app.screen).__name__)
            await wait_until(pilot, lambda: not getattr(app.screen, "looking", False))
            await pilot.press("enter")
            await wait_until(pilot, lambda: "Progress" in type(app.screen).__name__)
            await pilot.pause(2.2)
            print(save(app, "progress"))

            await wait_until(pilot, lambda: "Results" in type(app.screen).__name__, 60)
            await pilot.pause(0.5)
            print(save(app, "results"))

            await pilot.press("f2")
            await wait_until(pilot, lambda: "Settings" in type(app.screen).__name__)
            await pilot.pause(0.3)
            print(save(app, "settings"))
            await pilot.press("escape")
            await wait_until(pilot, lambda: "Results" in type(app.screen).__name__)

            await pilot.press("n")  # a new set, then Find: no IDs needed
            await wait_until(pilot, lambda: "Entry" in type(app.screen).__name__)
            await pilot.press("ctrl+f")
            await wait_until(pilot, lambda: getattr(app.screen, "reading", True) is False, 60)
            await pilot.press("down", "down", "enter", "down", "down", "space", "down", "space")
            await pilot.pause(0.3)
            print(save(app, "find"))
    finally:
        demo.close()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
