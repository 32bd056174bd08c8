"""The depth-of-field calculator and the sensor and lens presets: pure math, no GL."""

import json
import math

import pytest

from dofviewer.content.scene import parse_scene
from dofviewer.errors import DofError
from dofviewer.shot.dofcalc import default_coc_limit_mm, depth_of_field
from dofviewer.shot.presets import LENS_SETS, PRIMES, SENSORS, prime_named, sensor_named

# DOFMaster's convention (dofmaster.com/equations.html): 35 mm format, c = 0.030 mm,
# Greenleaf's equations, distances printed to the centimetre. These rows were worked by
# hand from those published equations (the site itself was not reachable from here);
# 50 mm f/2 at 3 m is the familiar 2.80-3.23 m, hyperfocal 41.7 m.
DOFMASTER = [
    # focal mm, f-stop, focus m, hyperfocal, near, far
    (50, 2.0, 3.0, 41.72, 2.80, 3.23),
    (50, 8.0, 3.048, 10.47, 2.37, 4.28),
    (24, 8.0, 3.0, 2.42, 1.34, None),
    (85, 1.4, 2.0, 172.1, 1.98, 2.02),
    (35, 5.6, 5.0, 7.33, 2.98, 15.67),
]


@pytest.mark.parametrize(("f", "n", "s", "h", "near", "far"), DOFMASTER)
def test_matches_dofmaster_to_half_a_percent(f, n, s, h, near, far):
    dof = depth_of_field(f, n, s, coc_limit_mm=0.030)
    assert dof.hyperfocal_m == pytest.approx(h, rel=0.005)
    assert dof.near_limit_m == pytest.approx(near, rel=0.005)
    if far is None:
        assert math.isinf(dof.far_limit_m) and math.isinf(dof.depth_of_field_m)
    else:
        assert dof.far_limit_m == pytest.approx(far, rel=0.005)
        assert dof.depth_of_field_m == pytest.approx(dof.far_limit_m - dof.near_limit_m)


def test_hyperfocal_focus_is_sharp_from_half_of_it_to_infinity():
    dof = depth_of_field(35, 8, 1.0, coc_limit_mm=0.03)
    at_h = depth_of_field(35, 8, dof.hyperfocal_m, coc_limit_mm=0.03)
    assert math.isinf(at_h.far_limit_m)
    assert at_h.near_limit_m == pytest.approx(dof.hyperfocal_m / 2, rel=0.01)


def test_default_coc_limit_is_the_diagonal_over_1500():
    assert default_coc_limit_mm(36, 24) == pytest.approx(math.hypot(36, 24) / 1500)
    assert default_coc_limit_mm(36) == pytest.approx(0.02884, rel=1e-3)  # 3:2 assumed
    s35 = SENSORS["super35"]
    dof = depth_of_field(50, 2, 3, s35.width_mm, s35.height_mm)
    assert dof.coc_limit_mm == pytest.approx(math.hypot(24.89, 18.66) / 1500)


def test_json_keys_and_infinity_as_null():
    keys = {"hyperfocal_m", "near_limit_m", "far_limit_m", "depth_of_field_m", "coc_limit_mm",
            "focal_length_mm", "f_stop", "focus_distance_m", "sensor_width_mm"}  # fmt: skip
    finite = depth_of_field(50, 2, 3).as_json()
    assert set(finite) == keys and finite["far_limit_m"] > 3
    infinite = depth_of_field(24, 11, 10).as_json()
    assert infinite["far_limit_m"] is None and infinite["depth_of_field_m"] is None
    json.dumps(infinite)


def test_presets_have_the_named_sizes():
    assert (SENSORS["full-frame"].width_mm, SENSORS["full-frame"].height_mm) == (36, 24)
    assert (SENSORS["super35"].width_mm, SENSORS["super35"].height_mm) == (24.89, 18.66)
    assert {"aps-c", "mft", "1-inch", "phone", "imax65"} <= set(SENSORS)
    assert sensor_named("S35") is SENSORS["super35"]
    assert len(LENS_SETS) >= 2 and prime_named("cooke-s4-50").max_f_stop == 2.0
    with pytest.raises(ValueError, match="did you mean 'super35'"):
        sensor_named("supr35")
    assert all(p.focal_length_mm > 0 and p.max_f_stop > 0 for p in PRIMES.values())


def _scene(camera: dict) -> str:
    cam = {"position": [0, 1, 5], "look_at": [0, 1, 0], **camera}
    return json.dumps({"camera": cam, "objects": [
        {"name": "ball", "shape": "sphere", "position": [0, 1, 0], "radius": 0.5}]})  # fmt: skip


@pytest.mark.parametrize("name", sorted(SENSORS))
def test_sensor_presets_round_trip_through_scene_files(name):
    lens = parse_scene(_scene({"sensor": name})).lens
    assert (lens.sensor_width_mm, lens.sensor_height_mm) == (
        SENSORS[name].width_mm, SENSORS[name].height_mm)  # fmt: skip
    # Written back as numbers, the same lens loads again.
    again = parse_scene(_scene({"sensor_width_mm": lens.sensor_width_mm,
                                "sensor_height_mm": lens.sensor_height_mm})).lens  # fmt: skip
    assert again == lens


def test_lens_preset_in_a_scene_and_numbers_override_it():
    lens = parse_scene(_scene({"lens": "canon-l-85", "sensor": "aps-c"})).lens
    assert (lens.focal_length_mm, lens.f_stop, lens.sensor_width_mm) == (85, 1.2, 23.6)
    lens = parse_scene(_scene({"lens": "canon-l-85", "f_stop": 4})).lens
    assert lens.f_stop == 4
    with pytest.raises(DofError, match="camera.sensor: unknown sensor 'vistavision'"):
        parse_scene(_scene({"sensor": "vistavision"}))
    with pytest.raises(DofError, match="camera.lens"):
        parse_scene(_scene({"lens": 50}))


def test_lens_command_json_and_text(tmp_path):
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "dofviewer", "lens", *args],
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    out = run("--focal-length", "50", "--f-stop", "2", "--focus-distance", "3",
              "--coc-limit", "0.03", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["near_limit_m"] == pytest.approx(2.80, rel=0.005)
    assert data["far_limit_m"] == pytest.approx(3.23, rel=0.005)
    assert data["sensor_width_mm"] == 36 and data["coc_limit_mm"] == 0.03
    s35 = json.loads(run("--focus-distance", "3", "--sensor", "super35", "--json").stdout)
    assert s35["sensor_width_mm"] == 24.89
    wide = json.loads(run("--focus-distance", "3", "--sensor-width", "24.89", "--json").stdout)
    assert wide["coc_limit_mm"] == pytest.approx(default_coc_limit_mm(24.89))
    far = json.loads(run("--focal-length", "24", "--f-stop", "11", "--focus-distance", "10",
                         "--json").stdout)  # fmt: skip
    assert far["far_limit_m"] is None and far["depth_of_field_m"] is None
    text = run("--lens", "cooke-s4-50", "--focus-distance", "3")
    assert "near limit" in text.stdout and "hyperfocal" in text.stdout and "f/2" in text.stdout
    bad = run("--focus-distance", "3", "--sensor", "supr35")
    assert bad.returncode == 2 and "did you mean 'super35'" in bad.stderr
    both = run("--focus-distance", "3", "--sensor", "mft", "--sensor-width", "10")
    assert both.returncode == 2


def test_focus_inside_the_focal_length_has_no_zone():
    with pytest.raises(ValueError, match="beyond the focal length"):
        depth_of_field(50, 2, 0.04)


def test_lens_command_needs_no_opengl(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, __EGL_VENDOR_LIBRARY_FILENAMES=str(tmp_path / "none.json"),
               EGL_PLATFORM="surfaceless", DISPLAY="")  # fmt: skip
    out = subprocess.run([sys.executable, "-m", "dofviewer", "lens", "--focus-distance", "3",
                          "--json"], capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    inside = subprocess.run([sys.executable, "-m", "dofviewer", "lens", "--focus-distance",
                             "0.02"], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert inside.returncode == 2 and "beyond the focal length" in inside.stderr


def test_render_takes_lens_and_sensor_names():
    from dofviewer.cli import build_parser
    from dofviewer.cli.commands import settings_from_options
    from dofviewer.content.scene import load_scene

    parser = build_parser()
    args = parser.parse_args(["render", "-o", "x.png", "--lens", "ultra-prime-85",
                              "--sensor", "super35", "--f-stop", "4"])  # fmt: skip
    lens = settings_from_options(load_scene(), args).lens
    assert (lens.focal_length_mm, lens.f_stop) == (85, 4)  # the option over the lens's T1.9
    assert (lens.sensor_width_mm, lens.sensor_height_mm) == (24.89, 18.66)
    bad = parser.parse_args(["render", "-o", "x.png", "--lens", "ultra-prime-86"])
    with pytest.raises(DofError, match="--lens: unknown lens 'ultra-prime-86'"):
        settings_from_options(load_scene(), bad)
