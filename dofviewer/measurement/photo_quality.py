"""``dofviewer quality --photos``: refocusing a photo against the scene's own depth of field.

A scene (the demo) is rendered all in focus to an 8-bit sRGB image and its depth: the
RGB-D photo a perfect depth camera would take. The photo is refocused
(dofviewer/content/photo.py) and compared, as 8-bit images, with the scene rendered with
depth of field at the same focus and f-stop (the real-time gather; the same passes blur
both, so the difference is what the photo lacks):

* occlusion: a photo has no second layer, so behind a blurred foreground it shows the
  synthesised background, not the true one;
* display-referred blur: the photo's colours are tone-mapped already, so a light
  clipped at 1.0 blurs dimmer than in the scene (the highlight boost's job) and mid
  tones blur through the inverse of sRGB, not of the filmic curve;
* the sky, which has no depth: its holes take the depth of the farthest surfaces.

Each case is measured with the highlight boost on and off.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dofviewer.content.photo import decode_color, photo_from_arrays, scene_from_photo
from dofviewer.content.scene import Scene, load_scene
from dofviewer.fileio import atomic_write_text, write_png
from dofviewer.measurement.quality import DEMO_F_STOPS, DEMO_FOCUS_M, heat_map, psnr, ssim
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.render.renderer import FrameSettings


def photo_of(renderer: HeadlessRenderer, scene: Scene, boost: bool = True) -> Scene:
    """The scene as an RGB-D photo (8-bit sRGB + metric depth, the sky a hole), opened."""
    pinhole = renderer.render(scene, dof=False)
    depth = pinhole.depth.astype(np.float32)
    valid = np.isfinite(depth)
    fx = scene.lens.focal_length_mm / scene.lens.sensor_width_mm * depth.shape[1]
    color = decode_color(pinhole.image, "<render>")
    photo = photo_from_arrays(color, np.where(valid, depth, 0.0), valid, fx, boost,
                              f"{scene.source} (as a photo)")  # fmt: skip
    return scene_from_photo(photo)


def compare(renderer: HeadlessRenderer, scene: Scene, photos: dict[bool, Scene],
            f_stop: float, focus_m: float) -> tuple[dict, np.ndarray]:  # fmt: skip
    """PSNR and SSIM of the refocused photo against the scene's own DOF render."""
    settings = FrameSettings.from_scene(scene, focus_distance_m=focus_m)
    truth = renderer.render(scene, settings=settings.with_(lens=scene.lens.with_(f_stop=f_stop)))
    row = {"case": f"f{f_stop:g}-{focus_m:g}m", "f_stop": f_stop, "focus_m": focus_m}
    image = None
    for boost, photo in photos.items():
        lens = photo.lens.with_(f_stop=f_stop)
        frame = renderer.render(photo, lens=lens, focus_distance_m=focus_m)
        key = "boost" if boost else "no_boost"
        row[f"{key}_psnr_db"] = psnr(frame.image, truth.image)
        row[f"{key}_ssim"] = ssim(frame.image, truth.image)
        if boost:
            diff = heat_map(frame.image, truth.image)
            image = np.concatenate([frame.image, truth.image, diff], 1)
    return row, image


def run(size=(480, 270), out_dir=None, json_path=None, out=print) -> dict:
    out_dir = Path(out_dir) if out_dir else None
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    scene = load_scene()
    rows = []
    out(f"{'case':>10}  {'boost PSNR':>10}  {'SSIM':>5}  {'no boost':>8}  {'SSIM':>5}")
    with HeadlessRenderer(size) as renderer:
        photos = {True: photo_of(renderer, scene, True), False: photo_of(renderer, scene, False)}
        for f_stop in DEMO_F_STOPS:
            for focus in DEMO_FOCUS_M:
                row, image = compare(renderer, scene, photos, f_stop, focus)
                rows.append(row)
                out(f"{row['case']:>10}  {row['boost_psnr_db']:8.2f} dB  {row['boost_ssim']:.3f}"
                    f"  {row['no_boost_psnr_db']:5.2f} dB  {row['no_boost_ssim']:.3f}")  # fmt: skip
                if out_dir:
                    write_png(out_dir / f"photo-{row['case']}.png", image)
    summary = {
        "size": list(size),
        "cases": rows,
        "mean_boost_psnr_db": float(np.mean([r["boost_psnr_db"] for r in rows])),
        "mean_no_boost_psnr_db": float(np.mean([r["no_boost_psnr_db"] for r in rows])),
        "min_boost_psnr_db": float(min(r["boost_psnr_db"] for r in rows)),
    }
    out(f"{'mean':>10}  {summary['mean_boost_psnr_db']:8.2f} dB         "
        f"{summary['mean_no_boost_psnr_db']:5.2f} dB")  # fmt: skip
    if json_path:
        atomic_write_text(json_path, json.dumps(summary, indent=2) + "\n")
    return summary
