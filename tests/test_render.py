"""The scene pass and its buffers: exact depth, exact emission, ids, determinism, and
its reuse while only focus changes."""

from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import pytest
from scenes import build, card, lens_camera

from dofviewer.content.scene import load_scene
from dofviewer.measurement.quality import psnr
from dofviewer.render.gl.context import default_msaa
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.render.renderer import FrameSettings, scene_view
from dofviewer.shot.lens import MAX_COC_RADIUS_PX


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


def srgb_to_linear(encoded: np.ndarray) -> np.ndarray:
    v = encoded / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def test_the_shaders_coc_is_the_thin_lens_coc(gl):
    """The CoC the shaders compute (shaders/common/thin_lens.glsl), not read_coc()'s
    numpy re-derivation: the CoC debug view paints it from the same function the DOF
    passes call. Over black it paints a far CoC radius r blue, sqrt(r / max) in linear
    (near: red, sqrt(−r / max)): one 8-bit step is about 0.2 px of CoC here. The
    expected CoC is the thin lens written out: a point at depth d focused at s blurs to
    c = A·f·|d − s| / (d·s) on the sensor (A = f/N), c·W / sensor width pixels."""
    focus, far, near = 2.0, 6.0, 1.2
    scene = build(lens_camera(focus), [
        card(far, name="far", color=[0, 0, 0]),
        card(near, name="near", color=[0, 0, 0], position=[5.0, 0, -near], size=[10, 10]),
    ])  # fmt: skip
    frame = gl.render(scene, (320, 180), view="coc")
    f, aperture, sensor = 0.085, 0.085 / 1.4, 0.036  # lens_camera's 85 mm f/1.4
    rows = slice(60, 120)
    for depth, columns, channel in ((far, slice(20, 120), 2), (near, slice(200, 300), 0)):
        assert np.all(frame.object_ids[rows, columns] == (1 if depth == far else 2))
        c = aperture * f * abs(depth - focus) / (depth * focus)
        expected = c * 320 / sensor / 2
        painted = srgb_to_linear(frame.image[rows, columns, channel].astype(np.float64))
        measured = MAX_COC_RADIUS_PX * painted**2
        message = f"{depth} m: {measured.mean():.2f} px, not {expected:.2f}"
        assert abs(measured.mean() - expected) < 0.1, message
        assert np.abs(measured - expected).max() < 0.3, message


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


def test_a_camera_move_at_the_preview_preset_leaves_the_second_layer_to_the_settled_frame(gl):
    """Only the final preset reads the second layer: a preview frame of a camera move
    skips it (on llvmpipe it costs as much as the scene again), the settled final frame
    draws it once, and that frame equals a final render from scratch."""
    scene = load_scene()
    settings = FrameSettings.from_scene(scene)
    moved = settings.with_(pose=replace(settings.pose, position=(0.3, 1.3, 6.0)))
    log = _PassLog()
    r = gl.renderer
    r.resize((320, 180))
    r.render(scene, settings)
    r.set_timer(log)
    try:
        r.render(scene, moved.with_(quality="preview"))
        assert "scene" in log.names and "second layer" not in log.names
        log.names.clear()
        r.render(scene, moved)
        assert "second layer" in log.names and "scene" not in log.names
        settled = r.read_image()
        log.names.clear()
        r.render(scene, moved.with_(focus_distance_m=2.0))
        assert not {"scene", "second layer"} & set(log.names)
    finally:
        r.set_timer_off()
    r.invalidate_scene()
    r.render(scene, moved)
    assert np.array_equal(settled, r.read_image())


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


def test_offline_output_has_4x_msaa_everywhere_and_only_the_live_viewer_adapts():
    software = "llvmpipe (LLVM 15.0.6, 256 bits)"
    gpus = ("NVIDIA H100 80GB HBM3/PCIe/SSE2", "Apple M2")
    for name in (software, *gpus):
        assert default_msaa(_FakeContext(name)) == 4, name  # render, export, quality
    assert default_msaa(_FakeContext(software), live=True) == 0
    for name in gpus:
        assert default_msaa(_FakeContext(name), live=True) == 4, name


def test_headless_renderer_defaults_to_4x_msaa(gl):
    with HeadlessRenderer((64, 36), ctx=gl.ctx) as offline:
        assert offline.renderer.targets.msaa == 4


def test_mip_chain_keeps_a_small_lights_energy(gl):
    """The wide gather reads coarse mip levels of colour; GL builds them with a bilinear
    blit, which on odd sizes skips rows. The guard band keeps the padded frame a
    multiple of 32, so a 4-pixel light keeps its energy down to level 4 (it vanished
    there at 480×270 before)."""
    from dofviewer.measurement.crafted import CRAFTED

    gl.render(CRAFTED["bokeh"](), (480, 270))
    texture = gl.renderer.targets.color_invd
    energy = []
    for level in (0, 4):
        w, h = texture.size[0] >> level, texture.size[1] >> level
        data = np.frombuffer(texture.read(level=level), dtype=np.float16).reshape(h, w, 4)
        energy.append(data[..., :3].astype(np.float64).sum() * 4**level)
    assert energy[1] == pytest.approx(energy[0], rel=0.01)


def test_frames_create_no_gl_objects(gl):
    """A rack focus, a lens change, a camera move and the preview allocate nothing: every
    texture, framebuffer and buffer is made when the renderer or its targets are. Mesa
    never reuses a freed GL name, so a probe object's name counts what was made between."""
    scene = load_scene()
    ctx, renderer = gl.ctx, gl.renderer
    base = FrameSettings.from_scene(scene)

    def frames():
        for i, quality in enumerate(("final", "preview") * 2):
            settings = base.with_(focus_distance_m=1.5 + i, quality=quality)
            if i == 2:
                settings = settings.with_(lens=settings.lens.with_(f_stop=4.0, aperture_blades=6))
            if i == 3:
                x, y, z = settings.pose.position
                settings = settings.with_(pose=replace(settings.pose, position=(x + 0.3, y, z)))
            renderer.render(scene, settings)
        ctx.finish()

    def probe_names():
        texture = ctx.texture((1, 1), 4)
        framebuffer = ctx.framebuffer([texture])
        buffer = ctx.buffer(reserve=4)
        names = texture.glo, framebuffer.glo, buffer.glo
        for obj in (framebuffer, buffer, texture):
            obj.release()
        return names

    renderer.resize((160, 90))
    frames()  # the first frames compile each shader variant and write its kernels
    before = probe_names()
    frames()
    after = probe_names()
    assert after == tuple(name + 1 for name in before), (before, after)


@pytest.mark.parametrize("size", [(320, 180), (97, 55)])
def test_dof_shades_only_the_visible_frame_and_the_texel_round_its_fields(gl, size):
    """The guard band is read by the gather but never shown: the composite leaves it
    alone, and the half- and quarter-resolution fields cover the frame plus one texel
    for bilinear upsampling, within their targets."""
    scene = load_scene()
    gl.render(scene, size)
    targets = gl.renderer.targets
    (mx, my), (w, h) = targets.margin, targets.size
    assert targets.frame_rect(1) == (mx, my, w, h)
    for scale in (2, 4):
        x, y, rw, rh = targets.frame_rect(scale)
        fw, fh = targets.fields[scale].far.size
        assert 0 <= x <= mx / scale - 1 and 0 <= y <= my / scale - 1
        assert (mx + w) / scale + 1 <= x + rw <= fw and (my + h) / scale + 1 <= y + rh <= fh
    pw, ph = targets.padded_size
    sentinel = np.full((ph, pw, 4), 7.0, dtype=np.float16)
    targets.linear.write(sentinel.tobytes())
    gl.render(scene, size)
    linear = np.frombuffer(targets.linear.read(), dtype=np.float16).reshape(ph, pw, 4)
    inside = np.zeros((ph, pw), dtype=bool)
    inside[my : my + h, mx : mx + w] = True
    assert np.all(linear[~inside] == 7.0)  # the guard band was not written
    assert np.all(linear[inside][:, :3] != 7.0)  # and the frame was


def test_depth_view_darkens_with_distance_and_marks_the_focus_distance(gl):
    scene = load_scene()
    frame = gl.render(scene, (320, 180), view="depth", focus_on="crate")
    image = frame.image.astype(int)
    grey = image[..., 0] == image[..., 2]
    near = np.nanargmin(np.where(np.isfinite(frame.depth), frame.depth, np.nan))
    far = np.nanargmax(np.where(np.isfinite(frame.depth), frame.depth, np.nan))
    assert image.reshape(-1, 3)[near].sum() > image.reshape(-1, 3)[far].sum()
    # The focus distance: a pure green line ((0.1, 0.9, 0.2) linear).
    line = (image[..., 0] < 40) & (image[..., 1] > 200) & (image[..., 2] < 70)
    focus = frame.settings.focus_distance_m
    assert line.any()
    assert np.all(np.abs(np.log2(frame.depth[line] / focus)) < 0.05)
    # The zone of acceptable sharpness (the calculator's near and far limits) is tinted
    # green; all else stays grey.
    from dofviewer.shot.dofcalc import for_lens

    zone = for_lens(frame.settings.lens, focus)
    depth = frame.depth
    inside = (depth > zone.near_limit_m * 1.02) & (depth < zone.far_limit_m / 1.02) & ~line
    outside = (depth < zone.near_limit_m / 1.02) | (depth > zone.far_limit_m * 1.02)
    assert inside.sum() > 200 and outside.sum() > 0.5 * depth.size
    assert np.all(image[inside][:, 1] > image[inside][:, 0] + 20)
    assert grey[outside].mean() > 0.99


def test_coc_view_paints_near_field_orange_and_far_field_blue(gl):
    scene = load_scene()
    frame = gl.render(scene, (320, 180), view="coc", focus_on="crate")
    image = frame.image.astype(int)
    near, far = frame.coc < -3, frame.coc > 1  # the far field is at most 1.9 px here
    assert near.sum() > 500 and far.sum() > 500
    assert np.all(image[near][:, 0] > image[near][:, 2])  # red over blue
    assert np.all(image[far][:, 2] > image[far][:, 0])


def test_focus_peaking_marks_only_sharp_detail(gl):
    scene = load_scene()
    frame = gl.render(scene, (320, 180), focus_peaking=True, focus_on="crate")
    plain = gl.render(scene, (320, 180), focus_on="crate")
    marked = np.any(frame.image != plain.image, axis=-1)
    # (1, 0.1, 0.6) linear is (255, 89, 203) in sRGB, plus the dither.
    magenta = np.all(np.abs(frame.image.astype(int) - (255, 89, 203)) <= 2, axis=-1)
    assert marked.sum() > 500 and np.array_equal(marked, magenta)
    assert np.all(np.abs(frame.coc[marked]) < 1.0)
