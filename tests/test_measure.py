"""The blur measurements (dofviewer/measurement/measure.py) on synthetic images: no GL, milliseconds.

Each image is made with the thin-lens blur the measurement expects (a step or a point
convolved with the aperture), or with one it must tell apart from it (a Gaussian).
"""

import math

import numpy as np
import pytest

from dofviewer.measurement.measure import (
    Scanline,
    aperture_kernel,
    bokeh_disc,
    centroid,
    disc_edge_width_factor,
    edge_midpoint,
    edge_width,
    energy_ratio,
    median_relative_error,
    polygon_ratio,
    scanline_edges,
    thin_lens_blur,
)
from dofviewer.shot.lens import polygon_area_factor

H, W = 90, 160
ROW = Scanline("row", 0.5)


def step(at=80, dark=0.2, bright=1.0):
    """A vertical step edge: ``dark`` left of column ``at``, ``bright`` from it on."""
    image = np.full((H, W), float(dark))
    image[:, at:] = bright
    return image


def blurred(image, radius, blades=0, rotation=0.0):
    """``image`` through the thin lens at one depth; the frame's border is extended so
    that the blur does not darken it (the measurements read plateaus up there)."""
    pad = math.ceil(radius) + 2
    padded = np.pad(image, pad, mode="edge")
    return thin_lens_blur(padded, aperture_kernel(radius, blades, rotation))[pad:-pad, pad:-pad]


def point_light(radius, blades=0, rotation=0.0, background=0.05, power=400.0):
    sharp = np.full((H + 40, W), background)
    sharp[65, 80] += power
    return sharp, blurred(sharp, radius, blades, rotation) if radius else sharp


def test_disc_edge_width_factor_is_the_disc_value():
    assert disc_edge_width_factor() == pytest.approx(0.687, abs=5e-4)
    assert disc_edge_width_factor(0.5, 0.5) == pytest.approx(0.0, abs=1e-9)


def test_edge_width_of_a_disc_blurred_step():
    row = blurred(step(), 10)[H // 2, 40:121]
    assert edge_width(row) == pytest.approx(0.687 * 20, rel=0.02)
    assert edge_width(row[::-1]) == pytest.approx(0.687 * 20, rel=0.02)  # a falling edge
    with pytest.raises(ValueError, match="no step"):
        edge_width(np.ones(30))


def test_edge_midpoint_is_where_the_step_was():
    # The step lies between columns 79 and 80: index 39.5 of a row cut from column 40.
    row = blurred(step(), 10)[H // 2, 40:121]
    assert edge_midpoint(row) == pytest.approx(39.5, abs=0.05)
    assert edge_midpoint(row[::-1]) == pytest.approx(80 - 39.5, abs=0.05)  # a falling edge
    assert edge_midpoint(blurred(step(at=83), 10)[H // 2, 40:121]) == pytest.approx(42.5, abs=0.05)
    with pytest.raises(ValueError, match="no step"):
        edge_midpoint(np.ones(30))


def test_aperture_kernels_hold_their_area_and_point_their_corners_up():
    for blades in (0, 5, 6):
        kernel = aperture_kernel(12.0, blades)
        assert kernel.sum() == pytest.approx(1.0)
        area = np.count_nonzero(kernel > 0.5 * kernel.max())
        assert area == pytest.approx(polygon_area_factor(blades) * 144, rel=0.04)
    # A triangle with a corner up reaches the full radius above its centre, half below.
    triangle = aperture_kernel(20.0, 3) > 0
    rows = np.nonzero(triangle.any(axis=1))[0]
    centre = triangle.shape[0] // 2
    assert centre - rows.min() == pytest.approx(20, abs=1)
    assert rows.max() - centre == pytest.approx(10, abs=1)


def test_scanline_edges_measure_a_disc_blur():
    sharp = step()
    coc = np.full((H, W), 8.0)
    edges = scanline_edges(sharp, coc, blurred(sharp, 8), ROW)
    assert len(edges) == 1
    edge = edges[0]
    assert edge.position == pytest.approx(79.5) and edge.diameter_px == 16
    assert abs(edge.relative_error) < 0.02
    # A Gaussian of the same second moment (σ = r/2) rises over a shorter distance.
    x = np.arange(W) - 79.5
    gauss = 0.2 + 0.8 * 0.5 * (1 + np.vectorize(math.erf)(x / (4 * math.sqrt(2))))
    (soft,) = scanline_edges(sharp, coc, np.broadcast_to(gauss, (H, W)), ROW)
    assert soft.relative_error < -0.05
    # Turned a quarter, the same edge is found along a column.
    (turned,) = scanline_edges(sharp.T, coc.T, blurred(sharp, 8).T, Scanline("column", 0.5))
    assert turned.width_px == pytest.approx(edge.width_px)


def test_scanline_edges_skip_what_they_cannot_measure():
    sharp, coc = step(), np.full((H, W), 8.0)
    image = blurred(sharp, 8)
    assert scanline_edges(sharp, coc * 0.2, image, ROW) == []  # blur under 4 px
    near = step() + step(at=100, dark=0.0, bright=0.5)  # another step 20 px < 1.5 D away
    assert scanline_edges(near, coc, blurred(near, 8), ROW) == []
    crossed = step()
    crossed[H // 2 + 10 :, :] = 0.6  # an edge across the line, inside the blur (D/2)
    assert scanline_edges(crossed, coc, blurred(crossed, 8), ROW) == []
    assert scanline_edges(step(at=10), coc, blurred(step(at=10), 8), ROW) == []  # frame side
    assert median_relative_error([]) is None


def test_an_occluders_edge_takes_the_occluders_blur():
    """A blurred near bar over a sharp wall: the edge is the bar's, D = 2·|near CoC|."""
    sharp = step()
    coc = np.zeros((H, W))
    coc[:, :80] = -10.0  # the dark side is near and blurred
    (edge,) = scanline_edges(sharp, coc, blurred(sharp, 10), ROW)
    assert edge.diameter_px == 20 and abs(edge.relative_error) < 0.02


def test_a_blurred_point_keeps_its_energy_in_a_flat_disc():
    sharp, disc = point_light(20)
    assert energy_ratio(disc, sharp) == pytest.approx(1.0, abs=1e-6)
    assert energy_ratio(1.1 * disc - 0.1 * np.median(disc), sharp) == pytest.approx(1.1)
    assert centroid(disc) == pytest.approx((80, 65), abs=1e-6)
    measured = bokeh_disc(disc)
    assert measured.radius_px == pytest.approx(20, abs=0.5)
    assert abs(measured.flatness - 1) < 0.05
    # RGB images are measured on their luminance.
    rgb = np.repeat(disc[..., None], 3, axis=2)
    assert bokeh_disc(rgb).radius_px == pytest.approx(measured.radius_px)


def test_a_gaussian_blob_is_not_flat():
    ys, xs = np.indices((H + 40, W))
    blob = 0.05 + np.exp(-((xs - 80) ** 2 + (ys - 65) ** 2) / (2 * 10.0**2))
    assert abs(bokeh_disc(blob).flatness - 1) > 0.25  # measured 1.49
    # A disc with a few pixels' soft rim still is (the gather's is soft).
    _, soft = point_light(20)
    soft = blurred(soft, 4)
    assert abs(bokeh_disc(soft).flatness - 1) < 0.1


@pytest.mark.parametrize("rotation", [0.0, 15.0])
def test_polygon_ratio_of_a_hexagon_at_its_rotation(rotation):
    _, hexagon = point_light(25, blades=6, rotation=rotation)
    cos30 = math.cos(math.radians(30))
    assert polygon_ratio(hexagon, 6, rotation) == pytest.approx(cos30, abs=0.02)
    # Measured half a segment off, flats and corners swap.
    assert polygon_ratio(hexagon, 6, rotation + 30) == pytest.approx(1 / cos30, abs=0.03)
    _, disc = point_light(25)
    assert polygon_ratio(disc, 6, rotation) == pytest.approx(1.0, abs=0.02)
