"""Unit meshes for the scene shapes, uploaded once per context.

Each shape is a unit mesh (sphere of radius 1, box and plane of size 1, centred at the
origin; the plane lies in local XZ facing +Y); the model matrix scales it.
"""

from __future__ import annotations

import numpy as np


def sphere_mesh(segments: int = 48, rings: int = 24) -> np.ndarray:
    """Interleaved (position, normal) float32 triangles of a UV sphere of radius 1."""
    theta = np.linspace(0.0, np.pi, rings + 1)
    phi = np.linspace(0.0, 2.0 * np.pi, segments + 1)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    grid = np.stack([np.sin(t) * np.cos(p), np.cos(t), -np.sin(t) * np.sin(p)], axis=-1)
    a, b = grid[:-1, :-1], grid[1:, :-1]
    c, d = grid[1:, 1:], grid[:-1, 1:]
    tris = np.concatenate([np.stack([a, b, c], -2), np.stack([a, c, d], -2)]).reshape(-1, 3)
    return np.repeat(tris, 2, axis=0).reshape(-1, 6).astype("f4")


def box_mesh() -> np.ndarray:
    """Interleaved (position, normal) triangles of a unit cube, flat-shaded."""
    faces = []
    for axis in range(3):
        for sign in (-1.0, 1.0):
            n = np.zeros(3)
            n[axis] = sign
            u = np.zeros(3)
            u[(axis + 1) % 3] = 1.0
            v = np.cross(n, u)
            corners = [
                0.5 * (n + su * u + sv * v) for su, sv in ((-1, -1), (1, -1), (1, 1), (-1, 1))
            ]
            for i in (0, 1, 2, 0, 2, 3):
                faces.append(np.concatenate([corners[i], n]))
    return np.array(faces, dtype="f4")


def plane_mesh() -> np.ndarray:
    """A unit square in local XZ, facing +Y (two triangles)."""
    corners = [(-0.5, 0, 0.5), (0.5, 0, 0.5), (0.5, 0, -0.5), (-0.5, 0, -0.5)]
    return np.array([(*corners[i], 0, 1, 0) for i in (0, 1, 2, 0, 2, 3)], dtype="f4")


UNIT_MESHES = {"sphere": sphere_mesh, "box": box_mesh, "plane": plane_mesh}
