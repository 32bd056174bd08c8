"""The gather's precomputed sample patterns (pure math) and the frame's guard band."""

import math
from dataclasses import replace

import numpy as np
import pytest

from dofviewer.render.gather_kernel import (
    aperture_edge,
    exact_kernel,
    gather_kernel,
    samples_within,
)
from dofviewer.render.gl.dof import FINAL, PREVIEW
from dofviewer.render.gl.targets import GUARD_BAND_PX, MIP_ALIGN_PX, guard_margin


@pytest.mark.parametrize("ring_samples", [8, 6])
def test_rings_hold_sk_samples_at_k_ring_steps_on_a_round_aperture(ring_samples):
    kernel = gather_kernel(4, ring_samples=ring_samples)
    s = ring_samples
    assert len(kernel) == samples_within(4, s) == 1 + s + 2 * s + 3 * s + 4 * s
    assert np.all(kernel[0] == 0)
    for ring in range(1, 5):
        rows = kernel[kernel[:, 2] == ring]
        assert len(rows) == s * ring
        np.testing.assert_allclose(np.hypot(rows[:, 0], rows[:, 1]), ring, rtol=1e-6)
        np.testing.assert_allclose(rows[:, 3], ring, rtol=1e-6)  # a disc is its own flip
        assert np.abs(rows[:, :2].mean(axis=0)).max() < 1e-5  # evenly spread round the ring


def test_the_gathers_take_6k_samples_on_ring_k_up_to_their_ring_limits():
    assert FINAL.gather_defines["KERNEL_SAMPLES"] == samples_within(6) == 127
    assert FINAL.gather_defines["RING_SAMPLES"] == 6
    assert FINAL.gather_defines["INTERLEAVE"] == 1
    # The preview's texels take 3k of ring k's 6k samples each, in two patterns.
    assert PREVIEW.gather_defines["INTERLEAVE"] == 2
    assert PREVIEW.gather_defines["RING_SAMPLES"] == 3
    assert PREVIEW.gather_defines["KERNEL_SAMPLES"] == 2 * (1 + 3 + 6 + 9 + 12)
    assert samples_within(3, 3) == 19  # odd ring counts: ring sums k(k+1) are even


@pytest.mark.parametrize("blades", [0, 6])
def test_interleaved_patterns_each_take_every_other_sample_of_every_ring(blades):
    full = gather_kernel(3, blades, 0.3)
    halves = gather_kernel(3, blades, 0.3, interleave=2)
    assert len(halves) == 2 * samples_within(3, 3)
    first, second = np.split(halves, 2)
    assert np.all(first[0] == 0) and np.all(second[0] == 0)  # each has the centre
    # Together they are the whole pattern, once each.
    together = np.concatenate([first[1:], second[1:]])
    order = np.lexsort(together.T)
    np.testing.assert_array_equal(together[order], full[1:][np.lexsort(full[1:].T)])
    for pattern in (first, second):
        for ring in range(1, 4):
            rows = pattern[pattern[:, 2] == ring]
            assert len(rows) == 3 * ring
            if blades == 0:  # evenly spread round the ring: no lopsided half
                assert np.abs(rows[:, :2].mean(axis=0)).max() < 1e-5
    # Ring by ring, as the shader's loop over the first n rings needs.
    assert np.all(np.diff(first[:, 2]) >= 0) and np.all(np.diff(second[:, 2]) >= 0)


def test_only_two_way_interleaving_of_even_rings_is_made():
    with pytest.raises(ValueError, match="interleave"):
        gather_kernel(3, ring_samples=6, interleave=3)
    with pytest.raises(ValueError, match="interleave"):
        gather_kernel(3, ring_samples=5, interleave=2)
    with pytest.raises(ValueError, match="interleave must be 1 or 2"):
        replace(PREVIEW, interleave=4)


def test_odd_rings_are_turned_half_a_step_so_no_spokes_form():
    kernel = gather_kernel(2)
    first = kernel[kernel[:, 2] == 1][0]
    second = kernel[kernel[:, 2] == 2][0]
    assert math.degrees(math.atan2(first[1], first[0])) == pytest.approx(30.0, abs=1e-4)
    assert math.degrees(math.atan2(second[1], second[0])) == pytest.approx(0.0, abs=1e-4)


@pytest.mark.parametrize("blades", [5, 6, 8])
def test_rings_follow_the_flipped_polygon_and_near_distances_the_polygon(blades):
    rotation = math.radians(10)
    kernel = gather_kernel(3, blades, rotation)[1:]
    angle = np.arctan2(kernel[:, 1], kernel[:, 0])
    reach = np.hypot(kernel[:, 0], kernel[:, 1]) / kernel[:, 2]
    # A far source at this offset reaches the centre through the aperture turned 180°.
    np.testing.assert_allclose(reach, aperture_edge(angle + math.pi, blades, rotation), rtol=1e-5)
    inradius = math.cos(math.pi / blades)
    assert reach.min() >= inradius - 1e-6 and reach.max() <= 1 + 1e-6
    np.testing.assert_allclose(
        kernel[:, 3], kernel[:, 2] * reach / aperture_edge(angle, blades, rotation), rtol=1e-5
    )


def test_aperture_edge_puts_a_corner_straight_up_and_flats_at_the_inradius():
    assert aperture_edge(math.pi / 2, 6, 0.0) == pytest.approx(1.0)
    assert aperture_edge(0.0, 6, 0.0) == pytest.approx(math.cos(math.pi / 6))
    assert aperture_edge(1.234, 0, 0.0) == 1.0


def test_exact_kernel_measures_each_offset_by_the_aperture():
    reach = 4
    disc = exact_kernel(reach).reshape(2 * reach + 1, 2 * reach + 1, 4)
    assert disc[reach, reach, 0] == 0
    assert disc[reach, reach + 3, 0] == pytest.approx(3.0)  # (dx, dy) = (3, 0)
    assert disc[reach + 1, reach + 2, 0] == pytest.approx(math.sqrt(5))  # row-major from -reach
    np.testing.assert_allclose(disc[..., 1], disc[..., 0])
    np.testing.assert_allclose(disc[..., 2], disc[..., 0])
    hexagon = exact_kernel(reach, 6, 0.3).reshape(2 * reach + 1, 2 * reach + 1, 4)
    assert np.all(hexagon[..., 1] >= hexagon[..., 0] - 1e-6)  # a polygon lies inside its circle
    # Far and near swap under a half turn of the offset.
    np.testing.assert_allclose(hexagon[::-1, ::-1, 1], hexagon[..., 2], rtol=1e-5)


@pytest.mark.parametrize("extent", [180, 270, 360, 540, 720, 1080, 2160, 320, 1280, 1920, 3840])
def test_guard_band_makes_even_frames_halve_exactly_through_the_gathers_mip_levels(extent):
    margin = guard_margin(extent)
    assert GUARD_BAND_PX <= margin < GUARD_BAND_PX + MIP_ALIGN_PX // 2
    assert (extent + 2 * margin) % MIP_ALIGN_PX == 0


def test_guard_band_of_an_odd_frame_is_the_plain_band():
    assert guard_margin(135) == GUARD_BAND_PX
