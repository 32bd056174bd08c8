"""The accumulation reference (ground truth), and the gather measured against it.

The quick crafted cases run at 240×135 (an odd height on purpose) with 128 lens samples.
Their PSNR floors are the values measured on llvmpipe when they were set, less 1.5 dB,
and their gains over the plain single-layer gather, less 0.5 dB, so a change that makes
the gather worse fails here; the full benchmark is `dofviewer quality`.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from scenes import checker_card_scene

from dofviewer.measurement.crafted import CRAFTED
from dofviewer.measurement.measure import (
    disc_edge_width_factor,
    edge_width,
    median_relative_error,
)
from dofviewer.measurement.quality import EDGE_SCANLINES, crafted_edges, psnr, ssim
from dofviewer.render.renderer import FrameSettings
from dofviewer.shot.lens import ThinLens
from dofviewer.shot.lens_sampling import aperture_samples

W, H = 320, 180
MEASURED_PSNR_DB = {"halo": 42.72, "near-bleed": 41.44, "bokeh": 36.85, "floor": 36.11,
                    "occluder": 77.67, "blurred-card": 45.32}  # fmt: skip
#: How much better than the plain single-layer gather each case measured (dB).
MEASURED_GAIN_OVER_BASELINE_DB = {"halo": 2.51, "near-bleed": 12.52, "bokeh": 8.07, "floor": 5.93,
                                  "occluder": 29.9, "blurred-card": 7.07}  # fmt: skip
MARGIN_DB = 1.5
#: The viewer's preview preset on the same cases (dofviewer/render/gl/dof.py: PREVIEW), measured
#: on llvmpipe when set. It trades these for a DOF 9 to 12 times cheaper than the final one.
MEASURED_PREVIEW_PSNR_DB = {"halo": 42.02, "near-bleed": 35.66, "bokeh": 33.71, "floor": 30.93,
                            "occluder": 52.55, "blurred-card": 37.5}  # fmt: skip


def test_aperture_samples_cover_the_aperture_evenly():
    disc = aperture_samples(256)
    assert np.all(np.hypot(*disc.T) <= 1.0 + 1e-9)
    assert np.abs(disc.mean(axis=0)).max() < 0.03  # centred
    # Equal-area strata: a quarter of the points fall inside radius 1/2.
    assert np.mean(np.hypot(*disc.T) < 0.5) == pytest.approx(0.25, abs=0.03)
    hexagon = aperture_samples(600, blades=6)
    angles = np.degrees(np.arctan2(hexagon[:, 1], hexagon[:, 0]))
    corner_up = np.hypot(*hexagon[np.abs(angles - 90) < 3].T).max()
    flat_side = np.hypot(*hexagon[np.abs(angles) < 3].T).max()
    assert corner_up > 0.95 and flat_side < np.cos(np.radians(30)) + 0.02


@pytest.mark.parametrize(("diameter", "side", "focus"), [(16, "far", 1.0), (40, "near", 3.0)])
def test_reference_blur_is_the_thin_lens_blur(gl, diameter, side, focus):
    lens = ThinLens(85, 1.4)
    depth = lens.depth_for_coc_px(diameter if side == "far" else -diameter, focus, W)
    frame = gl.render(checker_card_scene(depth, focus), (W, H), reference_samples=256)
    row = frame.linear[H // 2 - 3 : H // 2 + 4].mean(axis=(0, 2))
    half = 30 + 2 * diameter
    width = edge_width(row[W // 2 - half : W // 2 + half])
    assert width == pytest.approx(disc_edge_width_factor() * diameter, rel=0.08)


def test_reference_keeps_the_focus_plane_sharp(gl):
    sharp = gl.render(checker_card_scene(2.0, 2.0), (W, H), dof=False)
    reference = gl.render(checker_card_scene(2.0, 2.0), (W, H), reference_samples=64)
    assert psnr(sharp.image, reference.image) > 35


@pytest.mark.parametrize("name", CRAFTED)
def test_gather_is_close_to_the_reference_on_crafted_cases(gl, name):
    scene = CRAFTED[name]()
    settings = FrameSettings.from_scene(scene)
    realtime = gl.render(scene, (240, 135), settings=settings).image
    reference = gl.render(scene, (240, 135), settings=settings, reference_samples=128).image
    measured = psnr(realtime, reference)
    assert measured > MEASURED_PSNR_DB[name] - MARGIN_DB, f"{name}: {measured:.2f} dB"
    assert ssim(realtime, reference) > 0.95
    baseline = gl.render(scene, (240, 135), settings=settings.with_(baseline_gather=True)).image
    gain = measured - psnr(baseline, reference)
    assert gain > MEASURED_GAIN_OVER_BASELINE_DB[name] - 0.5, f"{name}: only {gain:.2f} dB"


@pytest.mark.parametrize("name", CRAFTED)
def test_preview_is_close_to_the_reference_on_crafted_cases(gl, name):
    scene = CRAFTED[name]()
    settings = FrameSettings.from_scene(scene)
    preview = gl.render(scene, (240, 135), settings=settings.with_(quality="preview")).image
    reference = gl.render(scene, (240, 135), settings=settings, reference_samples=128).image
    measured = psnr(preview, reference)
    assert measured > MEASURED_PREVIEW_PSNR_DB[name] - MARGIN_DB, f"{name}: {measured:.2f} dB"


#: Edge widths of the gather on the crafted cases at 240×135, measured on llvmpipe when
#: set: (edges found, median |width / 0.687·D − 1|) = halo (4, 1.9 %), near-bleed
#: (3, 1.5 %), floor (4, 2.7 %). The bounds add 3 points; the issue's target is 10 %.
MEASURED_EDGES = {"halo": (4, 0.049), "near-bleed": (3, 0.045), "floor": (4, 0.057)}


@pytest.mark.parametrize("name", EDGE_SCANLINES)
def test_gather_edge_widths_on_crafted_cases(gl, name):
    scene = CRAFTED[name]()
    pinhole = gl.render(scene, (240, 135), dof=False)
    realtime = gl.render(scene, (240, 135))
    edges = crafted_edges(pinhole, realtime, EDGE_SCANLINES[name])
    count, bound = MEASURED_EDGES[name]
    assert len(edges) == count
    assert median_relative_error(edges) < bound, [f"{e.relative_error:+.3f}" for e in edges]


def test_ssim_and_psnr_behave():
    rng = np.random.default_rng(1)
    ramp = np.linspace(40, 200, 60)
    image = np.repeat(np.broadcast_to(ramp, (40, 60))[..., None], 3, axis=2).astype(np.uint8)
    assert ssim(image, image) == pytest.approx(1.0)
    assert psnr(image, image) == float("inf")
    noisy = np.clip(image + rng.normal(0, 8, image.shape), 0, 255).astype(np.uint8)
    assert 25 < psnr(image, noisy) < 35  # sigma 8 noise is about 30 dB
    assert ssim(image, noisy) < 0.9  # noise on a smooth image ruins its structure


def test_bench_smoke(tmp_path):
    """The benchmark runs end to end (timings are not checked: benchmarks are not tests)."""
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "dofviewer", "bench", "--sizes", "64x36", "--frames", "2",
         "--warmup", "1", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    row = data["sizes"][0]
    assert row["size"] == [64, 36]
    assert {"scene", "gather", "composite", "copy"} <= set(row["passes"])
    assert row["dof_in_screen_copies"] > 0
    assert data["timing_method"] in ("query", "wall")
    assert [r["quality"] for r in data["sizes"]] == ["final", "preview"]
    # The preview's own passes are counted, and only there.
    assert {"preview far", "resolve"} <= set(data["sizes"][1]["passes"])
    assert not {"preview far", "resolve"} & set(data["sizes"][0]["passes"])


def test_bench_measures_only_the_presets_asked_for_and_rejects_unknown_ones(tmp_path):
    out = tmp_path / "bench.json"
    command = [sys.executable, "-m", "dofviewer", "bench", "--sizes", "64x36", "--frames", "1",
               "--warmup", "0", "--json", str(out)]  # fmt: skip
    result = subprocess.run([*command, "--quality", "preview"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [r["quality"] for r in json.loads(out.read_text())["sizes"]] == ["preview"]
    out.unlink()
    # The wide-blur case: a longer lens at a wider stop, said in the table.
    result = subprocess.run([*command, "--quality", "final", "--focal-length", "85",
                             "--f-stop", "1.4"], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert (data["focal_length_mm"], data["f_stop"]) == (85, 1.4)
    assert "at 85 mm f/1.4," in result.stdout
    out.unlink()
    result = subprocess.run([*command, "--f-stop", "0.3"], capture_output=True, text=True)
    assert result.returncode == 2 and "--f-stop" in result.stderr, result.stderr
    result = subprocess.run([*command, "--quality", "fast"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "--quality: unknown quality 'fast'; choose from final, preview" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not out.exists()


def _project(view_projection, point, size):
    clip = view_projection @ np.append(point, 1.0)
    ndc = clip[:3] / clip[3]
    return (ndc[0] + 1) / 2 * size[0], (ndc[1] + 1) / 2 * size[1]


def test_sheared_frustum_keeps_the_focus_plane_and_spreads_by_the_coc():
    from dofviewer.shot.camera import CameraPose
    from dofviewer.shot.lens_sampling import sheared_view_projection

    pose = CameraPose((0.0, 0.0, 0.0), (0.0, 0.0, -1.0))
    lens, size, focus = ThinLens(50, 2.0), (640, 360), 3.0
    edge_points = [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]
    on_plane = np.array([0.4, -0.2, -focus])
    images = [_project(sheared_view_projection(pose, lens, 640 / 360, focus, p, size=size), on_plane, size)
              for p in edge_points]  # fmt: skip
    assert np.ptp(np.array(images), axis=0).max() < 1e-6  # the focus plane does not move
    far = np.array([0.0, 0.0, -12.0])
    left, right = (_project(sheared_view_projection(pose, lens, 640 / 360, focus, p, size=size), far, size)
                   for p in [(-1.0, 0.0), (1.0, 0.0)])  # fmt: skip
    spread = right[0] - left[0]  # the lens's diameter maps to the blur's diameter
    assert spread == pytest.approx(lens.coc_diameter_px(12.0, focus, 640), rel=1e-6)
    near = np.array([0.0, 0.0, -1.0])
    left, right = (_project(sheared_view_projection(pose, lens, 640 / 360, focus, p, size=size), near, size)
                   for p in [(-1.0, 0.0), (1.0, 0.0)])  # fmt: skip
    assert right[0] - left[0] == pytest.approx(
        lens.coc_diameter_px(1.0, focus, 640), rel=1e-6
    )  # flipped
