"""GIF writing: running time exact to 10 ms, dithered gradients, merged holds."""

import numpy as np
from PIL import Image, ImageSequence

from dofviewer.cli.gif import clip_palette, dither, gif_delays_cs, write_gif

#: The widest band a smooth ramp may show in a GIF (pixels): a run of columns over
#: which the image's local mean (8×8 box) stays flat while the source rises.
MAX_BAND_PX = 4


def read_gif(path):
    with Image.open(path) as image:
        frames = [
            (np.asarray(frame.convert("RGB")), frame.info["duration"])
            for frame in ImageSequence.Iterator(image)
        ]
        return frames, image.info.get("loop")


def test_delays_alternate_3_and_4_cs_at_30_fps_and_sum_exactly():
    delays = gif_delays_cs(105, 30.0)  # 3.5 s
    assert set(delays) == {3, 4}
    assert sum(delays) == 350
    for k in range(1, 106):  # every frame starts within half a centisecond of k / fps
        assert abs(sum(delays[:k]) - 100 * k / 30) <= 0.5
    assert sum(gif_delays_cs(53, 15.0)) == round(100 * 53 / 15)


def ramp(width=512, height=32):
    """A smooth ramp, the same on every row: dark blue to warm orange, a new colour
    every 2 px (more than a palette of 16 holds)."""
    x = np.linspace(0.0, 1.0, width)[None, :, None]
    low, high = np.array([0.05, 0.12, 0.30]), np.array([0.95, 0.62, 0.28])
    rgb = low + (high - low) * x
    return np.repeat(np.round(255 * rgb).astype(np.uint8), height, axis=0)


def widest_band(image: np.ndarray) -> int:
    """The longest run of columns over which the 8×8 box mean of ``image`` (summed over
    channels) changes by less than a tenth of a level from column to column. The first
    and last 32 columns are left out: a median-cut palette's colours are means, so the
    ramp's ends lie outside its range and are flat, dithered or not."""
    rows = image[8:-8, 32:-32].astype(float).sum(axis=2)  # away from the edges
    smooth = np.convolve(rows.mean(axis=0), np.ones(8) / 8, mode="valid")
    flat = np.abs(np.diff(smooth)) < 0.1
    widest = run = 0
    for f in flat:
        run = run + 1 if f else 0
        widest = max(widest, run + 1)
    return widest


def test_a_smooth_ramp_shows_no_wide_band():
    source = ramp()
    palette = clip_palette([source], colours=16)  # few colours: steps ~32 px apart
    colours = np.asarray(palette.getpalette()[: 3 * 256], np.uint8).reshape(-1, 3)
    assert widest_band(source) <= 2
    dithered = colours[dither(source, palette)]
    plain = colours[dither(source, palette, diffuse=False)]
    assert widest_band(plain) > 4 * MAX_BAND_PX  # the test can fail: undithered bands
    assert widest_band(dithered) <= MAX_BAND_PX
    # Dithering keeps the local mean: 16-px column means within 4 levels of the source.
    means = lambda a: a.astype(float).mean(axis=0).reshape(32, 16, 3).mean(axis=1)  # noqa: E731
    assert np.abs(means(dithered) - means(source)).max() < 4.0


def test_a_gif_of_a_ramp_keeps_its_local_mean(tmp_path):
    source = ramp()
    write_gif(tmp_path / "ramp.gif", [source], 30.0)
    ((decoded, _),), _ = read_gif(tmp_path / "ramp.gif")
    assert widest_band(decoded) <= MAX_BAND_PX


def test_holds_merge_and_the_running_time_is_exact(tmp_path):
    source = ramp(64, 16)
    moved = np.roll(source, 5, axis=1)
    frames = [source] * 4 + [moved] * 3 + [source]  # 8 frames at 30 fps = 266.7 ms
    kept = write_gif(tmp_path / "hold.gif", frames, 30.0)
    decoded, loop = read_gif(tmp_path / "hold.gif")
    assert kept == len(decoded) == 3
    assert loop == 0
    assert abs(sum(d for _, d in decoded) - 8 * 1000 / 30) <= 10
