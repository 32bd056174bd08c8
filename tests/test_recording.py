"""Focus-pull timelines end to end: authoring, export, plotting, and live recording."""

import json
import os
import signal
import subprocess
import sys

import imageio.v2 as imageio_v2
import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image, ImageSequence

from dofviewer.cli.export import frame_count
from dofviewer.content.scene import load_scene
from dofviewer.render.gl.targets import offline_supersample
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.shot.timeline import FocusKey, TimelineSampler, load_timeline


def dofviewer(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "dofviewer", *map(str, args)], capture_output=True,
                          text=True, timeout=300, cwd=cwd)  # fmt: skip


@pytest.fixture(scope="module")
def pull_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pull")
    result = dofviewer("pull", "--from", "ball", "--to", "crate", "--to", "8", "--duration", "0.5",
                       "--hold", "0.25", "--easing", "smoothstep", "-o", folder / "pull.json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder / "pull.json"


def test_pull_writes_a_multi_mark_timeline(pull_file):
    timeline = load_timeline(pull_file)
    focus = [k for k in timeline.keyframes if isinstance(k, FocusKey)]
    assert [k.target for k in focus] == ["crate", None]
    assert focus[1].distance_m == 8.0
    assert [k.time_s for k in focus] == [0.25, 1.0]
    assert timeline.duration_s == pytest.approx(1.75)
    assert timeline.start.focus_distance_m == pytest.approx(1.17, abs=0.05)  # the ball's surface


def test_export_png_frames_are_deterministic_and_sampled_at_k_over_fps(
    pull_file, tmp_path, headless
):
    fps = 8
    for name in ("a", "b"):
        result = dofviewer(
            "export", pull_file, "-o", tmp_path / name, "--fps", fps, "--size", "96x54"
        )
        assert result.returncode == 0, result.stderr
    a, b = sorted((tmp_path / "a").glob("*.png")), sorted((tmp_path / "b").glob("*.png"))
    timeline = load_timeline(pull_file)
    assert len(a) == len(b) == frame_count(timeline.duration_s, fps) == 15
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(iio.imread(x), iio.imread(y)), x.name
    # Frame k is the timeline at exactly k / fps, rendered as offline output (4x MSAA,
    # offline_supersample).
    sampler = TimelineSampler(timeline, load_scene())
    supersample = offline_supersample((96, 54))
    with HeadlessRenderer((96, 54), ctx=headless.ctx, supersample=supersample) as offline:
        for k in (0, 5, 14):
            frame = offline.render(load_scene(), settings=sampler.sample(k / fps))
            assert np.array_equal(frame.image, iio.imread(a[k])), f"frame {k}"
    # The pull moved focus: first and last frames differ.
    assert not np.array_equal(iio.imread(a[0]), iio.imread(a[-1]))


def test_export_mp4_and_gif(pull_file, tmp_path):
    mp4, gif = tmp_path / "pull.mp4", tmp_path / "pull.gif"
    assert (
        dofviewer("export", pull_file, "-o", mp4, "--fps", 12, "--size", "128x72").returncode == 0
    )
    result = dofviewer("export", pull_file, "-o", gif, "--fps", 12, "--size", "128x72")
    assert result.returncode == 0, result.stderr
    expected = frame_count(load_timeline(pull_file).duration_s, 12)
    reader = imageio_v2.get_reader(mp4, format="FFMPEG")
    meta = reader.get_meta_data()
    frames = sum(1 for _ in reader)
    reader.close()
    assert meta["fps"] == pytest.approx(12)
    assert meta["codec"] == "h264"
    assert meta["size"] == (128, 72)
    assert frames == expected
    # A GIF merges identical consecutive frames (the holds) into longer ones: the running
    # time is exact to 10 ms, and the command says how many frames it rendered and kept.
    with Image.open(gif) as image:
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
        assert image.info.get("loop") == 0
    assert abs(sum(durations) - expected * 1000 / 12) <= 10
    assert len(durations) > expected / 2
    assert f"rendered {expected} frames" in result.stderr
    if len(durations) < expected:
        assert f"the GIF keeps {len(durations)} " in result.stderr


def test_export_refuses_to_overwrite(pull_file, tmp_path):
    out = tmp_path / "x.gif"
    out.write_bytes(b"mine")
    result = dofviewer("export", pull_file, "-o", out, "--size", "64x36")
    assert result.returncode == 2
    assert "--overwrite" in result.stderr
    assert out.read_bytes() == b"mine"
    assert (
        dofviewer("export", pull_file, "-o", out, "--size", "64x36", "--overwrite").returncode == 0
    )
    assert out.read_bytes() != b"mine"


def test_plot_draws_a_picture(pull_file, tmp_path):
    out = tmp_path / "curve.png"
    result = dofviewer("plot", pull_file, "-o", out)
    assert result.returncode == 0, result.stderr
    image = iio.imread(out)
    assert image.shape[0] > 300 and image.shape[1] > 600
    assert len(np.unique(image.reshape(-1, image.shape[-1]), axis=0)) > 20  # more than a blank


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda d: "{not json", "invalid JSON"),
        (lambda d: {**d, "format": "something-else"}, "format"),
        (lambda d: {**d, "version": 2}, "version"),
        (lambda d: {**d, "keyframes": [{**d["keyframes"][0], "target": "unicorn"}]}, "unicorn"),
        (lambda d: {**d, "keyframes": [{**d["keyframes"][0], "time_s": -1}]}, "time_s"),
        (lambda d: {**d, "keyframes": list(reversed(d["keyframes"]))}, "time order"),
    ],
)  # fmt: skip
def test_bad_timelines_are_one_line_exit_2(pull_file, tmp_path, edit, needle):
    data = json.loads(pull_file.read_text())
    edited = edit(data)
    bad = tmp_path / "bad.json"
    bad.write_text(edited if isinstance(edited, str) else json.dumps(edited))
    for command in (
        ["export", bad, "-o", tmp_path / "o.gif"],
        ["plot", bad, "-o", tmp_path / "p.png"],
    ):
        result = dofviewer(*command)
        assert result.returncode == 2, result.stderr
        assert needle in result.stderr
        assert str(bad) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_recording_survives_sigterm(viewer, tmp_path):
    """Record live with real input, kill the viewer with SIGTERM part way: the file is
    valid and holds the keyframes made so far."""
    record = tmp_path / "rec.json"
    app = viewer(extra_args=("--record-file", str(record)))
    app.key("r")
    app.wait_until(lambda s: s["recording"], what="recording to start")
    app.click(250, 110)  # the crate
    app.wait_until(lambda s: s["target"] == "crate", what="the click")
    app.key("period")
    app.wait_until(lambda s: s["f_stop"] == 2.0, what="the f-stop change")
    app.process.send_signal(signal.SIGTERM)
    assert app.process.wait(timeout=30) == 0
    timeline = load_timeline(record)
    kinds = [k.kind for k in timeline.keyframes]
    assert "focus" in kinds and "lens" in kinds
    focus = next(k for k in timeline.keyframes if k.kind == "focus")
    assert focus.target == "crate"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_play_pauses_and_scrubs(viewer, pull_file):
    app = viewer(command=["play", str(pull_file)])
    app.wait_until(lambda s: s["playback_time_s"] > 0.2, what="playback to run")
    app.key("space")
    paused = app.wait_until(lambda s: s["frames"] > 0, what="the pause")["playback_time_s"]
    later = app.wait_until(lambda s: s["frames"] > 3, what="frames while paused")
    assert later["playback_time_s"] == pytest.approx(paused, abs=0.35)  # a frame in flight
    before = app.state()["playback_time_s"]
    app.key("Home")
    assert (
        app.wait_until(lambda s: s["playback_time_s"] == 0.0, what="Home")["playback_time_s"] == 0.0
    )
    app.key("Right")
    assert app.wait_until(lambda s: s["playback_time_s"] == pytest.approx(1.0), what="scrub")
    assert before > 0


def test_plot_labels_destinations_bands_the_dof_and_keeps_the_legend_off_the_curve(pull_file):
    from matplotlib import pyplot as plt
    from matplotlib.collections import PolyCollection

    from dofviewer.cli.plot import build_figure
    from dofviewer.shot.timeline import load_timeline_and_scene

    timeline, scene = load_timeline_and_scene(pull_file)
    fig, ax = build_figure(timeline, scene)
    try:
        fig.canvas.draw()
        # The legend sits outside the axes, so it cannot cover the curve.
        legend = ax.get_legend().get_window_extent()
        assert not legend.overlaps(ax.get_window_extent())
        # Each pull's label at its destination: the end of the pull, at its distance.
        focus = [k for k in timeline.keyframes if isinstance(k, FocusKey)]
        labels = {t.get_text(): t.xy for t in ax.texts if t.get_text().startswith("to ")}
        assert set(labels) == {"to crate", "to point"}
        for key in focus:
            x, y = labels[f"to {key.target or 'point'}"]
            assert x == pytest.approx(key.time_s + key.duration_s)
            assert y == pytest.approx(1 / key.distance_m, rel=1e-3)
        # The depth-of-field band surrounds the focus curve.
        band = next(c for c in ax.collections if isinstance(c, PolyCollection))
        curve = next(line for line in ax.lines if line.get_label() == "focus").get_xydata()
        path = band.get_paths()[0]
        inside = path.contains_points(curve[5:-5], radius=1e-9)
        assert inside.mean() > 0.95
        # Subjects' distances as horizontal lines, named.
        assert any(t.get_text().startswith("crate ") for t in ax.texts)
    finally:
        plt.close(fig)
