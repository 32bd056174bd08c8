"""Points on the lens aperture, and the sheared camera for each: the accumulation
reference (Haeberli & Akeley 1990). Pure math, no GL.

Rendering the scene from many points spread over the aperture, each with an off-axis
frustum that keeps the plane at the focus distance fixed on screen, and averaging,
gives exactly the thin-lens blur: a point at depth d moves by a·(1/s − 1/d) in the
focal plane when the eye moves by a, so its images fill a copy of the aperture of
diameter A·f·|d − s|/(d·s) on the sensor, the CoC of ``dofviewer/shot/lens.py`` by
construction. Near the focus plane the copies are flipped, as in a real lens.
"""

from __future__ import annotations

import math

import numpy as np

from dofviewer.shot.camera import FAR_M, NEAR_M, CameraPose, frustum, look_at
from dofviewer.shot.lens import ThinLens


def aperture_samples(count: int, blades: int = 0, rotation_deg: float = 0.0, seed: int = 7):
    """``count`` stratified points on the aperture, in units of its circumradius.

    A disc uses Shirley's concentric map of a jittered grid (equal-area strata); an
    n-gon splits the strata over its n triangles. The jitter is seeded: the reference
    is deterministic.
    """
    rng = np.random.default_rng(seed)
    side = max(1, int(math.ceil(math.sqrt(count))))
    cells = np.stack(np.meshgrid(np.arange(side), np.arange(side), indexing="ij"), -1).reshape(
        -1, 2
    )
    order = rng.permutation(len(cells))[:count]
    uv = (cells[order] + rng.random((count, 2))) / side  # stratified in [0, 1)²
    if blades < 3:
        return _concentric_disc(uv)
    return _polygon(uv, blades, math.radians(rotation_deg))


def _concentric_disc(uv: np.ndarray) -> np.ndarray:
    a, b = 2 * uv[:, 0] - 1, 2 * uv[:, 1] - 1
    out = np.zeros_like(uv)
    first = np.abs(a) > np.abs(b)
    r = np.where(first, a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(first, (math.pi / 4) * (b / a), math.pi / 2 - (math.pi / 4) * (a / b))
    phi = np.nan_to_num(phi)
    out[:, 0], out[:, 1] = r * np.cos(phi), r * np.sin(phi)
    return out


def _polygon(uv: np.ndarray, blades: int, rotation: float) -> np.ndarray:
    """Uniform over an n-gon with circumradius 1, a corner at 90° + rotation."""
    u = uv[:, 0] * blades
    triangle = np.minimum(u.astype(int), blades - 1)
    s = u - triangle  # the stratum's coordinate inside its triangle
    t = uv[:, 1]
    a0 = math.pi / 2 + rotation + triangle * 2 * math.pi / blades
    a1 = a0 + 2 * math.pi / blades
    root = np.sqrt(t)  # uniform in the triangle (centre, corner a0, corner a1)
    x = root * ((1 - s) * np.cos(a0) + s * np.cos(a1))
    y = root * ((1 - s) * np.sin(a0) + s * np.sin(a1))
    return np.stack([x, y], -1)


def sheared_view_projection(
    pose: CameraPose,
    lens: ThinLens,
    aspect: float,
    focus_m: float,
    lens_point,
    pixel_jitter=(0.0, 0.0),
    size=(1, 1),
    pad=(1.0, 1.0),
    clip_m=(NEAR_M, FAR_M),
) -> np.ndarray:
    """View-projection for an eye moved to ``lens_point`` (unit aperture coordinates),
    with the frustum sheared so the focus plane stays put; ``pixel_jitter`` (in pixels)
    shifts the whole image by a sub-pixel amount for antialiasing."""
    radius = 0.5 * lens.aperture_diameter_m
    view = pose.view_matrix()
    right, up = view[0, :3], view[1, :3]
    offset = radius * (lens_point[0] * right + lens_point[1] * up)
    eye = np.asarray(pose.position, dtype=float) + offset
    shifted = look_at(eye, np.asarray(pose.look_at, dtype=float) + offset, pose.up)
    near, far = clip_m
    half_w = near * math.tan(lens.horizontal_fov_rad / 2)
    half_h = half_w / aspect
    # Keep the window at the focus distance where it was; then jitter by sub-pixels.
    dx = -radius * lens_point[0] * near / focus_m + pixel_jitter[0] * 2 * half_w / size[0]
    dy = -radius * lens_point[1] * near / focus_m + pixel_jitter[1] * 2 * half_h / size[1]
    # ``pad`` widens the window symmetrically for the guard band (see gl/targets.py).
    hw, hh = half_w * pad[0], half_h * pad[1]
    projection = frustum(-hw + dx, hw + dx, -hh + dy, hh + dy, near, far)
    return projection @ shifted
