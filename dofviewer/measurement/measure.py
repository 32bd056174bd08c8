"""Measurements of blur on rendered images: edge widths and bokeh discs. Pure numpy.

Used by the quality benchmark (``dofviewer quality``) and the tests. A step edge
blurred by a uniform disc of diameter D rises from 10 % to 90 % over 0.687·D
(:func:`disc_edge_width_factor`); a Gaussian of the same size rises over a different
width with a soft profile, so the edge width tells a disc blur from a Gaussian one.
Images are H×W (luminance) or H×W×3 (linear RGB), top row first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Rec. 709 luminance weights for linear RGB.
LUMA = (0.2126, 0.7152, 0.0722)


def disc_edge_width_factor(low: float = 0.1, high: float = 0.9) -> float:
    """10–90 % width of a step edge blurred by a uniform disc, over the disc's diameter.

    The fraction of a unit disc left of a line at offset u is
    F(u) = 1/2 + (u·sqrt(1 − u²) + asin u) / π; the width is (u_high − u_low) / 2.
    """

    def offset(level):
        lo, hi = -1.0, 1.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            value = 0.5 + (mid * math.sqrt(1 - mid * mid) + math.asin(mid)) / math.pi
            lo, hi = (mid, hi) if value < level else (lo, mid)
        return 0.5 * (lo + hi)

    return (offset(high) - offset(low)) / 2.0


def _step_fraction(profile: np.ndarray) -> np.ndarray:
    """A step profile rescaled to run from 0 on its first plateau to 1 on its last, the
    plateaus being the means of the outer sixth on either side."""
    p = np.asarray(profile, dtype=np.float64)
    k = max(2, len(p) // 6)
    a, b = p[:k].mean(), p[-k:].mean()
    if a == b:
        raise ValueError("the profile has no step")
    return (p - a) / (b - a)


def edge_width(profile: np.ndarray, low: float = 0.1, high: float = 0.9) -> float:
    """10–90 % rise distance (px) of a monotonic-ish step in a 1-D profile.

    The plateaus are the means of the outer sixth on either side; crossings are found
    by linear interpolation, scanning outwards from the steepest point so that noise in
    the plateaus cannot produce a spurious crossing.
    """
    t = _step_fraction(profile)
    n = len(t)
    centre = int(np.argmin(np.abs(t - 0.5)))

    i = centre
    while i > 0 and t[i] > low:
        i -= 1
    j = centre
    while j < n - 1 and t[j] < high:
        j += 1
    if t[i] > low or t[j] < high:
        raise ValueError("the profile does not cross both levels")
    x_low = i + (low - t[i]) / (t[i + 1] - t[i])
    x_high = j - 1 + (high - t[j - 1]) / (t[j] - t[j - 1])
    return float(x_high - x_low)


def edge_midpoint(profile: np.ndarray) -> float:
    """Where a monotonic-ish step in a 1-D profile crosses halfway between its plateaus
    (px from the profile's start, linearly interpolated)."""
    t = _step_fraction(profile)
    i = int(np.argmin(np.abs(t - 0.5)))
    if t[i] > 0.5:
        i -= 1
    i = min(max(i, 0), len(t) - 2)
    return float(i + (0.5 - t[i]) / (t[i + 1] - t[i]))


# --- Edges on a scanline ----------------------------------------------------------------


@dataclass(frozen=True)
class Scanline:
    """A band of rows (``axis="row"``) or columns, centred at fraction ``at`` of the
    frame's height (or width), along which edges are measured. ``weights`` project
    RGB to the one channel measured: luminance by default."""

    axis: str
    at: float
    band: int = 7
    weights: tuple[float, float, float] = LUMA

    def __post_init__(self):
        if self.axis not in ("row", "column"):
            raise ValueError(f"axis must be 'row' or 'column', got {self.axis!r}")
        if not 0 <= self.at <= 1 or self.band < 1:
            raise ValueError("at must lie in [0, 1] and band be >= 1")


@dataclass(frozen=True)
class EdgeWidth:
    """One isolated step edge: where it is, its blur diameter and its 10–90 % width."""

    line: int  # row (or column) at the band's centre
    position: float  # px along the line
    diameter_px: float  # 2·|CoC| of the nearer side
    width_px: float  # measured in the blurred image

    @property
    def predicted_px(self) -> float:
        return disc_edge_width_factor() * self.diameter_px

    @property
    def relative_error(self) -> float:
        return self.width_px / self.predicted_px - 1.0


def _lines(image: np.ndarray, scanline: Scanline) -> np.ndarray:
    """The image as (lines, along): projected to one channel, columns turned to rows."""
    plane = image @ np.asarray(scanline.weights) if image.ndim == 3 else image
    return plane.T if scanline.axis == "column" else plane


def _steps(profile: np.ndarray, tolerance: float) -> list[tuple[int, int]]:
    """The steps of a pinhole profile: (before, after), the last pixel before and the
    first after each run over which it moves one way by more than ``tolerance`` per
    pixel (so an antialiased pixel belongs to its step)."""
    diff = np.diff(profile)
    sign = np.where(np.abs(diff) > tolerance, np.sign(diff), 0)
    runs, start = [], None
    for i, s in enumerate(np.append(sign, 0)):
        if start is not None and s != sign[start]:
            runs.append((start, i))
            start = None
        if start is None and s != 0:
            start = i
    return runs


def scanline_edges(
    pinhole: np.ndarray,
    coc: np.ndarray,
    blurred: np.ndarray,
    scanline: Scanline,
    min_diameter_px: float = 4.0,
    isolation: float = 1.5,
    flatness: float = 0.05,
) -> list[EdgeWidth]:
    """The 10–90 % widths in ``blurred`` of the isolated step edges of ``pinhole``.

    ``pinhole`` is the all-in-focus linear image, ``coc`` its signed CoC radius map
    (px) and ``blurred`` the same frame with depth of field. A step of the pinhole
    image along the scanline is measured when its blur diameter D (twice the CoC of
    the nearer side: an occluder's blur decides its silhouette's) is at least
    ``min_diameter_px``, no other step lies within ``isolation``·D of it, and the
    pinhole image is flat to ``flatness`` of the step's height on either side over the
    whole area the blur reaches (the band's lines ± D/2 too, so that an edge across
    the scanline nearby cannot leak in). The width is read from the band's mean
    profile over ±(D + 2) px, whose outer sixths (the plateaus) see only flat pinhole.
    """
    sharp, blur = _lines(pinhole, scanline), _lines(blurred, scanline)
    radius = coc.T if scanline.axis == "column" else coc
    centre = round(scanline.at * (sharp.shape[0] - 1))
    band = slice(max(0, centre - scanline.band // 2), centre + scanline.band // 2 + 1)
    profile = sharp[band].mean(axis=0)
    span = float(np.ptp(profile))
    steps = _steps(profile, 0.01 * span) if span > 0 else []
    edges = []
    for before, after in steps:
        if abs(profile[after] - profile[before]) < 0.1 * span:
            continue  # too faint to measure
        if before < 1 or after > len(profile) - 2:
            continue
        near = min(np.median(radius[band, before - 1]), np.median(radius[band, after + 1]))
        diameter = 2.0 * abs(float(near))
        if diameter < min_diameter_px:
            continue
        reach = math.ceil(isolation * diameter) + 2
        others = [s for s in steps if s != (before, after)]
        if not _isolated(sharp, band, (before, after), reach, diameter, others, flatness):
            continue
        middle = 0.5 * (before + after)
        half = math.ceil(diameter) + 2
        window = blur[band, max(0, round(middle) - half) : round(middle) + half + 1]
        try:
            edges.append(EdgeWidth(centre, middle, diameter, edge_width(window.mean(axis=0))))
        except ValueError:
            continue  # no clean 10–90 % rise: not a blurred step
    return edges


def _isolated(sharp, band, step, reach, diameter, others, flatness) -> bool:
    """Whether the pinhole image is one clean step within ``reach`` px along the line
    and D/2 across it: inside the frame, no other step, flat plateaus."""
    before, after = step
    lo, hi = before - reach, after + reach
    if lo < 0 or hi >= sharp.shape[1]:
        return False
    if any(other[1] >= lo and other[0] <= hi for other in others):
        return False
    spread = math.ceil(diameter / 2)
    area = sharp[max(0, band.start - spread) : band.stop + spread]
    tolerance = flatness * abs(sharp[band, after].mean() - sharp[band, before].mean())
    left, right = area[:, lo:before], area[:, after + 1 : hi + 1]
    return np.ptp(left) <= tolerance and np.ptp(right) <= tolerance


def median_relative_error(edges: list[EdgeWidth]) -> float | None:
    """Median of |measured / predicted − 1| over the edges (None when there are none)."""
    if not edges:
        return None
    return float(np.median([abs(e.relative_error) for e in edges]))


# --- Bokeh ------------------------------------------------------------------------------


def aperture_kernel(radius_px: float, blades: int = 0, rotation_deg: float = 0.0) -> np.ndarray:
    """The thin-lens blur of a far point: a disc (``blades`` 0) or a regular n-gon with
    circumradius ``radius_px``, a corner at 90° + ``rotation_deg`` (y up), summing to 1.
    Edge pixels hold their covered area, from 8×8 samples each."""
    half = math.ceil(radius_px) + 1
    sub = (np.arange(8) + 0.5) / 8 - 0.5
    offsets = (np.arange(-half, half + 1)[:, None] + sub[None, :]).ravel()
    x, y = np.meshgrid(offsets, -offsets)  # rows run down; y runs up
    r = np.hypot(x, y)
    if blades < 3:
        inside = r <= radius_px
    else:
        segment = 2 * math.pi / blades
        angle = np.arctan2(y, x) - math.radians(rotation_deg) - math.pi / 2
        off_flat = np.mod(angle, segment) - segment / 2
        inside = r * np.cos(off_flat) <= radius_px * math.cos(segment / 2)
    size = 2 * half + 1
    kernel = inside.reshape(size, 8, size, 8).mean(axis=(1, 3))
    return kernel / kernel.sum()


def thin_lens_blur(sharp: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """``sharp`` (H×W) convolved with ``kernel``: what a lens gives when everything in
    the frame lies at one depth. The frame is padded with zeros (no light outside)."""
    h, w = sharp.shape
    k = kernel.shape[0]
    shape = (h + k, w + k)
    spectrum = np.fft.rfft2(sharp, shape) * np.fft.rfft2(kernel, shape)
    full = np.fft.irfft2(spectrum, shape)
    return full[k // 2 : k // 2 + h, k // 2 : k // 2 + w]


def excess_luminance(linear: np.ndarray) -> np.ndarray:
    """Luminance above the background, taken as the median pixel: the light is small."""
    lum = linear @ np.asarray(LUMA) if linear.ndim == 3 else linear.astype(np.float64)
    return lum - np.median(lum)


def energy_ratio(blurred: np.ndarray, sharp: np.ndarray) -> float:
    """Total linear light above the background in ``blurred`` over that in ``sharp``:
    1 when the blur keeps a light's energy."""
    return float(excess_luminance(blurred).sum() / excess_luminance(sharp).sum())


def centroid(linear: np.ndarray) -> tuple[float, float]:
    """(x, y) of the light above the background."""
    excess = np.clip(excess_luminance(linear), 0, None)
    ys, xs = np.indices(excess.shape)
    total = excess.sum()
    return float((xs * excess).sum() / total), float((ys * excess).sum() / total)


@dataclass(frozen=True)
class Disc:
    """A bokeh disc: where its rim falls through half its plateau, and how flat it is."""

    radius_px: float
    plateau: float  # mean luminance above the background well inside the rim
    flatness: float  # centre (r < 2 px) over the mean inside the radius; 1 when flat
    #: Standard deviation over mean well inside the rim (r < 0.7 radius): 0 when even, and
    #: a few percent for a clean disc; a gather's sparse samples show as blotches or dots.
    mottle: float


def _half_radius(profile: np.ndarray, level: float) -> float:
    """Where the radial ``profile`` (ring k holds radii k to k + 1) first falls below
    ``level``, interpolated between ring centres."""
    below = np.nonzero(profile < level)[0]
    k = int(below[0]) if len(below) else len(profile) - 1
    if k == 0:
        return 0.0
    return k - 0.5 + (profile[k - 1] - level) / (profile[k - 1] - profile[k])


def bokeh_disc(linear: np.ndarray) -> Disc:
    """Measure the one bright disc of ``linear`` (a light blurred over a flat background).

    The radius is where the radial mean falls through half the plateau. The plateau is
    the mean within 0.7 of a first radius found from the profile's peak. A Gaussian
    blob's centre stands well above its mean inside that radius (about 1.5×); a flat
    disc's does not.
    """
    excess = excess_luminance(linear)
    cx, cy = centroid(linear)
    ys, xs = np.indices(excess.shape)
    r = np.hypot(xs - cx, ys - cy)
    ring = r.astype(int).ravel()
    counts = np.maximum(np.bincount(ring), 1)  # a corner's ring may hold no pixel
    profile = np.bincount(ring, excess.ravel()) / counts
    first = _half_radius(profile, 0.5 * profile.max())
    plateau = float(excess[r < max(1.0, 0.7 * first)].mean())
    radius = _half_radius(profile, 0.5 * plateau)
    centre = float(excess[r < 2].mean())
    inner = excess[r < max(0.7 * radius, 2.0)]
    return Disc(float(radius), plateau, centre / float(excess[r < max(radius, 2.0)].mean()),
                float(inner.std() / inner.mean()))  # fmt: skip


def rim_roundness(linear: np.ndarray, level: float = 0.5, angles: int = 360) -> float:
    """How round a bokeh disc's rim is: its smallest radius over its largest, 1 for a
    clean disc. Along each of ``angles`` rays from the disc's centroid the rim is the
    outermost point where the image still holds ``level`` of the plateau (a blotchy
    inside does not count here; ``bokeh_disc``'s flatness sees that). Gathering from a
    few fixed rings leaves a bump on the rim at every sample of the outer ring."""
    excess = excess_luminance(linear)
    cx, cy = centroid(linear)
    outline = level * bokeh_disc(linear).plateau
    steps = np.arange(0.0, min(excess.shape) / 2, 0.125)
    radii = []
    for a in np.linspace(0.0, 2.0 * math.pi, angles, endpoint=False):
        values = _bilinear(excess, cx + steps * math.cos(a), cy - steps * math.sin(a))
        above = np.nonzero(values >= outline)[0]
        k = int(above[-1]) if len(above) else 0
        if k + 1 < len(steps):  # interpolate the crossing between the two steps
            k += (values[k] - outline) / max(values[k] - values[k + 1], 1e-12)
        radii.append(k * 0.125)
    radii = np.asarray(radii)
    return float(radii.min() / max(radii.max(), 1e-12))


def polygon_ratio(
    linear: np.ndarray, blades: int, rotation_deg: float = 0.0, level: float = 0.25
) -> float:
    """Mean extent of a bokeh polygon across its flats over that to its corners.

    Corners are taken at 90° + ``rotation_deg`` + k·360°/``blades`` (counter-clockwise,
    y up: the aperture's convention, which a far light's bokeh keeps), flats halfway
    between. The outline is where the image falls to ``level`` of the plateau along
    each ray: a rim a few pixels soft still gives a clean outline there. A regular
    polygon at that rotation gives cos(180°/blades), 0.866 for six; one turned by half
    a segment gives the inverse, and a disc gives 1.
    """
    excess = excess_luminance(linear)
    cx, cy = centroid(linear)
    outline = level * bokeh_disc(linear).plateau
    steps = np.arange(0.0, min(excess.shape) / 2, 0.25)

    def extent(angle_deg):
        a = math.radians(angle_deg)
        xs, ys = cx + steps * math.cos(a), cy - steps * math.sin(a)
        inside = _bilinear(excess, xs, ys) > outline
        return steps[np.argmin(inside)] if not inside.all() else steps[-1]

    segment = 360.0 / blades
    corner = 90.0 + rotation_deg
    corners = np.mean([extent(corner + k * segment) for k in range(blades)])
    flats = np.mean([extent(corner + (k + 0.5) * segment) for k in range(blades)])
    return float(flats / corners)


def _bilinear(image: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    h, w = image.shape
    xs, ys = np.clip(xs, 0, w - 1.001), np.clip(ys, 0, h - 1.001)
    x0, y0 = xs.astype(int), ys.astype(int)
    fx, fy = xs - x0, ys - y0
    top = image[y0, x0] * (1 - fx) + image[y0, x0 + 1] * fx
    bottom = image[y0 + 1, x0] * (1 - fx) + image[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy
