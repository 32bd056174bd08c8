"""Thin-lens math against the formula, by hand."""

import math

import pytest

from dofviewer.shot.lens import MAX_COC_RADIUS_PX, ThinLens, polygon_area_factor, step_fstop


@pytest.mark.parametrize(
    ("depth", "focus"), [(1.0, 4.0), (4.0, 4.0), (10.0, 2.5), (0.3, 0.5), (100, 1)]
)
@pytest.mark.parametrize("lens", [ThinLens(50, 2.0), ThinLens(85, 1.4, 24.0), ThinLens(24, 8.0)])
def test_coc_matches_thin_lens_formula(lens, depth, focus):
    f = lens.focal_length_mm / 1000
    expected = (f / lens.f_stop) * f * abs(depth - focus) / (depth * focus)
    sensor = lens.coc_diameter_sensor_m(depth, focus)
    assert abs(sensor) == pytest.approx(expected, rel=1e-12)
    assert math.copysign(1, sensor) == (1 if depth >= focus else -1) or expected == 0
    px = lens.coc_diameter_px(depth, focus, 1920)
    assert px == pytest.approx(sensor * 1920 / (lens.sensor_width_mm / 1000), rel=1e-9)


def test_coc_is_signed_near_negative_far_positive():
    lens = ThinLens(50, 2.0)
    assert lens.coc_diameter_px(1.0, 4.0, 960) < 0 < lens.coc_diameter_px(10.0, 4.0, 960)
    assert lens.coc_diameter_px(4.0, 4.0, 960) == pytest.approx(0.0, abs=1e-9)


def test_coc_at_infinity_is_the_limit():
    lens = ThinLens(50, 2.0)
    assert lens.coc_diameter_px(math.inf, 3.0, 960) == pytest.approx(
        lens.coc_diameter_px(1e12, 3.0, 960), rel=1e-9
    )


def test_coc_is_one_multiply_add_on_inverse_depth():
    lens = ThinLens(35, 2.8)
    c0, c1 = lens.coc_coefficients(2.0, 1280)
    for depth in (0.5, 1.0, 2.0, 7.0, 50.0):
        assert c0 / depth + c1 == pytest.approx(lens.coc_diameter_px(depth, 2.0, 1280))


def test_depth_for_coc_inverts_coc():
    lens = ThinLens(85, 1.4)
    for depth in (0.9, 1.5, 3.0, 8.0):
        coc = lens.coc_diameter_px(depth, 2.0, 320)
        assert lens.depth_for_coc_px(coc, 2.0, 320) == pytest.approx(depth)


def test_field_of_view_from_sensor_and_focal_length():
    assert math.degrees(ThinLens(50, 2, 36).horizontal_fov_rad) == pytest.approx(39.5978, abs=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"f_stop": 0}, "f_stop"), ({"focal_length_mm": -5}, "focal_length_mm"),
     ({"f_stop": math.nan}, "f_stop"), ({"aperture_blades": 2}, "aperture_blades")],
)  # fmt: skip
def test_bad_lens_values_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ThinLens(**kwargs)


def test_full_stop_steps():
    assert step_fstop(2.0, 1) == 2.8
    assert step_fstop(2.0, -1) == 1.4
    assert step_fstop(2.2, 0) == 2.0
    assert step_fstop(16, 5) == 22.0


def test_polygon_area_tends_to_disc():
    assert polygon_area_factor(6) == pytest.approx(1.5 * math.sqrt(3))
    assert polygon_area_factor(0) == pytest.approx(math.pi)
    assert polygon_area_factor(16) == pytest.approx(math.pi, rel=0.03)


def test_max_coc_is_documented_size():
    # README and shaders document a 64 px wide largest disc.
    assert MAX_COC_RADIUS_PX == 32.0
