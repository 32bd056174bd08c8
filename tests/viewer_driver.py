"""Drive the real viewer under Xvfb with real X input events (xdotool's XTEST).

The viewer writes its state to a JSON file (``--state-file``) as it runs; tests read it to
see what focus, target and marks the input produced.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest


class Xvfb:
    """A private X server for the session; ``display`` is e.g. ':7'."""

    def __init__(self, screen: str = "1280x800x24"):
        missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
        if missing:
            message = f"window tests need {' and '.join(missing)} (apt-get install xvfb xdotool)"
            if os.environ.get("CI"):
                pytest.fail(message)  # CI installs them; their absence is a failure there
            pytest.skip(message)
        read_fd, write_fd = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen, "-nolisten", "tcp"],
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


class _XImage(ctypes.Structure):
    # The leading fields of Xlib's XImage (X11/Xlib.h), up to the ones read here.
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("xoffset", ctypes.c_int),
                ("format", ctypes.c_int), ("data", ctypes.POINTER(ctypes.c_ubyte)),
                ("byte_order", ctypes.c_int), ("bitmap_unit", ctypes.c_int),
                ("bitmap_bit_order", ctypes.c_int), ("bitmap_pad", ctypes.c_int),
                ("depth", ctypes.c_int), ("bytes_per_line", ctypes.c_int),
                ("bits_per_pixel", ctypes.c_int)]  # fmt: skip


def read_x_window(display: str, window: int) -> np.ndarray:
    """A window's pixels through libX11 (XGetImage), which the viewer's glfw already
    needs: no screenshot tool to install. Expects a 24-bit TrueColor screen (Xvfb's)."""
    xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XGetImage.restype = ctypes.POINTER(_XImage)
    xlib.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                               ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]  # fmt: skip
    xlib.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xlib.XFree.argtypes = [ctypes.c_void_p]
    connection = xlib.XOpenDisplay(display.encode())
    assert connection, f"cannot open X display {display}"
    try:
        attributes = (ctypes.c_int * 64)()  # XWindowAttributes starts with x, y, width, height
        xlib.XGetWindowAttributes(connection, window, attributes)
        width, height = attributes[2], attributes[3]
        all_planes, z_pixmap = 0xFFFFFFFF, 2
        image = xlib.XGetImage(connection, window, 0, 0, width, height, all_planes, z_pixmap)
        assert image, "XGetImage failed"
        header = image.contents
        assert header.bits_per_pixel == 32, f"expected 32 bits a pixel, got {header.bits_per_pixel}"
        rows = np.ctypeslib.as_array(header.data, shape=(height * header.bytes_per_line,))
        pixels = rows.reshape(height, header.bytes_per_line)[:, : width * 4].reshape(
            height, width, 4
        )
        rgb = pixels[..., 2::-1].copy()  # BGRX → RGB
        # What XDestroyImage (a macro) does for an image XGetImage made: free both.
        xlib.XFree(header.data)
        xlib.XFree(image)
        return rgb
    finally:
        xlib.XCloseDisplay(connection)


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

    def window_pixels(self) -> np.ndarray:
        """What the window shows now, as uint8 H×W×3 (top row first), read from the X
        server itself: the image the user sees, HUD included."""
        return read_x_window(self.display, int(self.window))

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
