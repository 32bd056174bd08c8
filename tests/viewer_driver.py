"""Drive the real viewer under Xvfb with real X input events (xdotool's XTEST).

The viewer writes its state to a JSON file (``--state-file``) as it runs; tests read it to
see what focus, target and marks the input produced.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest


class Xvfb:
    """A private X server for the session; ``display`` is e.g. ':7'."""

    def __init__(self):
        missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
        if missing:
            message = f"window tests need {' and '.join(missing)} (apt-get install xvfb xdotool)"
            if os.environ.get("CI"):
                pytest.fail(message)  # CI installs them; their absence is a failure there
            pytest.skip(message)
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=[write_fd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write_fd)
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            pytest.fail("Xvfb did not start")
        self.display = f":{number}"

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class ViewerProcess:
    """One running ``dofviewer view`` and the input a user would give it."""

    def __init__(self, display: str, workdir: Path, size=(320, 180), extra_args=(), command=None):
        self.display = display
        self.env = dict(os.environ, DISPLAY=display)
        self.state_path = workdir / "state.json"
        self.workdir = workdir
        command = command or ["view", "--screenshot-dir", str(workdir)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dofviewer", *command, "--size", f"{size[0]}x{size[1]}",
             "--state-file", str(self.state_path), *extra_args],
            env=self.env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.wait_until(lambda s: s["frames"] >= 2, timeout=60, what="the first frames")
        self.window = self._xdotool("search", "--sync", "--pid", str(self.process.pid)).split()[0]
        self._xdotool("windowfocus", "--sync", self.window)

    def _xdotool(self, *args) -> str:
        result = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, f"xdotool {' '.join(args)}: {result.stderr}"
        return result.stdout

    def state(self) -> dict:
        return json.loads(self.state_path.read_text())

    def wait_until(self, predicate, timeout=20.0, what="the condition") -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, err = self.process.communicate()
                pytest.fail(f"viewer exited ({self.process.returncode}) waiting for {what}: {err}")
            if self.state_path.exists():
                state = self.state()
                if predicate(state):
                    return state
            time.sleep(0.05)
        pytest.fail(
            f"timed out waiting for {what}; last state: {self.state() if self.state_path.exists() else None}"
        )

    def click(self, x: int, y: int):
        self._xdotool("mousemove", "--window", self.window, "--sync", str(x), str(y), "click", "1")

    def key(self, *keys: str):
        self._xdotool("key", "--delay", "60", *keys)

    def resize(self, width: int, height: int):
        self._xdotool("windowsize", "--sync", self.window, str(width), str(height))

    def close(self, timeout=20.0) -> int:
        if self.process.poll() is None:
            self.key("Escape")
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
