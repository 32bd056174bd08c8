"""glTF and OBJ loading: transforms, attributes, materials, warnings and every bad input.

Synthetic files come from gltf_writer (an independent writer) or inline OBJ text, so each
expected value is worked out by hand; the real models under ../shared/assets are checked
for the properties the viewer relies on (they are skipped where that folder is missing).
No GL here.
"""

import copy
import json
import math
import random
import struct
from collections import Counter
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
from gltf_writer import GltfBuilder

from dofviewer.content.gltf import load_gltf
from dofviewer.content.obj import load_obj
from dofviewer.errors import ModelError

ASSETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "assets"
QUAD = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], np.float32)
QUAD_INDICES = [0, 1, 2, 0, 2, 3]
S = math.sqrt(0.5)
QUARTER_TURN_Z = [0, 0, S, S]  # xyzw: +90° about +Z (x → y)
QUARTER_TURN_Y = [0, S, 0, S]  # +90° about +Y (z → x)


def write_and_load(builder: GltfBuilder, tmp_path, name="model.glb"):
    path = tmp_path / name
    if name.endswith(".glb"):
        builder.write_glb(path)
    else:
        builder.write_gltf(path)
    return load_gltf(path)


def quad_builder(**mesh_args) -> GltfBuilder:
    b = GltfBuilder()
    b.add_node("quad", mesh=b.add_mesh(QUAD, QUAD_INDICES, **mesh_args))
    return b


def instance(model, name):
    return next(i for i in model.instances if i.name == name)


def corners(model, inst):
    """World positions of an instance's vertices (first copy)."""
    positions = model.meshes[inst.mesh].primitives[0].positions.astype(np.float64)
    return positions @ inst.matrices[0][:3, :3].T + inst.matrices[0][:3, 3]


# -- transforms -----------------------------------------------------------------------------


def test_world_matrices_compose_parent_scale_child_trs_and_matrix_nodes(tmp_path):
    b = GltfBuilder()
    mesh = b.add_mesh(QUAD, QUAD_INDICES)
    grandchild = b.add_node(
        "grandchild", mesh=mesh, matrix=[[1, 0, 0, 5], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    )
    child = b.add_node(
        "child", mesh=mesh, translation=[0, 1, 0], rotation=QUARTER_TURN_Z, children=[grandchild]
    )
    b.add_node("parent", translation=[1, 2, 3], scale=[2, 2, 2], children=[child])
    model = write_and_load(b, tmp_path)
    # parent = T(1,2,3)·S(2); child = T(0,1,0)·Rz(90°); grandchild = T(5,0,0), by hand:
    expected_child = [[0, -2, 0, 1], [2, 0, 0, 4], [0, 0, 2, 3], [0, 0, 0, 1]]
    expected_grandchild = [[0, -2, 0, 1], [2, 0, 0, 14], [0, 0, 2, 3], [0, 0, 0, 1]]
    np.testing.assert_allclose(instance(model, "child").matrices, [expected_child], atol=1e-12)
    np.testing.assert_allclose(
        instance(model, "grandchild").matrices, [expected_grandchild], atol=1e-12
    )
    assert [i.name for i in model.instances] == ["child", "grandchild"]  # depth-first order


def test_camera_on_a_scaled_rotated_parent_sits_and_looks_where_the_hierarchy_says(tmp_path):
    b = quad_builder()
    eye = b.add_node("eye", camera=b.add_camera(0.8, znear=0.05), translation=[0, 0, 1])
    b.add_node(
        "rig", translation=[0, 1, 0], rotation=QUARTER_TURN_Y, scale=[2, 2, 2], children=[eye]
    )
    model = write_and_load(b, tmp_path)
    (camera,) = model.cameras
    # (0, 0, 1) scaled by 2 is (0, 0, 2); +90° about Y takes +Z to +X: (2, 0, 0), raised 1.
    np.testing.assert_allclose(camera.position, [2, 1, 0], atol=1e-12)
    np.testing.assert_allclose(camera.forward, [-1, 0, 0], atol=1e-12)  # -Z turned to -X
    np.testing.assert_allclose(camera.up, [0, 1, 0], atol=1e-12)
    assert (camera.name, camera.yfov_rad, camera.znear_m) == ("eye", 0.8, 0.05)
    assert camera.aspect_ratio is None and camera.zfar_m is None


def test_camera_names_fall_back_to_the_camera_then_its_index(tmp_path):
    b = quad_builder()
    b.add_node(camera=b.add_camera(0.5, aspect_ratio=1.5, zfar=50, name="lens"))
    b.add_node(camera=b.add_camera(0.5))
    b.add_node(camera=b.add_orthographic_camera())
    model = write_and_load(b, tmp_path)
    assert [c.name for c in model.cameras] == ["lens", "camera 1"]
    assert (model.cameras[0].aspect_ratio, model.cameras[0].zfar_m) == (1.5, 50)
    (warning,) = model.warnings
    assert "1 orthographic camera" in warning


def test_a_mesh_shared_by_two_nodes_is_stored_once_and_names_are_unique(tmp_path):
    b = GltfBuilder()
    mesh = b.add_mesh(QUAD, QUAD_INDICES, name="tile")
    b.add_node("twin", mesh=mesh)
    b.add_node("twin", mesh=mesh, translation=[3, 0, 0])
    b.add_node(mesh=mesh)  # named after its mesh
    b.add_node(mesh=b.add_mesh(QUAD, QUAD_INDICES))  # neither named: "node 3"
    model = write_and_load(b, tmp_path)
    assert [i.name for i in model.instances] == ["twin", "twin (2)", "tile", "node 3"]
    assert [i.mesh for i in model.instances] == [0, 0, 0, 1] and len(model.meshes) == 2
    assert model.instances[1].matrices[0][0, 3] == 3


def test_gpu_instancing_gives_one_world_matrix_per_instance(tmp_path):
    b = GltfBuilder()
    instancing = {
        "translation": [[1, 0, 0], [2, 0, 0], [3, 0, 0]],
        "rotation": [[0, 0, 0, 1], QUARTER_TURN_Z, [0, 0, 0, 1]],
        "scale": [[1, 1, 1], [1, 1, 1], [2, 2, 2]],
    }
    mesh = b.add_mesh(QUAD, QUAD_INDICES)
    b.add_node(
        "crowd", mesh=mesh, translation=[0, 0, 10], rotation=QUARTER_TURN_Z, instancing=instancing
    )
    model = write_and_load(b, tmp_path)
    matrices = model.instances[0].matrices
    assert matrices.shape == (3, 4, 4) and matrices.dtype == np.float64
    # node world @ instance T·R·S: the node's quarter turn carries the offsets from x to y.
    np.testing.assert_allclose(matrices[:, :3, 3], [[0, 1, 10], [0, 2, 10], [0, 3, 10]], atol=1e-7)
    quarter = np.array([[0, -1, 0], [1, 0, 0], [0, 0, 1]])
    np.testing.assert_allclose(matrices[1, :3, :3], quarter @ quarter, atol=1e-7)
    np.testing.assert_allclose(matrices[2, :3, :3], 2 * quarter, atol=1e-7)
    assert model.triangle_count == 6


def test_scene_picks_the_default_scene_and_refuses_a_hierarchy_cycle(tmp_path):
    b = quad_builder()
    b.add_node("other", mesh=0)
    b.document["scenes"] = [{"nodes": [0]}, {"nodes": [1]}]
    b.document["scene"] = 1
    assert [i.name for i in write_and_load(b, tmp_path).instances] == ["other"]
    b.document["nodes"][0]["children"] = [1]
    b.document["nodes"][1]["children"] = [0]
    with pytest.raises(ModelError, match=r"cycle \(nodes 0 -> 1 -> 0\)"):
        write_and_load(b, tmp_path)


# -- attributes -----------------------------------------------------------------------------


def test_u8_u16_u32_indices_decode_identically_as_uint32(tmp_path):
    b = GltfBuilder()
    mesh = b.add_mesh(QUAD, QUAD_INDICES, index_type=np.uint8)
    b.add_primitive(mesh, QUAD, QUAD_INDICES, index_type=np.uint16)
    b.add_primitive(mesh, QUAD, QUAD_INDICES, index_type=np.uint32)
    b.add_node("quads", mesh=mesh)
    primitives = write_and_load(b, tmp_path).meshes[0].primitives
    assert len(primitives) == 3
    for prim in primitives:
        assert prim.indices.dtype == np.uint32
        np.testing.assert_array_equal(prim.indices, QUAD_INDICES)
        assert prim.positions.dtype == np.float32 and prim.positions.shape == (4, 3)


def test_non_indexed_primitive_gets_indices_0_to_n(tmp_path):
    b = GltfBuilder()
    b.add_node(mesh=b.add_mesh(QUAD[[0, 1, 2, 0, 2, 3]]))
    prim = write_and_load(b, tmp_path).meshes[0].primitives[0]
    np.testing.assert_array_equal(prim.indices, np.arange(6))
    assert prim.indices.dtype == np.uint32


def test_missing_normals_are_computed_smooth_and_guarded(tmp_path):
    b = quad_builder()
    # A fold: two triangles at right angles share the edge 0-1; plus a degenerate triangle.
    fold = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [5, 5, 5]], np.float32)
    b.add_node("fold", mesh=b.add_mesh(fold, [0, 1, 2, 1, 0, 3, 4, 4, 4]))
    model = write_and_load(b, tmp_path)
    quad = model.meshes[0].primitives[0].normals
    assert quad.dtype == np.float32
    np.testing.assert_allclose(quad, np.tile([0, 0, 1], (4, 1)))
    normals = model.meshes[1].primitives[0].normals.astype(np.float64)
    # Faces (0, 1, 2) and (1, 0, 3) face +Z and +Y; the shared edge gets their mean.
    np.testing.assert_allclose(normals[[0, 1]], np.tile([0, S, S], (2, 1)), atol=1e-6)
    np.testing.assert_allclose(normals[2], [0, 0, 1])  # only the first face
    np.testing.assert_allclose(normals[3], [0, 1, 0])  # only the second
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1, atol=1e-6)


def test_strips_and_fans_become_triangle_lists_that_keep_their_facing(tmp_path):
    strip_positions = QUAD[[0, 1, 3, 2]]  # zigzag order
    b = GltfBuilder()
    mesh = b.add_mesh(strip_positions, [0, 1, 2, 3], mode=5)
    b.add_primitive(mesh, QUAD, [0, 1, 2, 3], mode=6)
    b.add_primitive(mesh, QUAD, [0, 1], mode=1)  # a line: skipped with a warning
    b.add_node("shapes", mesh=mesh)
    model = write_and_load(b, tmp_path)
    strip, fan = model.meshes[0].primitives
    np.testing.assert_array_equal(strip.indices, [0, 1, 2, 1, 3, 2])  # odd ones swap 2 and 3
    np.testing.assert_array_equal(fan.indices, [1, 2, 0, 2, 3, 0])
    for prim in (strip, fan):
        tri = prim.positions[prim.indices.reshape(-1, 3)].astype(np.float64)
        facing = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
        assert (facing[:, 2] > 0).all()
    (warning,) = model.warnings
    assert "skipped 1 point and line primitives" in warning


def test_vertex_colours_and_texcoords_from_normalized_integers(tmp_path):
    colors_u8 = np.array([[255, 0, 128], [0, 255, 0], [0, 0, 255], [51, 51, 51]], np.uint8)
    b = GltfBuilder()
    mesh = b.add_mesh(QUAD, QUAD_INDICES, colors=colors_u8)
    b.add_primitive(mesh, QUAD, QUAD_INDICES, colors=np.full((4, 4), 65535, np.uint16))
    b.add_node("painted", mesh=mesh)
    uv_accessor = b.add_accessor(
        np.array([[0, 0], [65535, 0], [65535, 65535], [0, 32768]], np.uint16), normalized=True
    )
    b.document["meshes"][0]["primitives"][0]["attributes"]["TEXCOORD_1"] = uv_accessor
    first, second = write_and_load(b, tmp_path).meshes[0].primitives
    assert first.colors.dtype == np.float32 and first.colors.shape == (4, 4)
    np.testing.assert_allclose(first.colors[0], [1, 0, 128 / 255, 1])
    np.testing.assert_allclose(first.colors[3], [0.2, 0.2, 0.2, 1])
    np.testing.assert_allclose(second.colors, np.ones((4, 4)))
    np.testing.assert_allclose(first.texcoords1, [[0, 0], [1, 0], [1, 1], [0, 32768 / 65535]])
    assert second.texcoords1 is None and first.tangents is None


def test_sparse_accessor_overrides_the_listed_elements(tmp_path):
    b = quad_builder()
    indices = b.add_buffer_view(np.array([2], np.uint16).tobytes())
    values = b.add_buffer_view(np.array([[7, 8, 9]], np.float32).tobytes())
    position = b.document["meshes"][0]["primitives"][0]["attributes"]["POSITION"]
    b.document["accessors"][position]["sparse"] = {
        "count": 1,
        "indices": {"bufferView": indices, "componentType": 5123},
        "values": {"bufferView": values},
    }
    positions = write_and_load(b, tmp_path).meshes[0].primitives[0].positions
    np.testing.assert_array_equal(positions, [[0, 0, 0], [1, 0, 0], [7, 8, 9], [0, 1, 0]])


# -- materials and textures -----------------------------------------------------------------


def test_texture_transform_matches_the_khr_texture_transform_spec(tmp_path):
    rgba = np.zeros((2, 3, 4), np.uint8)
    rgba[0] = [255, 0, 0, 255]  # top row red
    rgba[1, :, 3] = 128
    b = GltfBuilder()
    transform = {"offset": [0.5, 0], "rotation": math.pi / 2, "scale": [2, 2], "texCoord": 1}
    material = b.add_material(
        base_color_texture=b.add_texture_png(rgba),
        texture_transform=transform,
        alphaMode="MASK",
        alphaCutoff=0.3,
    )
    b.add_node(mesh=b.add_mesh(QUAD, QUAD_INDICES, uvs=QUAD[:, :2], material=material))
    model = write_and_load(b, tmp_path)
    ref = model.materials[0].base_color_texture
    # scale: (1, 0) -> (2, 0); rotate π/2 (u' = u cos + v sin, v' = -u sin + v cos): (0, -2);
    # offset: (0.5, -2).
    np.testing.assert_allclose(ref.transform @ [1, 0, 1], [0.5, -2, 1], atol=1e-12)
    assert ref.texcoord == 1  # the extension's texCoord overrides the textureInfo's
    np.testing.assert_array_equal(model.images[ref.image].pixels, rgba)  # top row first
    material = model.materials[0]
    assert (material.alpha_mode, material.alpha_cutoff) == ("MASK", 0.3)
    assert not model.warnings  # KHR_texture_transform is supported


def test_material_factors_emissive_strength_unlit_and_sampler(tmp_path):
    b = GltfBuilder()
    texture = b.add_texture_png(np.full((1, 1, 4), 200, np.uint8))
    b.document["samplers"] = [{"wrapS": 33071, "wrapT": 33648, "magFilter": 9728}]
    b.document["textures"][texture]["sampler"] = 0
    material = b.add_material(
        base_color=(0.5, 0.25, 1, 0.5),
        base_color_texture=texture,
        emissiveFactor=[1, 0.5, 0],
        doubleSided=True,
        alphaMode="BLEND",
        normalTexture={"index": texture, "scale": 0.7},
        occlusionTexture={"index": texture, "strength": 0.4},
        extensions={
            "KHR_materials_emissive_strength": {"emissiveStrength": 4},
            "KHR_materials_unlit": {},
        },
    )
    b.add_node(mesh=b.add_mesh(QUAD, QUAD_INDICES, uvs=QUAD[:, :2], material=material))
    model = write_and_load(b, tmp_path)
    m = model.materials[0]
    assert m.base_color == (0.5, 0.25, 1, 0.5) and m.emissive == (4, 2, 0)
    assert (m.metallic, m.roughness, m.normal_scale, m.occlusion_strength) == (1, 1, 0.7, 0.4)
    assert m.double_sided and m.unlit and m.alpha_mode == "BLEND"
    sampler = m.base_color_texture.sampler
    assert (sampler.wrap_s, sampler.wrap_t, sampler.mag_filter) == (33071, 33648, 9728)
    assert len(model.images) == 1  # one image, used by three textureInfos
    assert model.meshes[0].primitives[0].material == 0


def test_transmission_and_sheen_are_approximated_not_ignored(tmp_path):
    """KHR_materials_transmission (the toy car's windows) is drawn as BLEND keeping
    1 − 0.8 · transmission of the coverage; KHR_materials_sheen's factors (its red
    tablecloth) are read. Neither is reported as ignored."""
    b = GltfBuilder()
    glass = b.add_material(
        base_color=(0.3, 0.8, 0.3, 1),
        extensions={"KHR_materials_transmission": {"transmissionFactor": 1}},
    )
    cloth = b.add_material(
        extensions={
            "KHR_materials_sheen": {"sheenColorFactor": [1, 0, 0], "sheenRoughnessFactor": 0.5}
        },
    )
    b.use_extension("KHR_materials_transmission")
    b.use_extension("KHR_materials_sheen")
    b.add_node(mesh=b.add_mesh(QUAD, QUAD_INDICES, material=glass))
    b.add_node(mesh=b.add_mesh(QUAD, QUAD_INDICES, material=cloth))
    model = write_and_load(b, tmp_path)
    glass_m, cloth_m = model.materials
    assert glass_m.alpha_mode == "BLEND"
    assert glass_m.base_color == pytest.approx((0.3, 0.8, 0.3, 0.2))
    assert (cloth_m.sheen_color, cloth_m.sheen_roughness) == ((1, 0, 0), 0.5)
    assert cloth_m.alpha_mode == "OPAQUE"
    assert model.warnings == ()


def test_missing_texture_warns_and_drops_only_that_texture(tmp_path):
    b = GltfBuilder()
    material = b.add_material(
        base_color=(0, 1, 0, 1), base_color_texture=b.add_texture_uri("x.png")
    )
    b.add_node(mesh=b.add_mesh(QUAD, QUAD_INDICES, uvs=QUAD[:, :2], material=material))
    model = write_and_load(b, tmp_path, "model.gltf")
    assert model.materials[0].base_color_texture is None
    assert model.materials[0].base_color == (0, 1, 0, 1)
    assert model.warnings == (
        f"{tmp_path / 'model.gltf'}: texture 'x.png' is missing; drawing without it",
    )


def test_optional_unknown_extension_warns_once_and_required_draco_refuses(tmp_path):
    b = quad_builder()
    b.use_extension("KHR_materials_clearcoat")
    b.use_extension("KHR_lights_punctual")
    model = write_and_load(b, tmp_path)
    assert model.warnings == (
        f"{tmp_path / 'model.glb'}: ignored optional extensions: "
        "KHR_materials_clearcoat, KHR_lights_punctual (the model loads "
        "without them)",
    )
    b.use_extension("KHR_draco_mesh_compression", required=True)
    with pytest.raises(ModelError) as info:
        write_and_load(b, tmp_path)
    assert str(info.value) == (
        f"{tmp_path / 'model.glb'}: requires extension "
        "KHR_draco_mesh_compression, which dofviewer does not support"
    )


def test_gltf_with_external_uri_encoded_bin_and_with_data_uri(tmp_path):
    b = quad_builder()
    b.write_gltf(tmp_path / "a.gltf", bin_name="my mesh.bin")
    assert "my%20mesh.bin" in (tmp_path / "a.gltf").read_text()
    b.write_gltf(tmp_path / "b.gltf", embed=True)
    for name in ("a.gltf", "b.gltf"):
        np.testing.assert_array_equal(
            load_gltf(tmp_path / name).meshes[0].primitives[0].positions, QUAD
        )


# -- bad input ------------------------------------------------------------------------------


def _glb_with_chunk_length(data: bytes, length: int) -> bytes:
    return data[:12] + struct.pack("<I", length) + data[16:]


def _edit(*path_and_value):
    """A builder edit: set document[path...] = value."""

    def edit(b: GltfBuilder):
        *path, key, value = path_and_value
        target = b.document
        for part in path:
            target = target[part]
        target[key] = value

    return edit


BYTE_CASES = [
    ("truncated", lambda d: d[:-10], "model.glb", "bad GLB length: the header says"),
    ("bad magic", lambda d: b"glTX" + d[4:], "model.glb", "not a GLB file"),
    ("short", lambda d: d[:7], "model.glb", "truncated GLB: 7 bytes"),
    ("chunk overrun", lambda d: _glb_with_chunk_length(d, 10**6), "model.glb", "GLB chunk 0: 1000000 bytes"),
    ("empty", lambda d: b"", "model.glb", "not a GLB file"),
    ("invalid JSON", lambda d: b'{"asset": ', "model.gltf", "invalid JSON: Expecting value (line 1 column 11)"),
    ("JSON not an object", lambda d: b"[]", "model.gltf", "the JSON is not an object"),
    ("latin-1", lambda d: b'{"asset": {"version": "2.0"}, "nodes": [{"name": "caf\xe9"}]}', "model.gltf", "not UTF-8 text (byte 0xe9 at offset 53)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "mangle", "name", "problem"), BYTE_CASES, ids=[c[0] for c in BYTE_CASES]
)
def test_broken_bytes_raise_one_clear_line(tmp_path, label, mangle, name, problem):
    path = tmp_path / name
    path.write_bytes(mangle(quad_builder().glb_bytes()))
    with pytest.raises(ModelError) as info:
        load_gltf(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and problem in message, message
    assert "\n" not in message


def _buffer_uri(uri: str):
    return lambda b: b.buffer_fields.update(uri=uri)


def _indices(*values):
    def edit(b: GltfBuilder):
        indices = b.add_accessor(np.array(values, np.uint16))
        b.document["meshes"][0]["primitives"][0]["indices"] = indices

    return edit


def _nan_position(b):
    b.document["meshes"][0]["name"] = "X"
    b.binary[:4] = struct.pack("<f", math.nan)  # the first accessor: POSITION x of vertex 0


DOCUMENT_CASES = [
    ("version 1", _edit("asset", "version", "1.0"), "asset.version is '1.0'; dofviewer reads glTF 2.x"),
    ("accessor past view", _edit("accessors", 0, "count", 40), "accessor 0: reads past the end of bufferView 0 (needs 480 bytes, it has 48)"),
    ("view past buffer", _edit("bufferViews", 1, "byteLength", 4000), "bufferView 1: bytes 48..4048 lie past the end of buffer 0"),
    ("index out of range", _indices(0, 1, 120), "meshes[0].primitives[0]: indices reach vertex 120 of 4"),
    ("index one past", _indices(0, 4, 1), "meshes[0].primitives[0]: indices reach vertex 4 of 4"),
    ("unknown componentType", _edit("accessors", 0, "componentType", 5124), "accessor 0: unknown componentType 5124"),
    ("bad accessor type", _edit("accessors", 0, "type", "MAT3"), "accessor 0: type 'MAT3' is not one dofviewer reads"),
    ("no meshes", _edit("nodes", 0, "mesh", None), "the scene has no meshes to draw"),
    ("missing mesh", _edit("nodes", 0, "mesh", 7), "nodes[0].mesh: there is no mesh 7 (the file has 1)"),
    ("no POSITION", _edit("meshes", 0, "primitives", 0, "attributes", {}), "meshes[0].primitives[0]: has no POSITION attribute"),
    ("NaN position", _nan_position, "mesh 'X' primitive 0: POSITION holds NaN or infinite values"),
    ("required draco", _edit("extensionsRequired", ["KHR_draco_mesh_compression", "EXT_meshopt_compression"]), "requires extensions KHR_draco_mesh_compression, EXT_meshopt_compression, which dofviewer does not support"),
    ("missing scene", _edit("scene", 3), "scene: there is no scene 3 (the file has 1)"),
    ("bad mode", _edit("meshes", 0, "primitives", 0, "mode", 9), "mode 9 is not a glTF primitive mode"),
    ("bad TRS", _edit("nodes", 0, "translation", [0, 1]), "nodes[0].translation: expected 3 finite numbers"),
    ("bad material", _edit("meshes", 0, "primitives", 0, "material", 2), "there is no material 2"),
    ("schema", _edit("meshes", 0, "primitives", 5), "meshes[0] does not follow the glTF schema (TypeError: "),
    ("null mesh", _edit("meshes", 0, None), "meshes[0] is not an object"),
    ("bad extension", _edit("nodes", 0, "extensions", {"EXT_mesh_gpu_instancing": 3}), "nodes[0].extensions.EXT_mesh_gpu_instancing is not an object"),
    ("bad base64", _buffer_uri("data:application/octet-stream;base64,@@@"), "buffer 0: the data URI is not valid base64"),
    ("web uri", _buffer_uri("https://example.com/x.bin"), "buffer 0: cannot read 'https://example.com/x.bin' (only files beside the model"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "edit", "problem"), DOCUMENT_CASES, ids=[c[0] for c in DOCUMENT_CASES]
)
@pytest.mark.parametrize("name", ["model.glb", "model.gltf"])
def test_broken_documents_raise_one_clear_line(tmp_path, label, edit, problem, name):
    b = quad_builder()
    edit(b)
    path = tmp_path / name
    if name.endswith(".glb"):
        b.write_glb(path)
    else:
        b.write_gltf(path)
    with pytest.raises(ModelError) as info:
        load_gltf(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and problem in message, message
    assert "\n" not in message


def test_missing_bin_names_the_buffer_and_the_file(tmp_path):
    quad_builder().write_gltf(tmp_path / "model.gltf")
    (tmp_path / "model.bin").unlink()
    with pytest.raises(ModelError) as info:
        load_gltf(tmp_path / "model.gltf")
    assert str(info.value) == (
        f"{tmp_path / 'model.gltf'}: buffer 0: cannot read 'model.bin' (No such file or directory)"
    )


def test_two_parents_are_refused(tmp_path):
    b = quad_builder()
    b.add_node("a", children=[0])
    b.add_node("b", children=[0])
    b.scene_roots = [1, 2]
    with pytest.raises(ModelError, match=r"nodes\[0\] has two parents \(nodes 1 and 2\)"):
        write_and_load(b, tmp_path)


def test_no_mangled_file_escapes_as_anything_but_a_specific_model_error(tmp_path):
    """Byte flips in a GLB, and JSON values swapped for odd ones: each loads or raises a
    ModelError with a message of its own (none falls through to the catch-all)."""
    b = quad_builder(normals=np.tile([0, 0, 1], (4, 1)), uvs=QUAD[:, :2], material=0)
    b.add_material(
        base_color_texture=b.add_texture_png(np.zeros((2, 2, 4), np.uint8)),
        texture_transform={"offset": [0.1, 0.2], "rotation": 0.3},
    )
    b.add_node("eye", camera=b.add_camera(0.7, zfar=10), children=[0], scale=[1, 2, 3])
    b.scene_roots = [1]
    rng = random.Random(1234)
    data = b.glb_bytes()
    for _ in range(150):
        mangled = bytearray(data[: rng.choice([len(data), rng.randrange(len(data))])])
        for _ in range(rng.randint(1, 4)):
            mangled[rng.randrange(len(mangled))] = rng.randrange(256)
        _assert_loads_or_says_why(tmp_path / "fuzz.glb", bytes(mangled))
    document = json.loads(b.write_gltf(tmp_path / "fuzz.gltf").read_text())
    paths = list(_json_paths(document))
    odd = [-1, 0, 2, 7, 10**12, 3.5, 1e308, "x", "", None, [], {}, True, [0, 0, 0, 0]]
    for _ in range(300):
        mangled = copy.deepcopy(document)
        *parents, key = rng.choice(paths)
        target = mangled
        for part in parents:
            target = target[part]
        target[key] = copy.deepcopy(rng.choice(odd))
        _assert_loads_or_says_why(tmp_path / "fuzz.gltf", json.dumps(mangled).encode())


def _json_paths(value, path=()):
    """The key paths of every value inside a JSON document."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        yield (*path, key)
        if isinstance(child, dict | list):
            yield from _json_paths(child, (*path, key))


def _assert_loads_or_says_why(path: Path, data: bytes):
    path.write_bytes(data)
    try:
        load_gltf(path)
    except ModelError as exc:
        message = str(exc)
    else:
        return
    assert "\n" not in message and "malformed glTF" not in message, message


# -- real models ----------------------------------------------------------------------------

REAL_GLTF = {
    "Box": "Box/glTF-Binary/Box.glb",
    "Cameras": "Cameras/glTF/Cameras.gltf",
    "ToyCar": "ToyCar/glTF/ToyCar.gltf",
    "GlassVaseFlowers": "GlassVaseFlowers/glTF-Binary/GlassVaseFlowers.glb",
    "SheenChair": "SheenChair/glTF/SheenChair.gltf",
    "IridescentDishWithOlives": "IridescentDishWithOlives/glTF/IridescentDishWithOlives.gltf",
    "MetalRoughSpheresNoTextures": "MetalRoughSpheresNoTextures/glTF-Binary/MetalRoughSpheresNoTextures.glb",
}  # fmt: skip
_loaded: dict = {}


def real(name: str):
    """A real model under ../shared/assets/gltf, loaded once per test session."""
    path = ASSETS / "gltf" / REAL_GLTF[name]
    if not path.exists():
        pytest.skip(f"{path} is not here")
    if name not in _loaded:
        _loaded[name] = load_gltf(path)
    return _loaded[name]


def test_every_real_gltf_model_is_listed():
    if not (ASSETS / "gltf").exists():
        pytest.skip("../shared/assets is not here")
    assert sorted(p.name for p in (ASSETS / "gltf").iterdir()) == sorted(REAL_GLTF)


@pytest.mark.parametrize("name", REAL_GLTF)
def test_real_gltf_models_load_with_consistent_arrays(name):
    model = real(name)
    assert model.triangle_count > 0
    for mesh in model.meshes:
        for prim in mesh.primitives:
            n = len(prim.positions)
            assert prim.positions.dtype == prim.normals.dtype == np.float32
            assert prim.normals.shape == (n, 3) and prim.indices.dtype == np.uint32
            assert len(prim.indices) % 3 == 0 and int(prim.indices.max()) < n
            for extra, width in (
                (prim.texcoords0, 2),
                (prim.texcoords1, 2),
                (prim.colors, 4),
                (prim.tangents, 4),
            ):
                assert extra is None or (extra.shape == (n, width) and extra.dtype == np.float32)
    for image in model.images:
        assert image.pixels.dtype == np.uint8 and image.pixels.shape[2] == 4
    for inst in model.instances:
        assert inst.matrices.dtype == np.float64 and inst.matrices.shape[1:] == (4, 4)


def test_toycar_has_eight_cameras_aimed_at_a_4_cm_car():
    model = real("ToyCar")
    assert [c.name for c in model.cameras] == [f"Camera00{i}" for i in range(1, 9)]
    assert all(c.aspect_ratio is None and c.znear_m == 0.001 for c in model.cameras)
    lo, hi = model.instance_bounds(instance(model, "ToyCar"))
    # The car (not the 7.4 cm tablecloth) is 3.84 cm long, 1.87 cm wide: 0.1 mm scale.
    np.testing.assert_allclose(hi - lo, [0.01871, 0.01162, 0.03838], atol=2e-5)
    centre = (lo + hi) / 2
    for camera in model.cameras:
        to_car = centre - camera.position
        cosine = camera.forward @ to_car / np.linalg.norm(to_car)
        assert cosine > math.cos(math.radians(30)), camera.name
    fabric = next(m for m in model.materials if m.name == "Fabric")
    np.testing.assert_allclose(fabric.base_color_texture.transform, np.diag([3, 3, 1]))


def test_box_root_matrix_turns_z_up_into_y_up():
    model = real("Box")
    inst = model.instances[0]
    positions = model.meshes[0].primitives[0].positions
    top = positions[:, 2] == positions[:, 2].max()  # the mesh's +Z face ...
    world = corners(model, inst)
    np.testing.assert_allclose(world[top][:, 1], 0.5)  # ... is the world's +Y face
    lo, hi = model.bounds()
    np.testing.assert_allclose([lo, hi], [[-0.5] * 3, [0.5] * 3])


def test_cameras_gltf_gives_one_perspective_camera_and_warns_about_the_orthographic():
    model = real("Cameras")
    (camera,) = model.cameras
    assert (camera.yfov_rad, camera.aspect_ratio, camera.znear_m, camera.zfar_m) == (
        0.7,
        1.0,
        0.01,
        100,
    )
    np.testing.assert_allclose(camera.position, [0.5, 0.5, 3.0])
    assert any("orthographic" in w for w in model.warnings)
    np.testing.assert_allclose(model.meshes[0].primitives[0].normals, np.tile([0, 0, 1], (4, 1)))


def test_sheen_chair_honours_its_required_texture_transform():
    model = real("SheenChair")
    refs = [
        ref
        for m in model.materials
        for ref in (m.base_color_texture, m.normal_texture, m.occlusion_texture)
        if ref
    ]
    assert any(not np.allclose(ref.transform, np.identity(3)) for ref in refs)
    assert all(m.occlusion_texture.texcoord == 1 for m in model.materials)
    assert all(p.texcoords1 is not None for mesh in model.meshes for p in mesh.primitives)


def test_glass_vase_flowers_mask_materials_and_a_shared_mesh():
    model = real("GlassVaseFlowers")
    assert any(m.alpha_mode == "MASK" for m in model.materials)
    assert any(m.alpha_mode == "BLEND" for m in model.materials)
    assert instance(model, "Flowers1").mesh == instance(model, "Flowers2").mesh


def test_iridescent_dish_has_vertex_colours_a_camera_and_a_child_node():
    model = real("IridescentDishWithOlives")
    assert any(p.colors is not None for mesh in model.meshes for p in mesh.primitives)
    assert len(model.cameras) == 1
    np.testing.assert_allclose(
        instance(model, "olives").matrices, instance(model, "glassDish").matrices
    )


def test_metal_rough_spheres_share_decoded_arrays():
    model = real("MetalRoughSpheresNoTextures")
    assert model.triangle_count > 1_000_000
    positions = Counter(id(p.positions) for mesh in model.meshes for p in mesh.primitives)
    assert max(positions.values()) >= 96  # one decode for the 96 spheres


# -- OBJ ------------------------------------------------------------------------------------


def write_obj(tmp_path, text: str, name="model.obj") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


QUAD_OBJ = """\
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
vt 0 0
vt 1 0
vt 1 1
vt 0 1
vn 0 0 2
"""


def test_obj_quad_with_uvs_flips_v_and_fan_triangulates(tmp_path):
    model = load_obj(write_obj(tmp_path, QUAD_OBJ + "f 1/1/1 2/2/1 3/3/1 4/4/1\n"))
    (prim,) = model.meshes[0].primitives
    assert prim.indices.dtype == np.uint32 and len(prim.indices) == 6
    tri = prim.positions[prim.indices].reshape(-1, 3, 3)
    np.testing.assert_array_equal(tri[0], QUAD[[0, 1, 2]])
    np.testing.assert_array_equal(tri[1], QUAD[[0, 2, 3]])
    # OBJ v runs up the image, glTF's down it: each vertex's uv is (x, 1 - y).
    np.testing.assert_allclose(
        prim.texcoords0, np.stack([prim.positions[:, 0], 1 - prim.positions[:, 1]], 1)
    )
    np.testing.assert_allclose(prim.normals, np.tile([0, 0, 1], (4, 1)))  # normalised
    assert [i.name for i in model.instances] == ["model"]
    np.testing.assert_array_equal(model.instances[0].matrices, [np.identity(4)])
    assert model.materials[prim.material].double_sided


def test_obj_negative_indices_and_polygons(tmp_path):
    relative = load_obj(write_obj(tmp_path, QUAD_OBJ + "f -4/-4 -3/-3 -2/-2 -1/-1\n", "a.obj"))
    absolute = load_obj(write_obj(tmp_path, QUAD_OBJ + "f 1/1 2/2 3/3 4/4\n", "b.obj"))
    for a, b in zip(relative.meshes[0].primitives, absolute.meshes[0].primitives, strict=True):
        np.testing.assert_array_equal(a.positions[a.indices], b.positions[b.indices])
    pentagon = "".join(f"v {math.cos(k)} {math.sin(k)} 0\n" for k in range(5)) + "f 1 2 3 4 5\n"
    prim = load_obj(write_obj(tmp_path, pentagon, "c.obj")).meshes[0].primitives[0]
    assert len(prim.indices) == 9 and prim.texcoords0 is None
    np.testing.assert_allclose(prim.normals, np.tile([0, 0, 1], (5, 1)), atol=1e-7)


def test_obj_objects_groups_materials_and_vertex_colours(tmp_path):
    (tmp_path / "m.mtl").write_text(
        "newmtl red\nKd 1 0 0\nNs 198\nd 0.5\nKe 0 0 3\nmap_Kd -s 1 1 1 red tex.png\n"
        "newmtl blue\nKd 0 0 1\nTr 0\n"
    )
    iio.imwrite(tmp_path / "red tex.png", np.full((2, 2, 3), [255, 0, 0], np.uint8))
    text = (
        "mtllib m.mtl\nv 0 0 0 1 0 0\nv 1 0 0 0 1 0\nv 1 1 0 0 0 1\nv 0 1 0 1 1 1\n"
        "f 1 2 3\no lid\nusemtl red\nf 1 3 4\nusemtl blue\nf 1 2 4\ng lid\nusemtl red\nf 2 3 4\n"
    )
    model = load_obj(write_obj(tmp_path, text))
    assert [i.name for i in model.instances] == ["model", "lid", "lid (2)"]
    assert [len(m.primitives) for m in model.meshes] == [1, 2, 1]
    red = model.material(model.meshes[1].primitives[0].material)
    blue = model.material(model.meshes[1].primitives[1].material)
    assert red.name == "red" and red.base_color == (1, 0, 0, 0.5) and red.alpha_mode == "BLEND"
    assert red.roughness == pytest.approx(0.1) and red.metallic == 0 and red.emissive == (0, 0, 3)
    assert model.images[red.base_color_texture.image].pixels[0, 0].tolist() == [255, 0, 0, 255]
    assert blue.base_color == (0, 0, 1, 1) and blue.alpha_mode == "OPAQUE"
    assert model.meshes[2].primitives[0].material == model.meshes[1].primitives[0].material
    prim = model.meshes[0].primitives[0]
    np.testing.assert_allclose(
        prim.colors[np.argsort(prim.positions[:, 0] + 2 * prim.positions[:, 1])],
        [[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 1, 1]],
    )
    assert not model.warnings


def test_obj_smooth_normals_ignore_uv_seams(tmp_path):
    # Two faces at right angles share the edge v1-v2, with different vt on each side.
    text = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nvt 0 0\nvt 1 1\nf 1/1 2/1 3/1\nf 2/2 1/2 4/2\n"
    prim = load_obj(write_obj(tmp_path, text)).meshes[0].primitives[0]
    assert len(prim.positions) == 6  # the shared edge's vertices split by vt
    on_edge = prim.positions[:, 1:].sum(axis=1) == 0
    # The faces face +Z and +Y: all four edge vertices get the mean of the two.
    np.testing.assert_allclose(prim.normals[on_edge], np.tile([0, S, S], (4, 1)), atol=1e-6)


def test_obj_missing_mtl_and_texture_each_warn_once(tmp_path):
    (tmp_path / "m.mtl").write_text("newmtl a\nmap_Kd gone.png\nnewmtl b\nmap_Kd gone.png\n")
    text = "mtllib m.mtl\nmtllib nowhere.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl a\nf 1 2 3\nusemtl b\nf 1 2 3\n"
    model = load_obj(write_obj(tmp_path, text))
    source = tmp_path / "model.obj"
    assert model.warnings == (
        f"{source}: material library 'nowhere.mtl' is missing; drawing with default materials",
        f"{source}: texture 'gone.png' is missing; drawing without it",
    )
    assert all(m.base_color_texture is None for m in model.materials)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\n\nf 1 2 9999\n", "line 5: face index 9999 is out of range (3 vertices)"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n", "line 4: face index 0 is invalid (OBJ counts from 1)"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 -4\n", "line 4: face index -4 is out of range (3 vertices)"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3.5\n", "line 4: face index '3.5' is not an integer"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/x 2 3\n", "line 4: face texture coordinate index 'x' is not an integer"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/2 2/1 3/1\n", "line 5: face texture coordinate index 2 is out of range (1 texture coordinates)"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1//1 2//1 3//1\n", "line 4: face normal index 1 is out of range (0 normals)"),
        ("v 0 0 0\nv 1 0 0\nf 1 2\n", "line 3: a face needs at least 3 vertices (this has 2)"),
        ("v 0 0 0\nv nan 0 0\nv 0 1 0\nf 1 2 3\n", "line 2: a vertex holds a value that is not finite (nan 0 0)"),
        ("v 0 0 0\nv 1 zero 0\nv 0 1 0\nf 1 2 3\n", "line 2: 'zero' is not a number"),
        ("v 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", "line 1: a vertex needs 3 numbers, this has 2"),
        ("# nothing\nv 0 0 0\n", "no faces to draw"),
        ("", "no faces to draw"),
    ],
)  # fmt: skip
def test_broken_obj_names_the_line(tmp_path, text, problem):
    path = write_obj(tmp_path, text)
    with pytest.raises(ModelError) as info:
        load_obj(path)
    assert str(info.value) == f"{path}: {problem}"


def test_obj_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "model.obj"
    path.write_bytes("o caf\u00e9\nv 0 0 0\n".encode("latin-1"))
    with pytest.raises(ModelError) as info:
        load_obj(path)
    assert str(info.value) == f"{path}: not UTF-8 text (byte 0xe9 at offset 5)"


def test_broken_mtl_names_the_mtl_and_its_line(tmp_path):
    (tmp_path / "m.mtl").write_text("newmtl a\nKd 1 0\n")
    path = write_obj(tmp_path, "mtllib m.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nusemtl a\nf 1 2 3\n")
    with pytest.raises(ModelError) as info:
        load_obj(path)
    assert str(info.value) == f"{tmp_path / 'm.mtl'}: line 2: Kd needs 3 finite numbers, got 1 0"


def test_spot_obj_loads_with_uvs_and_smooth_normals():
    path = ASSETS / "obj" / "spot" / "spot_triangulated.obj"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    model = load_obj(path)
    assert model.triangle_count == 5856 and len(model.instances) == 1
    (prim,) = model.meshes[0].primitives
    assert prim.texcoords0 is not None and prim.texcoords0.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(prim.normals, axis=1), 1, atol=1e-6)  # in float32:
    # no component so tiny that squaring it underflows (an error under errstate(all="raise"))
    tri = prim.positions[prim.indices.reshape(-1, 3)].astype(np.float64)
    face = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    assert np.einsum("ij,ij->", tri[:, 0], face) > 0  # closed, wound outwards (volume > 0)
    # ... and the computed normals follow the winding: outwards.
    vertex = prim.normals[prim.indices].reshape(-1, 3, 3).mean(axis=1)
    agree = np.einsum("ij,ij->i", face / np.linalg.norm(face, axis=1, keepdims=True), vertex)
    assert (agree > 0.5).mean() > 0.99
