"""Thin-lens optics: circle of confusion and field of view. Pure math, no GL.

Convention (also used by the shaders and, later, the accumulation reference):

The framing is held fixed while focus moves (no focus breathing), as path tracers such
as Cycles do. A lens of focal length f and f-number N has an aperture of diameter
A = f/N. A point at depth d (metres along the view axis) focused at distance s
images to a blur disc on the sensor of diameter

    c = A · f · |d − s| / (d · s)                        (1)

The textbook form with (s − f) in place of s assumes the sensor moves to focus, which
also rescales the image; we do not use it. Converted to pixels with
``image_width_px / sensor_width`` and kept signed (near < 0, far > 0):

    coc_px(d) = K · (1/s − 1/d),   K = (f² / N) · (W / sensor_width)      (2)

so the CoC is one multiply-add on 1/d. The CPU computes ``C0 = −K`` and ``C1 = K/s``;
the shaders evaluate ``C0 · (1/d) + C1`` (``shaders/common/thin_lens.glsl`` must agree:
it is the one GLSL home of this formula).
Depth at infinity (the empty background) gives the limit ``C1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from dofviewer.errors import DofError

#: The largest blur radius the gather supports, as a share of the frame's width: 8 %
#: (154 px at 1920, 307 px at 3840), so a shot blurs the same at every output size.
#: Wide discs keep the gather's bounded ring count and read coarser mip levels (the
#: rings' spacing grows with the radius), so their cost does not grow with them. The
#: near-field tile dilation reaches this far: ``near_dilation_tiles()`` in
#: ``dofviewer/render/gl/dof.py``. Past it the CoC is clamped, and the renderer says so.
MAX_COC_WIDTH_SHARE = 0.08
#: ... and never below this (px): small frames keep the radius they always had.
MAX_COC_RADIUS_PX = 32.0


def max_coc_radius_px(image_width_px: int) -> float:
    """The largest CoC radius (px) supported in a frame this wide (see above)."""
    return max(MAX_COC_RADIUS_PX, MAX_COC_WIDTH_SHARE * image_width_px)

#: Aperture blade counts a lens may have: 0 is a round aperture, else 3 to 16 blades.
BLADE_COUNTS = (0, *range(3, 17))
BLADES_RULE = "0 (round) or an integer 3..16"


def blade_count_problem(value) -> str | None:
    """Why ``value`` is no blade count (for the one-line errors of scene files,
    timelines and the command line), or None if it is one."""
    if type(value) is not int or value not in BLADE_COUNTS:
        return f"must be {BLADES_RULE}, got {value!r}"
    return None


#: The physical range of every number a user gives (scene files, timelines, command-line
#: options and the Python API all check against this one table, through
#: :func:`range_problem`; README.md "Limits" lists it). Outside these ranges the output
#: is garbage or NaN, so a value beyond them is refused in one line, never clamped.
#: name: (lowest, highest, unit). Focus distance may also be infinity (JSON null).
LIMITS = {
    "f_stop": (0.5, 64.0, ""),
    "focal_length_mm": (1.0, 2000.0, " mm"),
    "sensor_width_mm": (1.0, 100.0, " mm"),
    "focus_distance_m": (0.005, 10_000.0, " m"),  # 0.005: easing.MIN_FOCUS_DISTANCE_M
    "coordinate_m": (-1e6, 1e6, " m"),
    "size_m": (1e-6, 1e6, " m"),
    "scale": (1e-6, 1e6, ""),
    "angle_deg": (-3600.0, 3600.0, " deg"),
    "exposure_ev": (-20.0, 20.0, " EV"),
    "color": (0.0, 1e4, ""),
    "period_s": (0.001, 1e6, " s"),
    "time_s": (0.0, 3600.0, " s"),
    "fps": (0.1, 240.0, " fps"),
}
#: Counts and sizes: a scene's objects, an animation's points, a timeline's keyframes,
#: frames one export may write, aperture samples of the reference render, the bytes a
#: scene or timeline file may hold.
MAX_OBJECTS = 1000
MAX_PATH_POINTS = 1000
MAX_KEYFRAMES = 10_000
MAX_EXPORT_FRAMES = 100_000
MAX_SAMPLES = 4096
MAX_FILE_BYTES = 64 * 1024 * 1024


def range_problem(name: str, value) -> str | None:
    """Why ``value`` is outside the range ``LIMITS[name]`` (a one-line problem for the
    error messages of scene files, timelines, the command line and the API), or None.
    Infinity is a focus distance (focus at infinity), nothing else."""
    low, high, unit = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, got {type(value).__name__}"
    if name == "focus_distance_m" and value == math.inf:
        return None
    if isinstance(value, int) and not -1e300 < value < 1e300:
        return f"must be {low:g}..{high:g}{unit}, got an integer of {len(str(abs(value)))} digits"
    if not (math.isfinite(value) and low <= value <= high):
        return f"must be {low:g}..{high:g}{unit}, got {float(value):g}"
    return None


#: The full f-stop scale a lens ring clicks through.
FULL_STOPS = (1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8.0, 11.0, 16.0, 22.0)


class LensError(DofError, ValueError):
    """A lens value out of range (a ValueError too, as it was before the limits)."""


@dataclass(frozen=True)
class ThinLens:
    """A physical thin lens on a sensor of a given width."""

    focal_length_mm: float = 50.0
    f_stop: float = 2.8
    sensor_width_mm: float = 36.0
    aperture_blades: int = 0
    blade_rotation_deg: float = 0.0
    #: Only the depth-of-field calculator's default CoC limit (the sensor diagonal)
    #: reads it; None is a 3:2 frame (dofviewer.shot.dofcalc.DEFAULT_ASPECT).
    sensor_height_mm: float | None = None

    def __post_init__(self):
        for name in ("focal_length_mm", "f_stop", "sensor_width_mm"):
            problem = range_problem(name, getattr(self, name))
            if problem:
                raise LensError(f"{name} {problem}")
        problem = blade_count_problem(self.aperture_blades)
        if problem:
            raise LensError(f"aperture_blades {problem}")
        problem = range_problem("angle_deg", self.blade_rotation_deg)
        if problem:
            raise LensError(f"blade_rotation_deg {problem}")
        h = self.sensor_height_mm
        if h is not None and range_problem("sensor_width_mm", h):
            raise LensError(f"sensor_height_mm {range_problem('sensor_width_mm', h)}")

    def with_(self, **changes) -> ThinLens:
        """A copy with some fields changed (validated like a new lens)."""
        return replace(self, **changes)

    @property
    def focal_length_m(self) -> float:
        return self.focal_length_mm * 1e-3

    @property
    def aperture_diameter_m(self) -> float:
        return self.focal_length_m / self.f_stop

    @property
    def horizontal_fov_rad(self) -> float:
        return 2.0 * math.atan(self.sensor_width_mm / (2.0 * self.focal_length_mm))

    def coc_scale_px(self, image_width_px: int) -> float:
        """K in equation (2): CoC diameter in pixels per dioptre of defocus."""
        sensor_width_m = self.sensor_width_mm * 1e-3
        return self.focal_length_m**2 / self.f_stop * image_width_px / sensor_width_m

    def coc_coefficients(self, focus_m: float, image_width_px: int) -> tuple[float, float]:
        """(C0, C1) with signed CoC diameter in pixels = C0 / depth + C1."""
        k = self.coc_scale_px(image_width_px)
        return -k, k / focus_m

    def coc_diameter_sensor_m(self, depth_m: float, focus_m: float) -> float:
        """Equation (1), signed: negative in front of the focus plane."""
        if math.isinf(depth_m):
            return self.aperture_diameter_m * self.focal_length_m / focus_m
        return (
            self.aperture_diameter_m
            * self.focal_length_m
            * (depth_m - focus_m)
            / (depth_m * focus_m)
        )

    def coc_diameter_px(self, depth_m: float, focus_m: float, image_width_px: int) -> float:
        """Equation (2): the signed blur-disc diameter in pixels, before clamping."""
        c0, c1 = self.coc_coefficients(focus_m, image_width_px)
        return c1 if math.isinf(depth_m) else c0 / depth_m + c1

    def depth_for_coc_px(self, coc_px: float, focus_m: float, image_width_px: int) -> float:
        """Inverse of :meth:`coc_diameter_px`: the depth that blurs to ``coc_px``.

        Returns ``inf`` when the requested far blur is the limit at infinity or beyond.
        """
        c0, c1 = self.coc_coefficients(focus_m, image_width_px)
        inv_depth = (coc_px - c1) / c0
        return math.inf if inv_depth <= 0 else 1.0 / inv_depth


def polygon_area_factor(blades: int) -> float:
    """Aperture area over r² (circumradius r): π for a disc, (n/2)·sin(2π/n) for n blades."""
    if blades < 3:
        return math.pi
    return 0.5 * blades * math.sin(2.0 * math.pi / blades)


def step_fstop(f_stop: float, steps: int) -> float:
    """The full stop ``steps`` clicks away from the nearest full stop to ``f_stop``."""
    nearest = min(range(len(FULL_STOPS)), key=lambda i: abs(math.log(FULL_STOPS[i] / f_stop)))
    return FULL_STOPS[max(0, min(len(FULL_STOPS) - 1, nearest + steps))]
