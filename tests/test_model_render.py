"""Drawing loaded models: glTF's material model, alpha modes, culling, texture transforms.

Models are built in code (tests/models.py) so every expected value follows from the
setup: a camera at z = 2 looking down −z at quads in the XY plane, lit straight on.
"""

from __future__ import annotations

import numpy as np
import pytest
from models import model, quad, rgba_image, textured, translation

from dofviewer.content.model import Material, TextureRef
from dofviewer.content.model_scene import scene_from_model
from dofviewer.content.scene import Light, Scene, SceneObject, parse_scene
from dofviewer.render.gl.model_draw import material_defines
from dofviewer.render.renderer import FrameSettings
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.lens import ThinLens

FRONT_LIGHT = Light(direction=(0.0, 0.0, -1.0), color=(1.0, 1.0, 1.0), ambient=(0.0, 0.0, 0.0))


def mesh_scene(m, light=FRONT_LIGHT, background=(0.0, 0.0, 0.0), distance=2.0) -> Scene:
    objects = tuple(
        SceneObject(
            name=inst.name, shape="mesh", position=(0.0, 0.0, 0.0), model=m, instances=(i,)
        )  # fmt: skip
        for i, inst in enumerate(m.instances)
    )
    return Scene(
        camera=CameraPose((0.0, 0.0, distance), (0.0, 0.0, 0.0)),
        lens=ThinLens(focal_length_mm=50.0, f_stop=8.0),
        focus_distance_m=distance,
        objects=objects,
        background=background,
        light=light,
        clip_m=(0.01, 100.0),
    )


def render(gl, scene, **overrides):
    return gl.render(scene, (320, 180), dof=False, **overrides)


def centre(image, r=4):
    h, w = image.shape[:2]
    return image[h // 2 - r : h // 2 + r, w // 2 - r : w // 2 + r].reshape(-1, *image.shape[2:])


def test_a_white_rough_dielectric_returns_the_light_as_the_built_in_shapes_do(gl):
    """mesh.glsl and lit.glsl share a unit convention: a white diffuse surface facing the
    light returns light_color (plus GGX's small share at roughness 1: F0 = 0.04 → 1 %)."""
    rough = Material(base_color=(1, 1, 1, 1), metallic=0.0, roughness=1.0)
    frame = render(gl, mesh_scene(model({"q": (quad(1.0), np.identity(4))}, (rough,))))
    value = centre(frame.linear).mean(axis=0)
    assert value == pytest.approx([1.01, 1.01, 1.01], rel=0.02)
    plane = parse_scene(
        '{"camera": {"position": [0, 0, 2], "look_at": [0, 0, 0], "f_stop": 8},'
        ' "light": {"direction": [0, 0, -1], "color": [1, 1, 1], "ambient": [0, 0, 0]},'
        ' "objects": [{"name": "p", "shape": "plane", "position": [0, 0, 0], "size": [1, 1],'
        ' "rotation_deg": [90, 0, 0], "color": [1, 1, 1]}]}'
    )
    built_in = centre(render(gl, plane).linear).mean(axis=0)
    assert value == pytest.approx(built_in, rel=0.03)


def test_a_glossy_surface_has_an_hdr_highlight_where_it_mirrors_the_light(gl):
    """GGX at roughness 0.2 mirrors a light behind the camera into a peak of about
    π·D·V·F = 6 over the diffuse 1: what becomes bokeh once blurred."""
    glossy = Material(base_color=(1, 1, 1, 1), metallic=0.0, roughness=0.2)
    frame = render(gl, mesh_scene(model({"q": (quad(1.5), np.identity(4))}, (glossy,))))
    lum = frame.linear.mean(axis=2)
    ids = frame.object_ids
    peak = centre(lum, 2).max()
    rim = lum[ids == 1].min()
    assert peak > 4.0, peak
    assert rim < 2.0, rim


def test_alpha_mask_cuts_by_texture_with_gltf_uv_orientation(gl):
    """MASK discards under the cutoff. The image's top-left quadrant is transparent; UV
    (0, 0) is the image's top-left (glTF), so the quad's top-left corner is cut away
    (checked 10 px inside it: the bilinear, repeating texture blends across its edges)."""
    pixels = np.full((8, 8, 4), 255, np.uint8)
    pixels[:4, :4, 3] = 0
    mask = textured(0, alpha_mode="MASK", metallic=0.0)
    scene = mesh_scene(model({"q": (quad(1.0), np.identity(4))}, (mask,), (rgba_image(pixels),)))
    ids = render(gl, scene).object_ids
    ys, xs = np.nonzero(ids == 1)
    cy, cx = int(ys.min() + ys.max()) // 2, int(xs.min() + xs.max()) // 2
    x0 = xs.min() + 10
    top_left = ids[: cy - 10, x0 : cx - 10]
    top_right = ids[: cy - 10, cx + 10 :]
    bottom_left = ids[cy + 10 :, x0 : cx - 10]
    assert (top_left == 1).sum() == 0
    assert (top_right == 1).sum() > 100 and (bottom_left == 1).sum() > 100


@pytest.mark.parametrize(("alpha", "focus_lands_on"), [(13, "card"), (51, "pane"), (204, "pane")])
def test_alpha_blend_mixes_over_what_is_behind(gl, alpha, focus_lands_on):
    """BLEND is blended over the rest, sorted far to near: a red pane of coverage a in
    front of a green card shows a red and 1 − a green. The DOF has one depth per pixel:
    a pane that shows (glass at 0.2 included) takes depth and ids, so it blurs as what it
    is; a nearly clear one (5 %) leaves them to the card."""
    pixels = np.full((4, 4, 4), 255, np.uint8)
    pixels[..., 3] = alpha
    pane = textured(0, base_color=(1, 0, 0, 1), alpha_mode="BLEND", metallic=0.0, unlit=True)
    green = Material(base_color=(0, 1, 0, 1), unlit=True)
    m = model(
        {
            "pane": (quad(1.0, material=0), translation(z=0.2)),
            "card": (quad(3.0, material=1), np.identity(4)),
        },
        (pane, green),
        (rgba_image(pixels),),
    )
    frame = render(gl, mesh_scene(m))
    a = alpha / 255
    assert centre(frame.linear, 10).mean(axis=0)[:2] == pytest.approx([a, 1 - a], abs=0.02)
    expected_id, expected_depth = {"card": (2, 2.0), "pane": (1, 1.8)}[focus_lands_on]
    assert (centre(frame.object_ids, 10) == expected_id).all()
    assert centre(frame.depth, 10) == pytest.approx(expected_depth, rel=1e-3)


@pytest.mark.parametrize(
    ("double_sided", "world", "visible"),
    [
        (False, translation(), True),
        (False, translation(scale=(-1, 1, -1)), False),  # turned round: its back faces us
        (True, translation(scale=(-1, 1, -1)), True),
        (False, translation(scale=(-1, 1, 1)), True),  # mirrored: winding flips, still faces us
    ],
)
def test_single_sided_materials_cull_back_faces_and_mirrors_keep_their_front(
    gl, double_sided, world, visible
):
    """...and whatever side is seen is lit as a front (normals follow mirroring)."""
    material = Material(double_sided=double_sided, metallic=0.0, roughness=1.0)
    frame = render(gl, mesh_scene(model({"q": (quad(1.0), world)}, (material,))))
    assert (centre(frame.object_ids) == 1).all() == visible
    if visible:
        assert centre(frame.linear).mean() == pytest.approx(1.01, rel=0.02)


def test_emissive_is_unclamped_hdr(gl):
    lamp = Material(base_color=(0, 0, 0, 1), emissive=(40.0, 30.0, 20.0), metallic=0.0)
    linear = centre(
        render(gl, mesh_scene(model({"q": (quad(1.0), np.identity(4))}, (lamp,)))).linear
    )
    assert linear.mean(axis=0) == pytest.approx([40.0, 30.0, 20.0], rel=0.01)


def test_texture_transform_offset_moves_the_texture(gl):
    """KHR_texture_transform's matrix reaches the shader the right way round: an offset
    of half the texture in u swaps a black-left / white-right texture's halves."""
    pixels = np.zeros((4, 64, 4), np.uint8)
    pixels[..., 3] = 255
    pixels[:, 32:, :3] = 255
    shifted = np.identity(3)
    shifted[0, 2] = 0.5
    plain = textured(0, metallic=0.0, unlit=True)
    moved = Material(base_color_texture=TextureRef(0, transform=shifted), metallic=0.0, unlit=True)
    images = (rgba_image(pixels),)

    def left_minus_right(material):
        lum = render(
            gl, mesh_scene(model({"q": (quad(1.0), np.identity(4))}, (material,), images))
        ).linear[..., 0]
        h, w = lum.shape
        return lum[h // 2, w // 2 - 20] - lum[h // 2, w // 2 + 20]

    assert left_minus_right(plain) < -0.9
    assert left_minus_right(moved) > 0.9


def test_the_second_layer_holds_the_model_behind_a_model(gl):
    """Behind a blurred foreground the composite shows the second layer: for models, the
    nearest surface of another object (the back quad), not the front one again."""
    red = Material(base_color=(1, 0, 0, 1), unlit=True)
    blue = Material(base_color=(0, 0, 1, 1), unlit=True)
    m = model({"front": (quad(0.5, material=0), translation(z=0.5)),
               "back": (quad(3.0, material=1), np.identity(4))}, (red, blue))  # fmt: skip
    gl.render(mesh_scene(m), (320, 180))
    targets = gl.renderer.targets
    pw, ph = targets.padded_size
    layer = np.frombuffer(targets.second_layer.read(), np.float16).reshape(ph, pw, 4)
    behind_front = layer[ph // 2, pw // 2].astype(float)
    assert behind_front[:3] == pytest.approx([0, 0, 1], abs=0.01)


def test_variants_follow_the_material_and_the_mesh():
    prim = quad()
    assert material_defines(Material(), prim, False) == {"ALPHA_MODE": 0}
    normal_mapped = Material(normal_texture=TextureRef(0), alpha_mode="MASK", unlit=False)
    assert material_defines(normal_mapped, prim, True) == {
        "ALPHA_MODE": 1,
        "NORMAL_MAP": 1,
        "PEEL": 1,
    }


def test_model_frames_create_no_gl_objects(gl):
    """A model is uploaded on its first frame; a rack focus over it then makes nothing."""
    m = model({"q": (quad(1.0), np.identity(4)), "r": (quad(0.3), translation(z=0.5))})
    scene = mesh_scene(m)
    ctx, renderer = gl.ctx, gl.renderer
    renderer.resize((160, 90))
    base = FrameSettings.from_scene(scene)
    for i in range(3):
        renderer.render(scene, base.with_(focus_distance_m=1.0 + i))
    ctx.finish()

    def probe():
        buffer = ctx.buffer(reserve=4)
        name = buffer.glo
        buffer.release()
        return name

    before = probe()
    for i in range(3):
        renderer.render(scene, base.with_(focus_distance_m=1.5 + i, quality="preview"))
    ctx.finish()
    assert probe() == before + 1


def test_a_model_without_a_camera_is_framed_and_focused_on_what_is_at_the_centre():
    m = model({"near": (quad(0.6), translation(z=0.5)), "far": (quad(2.0), np.identity(4))})
    scene = scene_from_model(m, aspect=16 / 9)
    assert scene.shots == ()
    pose = scene.camera
    assert pose.look_at == pytest.approx((0, 0, 0.25))  # the bounds' centre
    # The centre ray crosses the near quad's plane (z = 0.5) inside it: focus is there.
    hit_near = (0.5 - pose.position[2]) / pose.forward[2]
    assert scene.focus_distance_m == pytest.approx(hit_near, rel=1e-6)
    assert [o.name for o in scene.objects] == ["near", "far"]


def test_sheen_adds_its_colour_to_fabric(gl):
    """KHR_materials_sheen (the toy car's red velvet cloth over a dark base): the sheen
    colour shows; without sheen the same black cloth stays black."""
    velvet = Material(base_color=(0, 0, 0, 1), metallic=0.0, sheen_color=(1.0, 0.0, 0.0),
                      sheen_roughness=0.5)  # fmt: skip
    plain = Material(base_color=(0, 0, 0, 1), metallic=0.0, roughness=1.0)
    lit = Light(direction=(0.0, 0.0, -1.0), color=(1.0, 1.0, 1.0), ambient=(0.2, 0.2, 0.2))
    red = centre(
        render(gl, mesh_scene(model({"q": (quad(1.0), np.identity(4))}, (velvet,)), lit)).linear
    )
    black = centre(
        render(gl, mesh_scene(model({"q": (quad(1.0), np.identity(4))}, (plain,)), lit)).linear
    )
    assert red[:, 0].mean() > 0.05 and red[:, 0].mean() > 5 * red[:, 1].mean()
    assert black[:, 0].mean() < 0.05 * red[:, 0].mean() + 0.01
