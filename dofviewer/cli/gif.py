"""Writing a GIF from rendered frames: one palette, dithered, exact running time.

* **Palette and dithering.** GIF holds 256 colours. One palette is chosen for the whole
  clip (median cut over up to :data:`PALETTE_SAMPLE_FRAMES` frames spread over it), so a
  still region keeps its colours from frame to frame, and every frame is mapped onto it
  with Floyd–Steinberg error diffusion (Pillow's). Without it a smooth gradient (a
  defocused sky, a vignette, the inside of a bokeh disc) breaks into flat bands as wide as
  the palette's steps, tens of pixels; with it the local mean follows the gradient and no
  band is wider than a few pixels (tests/test_gif.py measures it).
* **Timing.** A GIF stores each frame's delay in whole centiseconds. Frame k starts at
  round(100 k / fps) cs, so the delays alternate (3, 3, 4 cs at 30 fps) and the total
  running time is the clip's length to within 5 ms; a fixed rounded delay (6 cs at 15 fps
  is exact, 3 cs at 30 fps is not) plays a 30 fps clip 10 % fast.
* **Merging.** Consecutive frames identical after dithering (a hold in a timeline) are
  written once with their delays added; :func:`write_gif` returns how many it kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

#: Frames sampled (evenly over the clip) to choose the palette from.
PALETTE_SAMPLE_FRAMES = 16


def gif_delays_cs(count: int, fps: float) -> list[int]:
    """Per-frame delays (centiseconds) whose running sum tracks k / fps to half a cs."""
    starts = [round(100.0 * k / fps) for k in range(count + 1)]
    return [b - a for a, b in zip(starts, starts[1:], strict=False)]


def clip_palette(frames: list[np.ndarray], colours: int = 256) -> Image.Image:
    """A palette image (mode P) chosen by median cut from frames spread over the clip."""
    step = max(1, len(frames) // PALETTE_SAMPLE_FRAMES)
    sample = np.concatenate(frames[::step][:PALETTE_SAMPLE_FRAMES], axis=0)
    return Image.fromarray(sample).quantize(colours, method=Image.Quantize.MEDIANCUT)


def dither(image: np.ndarray, palette: Image.Image, diffuse: bool = True) -> np.ndarray:
    """``image`` (uint8 H×W×3) as indices into ``palette`` (uint8 H×W), with
    Floyd–Steinberg diffusion (``diffuse`` False: the nearest colour, for comparison)."""
    method = Image.Dither.FLOYDSTEINBERG if diffuse else Image.Dither.NONE
    return np.asarray(Image.fromarray(image).quantize(palette=palette, dither=method))


def write_gif(path, frames, fps: float) -> int:
    """Write ``frames`` (uint8 H×W×3 arrays) as a looping GIF; returns the frames kept
    after identical consecutive frames are merged."""
    frames = list(frames)
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    palette = clip_palette(frames)
    kept: list[np.ndarray] = []
    delays: list[int] = []
    for image, delay in zip(frames, gif_delays_cs(len(frames), fps), strict=True):
        pixels = dither(image, palette)
        if kept and (delay == 0 or np.array_equal(pixels, kept[-1])):
            delays[-1] += delay  # a hold (or a frame shorter than GIF can show)
            continue
        kept.append(pixels)
        delays.append(delay)
    images = []
    for pixels in kept:
        image = Image.fromarray(pixels, mode="P")
        image.putpalette(palette.getpalette())
        images.append(image)
    # Pillow takes milliseconds and stores whole centiseconds: multiples of 10 are exact.
    images[0].save(
        Path(path), format="GIF", save_all=True, append_images=images[1:],
        duration=[10 * d for d in delays], loop=0, optimize=False,
    )  # fmt: skip
    return len(kept)
