"""An orbit camera driven by mouse drags. Pure math, no GL."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dofviewer.shot.camera import CameraPose

ORBIT_RADIANS_PER_PIXEL = 0.006
DOLLY_FACTOR_PER_STEP = 0.9
MIN_DISTANCE_M = 0.1
MAX_PITCH = math.radians(89.0)


@dataclass
class OrbitCamera:
    """Yaw and pitch around a pivot, at a distance; world up is +y.

    A pose with a tilted horizon (an authored camera's roll) keeps its ``up`` until the
    user orbits, which levels it. Dollying stops at ``min_distance_m``: small models (a
    toy car) set it from their size."""

    pivot: np.ndarray
    distance_m: float
    yaw: float
    pitch: float
    up: tuple[float, float, float] = (0.0, 1.0, 0.0)
    min_distance_m: float = MIN_DISTANCE_M

    @classmethod
    def from_pose(cls, pose: CameraPose, min_distance_m: float = MIN_DISTANCE_M) -> OrbitCamera:
        pivot = np.asarray(pose.look_at, dtype=float)
        offset = np.asarray(pose.position, dtype=float) - pivot
        distance = float(np.linalg.norm(offset))
        pitch = math.asin(max(-1.0, min(1.0, offset[1] / distance)))
        yaw = math.atan2(offset[0], offset[2])
        up = tuple(float(v) for v in pose.up)
        return cls(pivot, distance, yaw, pitch, up, min(min_distance_m, distance))

    @property
    def position(self) -> np.ndarray:
        c = math.cos(self.pitch)
        direction = np.array([c * math.sin(self.yaw), math.sin(self.pitch), c * math.cos(self.yaw)])
        return self.pivot + self.distance_m * direction

    def pose(self) -> CameraPose:
        return CameraPose(tuple(self.position), tuple(self.pivot), self.up)

    def orbit(self, dx_px: float, dy_px: float):
        self.up = (0.0, 1.0, 0.0)
        self.yaw -= dx_px * ORBIT_RADIANS_PER_PIXEL
        self.pitch = max(-MAX_PITCH, min(MAX_PITCH, self.pitch + dy_px * ORBIT_RADIANS_PER_PIXEL))

    def pan(self, dx_px: float, dy_px: float, viewport_height_px: int, vertical_fov_rad: float):
        """Slide camera and pivot so the point under the cursor follows it."""
        metres_per_px = (
            2 * self.distance_m * math.tan(vertical_fov_rad / 2) / max(viewport_height_px, 1)
        )
        pose = self.pose()
        forward = pose.forward
        right = np.cross(forward, self.up)
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        self.pivot = self.pivot + metres_per_px * (-dx_px * right + dy_px * up)

    def dolly(self, steps: float):
        self.distance_m = max(self.min_distance_m, self.distance_m * DOLLY_FACTOR_PER_STEP**steps)
