"""What both model loaders (glTF, OBJ) need: vertex normals, unique object names, and
decoded texture images. No GL."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np


def smooth_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals (N, 3) float32; vertices on no triangle get +Z.

    Unshared (flat) vertices get their face's normal. Computed in float64, so neither
    tiny (micrometre) nor huge coordinates underflow or overflow.
    """
    points = positions.astype(np.float64)
    corners = triangles.reshape(-1, 3)
    a, b, c = (points[corners[:, k]] for k in range(3))
    face = np.cross(b - a, c - a)  # length = twice the area: the area weighting for free
    flat = corners.ravel()
    summed = np.empty_like(points)
    for axis in range(3):
        summed[:, axis] = np.bincount(flat, np.repeat(face[:, axis], 3), minlength=len(points))
    return unit_vectors(summed).astype(np.float32)


def unit_vectors(vectors: np.ndarray, fallback=(0.0, 0.0, 1.0)) -> np.ndarray:
    """Float64 rows scaled to length 1; zero rows become ``fallback`` (no divide warnings).

    Components under 1e-12 become 0, so that squaring the result in float32 (a norm, a dot
    product) cannot underflow, which numpy's errstate(all="raise") would turn into an error.
    """
    length = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))[:, None]
    out = np.empty_like(vectors)
    out[:] = fallback
    np.divide(vectors, length, out=out, where=length > 0)
    out[np.abs(out) < 1e-12] = 0.0
    return out


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)`` … whichever is not yet in ``taken``; adds it."""
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name} ({k})", k + 1
    taken.add(candidate)
    return candidate


def read_rgba(source: Path | bytes) -> np.ndarray:
    """A PNG or JPEG (a path or the file's bytes) as (H, W, 4) uint8, top row first.

    Grey, grey-alpha, palette and RGB images get RGB expanded and an opaque alpha.
    Raises OSError when the file cannot be read, ValueError when it cannot be decoded.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    try:
        pixels = iio.imread(data, index=0, plugin="pillow", mode="RGBA")
    except Exception as exc:  # Pillow raises many types for corrupt data
        raise ValueError(" ".join(str(exc).split()) or type(exc).__name__) from None
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 4:
        raise ValueError(f"decoded to {pixels.dtype} {pixels.shape}, not 8-bit RGBA")
    return pixels
