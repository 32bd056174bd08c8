"""Test fixtures. This is the only place a GL context is created.

``--regenerate-goldens`` rewrites the stored golden PNGs instead of comparing to them.

The tests and every ``python -m dofviewer`` they start run the same code: the source
tree these tests sit in (``REPO_ROOT/dofviewer``, its shaders in ``REPO_ROOT/shaders``),
ahead of any installed copy. The root goes first on ``sys.path`` here, before anything
imports dofviewer, and first on ``PYTHONPATH`` for subprocesses, whatever their working
directory. A copy of the tree (a worktree, or scripts/mutants.py's mutated copies) thus
tests itself, not the checkout the virtual environment was installed from.
test_imports.py checks it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _source_tree_first():
    root = str(REPO_ROOT)
    if sys.path[:1] != [root]:
        sys.path.insert(0, root)
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if paths[:1] != [root]:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *filter(None, paths)])


_source_tree_first()

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from dofviewer.render.headless import HeadlessRenderer  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--regenerate-goldens",
        action="store_true",
        help="rewrite tests/goldens/*.png from the current renderer instead of comparing",
    )


@pytest.fixture(scope="session")
def headless():
    """One EGL context and renderer for the whole session (creating them is slow).

    MSAA is pinned off: the tests measure the depth-of-field passes, the goldens were
    made without it, and on llvmpipe it doubles every scene pass. The offline default
    (4×) is tested on its own renderers."""
    renderer = HeadlessRenderer(size=(320, 180), msaa=0)
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
