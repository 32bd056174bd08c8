"""A pytest plugin for screenshot tests of your own scenes (entry point ``pytest11``).

A top-level module that imports dofviewer only when a test uses its fixture: pytest
loads entry-point plugins before any conftest.py runs, and importing the package then
would fix which dofviewer the whole session uses (an installed copy, say, where a
checkout's conftest puts its own source tree first).

Installed with dofviewer, it gives every test the ``dof_snapshot`` fixture::

    def test_portrait(dof_snapshot):
        dof_snapshot("shot.json", focus="ball", size=(480, 270), f_stop=2.8)

The scene is found as a manifest's is: relative to the test file, or a bundled name. The
image is rendered headless (2×2 supersampling, 4× MSAA) and compared, through
dofviewer.measurement.compare, with ``goldens/<test name>.png`` beside the test file.

* ``pytest --dof-update`` approves the current images (PNG and sidecar JSON).
* A missing golden fails the test as new: it is never a pass.
* On a failure the new image, the golden and their difference (×8) are written to
  ``--dof-output`` (``dof-output/`` in the rootdir), attached to the test's report as
  ``user_properties`` (JUnit XML shows them), and an ``index.html`` report is written
  there at the end of the session.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

_RESULTS = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("dofviewer", "dofviewer screenshot tests")
    group.addoption("--dof-update", action="store_true",
                    help="dof_snapshot: approve the current images as the goldens")  # fmt: skip
    group.addoption("--dof-output", metavar="DIR", default=None,
                    help="dof_snapshot: failed images and report (dof-output)")  # fmt: skip


def pytest_configure(config):
    config.stash[_RESULTS] = []


def _output_dir(config) -> Path:
    return Path(config.getoption("--dof-output") or config.rootpath / "dof-output")


@pytest.fixture(scope="session")
def dof_renderer():
    """The headless renderer every dof_snapshot in the session shares."""
    from dofviewer.check.run import MSAA, SUPERSAMPLE
    from dofviewer.render.headless import HeadlessRenderer

    renderer = HeadlessRenderer((320, 180), supersample=SUPERSAMPLE, msaa=MSAA)
    yield renderer
    renderer.release()


@pytest.fixture
def dof_snapshot(request, dof_renderer):
    """``dof_snapshot(scene, focus=None, size=(320, 180), *, name=None, f_stop=None,
    focal_length_mm=None, blades=None, quality="final", time_s=None, camera=None,
    tolerance=None)``: render and compare with the golden; returns the image."""
    test_file = Path(request.node.path)
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name).strip("-")
    calls = []

    def snapshot(scene, focus=None, size=(320, 180), *, name=None, tolerance=None, **lens):
        from dofviewer.check.manifest import Case, Manifest
        from dofviewer.check.run import FAIL, NEW, compare_case, prepare
        from dofviewer.measurement.compare import SAME_RENDERER

        calls.append(name)
        name = name or (base if len(calls) == 1 else f"{base}-{len(calls)}")
        if isinstance(tolerance, dict):
            tolerance = SAME_RENDERER.with_(**tolerance)
        case = Case(name=name, scene=str(scene), focus=focus, size=tuple(size),
                    tolerance=tolerance or SAME_RENDERER, **lens)  # fmt: skip
        manifest = Manifest(test_file, test_file.parent / "goldens")
        scene_obj, settings, focus_on = prepare(manifest, case)
        frame = dof_renderer.render(scene_obj, case.size, focus_on=focus_on, settings=settings)
        update = request.config.getoption("--dof-update")
        result = compare_case(manifest, case, frame.image, dof_renderer.gl_renderer, update)
        request.config.stash[_RESULTS].append(result)
        for warning in result.warnings:
            request.node.warn(pytest.PytestWarning(f"dof_snapshot {name}: {warning}"))
        if result.status in (FAIL, NEW):
            paths = _write_images(result, _output_dir(request.config))
            for kind, path in paths.items():
                request.node.user_properties.append((f"dof_snapshot_{kind}", str(path)))
            golden = manifest.golden_path(case)
            if result.status == NEW:
                new = paths["new"]
                pytest.fail(f"dof_snapshot {name}: no golden {golden} (new image: {new}); "
                            "pytest --dof-update approves it", pytrace=False)  # fmt: skip
            pytest.fail(
                f"dof_snapshot {name}: differs from {golden}: " + "; ".join(result.problems)
                + "\n  " + "\n  ".join(f"{k}: {p}" for k, p in paths.items()),
                pytrace=False,
            )  # fmt: skip
        return frame.image

    return snapshot


def _write_images(result, folder: Path) -> dict[str, Path]:
    from dofviewer.check.report import DIFF_GAIN
    from dofviewer.fileio import write_png
    from dofviewer.measurement.compare import diff_image

    folder.mkdir(parents=True, exist_ok=True)
    name = result.case.name
    paths = {"new": folder / f"{name}-new.png"}
    write_png(paths["new"], result.actual)
    if result.expected is not None and result.expected.shape == result.actual.shape:
        paths["golden"] = folder / f"{name}-golden.png"
        paths["diff"] = folder / f"{name}-diff.png"
        write_png(paths["golden"], result.expected)
        write_png(paths["diff"], diff_image(result.actual, result.expected, DIFF_GAIN))
    return paths


def pytest_sessionfinish(session):
    results = session.config.stash.get(_RESULTS, [])
    if not any(not r.ok for r in results):
        return
    from dofviewer.check.report import write_report

    folder = _output_dir(session.config)
    manifest = SimpleNamespace(path=Path("pytest"), golden_dir=Path("goldens beside each test"))
    page = write_report(results, manifest, folder, results[0].gl_renderer)
    session.config.stash[_RESULTS] = []
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"dof_snapshot report: {page}")
