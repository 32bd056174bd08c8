"""Models wherever a scene goes: the command line, scene files and timelines, and one
line with exit status 2 for every broken model."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from gltf_writer import GltfBuilder
from test_model_geometry import cube

from dofviewer.content import load_model
from dofviewer.content.scene import load_scene


def dofviewer(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "dofviewer", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=120,
    )  # fmt: skip


def box_glb(path, with_cameras=True):
    """A unit box at the origin and, optionally, two cameras looking at it from +Z."""
    b = GltfBuilder()
    positions, indices = cube()
    b.add_node("box", mesh=b.add_mesh(positions, indices))
    if with_cameras:
        b.add_node("wide", camera=b.add_camera(yfov=0.9), translation=[0, 0, 3])
        b.add_node("tele", camera=b.add_camera(yfov=0.2), translation=[0, 0, 6])
    return b.write_glb(path)


def one_line_error(result, *needles):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def test_render_a_model_through_a_chosen_camera(tmp_path):
    model = box_glb(tmp_path / "box.glb")
    depths = {}
    for camera in ("wide", "1"):
        result = dofviewer("render", model, "--camera", camera, "--size", "96x54", "--no-dof",
                           "-o", tmp_path / "a.png", "--depth-out", tmp_path / "d.npy",
                           "--overwrite")  # fmt: skip
        assert result.returncode == 0, result.stderr
        depths[camera] = np.load(tmp_path / "d.npy")
    # The box's front face is 0.5 m in front of the origin: 2.5 m from "wide", 5.5 from "tele".
    assert np.nanmin(depths["wide"]) == pytest.approx(2.5, rel=1e-3)
    assert np.nanmin(depths["1"]) == pytest.approx(5.5, rel=1e-3)
    message = one_line_error(
        dofviewer("render", model, "--camera", "zoom", "-o", tmp_path / "b.png"),
        "--camera", "no camera 'zoom'", "0: wide", "1: tele",
    )  # fmt: skip
    assert str(model) in message
    one_line_error(
        dofviewer("render", "--camera", "wide", "-o", tmp_path / "c.png"),
        "--camera", "scene file",
    )  # fmt: skip


def test_scene_file_places_one_model_many_times_relative_to_itself(tmp_path):
    (tmp_path / "models").mkdir()
    box_glb(tmp_path / "models" / "box.glb", with_cameras=False)
    scene = {
        "camera": {"position": [0, 0, 0], "look_at": [0, 0, -1], "focus_distance_m": 4},
        "objects": [
            {"name": "big", "shape": "mesh", "path": "models/box.glb", "position": [0, 0, -5], "scale": 2},
            {"name": "tall", "shape": "mesh", "path": "models/box.glb", "position": [3, 0, -8],
             "rotation_deg": [0, 45, 0], "scale": [1, 3, 1]},
        ],
    }  # fmt: skip
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(scene))
    loaded = load_scene(path)
    assert loaded.objects[0].model is loaded.objects[1].model  # read once
    assert loaded.objects[0].model is load_model(tmp_path / "models" / "box.glb")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = dofviewer("render", path, "--no-dof", "--size", "96x54", "-o", "a.png",
                       "--depth-out", "d.npy", cwd=elsewhere)  # fmt: skip
    assert result.returncode == 0, result.stderr
    depth = np.load(elsewhere / "d.npy")
    # "big" is a 2 m box centred 5 m away: its front face is at 4 m, straight ahead.
    assert depth[27, 48] == pytest.approx(4.0, rel=1e-3)


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("path", "missing.glb", "objects[0].path: "),
        ("path", 3, "objects[0].path: must be the path of a .gltf, .glb or .obj file"),
        ("scale", -1, "objects[0].scale: must be 1e-06..1e+06, got -1"),
        ("radius", 1, "objects[0].radius: does not apply to shape 'mesh'"),
    ],
)  # fmt: skip
def test_bad_mesh_objects_in_scene_files_are_one_line(tmp_path, field, value, needle):
    box_glb(tmp_path / "box.glb")
    obj = {"name": "m", "shape": "mesh", "path": "box.glb", "position": [0, 0, -3], field: value}
    scene = {"camera": {"position": [0, 0, 0], "look_at": [0, 0, -1]}, "objects": [obj]}
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(scene))
    one_line_error(dofviewer("render", path, "-o", tmp_path / "a.png"), str(path), needle)


def test_a_sphere_refuses_a_path(tmp_path):
    scene = {"camera": {"position": [0, 0, 0], "look_at": [0, 0, -1]},
             "objects": [{"name": "s", "shape": "sphere", "radius": 1, "position": [0, 0, -3],
                          "path": "x.glb"}]}  # fmt: skip
    path = tmp_path / "scene.json"
    path.write_text(json.dumps(scene))
    one_line_error(dofviewer("render", path, "-o", tmp_path / "a.png"),
                   "objects[0].path: does not apply to shape 'sphere'")  # fmt: skip


def _truncated(path):
    box_glb(path)
    path.write_bytes(path.read_bytes()[:300])


def _missing_bin(path):
    b = GltfBuilder()
    positions, indices = cube()
    b.add_node("box", mesh=b.add_mesh(positions, indices))
    b.write_gltf(path, bin_name="data.bin")
    (path.parent / "data.bin").unlink()


def _latin1(path):
    path.write_bytes(
        '{"asset": {"version": "2.0"}, "nodes": [{"name": "caf\xe9"}]}'.encode("latin-1")
    )


def _no_meshes(path):
    b = GltfBuilder()
    b.add_node("eye", camera=b.add_camera(yfov=0.5))
    b.write_glb(path)


def _nan(path):
    b = GltfBuilder()
    positions, indices = cube()
    positions[3, 1] = np.nan
    b.add_node("box", mesh=b.add_mesh(positions, indices))
    b.write_glb(path)


def _draco(path):
    b = GltfBuilder()
    positions, indices = cube()
    b.add_node("box", mesh=b.add_mesh(positions, indices))
    b.use_extension("KHR_draco_mesh_compression", required=True)
    b.write_glb(path)


def _broken_obj(path):
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n")


@pytest.mark.parametrize(
    ("name", "make", "needle"),
    [
        ("trunc.glb", _truncated, "trunc.glb: "),
        ("nobin.gltf", _missing_bin, "cannot read 'data.bin'"),
        ("latin.gltf", _latin1, "UTF-8"),
        ("empty.glb", _no_meshes, "no meshes"),
        ("nan.glb", _nan, "NaN"),
        ("draco.glb", _draco, "KHR_draco_mesh_compression"),
        ("broken.obj", _broken_obj, "line 4"),
    ],
)  # fmt: skip
def test_broken_models_are_one_line_exit_2_for_every_command(tmp_path, name, make, needle):
    path = tmp_path / name
    make(path)
    one_line_error(dofviewer("render", path, "-o", tmp_path / "a.png"), str(path), needle)
    one_line_error(dofviewer("view", path), str(path), needle)
    timeline = {"format": "dofviewer-timeline", "version": 1, "scene": name,
                "start": {"focus_distance_m": 2}, "keyframes": []}  # fmt: skip
    (tmp_path / "t.json").write_text(json.dumps(timeline))
    one_line_error(dofviewer("export", tmp_path / "t.json", "-o", tmp_path / "o.gif"), needle)
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "o.gif").exists()


def test_pull_on_a_model_camera_and_export_through_the_timeline(tmp_path):
    model = box_glb(tmp_path / "box.glb")
    pull = tmp_path / "pull.json"
    result = dofviewer("pull", model, "--camera", "tele", "--from", "box", "--to", "9",
                       "--duration", "0.2", "--hold", "0.1", "-o", pull)  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(pull.read_text())
    assert data["scene"] == "box.glb" and data["camera"] == "tele"
    assert data["start"]["focus_distance_m"] == pytest.approx(5.5, rel=1e-3)
    frames = tmp_path / "frames"
    result = dofviewer("export", pull, "-o", f"{frames}/", "--size", "64x36", "--fps", "10")
    assert result.returncode == 0, result.stderr
    assert len(list(frames.glob("frame_*.png"))) == 5  # 0.1 + 0.2 + 0.1 + 0.5 s tail at 10 fps
