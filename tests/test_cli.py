"""The command line: outputs, and one-line errors with exit status 2 for bad input."""

import json
import os
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest


def dofviewer(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "dofviewer", *args],
        capture_output=True, text=True, cwd=cwd, timeout=120, env=env,
    )  # fmt: skip


def test_render_writes_png_linear_and_depth(tmp_path):
    out, lin, dep = tmp_path / "a.png", tmp_path / "l.npy", tmp_path / "d.npy"
    result = dofviewer("render", "-o", out, "--size", "160x90", "--focus-on", "globe",
                       "--linear-out", lin, "--depth-out", dep)  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = iio.imread(out)
    assert image.shape == (90, 160, 3) and image.dtype == np.uint8
    linear, depth = np.load(lin), np.load(dep)
    assert linear.shape == (90, 160, 3) and linear.dtype == np.float32
    assert depth.shape == (90, 160) and depth.dtype == np.float32
    assert np.isinf(depth).any() and np.nanmin(depth) > 0.5  # sky and the near ball
    assert linear.max() > 5  # the lamps stay HDR until tone mapping


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--focus-on", "unicorn"], "--focus-on: no object named 'unicorn'"),
        (["--f-stop", "0"], "--f-stop: must be 0.5..64, got 0"),
        (["--focus-distance", "0.001"], "--focus-distance: must be 0.005..10000 m, got 0.001"),
        (["--f-stop", "0.1"], "--f-stop: must be 0.5..64, got 0.1"),
        (["--size", "big"], "--size: expected WIDTHxHEIGHT"),
        (["--blades", "2"], "--blades: must be 0 (round) or an integer 3..16, got 2"),
        (["--focus-on", "ball", "--focus-distance", "3"], "not allowed with argument"),
    ],
)  # fmt: skip
def test_bad_options_are_one_line_exit_2(tmp_path, args, needle):
    result = dofviewer("render", "-o", tmp_path / "x.png", "--size", "64x36", *args)
    assert result.returncode == 2
    assert needle in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_bad_scene_file_is_one_line_exit_2(tmp_path):
    scene = tmp_path / "s.json"
    scene.write_text(json.dumps({"camera": {"position": [0, 0, 0], "look_at": [0, 0, -1]},
                                 "objects": [{"name": "a", "shape": "sphere", "position": [0, 0, -2],
                                              "radius": -1}]}))  # fmt: skip
    result = dofviewer("render", scene, "-o", tmp_path / "x.png")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"dofviewer: error: {scene}: objects[0].radius: must be 1e-06..1e+06 m, got -1"
    )


def test_no_opengl_is_one_line_exit_2(tmp_path):
    # Point EGL at a vendor library that does not exist: context creation must fail cleanly.
    env = dict(os.environ, __EGL_VENDOR_LIBRARY_FILENAMES=str(tmp_path / "none.json"),
               EGL_PLATFORM="surfaceless", LIBGL_ALWAYS_SOFTWARE="0")  # fmt: skip
    result = dofviewer("render", "-o", tmp_path / "x.png", "--size", "64x36", env=env)
    assert result.returncode == 2, result.stderr
    assert "cannot create an OpenGL 3.3 core context" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize("args", [[], ["demo"], ["demo.json"], ["--size", "320x180"],
                                  ["toycar", "--camera", "1"]])  # fmt: skip
def test_anything_but_a_command_opens_the_viewer(tmp_path, args):
    """`dofviewer`, `dofviewer demo`, `dofviewer --size 800x450` are `dofviewer view ...`:
    without a display each ends in view's own one-line error, not a usage error."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = dofviewer(*args, env=env)
    assert result.returncode == 2
    assert "cannot open a window" in result.stderr, result.stderr


def test_help_lists_bundled_scenes_and_the_shorthands_and_view_help_the_keys():
    top = dofviewer("--help")
    assert top.returncode == 0
    for text in ("demo (demo.json)", "toycar", "tracking", "dofviewer SCENE.json",
                 "--size 800x450", "press H"):  # fmt: skip
        assert text in top.stdout, text
    view = dofviewer("view", "--help").stdout
    assert "Keys (H in the window" in view and "Ctrl+1-9" in view and "Space" in view


def test_bundled_names_resolve_with_or_without_their_suffix(tmp_path):
    from dofviewer.content.scene import bundled_name, resolve_scene_path

    assert bundled_name("demo") == bundled_name("demo.json") == "demo"
    assert bundled_name("toycar.glb") == "toycar" and bundled_name("toycar.json") is None
    assert resolve_scene_path("tracking.json") == resolve_scene_path("tracking")
    out = tmp_path / "x.png"
    result = dofviewer("render", "tracking.json", "-o", out, "--size", "64x36")
    assert result.returncode == 0, result.stderr


def test_quality_says_small_settings_may_explain_a_no():
    from dofviewer.measurement.quality import small_settings_note

    assert small_settings_note((480, 270), 256) is None
    note = small_settings_note((160, 90), 32)
    assert "160x90" in note and "32" in note and "480x270" in note
