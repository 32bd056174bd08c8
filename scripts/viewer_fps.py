"""How fast the real viewer draws while focus is pulled: frames per second during pulls.

    python scripts/viewer_fps.py [--size 960x540] [--pulls 4] [--orbit] [-- VIEWER OPTIONS...]

Starts a private Xvfb (or uses $DISPLAY with --display), opens `dofviewer view` with a
state file, presses Tab to pull focus to the next object a few times with xdotool, and
reads the viewer's own frame counter and clock during each pull. With ``--orbit`` it
also drags the camera round (right button) for a few seconds: every frame of that
redraws the scene, which a pull does not. Needs Xvfb and xdotool
(`scripts/setup.sh` installs them). A benchmark, not a test: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start_xvfb() -> tuple[subprocess.Popen, str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=[write_fd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        return server, f":{pipe.readline().strip()}"


def read_state(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def wait_for(path: Path, predicate, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state(path)
        if state and predicate(state):
            return state
        time.sleep(0.03)
    raise SystemExit(f"viewer_fps: timed out waiting for the viewer ({path})")


def pull_rate(path: Path, display_env: dict, window: str, seconds: float) -> float | None:
    """Frames per second over the part of one pull the state file saw."""
    subprocess.run(["xdotool", "key", "--window", window, "Tab"], env=display_env, check=True)
    samples, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        state = read_state(path)
        if state and state["pulling"]:
            samples.append((state["time_s"], state["drawn_frames"]))
        time.sleep(0.03)
    if len(samples) < 2 or samples[-1][0] <= samples[0][0]:
        return None
    return (samples[-1][1] - samples[0][1]) / (samples[-1][0] - samples[0][0])


def orbit_rate(path: Path, display_env: dict, window: str, seconds: float) -> float | None:
    """Frames per second while the right button drags the camera round."""

    def xdotool(*args):
        subprocess.run(["xdotool", *args], env=display_env, check=True)

    xdotool("mousemove", "--window", window, "200", "200", "mousedown", "3")
    first = read_state(path)
    end = time.monotonic() + seconds
    step = 0
    while time.monotonic() < end:
        step += 1
        xdotool("mousemove_relative", "--", "6" if step % 40 < 20 else "-6", "0")
        time.sleep(0.02)
    last = read_state(path)
    xdotool("mouseup", "3")
    if not first or not last or last["time_s"] <= first["time_s"]:
        return None
    return (last["drawn_frames"] - first["drawn_frames"]) / (last["time_s"] - first["time_s"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="960x540")
    parser.add_argument("--pulls", type=int, default=4)
    parser.add_argument("--display", action="store_true", help="use $DISPLAY, no Xvfb")
    parser.add_argument("--orbit", action="store_true", help="also measure a camera orbit")
    parser.add_argument("viewer_args", nargs="*", help="passed to `dofviewer view`")
    args = parser.parse_args()
    server, display = (None, os.environ["DISPLAY"]) if args.display else start_xvfb()
    env = dict(os.environ, DISPLAY=display)
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "state.json"
        viewer = subprocess.Popen(
            [sys.executable, "-m", "dofviewer", "view", "--size", args.size,
             "--state-file", str(state), "--screenshot-dir", folder, *args.viewer_args],
            env=env,
        )  # fmt: skip
        try:
            wait_for(state, lambda s: s["frames"] >= 3, timeout=120)
            search = ["xdotool", "search", "--sync", "--pid", str(viewer.pid)]
            window = subprocess.run(search, env=env, capture_output=True, text=True).stdout.split()[
                0
            ]
            rates = []
            for i in range(args.pulls):
                rate = pull_rate(state, env, window, seconds=4.0)
                rates.append(rate)
                print(f"pull {i + 1}: {rate:.1f} fps" if rate else f"pull {i + 1}: too short")
            measured = [r for r in rates if r]
            if measured:
                print(f"median over {len(measured)} pulls: {statistics.median(measured):.1f} fps "
                      f"at {args.size}")  # fmt: skip
            if args.orbit:
                rate = orbit_rate(state, env, window, seconds=6.0)
                print(f"orbit: {rate:.1f} fps at {args.size}" if rate else "orbit: no frames")
        finally:
            viewer.terminate()
            viewer.wait(timeout=30)
            if server:
                server.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
