"""The scene pass and its buffers: exact depth, exact emission, ids, determinism, and
its reuse while only focus changes."""

from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import pytest
from scenes import build, card, lens_camera

from dofviewer.gl.context import default_msaa
from dofviewer.headless import HeadlessRenderer
from dofviewer.quality import psnr
from dofviewer.renderer import FrameSettings, scene_view
from dofviewer.scene import load_scene


def test_view_depth_is_recovered_from_the_depth_buffer(gl):
    scene = build(lens_camera(3.0), [card(3.7, color=[0.5, 0.5, 0.5])])
    frame = gl.render(scene, (320, 180))
    # A camera-facing card: every pixel lies 3.7 m along the view axis.
    assert np.abs(frame.depth - 3.7).max() < 2e-3


def test_depth_of_a_sphere_matches_ray_geometry(gl):
    scene = build(
        lens_camera(3.0), [{"name": "s", "shape": "sphere", "position": [0, 0, -5], "radius": 1.0}]
    )
    frame = gl.render(scene, (320, 180))
    h, w = frame.depth.shape
    assert frame.depth[h // 2, w // 2] == pytest.approx(4.0, abs=2e-3)  # front of the sphere
    assert np.isinf(frame.depth[0, 0])  # empty sky is at infinity


def test_emissive_is_exact_in_the_linear_buffer(gl):
    scene = build(lens_camera(2.0), [card(2.0, color=[0, 0, 0], emissive=[1, 1, 1])])
    for dof in (False, True):
        frame = gl.render(scene, (320, 180), dof=dof)
        assert np.all(frame.linear == 1.0), f"dof={dof}"


def test_object_ids_name_the_objects(gl):
    scene = load_scene()
    frame = gl.render(scene, (320, 180), dof=False)
    visible = {scene.objects[i - 1].name for i in np.unique(frame.object_ids) if i > 0}
    assert {"ball", "crate", "globe", "tower", "floor"} <= visible
    assert frame.object_ids[0, 160] == 0  # sky at the top centre


def test_still_frame_is_bit_identical(gl):
    scene = load_scene()
    a = gl.render(scene, (320, 180), focus_on="ball")
    b = gl.render(scene, (320, 180), focus_on="ball")
    assert np.array_equal(a.image, b.image) and np.array_equal(a.linear, b.linear)


def test_focus_on_finds_the_visible_surface(gl):
    scene = load_scene()
    frame = gl.render(scene, (320, 180), focus_on="crate")
    crate = scene.object_named("crate")
    centre_depth = scene.camera.depth_of(crate.position)
    # The crate's front faces are up to half its diagonal in front of its centre.
    assert centre_depth - 0.6 < frame.settings.focus_distance_m < centre_depth
    assert abs(frame.coc[frame.object_ids == scene.index_of("crate") + 1]).min() < 0.05


def test_coc_buffer_matches_the_thin_lens(gl):
    scene = build(lens_camera(2.0, focal_mm=50, f_stop=2.0), [card(5.0, color=[1, 1, 1])])
    frame = gl.render(scene, (320, 180))
    expected = scene.lens.coc_diameter_px(5.0, 2.0, 320) / 2
    assert np.abs(frame.coc - expected).max() < 0.02


def test_coc_is_clamped_to_the_documented_maximum(gl):
    scene = build(lens_camera(0.3, focal_mm=85, f_stop=1.0), [card(50.0, color=[1, 1, 1])])
    frame = gl.render(scene, (320, 180))
    assert frame.coc.max() == 32.0


def test_resizing_rebuilds_targets_cleanly(gl):
    scene = load_scene()
    small = gl.render(scene, (96, 54))
    big = gl.render(scene, (320, 180))
    assert small.image.shape == (54, 96, 3)
    assert big.image.shape == (180, 320, 3)
    assert gl.ctx.error == "GL_NO_ERROR"


def test_a_minimised_window_size_does_not_break_the_renderer(gl):
    renderer = gl.renderer
    renderer.resize((0, 0))  # what a minimised window reports
    assert renderer.size == (1, 1)
    frame = gl.render(load_scene(), (1, 1))
    assert frame.image.shape == (1, 1, 3)


class _PassLog:
    """A timer that only records which passes ran."""

    def __init__(self):
        self.names = []

    @contextmanager
    def section(self, name):
        self.names.append(name)
        yield


def test_a_focus_pull_reuses_the_scene_pass_and_matches_a_full_render(gl):
    scene = load_scene()
    settings = FrameSettings.from_scene(scene)
    log = _PassLog()
    r = gl.renderer
    r.resize((320, 180))
    r.set_timer(log)
    try:
        r.render(scene, settings)
        log.names.clear()
        pulled = settings.with_(focus_distance_m=12.0, lens=settings.lens.with_(f_stop=2.0))
        r.render(scene, pulled)
        # Neither the scene nor what DOF derives from it once per view is drawn again.
        assert not {"scene", "second layer", "prepare"} & set(log.names)
        assert {"layers", "gather", "composite"} <= set(log.names)
        reused = r.read_image()
        # Moving the camera draws the scene again.
        moved = pulled.with_(pose=replace(pulled.pose, position=(0.2, 1.4, 6.0)))
        r.render(scene, moved)
        assert {"scene", "prepare"} <= set(log.names)
    finally:
        r.set_timer_off()
    r.invalidate_scene()
    r.render(scene, pulled)
    assert np.array_equal(reused, r.read_image())


def test_time_redraws_the_scene_only_when_something_moves(gl):
    still, moving = load_scene(), load_scene("tracking")
    for scene, expected in ((still, False), (moving, True)):
        settings = FrameSettings.from_scene(scene)
        later = settings.with_(time_s=1.0)
        assert (scene_view(scene, settings) != scene_view(scene, later)) is expected


def test_msaa_brings_in_focus_edges_closer_to_16x_supersampling(gl):
    """Measured at 240×135 on llvmpipe: 2×2 supersampling 34.2 dB against 4×4, and
    38.3 dB with 4× MSAA added (480×270: 37.6 and 41.0 dB)."""
    scene, size = load_scene(), (240, 135)
    settings = FrameSettings.from_scene(scene, dof=False)
    with (
        HeadlessRenderer(size, ctx=gl.ctx, supersample=4, msaa=0) as fine,
        HeadlessRenderer(size, ctx=gl.ctx, supersample=2, msaa=0) as single,
        HeadlessRenderer(size, ctx=gl.ctx, supersample=2, msaa=4) as multisampled,
    ):
        truth = fine.render(scene, settings=settings)
        plain = single.render(scene, settings=settings)
        msaa = multisampled.render(scene, settings=settings)
        assert multisampled.renderer.targets.msaa == 4
    assert psnr(msaa.image, truth.image) > psnr(plain.image, truth.image) + 2.0
    # Depth and ids are the nearest sample's, as without MSAA: the same almost everywhere.
    assert np.mean(msaa.object_ids != plain.object_ids) < 0.01
    finite = np.isfinite(plain.depth) & np.isfinite(msaa.depth)
    moved = np.abs(msaa.depth[finite] - plain.depth[finite]) > 0.05 * plain.depth[finite]
    assert np.mean(moved) < 0.01


class _FakeContext:
    def __init__(self, renderer):
        self.info = {"GL_RENDERER": renderer}


def test_msaa_is_on_by_default_only_where_it_is_cheap():
    software = "llvmpipe (LLVM 15.0.6, 256 bits)"
    assert default_msaa(_FakeContext(software)) == 0
    assert default_msaa(_FakeContext("NVIDIA H100 80GB HBM3/PCIe/SSE2")) == 4
    assert default_msaa(_FakeContext("Apple M2")) == 4
