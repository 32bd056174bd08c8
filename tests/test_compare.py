"""The comparison module's metrics, tolerances and golden metadata (pure numpy, no GL)."""

import numpy as np
import pytest

from dofviewer.measurement.compare import (
    ACROSS_RENDERERS,
    SAME_RENDERER,
    GoldenInfo,
    Tolerance,
    metrics,
    read_golden_info,
    tolerance_across,
    write_golden,
)

LLVMPIPE = "llvmpipe (LLVM 15.0.7, 256 bits) (4.5 (Core Profile) Mesa 22.3.6)"
GPU = "NVIDIA H200/PCIe/SSE2 (4.6.0 NVIDIA 550.54.15)"


def test_metrics_written_out():
    a = np.zeros((10, 10, 3), np.uint8)
    b = a.copy()
    b[0, 0] = (40, 0, 0)  # one pixel, one channel off by 40
    b[1, :5, 1] = 10  # five pixels off by 10, under the threshold
    m = metrics(b, a)
    assert m.max == 40
    assert m.failed == pytest.approx(1 / 100)
    assert m.mean == pytest.approx((40 + 5 * 10) / 300)
    assert m.rms == pytest.approx(np.sqrt((40**2 + 5 * 10**2) / 300))
    assert m.ssim < 1
    assert metrics(a, a).ssim == 1.0 and metrics(a, a).max == 0


def test_tolerance_names_each_metric_over_its_limit():
    m = metrics(np.full((8, 8, 3), 20, np.uint8), np.zeros((8, 8, 3), np.uint8))
    problems = Tolerance(mean=1, rms=1, failed=0.5, max=30, ssim=0.9).problems(m)
    assert [p.split()[0] for p in problems] == ["mean", "rms", "100.000%", "ssim"]
    assert Tolerance(max=20).accepts(m)
    with pytest.raises(ValueError, match="ssim"):
        Tolerance(ssim=2)
    with pytest.raises(ValueError, match="mean"):
        Tolerance(mean=-1)


def test_another_renderer_gets_the_loose_tolerance_and_a_warning():
    assert tolerance_across(SAME_RENDERER, LLVMPIPE, LLVMPIPE.replace("15.0.7", "16")) == (
        SAME_RENDERER,
        None,
    )
    loose, warning = tolerance_across(SAME_RENDERER, LLVMPIPE, GPU)
    assert loose.mean == ACROSS_RENDERERS.mean and loose.ssim == ACROSS_RENDERERS.ssim
    assert "NVIDIA H200" in warning and "llvmpipe" in warning
    _, warning = tolerance_across(SAME_RENDERER, None, LLVMPIPE)
    assert "no renderer" in warning


def test_golden_sidecar_round_trip(tmp_path):
    info = GoldenInfo(LLVMPIPE, "0.1.0", {"f_stop": 2.8, "focus": "ball"})
    image = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    write_golden(tmp_path / "g" / "a.png", image, info)
    assert read_golden_info(tmp_path / "g" / "a.png") == info
    assert (tmp_path / "g" / "a.json").exists()
    assert read_golden_info(tmp_path / "b.png") is None
