"""Wide occluders against the accumulation reference: no dark fringe beside a sharp
card over a blurred bright wall, no bright rim round a blurred card over a sharp wall
(issue 15). A thin post (the halo case) does not show the fringe; a wide card does."""

import numpy as np

from dofviewer.measurement.crafted import blurred_card, occluder
from dofviewer.measurement.quality import silhouette_figures
from dofviewer.render.renderer import FrameSettings

SIZE = (320, 180)
SAMPLES = 256  # 128 leaves 1-2 % of noise in the reference's blurred edge


def profiles(gl, scene):
    settings = FrameSettings.from_scene(scene)
    realtime = gl.render(scene, SIZE, settings=settings)
    reference = gl.render(scene, SIZE, settings=settings, reference_samples=SAMPLES)
    pinhole = gl.render(scene, SIZE, settings=settings, dof=False)
    return pinhole, realtime, reference


def test_a_sharp_card_leaves_the_blurred_wall_beside_it_as_the_reference(gl):
    pinhole, realtime, reference = profiles(gl, occluder())
    figures = silhouette_figures(pinhole, realtime, reference)
    assert figures["sharp_card"]
    assert figures["blur_radius_px"] > 8  # strongly blurred, at this size
    # Before the far field's spreading colour (layers.glsl), -8 % six pixels out.
    assert abs(figures["darkest"]) <= 0.02, figures
    assert abs(figures["brightest"]) <= 0.02, figures


def test_a_blurred_card_has_no_bright_rim_over_a_sharp_wall(gl):
    pinhole, realtime, reference = profiles(gl, blurred_card())
    figures = silhouette_figures(pinhole, realtime, reference)
    assert not figures["sharp_card"]
    assert figures["blur_radius_px"] > 8
    # Within 1.2 % of the reference (which strays 1 % from the thin lens at 256 samples).
    # The near field once took the colour of mip texels read across the silhouette, the
    # wall's light with the card's: +2.4 % six pixels out (near_color_share() in
    # gather_library.glsl).
    assert figures["brightest"] <= 0.02, figures
    assert figures["darkest"] >= -0.02, figures
    # No rim: the profile rises from the card to the wall without overshooting it.
    h = SIZE[1]
    row = realtime.linear[int(0.4 * h) : int(0.6 * h)].mean(axis=(0, 2))
    wall = row[-16:].mean()
    assert row.max() <= wall * 1.01
    edge, reach = figures["edge_px"], int(np.ceil(figures["blur_radius_px"]))
    rising = np.diff(row[edge - reach : edge + reach + 1])
    assert rising.min() >= -0.01 * wall


def test_the_silhouette_measure_sees_a_fringe(gl):
    """The measure can fail: the reference 10 % brighter in a band beside the edge."""
    pinhole, realtime, reference = profiles(gl, occluder())
    edge = silhouette_figures(pinhole, realtime, reference)["edge_px"]
    reference.linear[:, edge + 1 : edge + 5] *= 1.1
    assert abs(silhouette_figures(pinhole, realtime, reference)["worst"]) > 0.05
