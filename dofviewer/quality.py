"""``dofviewer quality``: how far the real-time gather is from ground truth.

Renders a fixed set of cases both ways, the gather and the accumulation reference
(``dofviewer/gl/reference.py``), at one size, and reports per case PSNR and SSIM of the
8-bit sRGB images and the largest local error (the worst 8×8 block's mean absolute
difference, in 8-bit steps), and the PSNR of a plain single-layer gather (each pixel
averages a disc of its own CoC: ``shaders/dof/baseline.glsl``) measured in the same
run. Writes a side-by-side PNG per case (real-time | reference |
error ×4) and a summary table, and optionally JSON.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from dofviewer.crafted import CRAFTED
from dofviewer.fileio import atomic_write_text, write_png
from dofviewer.headless import HeadlessRenderer
from dofviewer.renderer import FrameSettings
from dofviewer.scene import load_scene

DEMO_FOCUS_M = (1.2, 2.5, 4.5, 12.0)
DEMO_F_STOPS = (1.4, 4.0)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def _gaussian_blur(image: np.ndarray, sigma=1.5, radius=5) -> np.ndarray:
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-(x**2) / (2 * sigma**2))
    kernel /= kernel.sum()
    padded = np.pad(image, radius, mode="reflect")
    rows = sum(k * padded[:, i : i + image.shape[1]] for i, k in enumerate(kernel))
    return sum(k * rows[i : i + image.shape[0], :] for i, k in enumerate(kernel))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM (Wang et al. 2004, 11-tap Gaussian σ 1.5) of the luma of two images."""
    weights = np.array([0.299, 0.587, 0.114])
    x, y = (img.astype(np.float64) @ weights for img in (a, b))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = _gaussian_blur(x), _gaussian_blur(y)
    vx = _gaussian_blur(x * x) - mx * mx
    vy = _gaussian_blur(y * y) - my * my
    cov = _gaussian_blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return float(s.mean())


def worst_block_error(a: np.ndarray, b: np.ndarray, block=8) -> float:
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64)).mean(axis=2)
    h, w = (d - d % block for d in diff.shape)
    blocks = diff[:h, :w].reshape(h // block, block, w // block, block).mean(axis=(1, 3))
    return float(blocks.max())


def heat_map(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|difference| × 4 as black → red → yellow → white."""
    d = np.clip(np.abs(a.astype(np.float64) - b.astype(np.float64)).mean(axis=2) * 4 / 255, 0, 1)
    return (
        np.stack([np.clip(3 * d, 0, 1), np.clip(3 * d - 1, 0, 1), np.clip(3 * d - 2, 0, 1)], -1)
        * 255
    ).astype(np.uint8)


def cases():
    """(name, scene, settings) for every case, demo first."""
    demo = load_scene()
    for f_stop in DEMO_F_STOPS:
        for focus in DEMO_FOCUS_M:
            settings = FrameSettings.from_scene(demo, focus_distance_m=focus)
            settings = settings.with_(lens=demo.lens.with_(f_stop=f_stop))
            yield f"demo-f{f_stop:g}-{focus:g}m", demo, settings
    for name, build in CRAFTED.items():
        scene = build()
        yield name, scene, FrameSettings.from_scene(scene)


def run(size=(480, 270), samples=256, out_dir=None, json_path=None, out=print) -> dict:
    rows = []
    out_dir = Path(out_dir) if out_dir else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    with HeadlessRenderer(size) as renderer:
        for name, scene, settings in cases():
            realtime = renderer.render(scene, settings=settings).image
            reference = renderer.render(scene, settings=settings, reference_samples=samples).image
            baseline = renderer.render(scene, settings=settings.with_(baseline_gather=True)).image
            row = {
                "case": name,
                "psnr_db": psnr(realtime, reference),
                "baseline_psnr_db": psnr(baseline, reference),
                "ssim": ssim(realtime, reference),
                "worst_block": worst_block_error(realtime, reference),
            }
            rows.append(row)
            if out_dir:
                write_png(
                    out_dir / f"{name}.png",
                    np.concatenate([realtime, reference, heat_map(realtime, reference)], 1),
                )
            out(
                f"{name:>18}  PSNR {row['psnr_db']:6.2f} dB  SSIM {row['ssim']:.4f}  "
                f"worst 8x8 {row['worst_block']:5.1f}  baseline {row['baseline_psnr_db']:6.2f} dB"
            )
    summary = {
        "size": list(size),
        "samples": samples,
        "mean_psnr_db": float(np.mean([r["psnr_db"] for r in rows])),
        "mean_baseline_psnr_db": float(np.mean([r["baseline_psnr_db"] for r in rows])),
        "min_psnr_db": float(min(r["psnr_db"] for r in rows)),
        "cases": rows,
    }
    out(
        f"{'mean':>18}  PSNR {summary['mean_psnr_db']:6.2f} dB   "
        f"(lowest {summary['min_psnr_db']:.2f} dB; baseline mean "
        f"{summary['mean_baseline_psnr_db']:.2f} dB)"
    )
    if json_path:
        atomic_write_text(json_path, json.dumps(summary, indent=2))
    return summary
