"""Image measurements used by the tests: edge widths, disc profiles, golden comparison."""

from __future__ import annotations

import math

import numpy as np


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


def edge_width(profile: np.ndarray, low: float = 0.1, high: float = 0.9) -> float:
    """10–90 % rise distance (px) of a monotonic-ish step in a 1-D profile.

    The plateaus are the means of the outer sixth on either side; crossings are found
    by linear interpolation, scanning outwards from the steepest point so that noise in
    the plateaus cannot produce a spurious crossing.
    """
    p = np.asarray(profile, dtype=np.float64)
    n = len(p)
    k = max(2, n // 6)
    a, b = p[:k].mean(), p[-k:].mean()
    t = (p - a) / (b - a)
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
