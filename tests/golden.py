"""Golden-image comparison, only on the renderer that made the goldens.

The comparison is dofviewer.measurement.compare's, the one ``dofviewer check`` and the
pytest plugin use. Metric (in 8-bit sRGB, per channel, over the whole image):
  * mean absolute difference                            <= STRICT.mean
  * share of pixels with a channel off by more than 16  <= STRICT.failed
(until issue 19 the second was the share of channel values, never larger than the share
of pixels: the same limit on pixels is at least as strict.) Several criteria rather than one RMS value, so that a one-pixel shift of an edge (many
small differences) and a broken region (few large ones) are both caught without being
confused for each other.

The goldens are made on Mesa llvmpipe, which renders bit-identically run to run, and
are compared only there, as pygfx compares its screenshots only on the renderer that
made them. On any other GL renderer (a GPU driver) :func:`tolerance_for` skips the test,
visibly, with the renderer's name in the reason. The choice, rather than a looser
metric there: rasterisation and texture filtering differ between drivers by more than
real bugs do. The loose metric once used off llvmpipe (mean 2.0, 2 % of values off by
more than 16) let a round aperture pass the hexagon golden, and five real mutations of
the depth of field passed every golden under it (``scripts/mutants.py`` still reports
that metric beside the strict one). CI renders with llvmpipe, so every golden runs
there; to run them on a machine with a GPU, select Mesa's software rasteriser:
``LIBGL_ALWAYS_SOFTWARE=1 __EGL_VENDOR_LIBRARY_FILENAMES=/usr/share/glvnd/egl_vendor.d/50_mesa.json``.
``test_golden.py`` proves the strict metric still tells each golden from its nearest
sibling (the round aperture from the hexagon, the preview from the final render).

On failure, ``tests/output/<name>-actual.png``, ``-expected.png`` and ``-diff.png``
(the difference magnified 8×) are written for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from dofviewer.measurement.compare import Metrics, Tolerance, diff_image, metrics

GOLDEN_DIR = Path(__file__).parent / "goldens"
OUTPUT_DIR = Path(__file__).parent / "output"
#: The GL renderer the goldens are made and compared on (a part of GL_RENDERER).
GOLDEN_RENDERER = "llvmpipe"

STRICT = Tolerance(mean=0.25, failed=0.0005)


def tolerance_for(gl_renderer: str) -> Tolerance:
    """STRICT on the goldens' renderer; anywhere else the calling test is skipped."""
    if GOLDEN_RENDERER not in gl_renderer.lower():
        pytest.skip(
            f"goldens are made on Mesa {GOLDEN_RENDERER} and compared only there; this GL "
            f"is {gl_renderer} (see tests/golden.py to select {GOLDEN_RENDERER})"
        )
    return STRICT


def difference(actual: np.ndarray, expected: np.ndarray) -> Metrics:
    """The metrics of two uint8 images (dofviewer.measurement.compare.metrics)."""
    return metrics(actual, expected)


def load_golden(name: str) -> np.ndarray:
    golden = GOLDEN_DIR / f"{name}.png"
    assert golden.exists(), f"no golden {golden}; run pytest --regenerate-goldens"
    return iio.imread(golden)


def compare_to_golden(name: str, actual: np.ndarray, tolerance: Tolerance, regenerate: bool):
    """Assert ``actual`` matches the stored golden, or rewrite the golden."""
    if regenerate:
        GOLDEN_DIR.mkdir(exist_ok=True)
        iio.imwrite(GOLDEN_DIR / f"{name}.png", actual)
        return
    expected = load_golden(name)
    assert expected.shape == actual.shape, f"{name}: size {actual.shape} != golden {expected.shape}"
    problems = tolerance.problems(metrics(actual, expected, tolerance.threshold))
    if problems:
        OUTPUT_DIR.mkdir(exist_ok=True)
        iio.imwrite(OUTPUT_DIR / f"{name}-actual.png", actual)
        iio.imwrite(OUTPUT_DIR / f"{name}-expected.png", expected)
        iio.imwrite(OUTPUT_DIR / f"{name}-diff.png", diff_image(actual, expected))
        raise AssertionError(
            f"{name}: "
            + "; ".join(problems)
            + f"; see {OUTPUT_DIR}/{name}-{{actual,expected,diff}}.png"
        )
