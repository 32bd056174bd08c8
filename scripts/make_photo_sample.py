"""Write the bundled RGB-D sample: the demo scene rendered all in focus as a photo.

    python scripts/make_photo_sample.py

assets/photo-demo.png is the 8-bit sRGB image, assets/photo-demo-depth.png its depth in
millimetres (uint16; 0 for the sky, which has none), and assets/photo.json names both
with the camera's fx, so ``dofviewer view photo`` opens it. Deterministic: rerun it only
when the demo scene or the renderer's look changes on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from dofviewer.content.scene import load_scene
from dofviewer.fileio import atomic_write_text, write_png
from dofviewer.render.headless import HeadlessRenderer

SIZE = (640, 360)
ASSETS = Path(__file__).resolve().parents[1] / "assets"


def main():
    import imageio.v3 as iio

    scene = load_scene()
    with HeadlessRenderer(SIZE) as renderer:
        frame = renderer.render(scene, dof=False)
    depth_mm = np.where(np.isfinite(frame.depth), np.round(frame.depth * 1000.0), 0)
    if depth_mm.max() > 65535:
        raise SystemExit("depth beyond 65.535 m does not fit 16-bit millimetres")
    write_png(ASSETS / "photo-demo.png", frame.image)
    iio.imwrite(ASSETS / "photo-demo-depth.png", depth_mm.astype(np.uint16))
    fx = scene.lens.focal_length_mm / scene.lens.sensor_width_mm * SIZE[0]
    spec = {
        "comment": "The demo scene rendered all in focus to RGB + depth "
        "(scripts/make_photo_sample.py); depth in mm, 0 = sky.",
        "photo": "photo-demo.png",
        "depth": "photo-demo-depth.png",
        "depth_scale": 0.001,
        "fx": round(fx, 3),
    }
    atomic_write_text(ASSETS / "photo.json", json.dumps(spec, indent=2) + "\n")
    print(f"wrote {ASSETS}/photo-demo.png, photo-demo-depth.png, photo.json (fx {fx:.1f} px)")


if __name__ == "__main__":
    main()
