"""Golden-image comparison.

Metric (in 8-bit sRGB, per channel, over the whole image):
  * mean absolute difference            <= MEAN_TOLERANCE
  * share of values off by more than 16 <= OUTLIER_SHARE
Several criteria rather than one RMS value, so that a one-pixel shift of an edge (many
small differences) and a broken region (few large ones) are both caught without being
confused for each other.

The goldens are made on Mesa llvmpipe, which renders bit-identically run to run. On any
other GL renderer (a GPU driver) rasterisation and texture filtering differ slightly, so
the comparison uses the LOOSE tolerances there instead.

On failure, ``tests/output/<name>-actual.png``, ``-expected.png`` and ``-diff.png``
(the difference magnified 8×) are written for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import imageio.v3 as iio
import numpy as np

GOLDEN_DIR = Path(__file__).parent / "goldens"
OUTPUT_DIR = Path(__file__).parent / "output"


@dataclass(frozen=True)
class Tolerance:
    mean: float
    outlier_share: float


STRICT = Tolerance(mean=0.25, outlier_share=0.0005)  # llvmpipe, where goldens are made
LOOSE = Tolerance(mean=2.0, outlier_share=0.02)  # any other renderer


def tolerance_for(gl_renderer: str) -> Tolerance:
    return STRICT if "llvmpipe" in gl_renderer.lower() else LOOSE


def compare_to_golden(name: str, actual: np.ndarray, tolerance: Tolerance, regenerate: bool):
    """Assert ``actual`` matches the stored golden, or rewrite the golden."""
    golden = GOLDEN_DIR / f"{name}.png"
    if regenerate:
        GOLDEN_DIR.mkdir(exist_ok=True)
        iio.imwrite(golden, actual)
        return
    assert golden.exists(), f"no golden {golden}; run pytest --regenerate-goldens"
    expected = iio.imread(golden)
    assert expected.shape == actual.shape, f"{name}: size {actual.shape} != golden {expected.shape}"
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    mean = float(diff.mean())
    outliers = float((diff > 16).mean())
    if mean > tolerance.mean or outliers > tolerance.outlier_share:
        OUTPUT_DIR.mkdir(exist_ok=True)
        iio.imwrite(OUTPUT_DIR / f"{name}-actual.png", actual)
        iio.imwrite(OUTPUT_DIR / f"{name}-expected.png", expected)
        iio.imwrite(OUTPUT_DIR / f"{name}-diff.png", np.clip(diff * 8, 0, 255).astype(np.uint8))
        raise AssertionError(
            f"{name}: mean |diff| {mean:.3f} (max {tolerance.mean}), "
            f"{outliers:.4%} of values off by > 16 (max {tolerance.outlier_share:.4%}); "
            f"see {OUTPUT_DIR}/{name}-{{actual,expected,diff}}.png"
        )
