"""The gather's sample pattern: concentric rings shaped by the aperture. Pure math, no GL.

The gather (shaders/dof/gather_library.glsl) reads source pixels on rings 1..n, ring k
holding 6k samples, so each sample stands for about the same area. On an n-bladed
aperture every ring is pushed out to the polygon's outline. The pattern depends only on
the aperture, so it is computed here once per aperture and handed to the shader as a
uniform array, in units of the ring spacing: a software rasteriser pays for every
instruction of every sample, and taking the per-sample trigonometry out of the shader cut
the final blur's time by a sixth on llvmpipe.
"""

from __future__ import annotations

import math

import numpy as np

#: Samples per ring step: ring k holds RING_SAMPLES·k, each standing for 2π/6 ≈ 1.05 of a
#: square ring spacing. Against 8 (π/4 each), the final gather costs 17 % less on
#: llvmpipe and measured the same against the reference (mean PSNR +0.03 dB, the lowest
#: case -0.05 dB), with the bokeh's faint concentric rings turned into an equally faint
#: grid; 4 left a visible plaid in large bokeh.
RING_SAMPLES = 6


def samples_within(rings: int, ring_samples: int = RING_SAMPLES) -> int:
    """Samples in rings 0..``rings``: the centre and ``ring_samples``·k on ring k."""
    return 1 + ring_samples * rings * (rings + 1) // 2


def aperture_edge(angle: np.ndarray, blades: int, rotation_rad: float) -> np.ndarray:
    """Distance from the centre to the aperture's outline along ``angle``, for a unit
    circumradius: 1 for a disc, an n-gon with a corner straight up at rotation 0."""
    angle = np.asarray(angle, dtype=np.float64)
    if blades < 3:
        return np.ones_like(angle)
    segment = 2.0 * math.pi / blades
    a = np.mod(angle - rotation_rad - 0.5 * math.pi, segment) - 0.5 * segment
    return math.cos(0.5 * segment) / np.cos(a)


def gather_kernel(max_rings: int, blades: int = 0, rotation_rad: float = 0.0,
                  ring_samples: int = RING_SAMPLES, interleave: int = 1) -> np.ndarray:  # fmt: skip
    """Rows ``(x, y, ring, near_rho)`` for rings 0..max_rings, ring by ring.

    ``(x, y)`` is where to read, in ring spacings: a far-field source there lands on the
    centre when the centre lies inside its aperture image, which points the other way, so
    the ring is shaped by the outline at angle + π. ``ring`` is the sample's distance in
    ring steps; ``near_rho`` the distance measured by the flipped aperture of the near
    field (a near source's blur is the aperture itself). Odd rings are turned by half a
    step so samples never line up in radial spokes. Row 0 is the centre.

    With ``interleave`` = 2 it is two patterns, one after the other, each the centre and
    every other sample of each ring (the even ones, then the odd ones): neighbouring
    pixels of an interleaved gather take one each, and a 2×2 average of their results
    has read the whole pattern (see shaders/dof/resolve_fields.glsl).
    """
    if interleave not in (1, 2) or ring_samples % interleave:
        raise ValueError(f"cannot interleave {ring_samples} samples a ring {interleave} ways")
    full = _ring_pattern(max_rings, blades, rotation_rad, ring_samples)
    if interleave == 1:
        return full
    # Within each ring, even and odd samples alternate, and every ring's count is even.
    index_in_ring = np.concatenate([np.arange(ring_samples * k) for k in range(1, max_rings + 1)])
    patterns = [np.concatenate([full[:1], full[1:][index_in_ring % 2 == parity]])
                for parity in (0, 1)]  # fmt: skip
    return np.concatenate(patterns)


def _ring_pattern(max_rings: int, blades: int, rotation_rad: float,
                  ring_samples: int) -> np.ndarray:  # fmt: skip
    rows = [(0.0, 0.0, 0.0, 0.0)]
    for ring in range(1, max_rings + 1):
        count = ring_samples * ring
        step = 2.0 * math.pi / count
        phase = 0.5 * step if ring % 2 else 0.0
        angle = phase + step * np.arange(count)
        shape = aperture_edge(angle + math.pi, blades, rotation_rad)
        near_rho = ring * shape / aperture_edge(angle, blades, rotation_rad)
        x, y = ring * shape * np.cos(angle), ring * shape * np.sin(angle)
        rows.extend(zip(x, y, np.full(count, float(ring)), near_rho, strict=True))
    kernel = np.array(rows, dtype=np.float32)
    assert len(kernel) == samples_within(max_rings, ring_samples)
    return kernel


def exact_kernel(reach: int, blades: int = 0, rotation_rad: float = 0.0) -> np.ndarray:
    """Rows ``(rho, far_rho, near_rho, 0)`` for every texel offset (dx, dy) in
    [-reach, reach]², row-major from (-reach, -reach): the offset's length, and its
    distance measured by the aperture for far-field sources (shaped at angle + π) and by
    the flipped aperture for near-field ones, in units of the circumradius. For the
    composite's exact small-blur gather, which would otherwise take an arctangent and
    two outline look-ups per texel."""
    d = np.arange(-reach, reach + 1, dtype=np.float64)
    dx, dy = np.meshgrid(d, d)
    rho = np.hypot(dx, dy)
    angle = np.arctan2(dy, dx)
    far_rho = rho / aperture_edge(angle + math.pi, blades, rotation_rad)
    near_rho = rho / aperture_edge(angle, blades, rotation_rad)
    rows = np.stack([rho, far_rho, near_rho, np.zeros_like(rho)], axis=-1)
    return rows.reshape(-1, 4).astype(np.float32)
