"""``dofviewer check``: manifests, the comparison of a changed scene, --update, bad input,
and the report in a real headless browser."""

import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import imageio.v3 as iio
import numpy as np
import pytest

from dofviewer.check.manifest import load_manifest, manifest_to_toml, parse_manifest
from dofviewer.check.run import MSAA, SUPERSAMPLE, check
from dofviewer.cli import main
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.resources import demo_scene_path

MANIFEST = """
[defaults]
scene = "shot.json"
size = "160x90"
f_stop = 2.0

[[case]]
name = "ball"
focus = "ball"
tags = ["near"]

[[case]]
name = "crate"
focus = 4.6
blades = 6
tags = ["far", "hex"]

[[case]]
name = "tower-preview"
focus = "tower"
quality = "preview"
tolerance = { mean = 0.5, ssim = 0.99 }
"""


@pytest.fixture
def project(tmp_path):
    """A user's folder: their scene (a copy of the demo) and a three-case manifest."""
    shutil.copy(demo_scene_path(), tmp_path / "shot.json")
    (tmp_path / "shots.toml").write_text(MANIFEST)
    return tmp_path


@pytest.fixture(scope="session")
def check_renderer(headless):
    """check()'s renderer settings on the session's GL context (a second context, once
    released, would leave none current for the other tests)."""
    renderer = HeadlessRenderer((160, 90), supersample=SUPERSAMPLE, msaa=MSAA, ctx=headless.ctx)
    yield renderer
    renderer.release()


@pytest.fixture
def run_check(check_renderer):
    def run(folder, *args, report=None):
        """check() as the command line runs it, with its printed lines."""
        lines = []
        manifest = load_manifest(folder / "shots.toml")
        options = {"renderer": check_renderer, **dict(args)}
        if options.get("jobs", 1) > 1:
            del options["renderer"]  # the worker processes make their own
        status = check(manifest, out=lines.append, report_dir=report, **options)
        return status, "\n".join(lines)

    return run


# -- the manifest -----------------------------------------------------------------------


def test_manifest_round_trip(project):
    manifest = load_manifest(project / "shots.toml")
    ball, crate, tower = manifest.cases
    assert (ball.size, ball.f_stop, ball.focus, ball.tags) == ((160, 90), 2.0, "ball", ("near",))
    assert (crate.focus, crate.blades) == (4.6, 6)
    assert tower.quality == "preview" and tower.tolerance.mean == 0.5
    assert tower.tolerance.failed == ball.tolerance.failed  # the rest from the default
    assert manifest.golden_path(ball) == project / "goldens" / "ball.png"
    again = parse_manifest(manifest_to_toml(manifest), project / "shots.toml")
    assert again == manifest


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ("ball", ["ball"]),
        ("hex or near", ["ball", "crate"]),
        ("not far and not preview", ["ball"]),
        ("(far or near) and not ball", ["crate"]),
    ],
)
def test_k_selects_by_name_and_tag(project, expr, names):
    assert [c.name for c in load_manifest(project / "shots.toml").select(expr)] == names


BAD_MANIFESTS = [
    ("[[case]]\nname = 'a'\nscene = 'demo'\nf_stop = 'wide'", "case[0].f_stop: must be a number"),
    (
        "[[case]]\nname = 'a'\nscene = 'demo'\nfstop = 2",
        "case[0].fstop: unknown field (did you mean 'f_stop'?)",
    ),
    (
        "[[case]]\nname = 'a'\nscene = 'demo'\nsize = '320*180'",
        "case[0].size: must be WIDTHxHEIGHT",
    ),
    ("[[case]]\nname = 'a'\nscene = 'demo'\nblades = 2", "case[0].blades: must be"),
    (
        "[[case]]\nname = 'a'\nscene = 'demo'\ntolerance = { ssim = 2 }",
        "case[0].tolerance.ssim: must be 0..1",
    ),
    ("[[case]]\nname = 'a'", "case[0].scene: is required"),
    ("[[case]]\nname = 'a b'\nscene = 'demo'", "case[0].name: must be letters"),
    (
        "[[case]]\nname = 'a'\nscene = 'demo'\n[[case]]\nname = 'a'\nscene = 'demo'",
        "case[1].name: 'a' is used",
    ),
    ("[defaults]\nscene = 'demo'", "case: needs at least one [[case]]"),
    ("[[case]\nname = 'a'", "not valid TOML"),
    ("[[case]]\nname = 'a'\nscene = 'nowhere.json'", "case 'a'.scene: no file"),
    (
        "[[case]]\nname = 'a'\nscene = 'demo'\nfocus = 'bal'",
        "case 'a'.focus: no object named 'bal'",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_MANIFESTS)
def test_bad_manifest_is_one_line_and_exit_2(tmp_path, capsys, text, message):
    (tmp_path / "bad.toml").write_text(text)
    assert main(["check", str(tmp_path / "bad.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "bad.toml") in err and message in err, err


def test_bad_manifest_exit_status_from_the_shell(tmp_path):
    (tmp_path / "bad.toml").write_text("[[case]]\nname = 'a'\nscene = 'demo'\nf_stop = -1\n")
    result = subprocess.run([sys.executable, "-m", "dofviewer", "check", str(tmp_path / "bad.toml")],
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "case[0].f_stop: must be > 0" in result.stderr


def test_k_selecting_nothing_is_bad_input(project, capsys):
    assert main(["check", str(project / "shots.toml"), "-k", "nothing"]) == 2
    assert "selects none of the 3 cases" in capsys.readouterr().err


# -- checking ---------------------------------------------------------------------------


def test_new_then_update_then_pass_then_changes_fail(project, tmp_path, run_check):
    status, out = run_check(project)
    assert status == 1 and out.count("NEW") == 3  # a missing golden is no pass
    assert not (project / "goldens").exists()

    status, out = run_check(project, ("update", True))
    assert status == 0 and out.count("APPROVED") == 3
    sidecar = json.loads((project / "goldens" / "crate.json").read_text())
    assert "GL_RENDERER" not in sidecar and sidecar["gl_renderer"]
    assert sidecar["settings"] == {"scene": "shot.json", "size": "160x90", "quality": "final",
                                   "focus": 4.6, "f_stop": 2.0, "blades": 6}  # fmt: skip
    assert iio.imread(project / "goldens" / "ball.png").shape == (90, 160, 3)

    status, out = run_check(project)
    assert status == 0 and out.count("PASS") == 3 and "max 0 " in out, out

    # A different f-stop: every case fails, on every metric's account.
    manifest = project / "shots.toml"
    manifest.write_text(MANIFEST.replace("f_stop = 2.0", "f_stop = 4.0"))
    status, out = run_check(project, report=tmp_path / "report")
    assert status == 1 and out.count("FAIL") == 3, out
    results = _parse_summary(out)
    assert results["ball"]["mean"] > 1.0 and results["ball"]["ssim"] < 0.99
    assert all(r["mean"] > 0.25 for r in results.values())
    assert "f_stop 2.0 -> 4.0" in out  # the sidecar says what changed

    # A moved object, f-stop restored: the cases that see the crate fail, the rest pass.
    manifest.write_text(MANIFEST)
    scene = json.loads((project / "shot.json").read_text())
    crate = next(o for o in scene["objects"] if o["name"] == "crate")
    crate["position"][0] += 0.3
    (project / "shot.json").write_text(json.dumps(scene))
    status, out = run_check(project)
    results = _parse_summary(out)
    assert status == 1 and results["crate"]["failed"] > 1.0, out  # % of pixels
    assert results["crate"]["status"] == "FAIL"


def _parse_summary(out: str) -> dict:
    results = {}
    for line in out.splitlines():
        words = line.split()
        if words and words[0] in ("PASS", "FAIL"):
            figures = dict(zip(words[2::2], words[3::2], strict=True))
            results[words[1]] = {k: float(v.rstrip("%")) for k, v in figures.items()}
            results[words[1]]["status"] = words[0]
    return results


def test_jobs_render_what_one_process_renders(project, run_check):
    assert run_check(project, ("update", True))[0] == 0
    status, out = run_check(project, ("jobs", 2))
    assert status == 0 and out.count("PASS") == 3, out


def test_another_renderer_is_compared_loosely_and_says_so(project, run_check):
    run_check(project, ("update", True), ("keyword", "ball"))
    sidecar = project / "goldens" / "ball.json"
    info = json.loads(sidecar.read_text())
    info["gl_renderer"] = "NVIDIA H200/PCIe/SSE2 (4.6.0 NVIDIA 550.54.15)"
    sidecar.write_text(json.dumps(info))
    status, out = run_check(project, ("keyword", "ball"))
    assert status == 0 and "warning: golden made on NVIDIA H200" in out, out


# -- the report -------------------------------------------------------------------------


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cases, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.cases.append((attrs["id"], attrs["class"]))
        if tag == "img":
            self.images.append(attrs["src"])


@pytest.fixture
def failing_report(project, tmp_path, run_check):
    """The report of a check after the f-stop changed on one case."""
    run_check(project, ("update", True))
    (project / "shots.toml").write_text(
        MANIFEST.replace('name = "crate"\n', 'name = "crate"\nf_stop = 8.0\n')
    )
    status, _ = run_check(project, report=tmp_path / "report")
    assert status == 1
    return tmp_path / "report"


def test_report_lists_failures_first_with_images_and_junit(failing_report):
    page = _Page()
    page.feed((failing_report / "index.html").read_text())
    assert page.cases[0] == ("case-crate", "case fail")
    assert {c for _, c in page.cases[1:]} == {"case pass"}
    for src in page.images:
        assert (failing_report / src).is_file(), src
    assert "images/crate-diff.png" in page.images
    suite = ElementTree.parse(failing_report / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    failed = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failed == ["crate"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "the report test needs Chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it (scripts/setup.sh); its absence fails there
        pytest.skip(message)
    return found


def screenshot(page: Path, out: Path, size=(1280, 1400)):
    """A real headless browser's picture of ``page``."""
    result = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={size[0]},{size[1]}", f"--screenshot={out}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0 and out.exists(), result.stderr[-2000:]
    return iio.imread(out)


def test_report_renders_in_a_headless_browser(failing_report, tmp_path):
    shot = screenshot(failing_report / "index.html", tmp_path / "report.png")[..., :3]
    assert shot.shape[:2] == (1400, 1280)
    # The FAIL badge (#c62828) is drawn, near the top: failures come first.
    badge = np.all(np.abs(shot.astype(int) - (0xC6, 0x28, 0x28)) <= 3, axis=2)
    rows = np.nonzero(badge.any(axis=1))[0]
    assert rows.size and rows[0] < 200
    # The images loaded: the demo's red ball and blue globe are on the page, not just text.
    globe = (shot[..., 2].astype(int) - shot[..., 0]) > 80
    assert globe.sum() > 2000


def test_a_timeline_case_renders_the_pull_at_time_s(project):
    """scene = a timeline, time_s: the focus and f-stop are the timeline's at that time
    (checked on the settings prepare() hands the renderer; no GL needed)."""
    from dofviewer.check.run import prepare
    from dofviewer.shot.timeline import pull_timeline, save_timeline

    pull = pull_timeline("shot.json", [(None, 1.2), (None, 13.5)], duration_s=1.0, hold_s=1.0,
                         f_stop=2.8)  # fmt: skip
    save_timeline(pull, project / "pull.json")
    (project / "pull.toml").write_text(
        '[defaults]\nscene = "pull.json"\n'
        '[[case]]\nname = "start"\ntime_s = 0.0\n'
        '[[case]]\nname = "end"\ntime_s = 3.0\nf_stop = 8.0\n'
    )
    manifest = load_manifest(project / "pull.toml")
    (_, start, _), (_, end, _) = (prepare(manifest, case) for case in manifest.cases)
    assert (start.focus_distance_m, start.lens.f_stop) == (pytest.approx(1.2), 2.8)
    assert (end.focus_distance_m, end.lens.f_stop) == (pytest.approx(13.5), 8.0)


def test_a_timeline_case_takes_no_focus(tmp_path, capsys):
    (tmp_path / "m.toml").write_text(
        '[[case]]\nname = "a"\nscene = "p.json"\ntime_s = 1\nfocus = 2\n'
    )
    assert main(["check", str(tmp_path / "m.toml")]) == 2
    assert "case[0].focus: a timeline case (time_s) takes its focus" in capsys.readouterr().err


def test_the_command_line_exits_0_then_1_when_the_f_stop_changes(project):
    """The real command (its own GL context, 4x MSAA): --update, check, a changed f-stop."""

    def dofviewer_check(*args):
        return subprocess.run([sys.executable, "-m", "dofviewer", "check", "shots.toml", *args],
                              cwd=project, capture_output=True, text=True, timeout=300)  # fmt: skip

    assert dofviewer_check("--update", "-k", "ball").returncode == 0
    assert dofviewer_check("-k", "ball").returncode == 0
    (project / "shots.toml").write_text(MANIFEST.replace("f_stop = 2.0", "f_stop = 2.8"))
    result = dofviewer_check("-k", "ball", "--report", "report")
    assert result.returncode == 1 and result.stdout.startswith("FAIL     ball  mean "), (
        result.stdout
    )
    assert (project / "report" / "index.html").is_file()


@pytest.mark.parametrize(("expr", "message"), [("ball and", "expected a word"), ("(ball", "missing ')'"),
                                               ("ball near", "unexpected 'near'"), ("ball?", "cannot read")])  # fmt: skip
def test_a_malformed_k_is_one_line_and_exit_2(project, capsys, expr, message):
    assert main(["check", str(project / "shots.toml"), "-k", expr]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"-k: {message}" in err, err
