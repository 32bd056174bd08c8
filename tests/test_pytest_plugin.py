"""The pytest plugin (dof_snapshot, --dof-update) in a user's project made by pytester.

The plugin is loaded through its entry point, as an installed dofviewer loads it: a
distribution on the subprocess's path declares the entry point pyproject.toml declares.
"""

import shutil
import tomllib
from pathlib import Path
from xml.etree import ElementTree

import pytest

from dofviewer.resources import demo_scene_path

pytest_plugins = ["pytester"]

REPO_ROOT = Path(__file__).resolve().parent.parent

TEST_FILE = """
def test_portrait(dof_snapshot):
    image = dof_snapshot("shot.json", focus="ball", size=(160, 90), f_stop=F_STOP)
    assert image.shape == (90, 160, 3)
"""


@pytest.fixture
def user_project(pytester, monkeypatch):
    """A folder with the user's scene and test, and the plugin installed by entry point."""
    entry = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "entry-points"]["pytest11"]  # fmt: skip
    site = pytester.mkdir("site")
    dist = site / "dofviewer_snapshot_probe-0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: dofviewer-snapshot-probe\nVersion: 0\n"
    )
    (dist / "entry_points.txt").write_text(
        "[pytest11]\n" + "".join(f"{k} = {v}\n" for k, v in entry.items())
    )
    monkeypatch.setenv("PYTHONPATH", f"{REPO_ROOT}:{site}")
    shutil.copy(demo_scene_path(), pytester.path / "shot.json")
    return pytester


def write_test(pytester, f_stop):
    pytester.makepyfile(test_shot=TEST_FILE.replace("F_STOP", repr(f_stop)))


def test_snapshot_new_update_pass_fail(user_project):
    p = user_project
    write_test(p, 2.0)
    result = p.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)  # no golden: new, not a pass
    result.stdout.fnmatch_lines(["*no golden*goldens/test_portrait.png*--dof-update approves it*"])

    p.runpytest_subprocess("--dof-update").assert_outcomes(passed=1)
    assert (p.path / "goldens" / "test_portrait.png").is_file()
    assert (p.path / "goldens" / "test_portrait.json").is_file()
    p.runpytest_subprocess().assert_outcomes(passed=1)

    write_test(p, 4.0)  # a different f-stop
    result = p.runpytest_subprocess("--junitxml=junit.xml")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*dof_snapshot report: *dof-output/index.html*",
        "*differs from*test_portrait.png: mean * > 0.25*",
        "*diff: *dof-output/test_portrait-diff.png*",
    ])  # fmt: skip
    for kind in ("new", "golden", "diff"):
        assert (p.path / "dof-output" / f"test_portrait-{kind}.png").is_file()
    properties = {
        prop.get("name"): prop.get("value")
        for prop in ElementTree.parse(p.path / "junit.xml").getroot().iter("property")
    }
    assert properties["dof_snapshot_diff"].endswith("test_portrait-diff.png")
    assert "f_stop 2.0 -> 4.0" in result.stdout.str()  # the sidecar's settings, as a warning
