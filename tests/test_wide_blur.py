"""Blur from the lens alone, at any size (issue 15): CoC radii up to 8 % of the frame's
width are gathered (coarser mip levels for wider discs), so a step edge blurred wider
than the old 32 px cap keeps the thin lens's width, at two sizes."""

import pytest
from scenes import checker_card_scene

from dofviewer.measurement.measure import disc_edge_width_factor, edge_width
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.shot.lens import LIMITS, ThinLens, max_coc_radius_px

#: The crafted scenes' lens (tests/scenes.py: lens_camera): 85 mm f/1.4, 36 mm sensor.
FOCAL_M, F_STOP, SENSOR_M = 0.085, 1.4, 0.036
TOLERANCE = 0.10  # the bound on thin-lens edge widths


def depth_for_diameter(diameter, focus, side, width):
    """1/d = 1/s ∓ c/(A·f) for a blur disc of ``diameter`` px in a frame ``width`` wide
    (the thin lens written out, as in tests/test_blur.py)."""
    c = diameter * SENSOR_M / width
    sign = -1 if side == "far" else 1
    return 1 / (1 / focus + sign * c / (FOCAL_M / F_STOP * FOCAL_M))


def test_the_largest_radius_is_8_percent_of_the_width():
    assert max_coc_radius_px(1920) == pytest.approx(153.6)
    assert max_coc_radius_px(3840) == pytest.approx(307.2)
    assert max_coc_radius_px(320) == 32.0  # small frames keep the old 32 px


def test_the_f_number_is_physical():
    """No lens in air is faster than f/0.5 (N = 1 / (2 NA), NA <= 1)."""
    assert LIMITS["f_stop"][0] == 0.5
    ThinLens(f_stop=0.5)
    for bad in (0.49, 0.1):
        with pytest.raises(ValueError, match=r"f_stop must be 0.5..64"):
            ThinLens(f_stop=bad)


@pytest.mark.parametrize(("size", "diameter"), [((960, 540), 110), ((1920, 1080), 220)])
@pytest.mark.parametrize(("side", "focus"), [("far", 1.0), ("near", 3.0)])
def test_a_wide_step_edge_has_the_thin_lens_width(gl, size, diameter, side, focus):
    w, h = size
    depth = depth_for_diameter(diameter, focus, side, w)
    with HeadlessRenderer(size, ctx=gl.ctx, supersample=1, msaa=0) as renderer:
        frame = renderer.render(checker_card_scene(depth, focus))
    half = diameter + 40
    rows = frame.linear[h // 2 - 3 : h // 2 + 4].mean(axis=(0, 2))
    width = edge_width(rows[w // 2 - half : w // 2 + half])
    predicted = disc_edge_width_factor() * diameter
    print(f"{side} {w}x{h} D={diameter}px: width {width:.1f} px, predicted {predicted:.1f}")
    assert width == pytest.approx(predicted, rel=TOLERANCE)


def test_past_the_supported_blur_the_coc_is_clamped_and_said_once(gl, capsys):
    from scenes import build, card, lens_camera

    scene = build(lens_camera(0.3, focal_mm=85, f_stop=1.0), [card(50.0, color=[1, 1, 1])])
    heard = []
    with HeadlessRenderer((320, 180), ctx=gl.ctx, msaa=0) as renderer:
        renderer.renderer.on_blur_clamped = heard.append
        for _ in range(2):
            frame = renderer.render(scene)
    assert frame.coc.max() == 32.0  # 8 % of 320 px is less: the 32 px floor
    assert len(heard) == 1 and "past the supported 32 px" in heard[0]
    assert capsys.readouterr().err.count("blur clamped") == 1


def test_within_the_supported_blur_nothing_is_said(gl, capsys):
    with HeadlessRenderer((1920, 1080), ctx=gl.ctx, supersample=1, msaa=0) as renderer:
        renderer.render(checker_card_scene(depth_for_diameter(220, 1.0, "far", 1920), 1.0))
    assert "blur clamped" not in capsys.readouterr().err
