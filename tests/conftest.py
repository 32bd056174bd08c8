"""Test fixtures. This is the only place a GL context is created.

``--regenerate-goldens`` rewrites the stored golden PNGs instead of comparing to them.
"""

from __future__ import annotations

import numpy as np
import pytest

from dofviewer.headless import HeadlessRenderer


def pytest_addoption(parser):
    parser.addoption(
        "--regenerate-goldens",
        action="store_true",
        help="rewrite tests/goldens/*.png from the current renderer instead of comparing",
    )


@pytest.fixture(scope="session")
def headless():
    """One EGL context and renderer for the whole session (creating them is slow)."""
    renderer = HeadlessRenderer(size=(320, 180))
    yield renderer
    renderer.release()


@pytest.fixture
def gl(headless):
    """The shared renderer, checked for GL errors before and after each test so one test
    cannot poison the next."""
    ctx = headless.ctx
    assert ctx.error == "GL_NO_ERROR", "a GL error was pending before the test"
    yield headless
    assert ctx.error == "GL_NO_ERROR", "the test left a GL error"


@pytest.fixture(autouse=True)
def _strict_numpy():
    with np.errstate(all="raise"):
        yield


@pytest.fixture(scope="session")
def xvfb():
    """A private X server (Xvfb) for the window tests; started once, on first use."""
    from viewer_driver import Xvfb

    server = Xvfb()
    yield server.display
    server.stop()


@pytest.fixture
def viewer(xvfb, tmp_path):
    """Start the real viewer on a 320×180 window; yields a ViewerProcess to drive it."""
    from viewer_driver import ViewerProcess

    started = []

    def start(**kwargs):
        process = ViewerProcess(xvfb, tmp_path, **kwargs)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
