"""Finding where to focus on an object, from the object-id and depth buffers. No GL."""

from __future__ import annotations

import numpy as np


def silhouette_focus(object_ids: np.ndarray, depth_m: np.ndarray, object_id: int):
    """Depth of the object's surface at the centre of its on-screen silhouette.

    The centroid of a concave silhouette can fall outside it, so we take the object's
    pixel nearest the centroid. Returns (depth, (x, y)) or None if the object is unseen.
    """
    ys, xs = np.nonzero(object_ids == object_id)
    if len(xs) == 0:
        return None
    cx, cy = xs.mean(), ys.mean()
    nearest = int(np.argmin((xs - cx) ** 2 + (ys - cy) ** 2))
    x, y = int(xs[nearest]), int(ys[nearest])
    return float(depth_m[y, x]), (x, y)
