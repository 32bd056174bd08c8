"""Long runs stay flat (issue 16): memory and GL objects over thousands of frames, and
the viewer through a storm of window resizes during a pull.

    python scripts/soak.py [--frames 5000] [--every 50] [--resizes 200] [--json OUT]

1. Headless, through the API: a rack focus (focus swept near to far and back, f-stop
   stepping) for ``--frames`` frames, the size changing every ``--every`` frames through
   a cycle of sizes. After each size change it samples the process's resident memory
   (RSS) and the live GL objects (moderngl textures, framebuffers, buffers, programs,
   vertex arrays not yet released). Growth is the largest sample over one cycle of sizes
   at the end against the same over the second cycle (the first is the warm-up: shader
   variants compile, caches fill); it must be under 5 % for both.
2. Windowed, under Xvfb (skipped with ``--resizes 0`` or where Xvfb or xdotool is
   missing): the viewer starts a pull, its window is resized ``--resizes`` times (sizes
   cycling, one far beyond what the GL's targets hold), and it must still be alive and
   drawing at the end: one more resize is drawn at its size.

Exit status 0 when both hold; tests/test_soak.py runs a short version.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
# The viewer runs as a subprocess: it must import this tree too, not an installed copy.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
)

SIZES = ((320, 180), (480, 270), (400, 224), (256, 144), (362, 203))
LIMIT = 0.05


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def live_gl_objects() -> int:
    """moderngl objects alive and not released (a released one's handle is invalid)."""
    import moderngl

    kinds = (moderngl.Texture, moderngl.Framebuffer, moderngl.Buffer, moderngl.Program,
             moderngl.VertexArray, moderngl.Renderbuffer, moderngl.Query,
             moderngl.Sampler)  # fmt: skip
    count = 0
    for obj in gc.get_objects():
        if isinstance(obj, kinds) and type(getattr(obj, "mglo", None)).__name__ != "InvalidObject":
            count += 1
    return count


def headless_soak(frames: int, every: int) -> dict:
    from dofviewer import HeadlessRenderer, load_scene
    from dofviewer.render.renderer import FrameSettings

    scene = load_scene()
    base = FrameSettings.from_scene(scene)
    samples = []
    started = time.perf_counter()
    with HeadlessRenderer(SIZES[0]) as headless:
        renderer = headless.renderer
        for k in range(frames):
            if k % every == 0:
                renderer.resize(SIZES[(k // every) % len(SIZES)])
            phase = (k % 200) / 200.0  # a pull near to far and back every 200 frames
            dioptres = 1.0 / 1.2 + (1.0 / 20.0 - 1.0 / 1.2) * (
                0.5 - 0.5 * math.cos(2 * math.pi * phase)
            )
            lens = base.lens.with_(f_stop=(1.4, 2.0, 2.8, 4.0)[(k // 100) % 4])
            renderer.render(scene, base.with_(focus_distance_m=1.0 / dioptres, lens=lens))
            if k % every == every - 1:
                renderer.read_image()  # a read-back as the API's callers do
                headless.ctx.finish()
                gc.collect()
                samples.append((k + 1, rss_bytes(), live_gl_objects()))
    seconds = time.perf_counter() - started
    # Memory depends on the size being drawn (a software rasteriser's targets are in RSS),
    # so whole cycles of sizes are compared: the first after the warm-up with the last.
    cycle = len(SIZES)
    first = samples[cycle : 2 * cycle] or samples[:cycle]
    last = samples[-cycle:]
    warm_rss, end_rss = max(s[1] for s in first), max(s[1] for s in last)
    warm_gl, end_gl = max(s[2] for s in first), max(s[2] for s in last)
    rss_growth = (end_rss - warm_rss) / warm_rss
    gl_growth = (end_gl - warm_gl) / warm_gl
    return {
        "frames": frames, "every": every, "seconds": round(seconds, 1),
        "rss_mib_after_warmup": round(warm_rss / 2**20, 1),
        "rss_mib_end": round(end_rss / 2**20, 1),
        "rss_growth": round(rss_growth, 4),
        "rss_mib_max": round(max(s[1] for s in samples) / 2**20, 1),
        "gl_objects_after_warmup": warm_gl, "gl_objects_end": end_gl,
        "gl_objects_max": max(s[2] for s in samples), "gl_growth": round(gl_growth, 4),
        "ok": rss_growth < LIMIT and gl_growth < LIMIT,
    }  # fmt: skip


def window_soak(resizes: int, display: str | None = None) -> dict:
    """``display``: an X server already running (the tests'), else a private Xvfb."""
    import tempfile

    import viewer_driver

    server = None if display else viewer_driver.Xvfb()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = viewer_driver.ViewerProcess(display or server.display, Path(tmp))
            try:
                app.key("2")  # a focus key: something to pull between; then a click starts one
                app.click(160, 90)
                sizes = [(320 + 37 * (i % 9), 180 + 23 * (i % 7)) for i in range(resizes)]
                if resizes >= 10:
                    sizes[resizes // 2] = (8300, 200)  # beyond llvmpipe's targets at 2x2
                started = time.perf_counter()
                for i, size in enumerate(sizes):
                    if i % 20 == 0:
                        app.click(40 + 11 * (i % 23), 60 + 7 * (i % 11))  # keep pulling
                    try:
                        app.resize(*size)
                    except AssertionError as exc:  # xdotool: the window is gone
                        app.process.wait(timeout=10)
                        err = app.process.stderr.read()[-2000:]
                        return {"resizes": i, "alive": False, "ok": False,
                                "exit_status": app.process.returncode,
                                "error": f"resize {i} to {size}: {str(exc)[:200]}",
                                "viewer_stderr": err}  # fmt: skip
                # Still drawing: one more resize is drawn at its size.
                drawn = app.state()["drawn_frames"]
                app.resize(400, 240)
                state = app.wait_until(
                    lambda s: s["framebuffer_size"] == [400, 240] and s["drawn_frames"] > drawn,
                    timeout=60, what="a frame drawn at 400x240 after the resizes",
                )  # fmt: skip
                seconds = time.perf_counter() - started
                alive = app.process.poll() is None
                status = app.close()
                return {"resizes": resizes, "seconds": round(seconds, 1), "alive": alive,
                        "frames_end": state["frames"], "drawn_frames": state["drawn_frames"],
                        "exit_status": status,
                        "last_framebuffer": state["framebuffer_size"],
                        "ok": alive and status == 0}  # fmt: skip
            finally:
                if app.process.poll() is None:
                    app.process.kill()
    finally:
        if server:
            server.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--resizes", type=int, default=200)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args(argv)
    results = {"headless": headless_soak(args.frames, args.every)}
    print("headless:", json.dumps(results["headless"]), flush=True)
    if args.resizes:
        results["window"] = window_soak(args.resizes)
        print("window:", json.dumps(results["window"]), flush=True)
    if args.json:
        from dofviewer.fileio import atomic_write_text

        atomic_write_text(args.json, json.dumps(results, indent=2))
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
