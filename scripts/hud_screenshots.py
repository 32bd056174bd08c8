"""Screenshots of the HUD for docs/tools/: the ring and zone band mid-pull, the depth view
with its band and legend, the help overlay at 640×360 and 1920×1080. Needs Xvfb and
xdotool (as the window tests do). Run: python scripts/hud_screenshots.py [OUT_DIR]"""

import sys
import tempfile
import time
from pathlib import Path

import imageio.v3 as iio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from viewer_driver import ViewerProcess, Xvfb  # noqa: E402


def main(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    xvfb = Xvfb(screen="1920x1080x24")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            app = ViewerProcess(xvfb.display, work, size=(960, 540),
                                extra_args=("--supersample", "1"))  # fmt: skip
            previous = None
            for slot in ("1", "2", "3"):
                app.key("Tab")
                app.wait_until(lambda s, p=previous: s["target"] not in (None, p)
                               and not s["pulling"], timeout=20)  # fmt: skip
                previous = app.state()["target"]
                app.key(f"ctrl+{slot}")
                app.wait_until(lambda s, n=slot: n in s["marks"], timeout=20)
            app.key("1")
            app.wait_until(lambda s: s["pulling"], timeout=20)
            time.sleep(0.4)
            iio.imwrite(out / "ring-mid-pull.png", app.window_pixels())
            app.wait_until(lambda s: not s["pulling"], timeout=20)
            app.key("d")
            time.sleep(1.0)
            iio.imwrite(out / "depth-view-zone.png", app.window_pixels())
            app.key("d")
            time.sleep(1.0)
            iio.imwrite(out / "coc-view-legend.png", app.window_pixels())
            app.close()
            for size in ((640, 360), (1920, 1080)):
                (work / "state.json").unlink()
                app = ViewerProcess(xvfb.display, work, size=size,
                                    extra_args=("--supersample", "1"))  # fmt: skip
                app.key("h")
                app.wait_until(lambda s: "help" in s["hud"], timeout=20)
                time.sleep(1.0)
                iio.imwrite(out / f"help-{size[0]}x{size[1]}.png", app.window_pixels())
                print(size, app.state()["hud"])
                app.close()
    finally:
        xvfb.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/tools"))
