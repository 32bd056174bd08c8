"""Depth of field as a focus puller reads it: hyperfocal distance, near and far limits of
acceptable sharpness. Pure math, no GL.

The standard (Greenleaf, as DOFMaster and pCAM use) formulas, with f the focal length,
N the f-number, c the circle-of-confusion limit and s the focus distance, all in mm:

    H    = f² / (N·c) + f
    near = s·(H − f) / (H + s − 2f)
    far  = s·(H − f) / (H − s)          for s < H, else infinity

The CoC limit defaults to the sensor diagonal / 1500 (0.029 mm on full frame, 0.021 mm
on Super 35): sharp enough for a frame seen whole. Pass ``coc_limit_mm`` for a
stricter standard (a cinema screen or a 4K pull often asks for half that).

This is the *acceptable-sharpness* model; :mod:`dofviewer.shot.lens` is the renderer's
blur model (framing fixed, no focus breathing). The two agree where s ≫ f.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

#: The CoC limit is the sensor diagonal over this (a common rule: Zeiss uses 1730,
#: DOFMaster's 0.030 mm on 35 mm film is diagonal / 1442).
COC_DIAGONAL_DIVISOR = 1500.0
#: A sensor given by width alone is taken as 3:2 (the still-photo frame) for its diagonal.
DEFAULT_ASPECT = 1.5


def sensor_diagonal_mm(width_mm: float, height_mm: float | None = None) -> float:
    height = width_mm / DEFAULT_ASPECT if height_mm is None else height_mm
    return math.hypot(width_mm, height)


def default_coc_limit_mm(width_mm: float, height_mm: float | None = None) -> float:
    """The sensor diagonal / :data:`COC_DIAGONAL_DIVISOR`, in mm."""
    return sensor_diagonal_mm(width_mm, height_mm) / COC_DIAGONAL_DIVISOR


@dataclass(frozen=True)
class DepthOfField:
    """One calculation; distances in metres, ``inf`` where the zone reaches infinity."""

    focal_length_mm: float
    f_stop: float
    focus_distance_m: float
    coc_limit_mm: float
    sensor_width_mm: float
    hyperfocal_m: float
    near_limit_m: float
    far_limit_m: float

    @property
    def depth_of_field_m(self) -> float:
        return self.far_limit_m - self.near_limit_m

    @property
    def in_front_m(self) -> float:
        """How far the zone reaches in front of the focus plane."""
        return self.focus_distance_m - self.near_limit_m

    @property
    def behind_m(self) -> float:
        return self.far_limit_m - self.focus_distance_m

    def as_json(self) -> dict:
        """The ``dofviewer lens --json`` object: infinite distances are null."""
        out = asdict(self)
        out["depth_of_field_m"] = self.depth_of_field_m
        keys = ("hyperfocal_m", "near_limit_m", "far_limit_m", "depth_of_field_m",
                "coc_limit_mm", "focal_length_mm", "f_stop", "focus_distance_m",
                "sensor_width_mm")  # fmt: skip
        return {k: (None if math.isinf(out[k]) else out[k]) for k in keys}


def depth_of_field(focal_length_mm: float, f_stop: float, focus_distance_m: float,
                   sensor_width_mm: float = 36.0, sensor_height_mm: float | None = None,
                   coc_limit_mm: float | None = None) -> DepthOfField:  # fmt: skip
    """The zone of acceptable sharpness. ``coc_limit_mm`` defaults to
    :func:`default_coc_limit_mm` of the sensor."""
    for name, value in (("focal_length_mm", focal_length_mm), ("f_stop", f_stop),
                        ("sensor_width_mm", sensor_width_mm)):  # fmt: skip
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a finite number > 0 (got {value})")
    if not focus_distance_m * 1000.0 > focal_length_mm:
        # Inside the focal length the formulas put the near limit beyond focus: no answer.
        raise ValueError(
            f"focus distance must be beyond the focal length ({focal_length_mm / 1000:g} m), "
            f"got {focus_distance_m:g} m"
        )
    c = coc_limit_mm
    if c is None:
        c = default_coc_limit_mm(sensor_width_mm, sensor_height_mm)
    if not (math.isfinite(c) and c > 0):
        raise ValueError(f"coc_limit_mm must be a finite number > 0 (got {c})")
    f = focal_length_mm
    h = f * f / (f_stop * c) + f
    if math.isinf(focus_distance_m):
        near, far = h - f, math.inf  # focused at infinity: sharp from about H on
    else:
        s = focus_distance_m * 1000.0
        near = s * (h - f) / (h + s - 2 * f)
        far = s * (h - f) / (h - s) if s < h else math.inf
    return DepthOfField(
        focal_length_mm=f, f_stop=f_stop, focus_distance_m=focus_distance_m, coc_limit_mm=c,
        sensor_width_mm=sensor_width_mm, hyperfocal_m=h / 1000.0, near_limit_m=near / 1000.0,
        far_limit_m=far / 1000.0,
    )  # fmt: skip


def for_lens(lens, focus_distance_m: float, coc_limit_mm: float | None = None) -> DepthOfField:
    """:func:`depth_of_field` for a :class:`~dofviewer.shot.lens.ThinLens`."""
    return depth_of_field(lens.focal_length_mm, lens.f_stop, focus_distance_m,
                          lens.sensor_width_mm, lens.sensor_height_mm, coc_limit_mm)  # fmt: skip


def distance_text(distance_m: float) -> str:
    """A focus distance as a focus puller reads it: metres from 1 m, centimetres below,
    millimetres under 10 cm (a toy car's 23.2 mm is not "0.02 m"), "infinity" beyond."""
    if math.isinf(distance_m):
        return "infinity"
    if distance_m >= 1.0:
        return f"{distance_m:.2f} m"
    if distance_m >= 0.1:
        return f"{distance_m * 100:.1f} cm"
    return f"{distance_m * 1000:.1f} mm"
