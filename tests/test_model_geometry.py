"""A glTF file's geometry, drawn, against an independent ray cast of the same transforms.

The test writes a small .glb with everything a loader must compose (a node hierarchy
with TRS and ``matrix`` nodes, a mesh shared by two nodes, EXT_mesh_gpu_instancing, a
textured ground, a camera on a rotated, scaled parent), renders it through the command
line with ``--no-dof --depth-out``, and casts one ray per pixel centre through the same
transforms, composed here by hand (not by the loader), into the same triangles.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from gltf_writer import GltfBuilder

SIZE = (320, 180)
YFOV = 0.7


def quaternion(axis, angle) -> np.ndarray:
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    return np.array([*(axis * math.sin(angle / 2)), math.cos(angle / 2)])


def trs(translation=(0, 0, 0), rotation=(0, 0, 0, 1), scale=(1, 1, 1)) -> np.ndarray:
    """T · R · S from an xyzw quaternion, written out from the rotation formula."""
    x, y, z, w = rotation
    r = np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])  # fmt: skip
    m = np.identity(4)
    m[:3, :3] = r * np.asarray(scale, float)
    m[:3, 3] = translation
    return m


def cube() -> tuple[np.ndarray, np.ndarray]:
    """A unit cube centred on the origin: 8 corners, 12 outward triangles."""
    p = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)], "f4")
    faces = [(0, 1, 3, 2), (4, 6, 7, 5), (0, 4, 5, 1), (2, 3, 7, 6), (0, 2, 6, 4), (1, 5, 7, 3)]
    tris = [(a, b, c) for a, b, c, d in faces] + [(a, c, d) for a, b, c, d in faces]
    return p, np.array(tris, "u2").ravel()


def build_scene(b: GltfBuilder):
    """The file, and the world-space triangles (T, 3, 3) and camera it should give."""
    positions, indices = cube()
    box = b.add_mesh(positions, indices.astype(np.uint16), index_type=np.uint16)
    ground_p = np.array([[-3, 0, -3], [3, 0, -3], [3, 0, 3], [-3, 0, 3]], "f4")
    ground_i = np.array([0, 2, 1, 0, 3, 2], "u1")
    texture = b.add_texture_png(np.full((4, 4, 4), 200, np.uint8))
    ground = b.add_mesh(ground_p, ground_i, uvs=ground_p[:, [0, 2]],
                        material=b.add_material(base_color_texture=texture))  # fmt: skip

    triangles = []

    def place(mesh_p, mesh_i, world):
        p = np.c_[mesh_p, np.ones(len(mesh_p))] @ world.T
        triangles.append(p[:, :3][np.asarray(mesh_i, int).reshape(-1, 3)])

    # A scaled, rotated parent holding the shared box with its own TRS.
    parent = trs((0.5, 0.0, -1.0), quaternion((0, 1, 0), 0.6), (1.5, 1.5, 1.5))
    child = trs((0.0, 0.4, 0.0), quaternion((1, 0, 0), 0.3), (0.5, 0.8, 0.5))
    child_node = b.add_node("box_child", mesh=box, translation=[0, 0.4, 0],
                            rotation=list(quaternion((1, 0, 0), 0.3)), scale=[0.5, 0.8, 0.5])  # fmt: skip
    b.add_node("parent", translation=[0.5, 0, -1], rotation=list(quaternion((0, 1, 0), 0.6)),
               scale=[1.5, 1.5, 1.5], children=[child_node])  # fmt: skip
    place(positions, indices, parent @ child)
    # The same box through a matrix node.
    matrix = trs((-1.3, 0.35, 0.2), quaternion((0, 0, 1), 0.4), (0.7, 0.7, 0.7))
    b.add_node("box_matrix", mesh=box, matrix=matrix)
    place(positions, indices, matrix)
    # Three instances of the box, small, in a row.
    offsets = np.array([[-0.8, 0.15, 1.2], [0.0, 0.15, 1.4], [0.8, 0.15, 1.2]], "f4")
    scales = np.full((3, 3), 0.3, "f4")
    b.add_node("row", mesh=box, translation=[0, 0, 0.1],
               instancing={"translation": offsets, "scale": scales})  # fmt: skip
    for offset in offsets:
        place(positions, indices, trs((0, 0, 0.1)) @ trs(offset, scale=(0.3, 0.3, 0.3)))
    b.add_node("ground", mesh=ground)
    place(ground_p, ground_i, np.identity(4))
    # The camera on a rig: a rotated, scaled parent (scale must not change the view).
    rig = trs((0.0, 1.6, 4.0), quaternion((0, 1, 0), 0.15), (2.0, 2.0, 2.0))
    tilt = trs(rotation=quaternion((1, 0, 0), -0.3))
    eye = b.add_node(
        "eye", camera=b.add_camera(yfov=YFOV), rotation=list(quaternion((1, 0, 0), -0.3))
    )
    b.add_node("rig", translation=[0, 1.6, 4], rotation=list(quaternion((0, 1, 0), 0.15)),
               scale=[2, 2, 2], children=[eye])  # fmt: skip
    return np.concatenate(triangles), rig @ tilt


def ray_cast_depth(triangles: np.ndarray, camera_world: np.ndarray) -> np.ndarray:
    """View depth at each pixel centre (inf where no triangle), Möller–Trumbore."""
    w, h = SIZE
    right, up, back = (camera_world[:3, k] / np.linalg.norm(camera_world[:3, k]) for k in range(3))
    origin = camera_world[:3, 3]
    tan_v = math.tan(YFOV / 2)
    tan_h = tan_v * w / h
    xs = (2 * (np.arange(w) + 0.5) / w - 1) * tan_h
    ys = (1 - 2 * (np.arange(h) + 0.5) / h) * tan_v
    gx, gy = np.meshgrid(xs, ys)
    # Directions with a unit forward component: the ray parameter is the view depth.
    dirs = -back + gx[..., None] * right + gy[..., None] * up
    dirs = dirs.reshape(-1, 3)
    depth = np.full(len(dirs), np.inf)
    for v0, v1, v2 in triangles:
        e1, e2 = v1 - v0, v2 - v0
        p = np.cross(dirs, e2)
        det = p @ e1
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        s = origin - v0
        u = (p @ s) * inv
        q = np.cross(s, e1)
        v = (dirs @ q) * inv
        t = (q @ e2) * inv
        hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
        depth = np.where(hit & (t < depth), t, depth)
    return depth.reshape(h, w)


def test_drawn_depth_matches_a_ray_cast_of_the_same_transforms(tmp_path):
    b = GltfBuilder()
    triangles, camera_world = build_scene(b)
    path = b.write_glb(tmp_path / "rig.glb")
    result = subprocess.run(
        [sys.executable, "-m", "dofviewer", "render", str(path), "--no-dof",
         "--size", f"{SIZE[0]}x{SIZE[1]}", "--supersample", "1", "--msaa", "0",
         "-o", str(tmp_path / "rig.png"), "--depth-out", str(tmp_path / "depth.npy")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    drawn = np.load(tmp_path / "depth.npy")
    expected = ray_cast_depth(triangles, camera_world)

    drawn_mask, expected_mask = np.isfinite(drawn), np.isfinite(expected)
    iou = (drawn_mask & expected_mask).sum() / (drawn_mask | expected_mask).sum()
    assert expected_mask.mean() > 0.5  # the shot sees the objects and the ground
    assert iou > 0.995, iou
    both = drawn_mask & expected_mask
    error = np.abs(drawn[both] - expected[both]) / expected[both]
    # Pixels on an edge between two surfaces may pick either: judge the bulk, bound the rest.
    assert np.median(error) < 1e-4, np.median(error)
    assert np.quantile(error, 0.99) < 0.01, np.quantile(error, 0.99)


@pytest.mark.parametrize("aspect", [16 / 9, 1.0])
def test_the_camera_keeps_its_vertical_field_of_view_at_any_aspect(tmp_path, aspect):
    """The focal length on the 36 mm sensor is chosen so yfov holds at the render's
    aspect: f = 18 mm / (aspect · tan(yfov / 2))."""
    from dofviewer.content.scene import load_scene

    b = GltfBuilder()
    build_scene(b)
    scene = load_scene(b.write_glb(tmp_path / "rig.glb"), aspect=aspect)
    vertical = 2 * math.atan(math.tan(scene.lens.horizontal_fov_rad / 2) / aspect)
    assert vertical == pytest.approx(YFOV, rel=1e-9)
    assert scene.lens.focal_length_mm == pytest.approx(18 / (aspect * math.tan(YFOV / 2)))
