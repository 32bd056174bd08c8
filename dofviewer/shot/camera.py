"""Camera pose and projection. Pure math, no GL.

Matrices here are numpy arrays in the column-vector convention (``clip = P @ V @ p``);
:func:`gl_bytes` lays one out column-major for a GLSL ``mat4`` uniform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dofviewer.shot.lens import ThinLens

#: Clip planes in metres. Depth is recovered from a 24-bit buffer, which at these planes
#: resolves about 0.3 mm at 15 m and 1 cm at 100 m: far finer than any CoC step.
NEAR_M = 0.05
FAR_M = 1000.0


def gl_bytes(matrix: np.ndarray) -> bytes:
    """Column-major float32 bytes, as GLSL expects for ``uniform mat4``."""
    return np.ascontiguousarray(matrix, dtype="f4").T.tobytes()


def look_at(eye, target, up) -> np.ndarray:
    """World→view matrix; the camera looks down −z."""
    eye, target, up = (np.asarray(v, dtype=float) for v in (eye, target, up))
    forward = target - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, up)
    right /= np.linalg.norm(right)
    true_up = np.cross(right, forward)
    view = np.identity(4)
    view[0, :3], view[1, :3], view[2, :3] = right, true_up, -forward
    view[:3, 3] = -view[:3, :3] @ eye
    return view


def frustum(left, right, bottom, top, near, far) -> np.ndarray:
    """glFrustum: an off-axis perspective projection (the accumulation reference shears it)."""
    return np.array(
        [
            [2 * near / (right - left), 0, (right + left) / (right - left), 0],
            [0, 2 * near / (top - bottom), (top + bottom) / (top - bottom), 0],
            [0, 0, -(far + near) / (far - near), -2 * far * near / (far - near)],
            [0, 0, -1, 0],
        ]
    )


@dataclass(frozen=True)
class CameraPose:
    """Where the camera is and what it looks at; the lens is separate so focus pulls and
    lens changes never touch the framing."""

    position: tuple[float, float, float]
    look_at: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 1.0, 0.0)

    def view_matrix(self) -> np.ndarray:
        return look_at(self.position, self.look_at, self.up)

    @property
    def forward(self) -> np.ndarray:
        f = np.subtract(self.look_at, self.position).astype(float)
        return f / np.linalg.norm(f)

    def depth_of(self, point) -> float:
        """Distance of a world point along the view axis: the depth the CoC uses."""
        return float(np.dot(np.subtract(point, self.position), self.forward))


def projection_matrix(lens: ThinLens, aspect: float, near=NEAR_M, far=FAR_M, pad=(1.0, 1.0)):
    """Symmetric projection whose horizontal field of view is the lens's on its sensor;
    ``pad`` widens the window by these factors (the guard band around the frame)."""
    half_w = near * math.tan(lens.horizontal_fov_rad / 2.0) * pad[0]
    half_h = near * math.tan(lens.horizontal_fov_rad / 2.0) / aspect * pad[1]
    return frustum(-half_w, half_w, -half_h, half_h, near, far)


def world_point(
    pose: CameraPose, lens: ThinLens, aspect: float, ndc_x: float, ndc_y: float, depth_m: float
):
    """The world point seen at normalised device coordinates (−1..1, y up) at a view depth."""
    forward = pose.forward
    right = np.cross(forward, pose.up)
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    tan_half_w = math.tan(lens.horizontal_fov_rad / 2)
    direction = forward + ndc_x * tan_half_w * right + ndc_y * tan_half_w / aspect * up
    return np.asarray(pose.position, dtype=float) + depth_m * direction
