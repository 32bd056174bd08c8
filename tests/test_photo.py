"""RGB-D photos: refocusing after capture (dofviewer/content/photo.py, render/gl/photo_pass.py)."""

import json
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from dofviewer.content.photo import PhotoOptions, push_pull
from dofviewer.content.scene import load_scene
from dofviewer.errors import DofError

TUM = Path(__file__).resolve().parents[2] / "shared" / "assets" / "rgbd" / "tum"
TUM_OPTIONS = dict(depth_scale=0.0002, fx=525.0)
#: The synthetic pair: top half 1 m, bottom half 4 m; a dark/bright step at x = 160.
NEAR_M, FAR_M, WIDTH, HEIGHT, FX, F_STOP = 1.0, 4.0, 320, 240, 300.0, 0.5


def write_pair(folder: Path, depth: np.ndarray | None = None, color=None, name="pair"):
    if color is None:
        color = np.full((HEIGHT, WIDTH, 3), 50, np.uint8)
        color[:, WIDTH // 2 :] = 200
    if depth is None:
        depth = np.full((HEIGHT, WIDTH), FAR_M * 1000, np.uint16)
        depth[: HEIGHT // 2] = NEAR_M * 1000
    image, depth_path = folder / f"{name}.png", folder / f"{name}_depth.png"
    iio.imwrite(image, color)
    if depth.dtype == np.float32:
        depth_path = depth_path.with_suffix(".npy")
        np.save(depth_path, depth)
    else:
        iio.imwrite(depth_path, depth)
    return image, depth_path


def edge_width(row: np.ndarray) -> float:
    """10-90 % rise (px) of a dark-to-bright step, by linear interpolation."""
    lo, hi = row[:20].mean(), row[-20:].mean()
    t = (row - lo) / (hi - lo)

    def crossing(level):
        i = int(np.argmax(t >= level))
        return i - 1 + (level - t[i - 1]) / (t[i] - t[i - 1])

    return crossing(0.9) - crossing(0.1)


def render_pair(gl, tmp_path, focus_m):
    image, depth = write_pair(tmp_path)
    scene = load_scene(image, photo=PhotoOptions(depth=str(depth), fx=FX, highlight_boost=False))
    lens = scene.lens.with_(f_stop=F_STOP)
    frame = gl.render(scene, (WIDTH, HEIGHT), lens=lens, focus_distance_m=focus_m)
    luminance = frame.linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)
    top = edge_width(luminance[HEIGHT // 4, 100:220])
    bottom = edge_width(luminance[3 * HEIGHT // 4, 100:220])
    return scene, top, bottom


@pytest.mark.parametrize("focus_m", [NEAR_M, FAR_M])
def test_two_depth_pair_sharp_in_focus_and_disc_blurred_out(gl, tmp_path, focus_m):
    scene, top, bottom = render_pair(gl, tmp_path, focus_m)
    # The thin lens written out: diameter = (f/N) * fx * |d - s| / (d * s), f in metres.
    f_m = 0.036 * FX / WIDTH
    assert scene.lens.focal_length_mm == pytest.approx(36.0 * FX / WIDTH)
    blurred_depth = FAR_M if focus_m == NEAR_M else NEAR_M
    diameter = f_m / F_STOP * FX * abs(blurred_depth - focus_m) / (blurred_depth * focus_m)
    sharp, soft = (top, bottom) if focus_m == NEAR_M else (bottom, top)
    assert sharp < 1.5
    assert soft == pytest.approx(0.687 * diameter, rel=0.10), (soft, diameter)


def test_push_pull_fills_holes_from_the_far_side():
    depth = np.full((64, 64), 4.0, np.float32)
    depth[:, :32] = 1.0
    valid = np.ones_like(depth, bool)
    valid[:, 28:36] = False  # a hole across the step: a Kinect's shadow
    _, filled = push_pull(np.zeros((64, 64, 1), np.float32), valid, depth)
    assert np.all(filled[valid] == depth[valid])
    assert np.all(filled[:, 28:36] == 4.0)  # the far side's depth, not a halo of the near


def sharpness(image: np.ndarray, mask: np.ndarray) -> float:
    """Mean gradient magnitude of the luminance over the pixels of ``mask``."""
    lum = image.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
    gradient = np.zeros_like(lum)
    gradient[:-1, :-1] = np.hypot(np.diff(lum, axis=0)[:, :-1], np.diff(lum, axis=1)[:-1])
    return float(gradient[mask].mean())


@pytest.mark.skipif(not TUM.is_dir(), reason="../shared/assets/rgbd/tum not here")
def test_tum_photo_refocuses_near_and_far(gl):
    options = PhotoOptions(depth=str(TUM / "TUM_depth.png"), **TUM_OPTIONS)
    scene = load_scene(TUM / "TUM_color.png", photo=options)
    assert not scene.photo.valid.all()  # it has holes, filled
    assert np.all(np.isfinite(scene.photo.depth_m)) and scene.photo.depth_m.min() > 1.0
    depth = scene.photo.depth_m
    near_region, far_region = depth < 1.9, depth > 4.0  # the chairs; the room behind
    near = gl.render(scene, (640, 480), focus_distance_m=1.7).image
    far = gl.render(scene, (640, 480), focus_distance_m=5.0).image
    ratios = (sharpness(near, near_region) / sharpness(far, near_region),
              sharpness(far, far_region) / sharpness(near, far_region))  # fmt: skip
    # Measured at f/0.5: 1.37 (chairs sharper focused near), 1.86 (room sharper far).
    assert ratios[0] > 1.2 and ratios[1] > 1.5, ratios
    # Clicking works as for scenes: every pixel belongs to a depth layer.
    ids = gl.render(scene, (640, 480), dof=False).object_ids
    assert ids.min() >= 1 and ids.max() == len(scene.objects)


def dofviewer(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "dofviewer", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)  # fmt: skip


def test_cli_renders_a_photo_at_its_size_focused_at_a_pixel(tmp_path):
    image, depth = write_pair(tmp_path)
    out = tmp_path / "out.png"
    result = dofviewer("render", image, "--depth", depth, "--fx", FX, "--focus-at", "40,200",
                       "-o", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "focus 4.000 m" in result.stderr
    assert iio.imread(out).shape == (HEIGHT, WIDTH, 3)


def bad_inputs(tmp_path):
    ok_image, ok_depth = write_pair(tmp_path)
    _, small = write_pair(tmp_path, depth=np.arange(100, dtype=np.uint16).reshape(10, 10) + 1,
                          name="small")  # fmt: skip
    _, empty = write_pair(tmp_path, depth=np.zeros((HEIGHT, WIDTH), np.uint16), name="empty")
    _, flat = write_pair(tmp_path, depth=np.full((HEIGHT, WIDTH), 2000, np.uint16), name="flat")
    nan = np.full((HEIGHT, WIDTH), 2.0, np.float32)
    nan[0, 0] = np.nan
    _, nan_path = write_pair(tmp_path, depth=nan, name="nan")
    _, eight = write_pair(tmp_path, depth=np.arange(HEIGHT * WIDTH).reshape(HEIGHT, WIDTH)
                          .astype(np.uint8), name="eight")  # fmt: skip
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    return [
        ((ok_image, "--depth", small), "small_depth.png: depth map is 10x10"),
        ((ok_image, "--depth", empty), "empty_depth.png: depth map has no valid pixel"),
        ((ok_image, "--depth", flat), "flat_depth.png: depth map is constant"),
        ((ok_image, "--depth", nan_path), "nan_depth.npy: depth map holds NaN"),
        ((ok_image, "--depth", eight), "eight_depth.png: 8-bit depth map is normalised"),
        ((broken, "--depth", ok_depth), "broken.png: cannot read image"),
        ((ok_image, "--depth", tmp_path / "none.png"), "none.png: depth map file not found"),
        ((ok_image,), "pair.png: a photo needs its depth map"),
    ]


def test_bad_photo_input_is_one_line_naming_the_file(tmp_path):
    for args, message in bad_inputs(tmp_path):
        result = dofviewer("render", *args, "-o", tmp_path / "x.png")
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (message, result.stderr)


def test_resize_depth_and_normalised_eight_bit(tmp_path):
    image, _ = write_pair(tmp_path)
    half = np.full((HEIGHT // 2, WIDTH // 2), 4000, np.uint16)
    half[: HEIGHT // 4] = 1000
    _, depth = write_pair(tmp_path, depth=half, name="half")
    scene = load_scene(image, photo=PhotoOptions(depth=str(depth), resize_depth=True))
    assert scene.photo.depth_m[0, 0] == pytest.approx(1.0)
    assert scene.photo.depth_m[-1, -1] == pytest.approx(4.0)
    eight = np.zeros((HEIGHT, WIDTH), np.uint8)
    eight[: HEIGHT // 2] = 255  # nearest
    _, depth = write_pair(tmp_path, depth=eight, name="e")
    options = PhotoOptions(depth=str(depth), depth_kind="disparity", near=1.0, far=4.0,
                           depth_invalid=-1)  # fmt: skip
    photo = load_scene(image, photo=options).photo
    assert photo.depth_m[0, 0] == pytest.approx(1.0) and photo.depth_m[-1, 0] == pytest.approx(4.0)
    with pytest.raises(DofError, match="give --near and --far"):
        load_scene(image, photo=PhotoOptions(depth=str(depth), depth_kind="disparity"))


def test_pull_and_export_a_photo_through_a_timeline(tmp_path):
    image, depth = write_pair(tmp_path)
    pull, gif = tmp_path / "pull.json", tmp_path / "pull.gif"
    result = dofviewer("pull", image, "--depth", depth, "--fx", FX, "--from", "1", "--to", "4",
                       "--duration", "0.2", "--hold", "0", "-o", pull)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(pull.read_text())
    assert data["scene"] == {"photo": "pair.png", "depth": "pair_depth.png", "fx": FX}
    result = dofviewer("export", pull, "-o", gif, "--fps", "10", "--size", "160x120")
    assert result.returncode == 0, result.stderr
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] >= 2 and frames.shape[1:3] == (120, 160)
    assert not np.array_equal(frames[0], frames[-1])  # focus moved


def test_timeline_photo_scene_errors_name_the_field(tmp_path):
    from dofviewer.shot.timeline import parse_timeline

    text = json.dumps({"format": "dofviewer-timeline", "version": 1,
                       "scene": {"photo": "a.png", "depth": "d.png", "fx": -1},
                       "start": {"focus_distance_m": 1.0}, "keyframes": []})  # fmt: skip
    with pytest.raises(DofError, match=r"scene\.fx: must be > 0"):
        parse_timeline(text, "t.json")


#: Measured at 320x180 (llvmpipe), each floor about 1.5 dB under it.
#: (f-stop, focus m): floor dB. Measured 31.2, 43.3, 24.6 (the near ball at f/1.4: its
#: hidden background and the lamps' bokeh are what a photo lacks).
PHOTO_PSNR_FLOORS_DB = {(1.4, 2.5): 29.5, (4.0, 4.5): 41.5, (1.4, 1.2): 23.0}


def test_scene_rendered_as_a_photo_refocuses_like_the_scene(gl):
    from dofviewer.measurement.photo_quality import compare, photo_of

    scene = load_scene()
    gl.renderer.resize((320, 180))
    photos = {True: photo_of(gl, scene, True)}
    measured = {}
    for f_stop, focus in PHOTO_PSNR_FLOORS_DB:
        row, _ = compare(gl, scene, photos, f_stop, focus)
        measured[(f_stop, focus)] = row["boost_psnr_db"]
    for key, floor in PHOTO_PSNR_FLOORS_DB.items():
        assert measured[key] > floor, (key, measured[key])
    # In focus everywhere (no DOF) the photo comes back as it was taken.
    taken = gl.render(scene, dof=False).image.astype(int)
    back = gl.render(photos[True], dof=False).image.astype(int)
    assert np.abs(back - taken).max() <= 2


def test_bundled_photo_opens_by_name():
    scene = load_scene("photo")
    assert scene.photo is not None and scene.photo.size == (640, 360)
    assert scene.lens.focal_length_mm == pytest.approx(50.0, abs=0.01)  # the demo's lens
    assert scene.lens.f_stop == 1.4  # DEFAULT_BLUR_PER_DIOPTRE at fx 889
    assert not scene.photo.valid.all()  # the sky has no depth, and is filled


def test_viewer_racks_a_photo_between_clicks(viewer):
    """The window at half the bundled photo's size: a click focuses on what it shows."""
    photo = load_scene("photo").photo
    app = viewer(command=["view", "photo"])
    for x, y in ((50, 125), (215, 115)):  # the red ball, then the crate
        app.click(x, y)
        depth = photo.depth_at(2 * x + 0.5, 2 * y + 0.5)
        state = app.wait_until(
            lambda s, d=depth: s["focus_target_m"] == pytest.approx(d, rel=0.02),
            what=f"focus on {depth:.2f} m",
        )
        assert state["target"].startswith("depth ")
    app.key("Tab")  # the next depth layer, as the next object in a scene
    names = [o.name for o in load_scene("photo").objects]
    app.wait_until(lambda s: s["target"] in names and s["target"] != state["target"],
                   what="Tab to another layer")  # fmt: skip


def test_play_a_photo_timeline_in_the_window(viewer, tmp_path):
    image, depth = write_pair(tmp_path)
    pull = tmp_path / "pull.json"
    result = dofviewer("pull", image, "--depth", depth, "--fx", FX, "--from", "1", "--to", "4",
                       "--duration", "0.5", "--hold", "0.2", "-o", pull)  # fmt: skip
    assert result.returncode == 0, result.stderr
    app = viewer(command=["play", str(pull)])
    app.wait_until(lambda s: s["focus_distance_m"] > 3.9, what="the pull to play")


def test_flying_pixels_snap_to_a_side():
    from dofviewer.content.photo import snap_flying_pixels

    depth = np.full((8, 8), 4.0, np.float32)
    depth[:, :4] = 1.0
    depth[:, 4] = 2.0  # a sensor's average across the silhouette
    valid = np.ones_like(depth, bool)
    snapped = snap_flying_pixels(depth, valid)
    assert set(np.unique(snapped)) == {1.0, 4.0}
    assert np.all(snapped[:, 4] == 1.0)  # 2 m is nearer 1 m than 4 m
    slope = np.linspace(1.0, 1.3, 64, dtype=np.float32).reshape(8, 8)  # 4 % a row
    assert np.array_equal(snap_flying_pixels(slope, valid), slope)  # a slope is not a silhouette
