"""Lens truth at every size (issue 15): one shot rendered at two sizes, the larger scaled
down to the smaller, must agree.

The larger frame is box-averaged over whole blocks (its size an integer multiple of the
smaller's, in both directions) in **linear light**, then tone-mapped as the renderer does
(``display_16bit``, scaled to 8 bits): a sensor with fewer, larger pixels integrates the
same light over each, so that is what the smaller render should match. Averaging the
8-bit display image instead would compare a mean of tone-mapped values with a tone map
of the mean, which differ wherever a pixel straddles a bright lamp and the dark sky
(:func:`resolution_agreement` reports that figure too, as ``display_psnr_db``).

Pixels are split by the smaller frame's CoC: *blurred* where its radius exceeds
``BLURRED_PX``, *in focus* elsewhere, so an error in the blur is told from one in the
antialiasing of sharp edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dofviewer.measurement.quality import heat_map
from dofviewer.render.headless import Frame, display_16bit

#: Pixels of the smaller frame whose CoC radius exceeds this (px) count as blurred.
BLURRED_PX = 2.0


def box_downscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Each ``factor``×``factor`` block's mean (float64), H×W or H×W×C."""
    h, w = image.shape[0] // factor, image.shape[1] // factor
    blocks = image[: h * factor, : w * factor].astype(np.float64)
    blocks = blocks.reshape(h, factor, w, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))


def to_display(linear: np.ndarray, exposure_ev: float) -> np.ndarray:
    """Linear HDR as the tone map shows it, in 8-bit steps (float, not rounded): the
    16-bit tone map of :func:`dofviewer.render.headless.display_16bit` over 257."""
    return display_16bit(linear, exposure_ev).astype(np.float64) / 257.0


def _psnr(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> float:
    d = (a.astype(np.float64) - b.astype(np.float64)) ** 2
    mse = float(d[mask].mean() if mask is not None else d.mean())
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


@dataclass
class Agreement:
    """How a small render and a large one scaled down to its size agree (PSNR, dB)."""

    psnr_db: float  # every pixel, both tone-mapped after scaling in linear light
    blurred_psnr_db: float  # where the small frame's |CoC| > BLURRED_PX
    in_focus_psnr_db: float  # elsewhere
    blurred_fraction: float
    display_psnr_db: float  # the 8-bit display images, the large one box-averaged
    small: np.ndarray  # float H×W×3, 8-bit steps: the small frame
    large: np.ndarray  # the large frame, scaled
    heat: np.ndarray  # uint8 H×W×3: |small − large| × 4 (quality.heat_map)

    def summary(self) -> str:
        return (
            f"{self.psnr_db:.2f} dB (blurred {self.blurred_psnr_db:.2f} dB over "
            f"{self.blurred_fraction:.0%}, in focus {self.in_focus_psnr_db:.2f} dB; "
            f"8-bit display images {self.display_psnr_db:.2f} dB)"
        )


def resolution_agreement(small: Frame, large: Frame) -> Agreement:
    """Compare ``small`` with ``large`` scaled down to its size (see the module's notes).
    Both must be renders of one shot; ``large`` an integer multiple of ``small`` in size."""
    (h, w), (big_h, big_w) = small.image.shape[:2], large.image.shape[:2]
    factor = big_w // w
    if big_w != factor * w or big_h != factor * h:
        raise ValueError(f"{big_w}x{big_h} is not a whole multiple of {w}x{h}")
    exposure = small.settings.exposure_ev
    a = to_display(small.linear, exposure)
    b = to_display(box_downscale(large.linear, factor), exposure)
    blurred = np.abs(small.coc) > BLURRED_PX
    return Agreement(
        psnr_db=_psnr(a, b),
        blurred_psnr_db=_psnr(a, b, blurred),
        in_focus_psnr_db=_psnr(a, b, ~blurred),
        blurred_fraction=float(blurred.mean()),
        display_psnr_db=_psnr(small.image, box_downscale(large.image, factor)),
        small=a,
        large=b,
        heat=heat_map(a, b),
    )
