"""Regenerate screenshots/: an SVG (and a PNG, with rsvg-convert) of every screen of the demo.

    python3 bench/screenshots.py            # from the repository root

The screens are driven exactly as the snapshot tests drive them (tests/ui/test_snapshots.py: the real demo
with a fixed clock, server URL and mask key), so the pictures are the same on every run and change only
when the UI does.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gitops_tui.engine import secrets  # noqa: E402
from tests.ui.test_snapshots import SCREENS, steady_app, steady_demo  # noqa: E402

OUT = ROOT / "screenshots"
# screenshot name -> snapshot scene
SHOTS = {
    "apps": "apps",
    "apps-80x24": "apps_small",
    "app": "app",
    "diff": "diff_resource",
    "diff-app": "diff_app",
    "diff-unified": "diff_unified",
    "history": "history",
    "sync-preview": "sync_preview",
    "events": "events",
    "help": "help",
    "palette": "palette",
}


async def shoot(workspace: object, scene: str) -> str:
    run_before, size = SCREENS[scene]
    app = steady_app(workspace)  # type: ignore[arg-type]
    async with app.run_test(size=size) as pilot:
        await run_before(pilot)
        return app.export_screenshot(title="gitops-tui")


def main() -> int:
    OUT.mkdir(exist_ok=True)
    rsvg = shutil.which("rsvg-convert")
    secrets._KEY = b"snapshot" * 4  # the same masks on every run, as in the snapshot tests
    with steady_demo() as workspace:
        for name, scene in SHOTS.items():
            svg = OUT / f"{name}.svg"
            svg.write_text(asyncio.run(shoot(workspace, scene)))
            line = f"{svg.relative_to(ROOT)}"
            if rsvg:
                png = svg.with_suffix(".png")
                subprocess.run([rsvg, "--zoom", "1", str(svg), "-o", str(png)], check=True)
                line += f"  {png.relative_to(ROOT)}"
            print(line)
    if not rsvg:
        print("rsvg-convert not found (apt-get install librsvg2-bin): SVGs only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
