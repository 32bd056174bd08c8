"""Scene file loading and validation: every bad input names the file, field and problem."""

import json

import pytest
from jsonedit import edited_json

from dofviewer.content.scene import load_scene, parse_scene
from dofviewer.errors import SceneError

VALID = {
    "camera": {"position": [0, 1.2, 4], "look_at": [0, 1, 0], "up": [0, 1, 0],
               "focal_length_mm": 50, "sensor_width_mm": 36, "f_stop": 2.0,
               "focus_distance_m": 4.0, "aperture_blades": 0, "blade_rotation_deg": 0},
    "background": [0.02, 0.02, 0.03],
    "objects": [
        {"name": "ball", "shape": "sphere", "position": [0, 1, 2], "radius": 0.3, "color": [0.9, 0.2, 0.1]},
        {"name": "crate", "shape": "box", "position": [1, 0.5, -1], "size": [1, 1, 1],
         "color": [0.6, 0.5, 0.3], "texture": "checker"},
        {"name": "floor", "shape": "plane", "position": [0, 0, 0], "size": [20, 20],
         "color": [0.5, 0.5, 0.5], "texture": "checker"},
        {"name": "lamp", "shape": "sphere", "position": [-2, 2, -6], "radius": 0.05,
         "color": [0, 0, 0], "emissive": [40, 30, 20]},
    ],
}  # fmt: skip


def edited(path, value):
    """A JSON copy of VALID with the field at ``path`` (a tuple of keys) set to ``value``."""
    return edited_json(VALID, path, value)


def test_the_issue_example_loads():
    scene = parse_scene(json.dumps(VALID), "ex.json")
    assert [o.name for o in scene.objects] == ["ball", "crate", "floor", "lamp"]
    assert scene.lens.f_stop == 2.0 and scene.focus_distance_m == 4.0
    assert scene.objects[3].emissive == (40, 30, 20)


def test_demo_scene_spans_near_to_far():
    scene = load_scene()
    depths = [scene.camera.depth_of(o.position) for o in scene.objects]
    assert min(depths) < 1.5 and max(depths) > 15
    assert sum(1 for o in scene.objects if max(o.emissive) > 10) >= 3
    assert any(o.texture == "checker" and o.shape == "plane" for o in scene.objects)


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ('{"camera": ', "line 1 column 12", "invalid JSON"),
        ("[1, 2]", "top level", "must be a JSON object"),
        (edited(("objects", 0, "shape"), "cone"), "objects[0].shape", "must be one of sphere, box, plane"),
        (edited(("objects", 0, "radius"), -0.3), "objects[0].radius", "must be 1e-06..1e+06 m, got -0.3"),
        (edited(("camera", "f_stop"), 0), "camera.f_stop", "must be 0.5..64, got 0"),
        (edited(("camera", "f_stop"), -2), "camera.f_stop", "must be 0.5..64"),
        (edited(("camera", "f_stop"), 0.1), "camera.f_stop", "must be 0.5..64, got 0.1"),
        (edited(("camera", "focus_distance_m"), 0.05), "camera.focus_distance_m", "beyond the focal length"),
        (edited(("camera", "focus_distance_m"), 0.02), "camera.focus_distance_m", "beyond the focal length"),
        (edited(("objects", 1, "size"), [1, float("nan"), 1]), "objects[1].size[1]", "got nan"),
        (edited(("objects", 1, "name"), "ball"), "objects[1].name", "duplicate name 'ball'"),
        (edited(("objects", 0, "colour"), [1, 1, 1]), "objects[0].colour", "did you mean 'color'"),
        (edited(("objects", 0, "position"), [0, 1]), "objects[0].position", "list of 3 numbers"),
        (edited(("objects", 2, "size"), [1, 1, 1]), "objects[2].size", "list of 2 numbers"),
        (edited(("camera", "aperture_blades"), 2), "camera.aperture_blades", "3..16"),
        (edited(("camera", "look_at"), [0, 1.2, 4]), "camera.look_at", "must differ"),
        (edited(("camera", "position"), "here"), "camera.position", "list of 3 numbers"),
        (edited(("objects", 0, "color"), [-1, 0, 0]), "objects[0].color[0]", "must be 0..10000, got -1"),
        (edited(("objects", 0, "texture"), "wood"), "objects[0].texture", "must be one of none, checker"),
        (edited(("objects",), {}), "objects", "must be a list"),
    ],
)  # fmt: skip
def test_bad_scene_is_one_clear_line(text, field, problem):
    with pytest.raises(SceneError) as info:
        parse_scene(text, "bad.json")
    message = str(info.value)
    assert message.startswith(f"bad.json: {field}: "), message
    assert problem in message
    assert "\n" not in message


def test_missing_file_names_it(tmp_path):
    with pytest.raises(SceneError, match="nope.json: cannot read scene file"):
        load_scene(tmp_path / "nope.json")


def test_animation_path_loops():
    data = json.loads(
        edited(("objects", 0, "animate"), {"path": [[0, 0, 0], [2, 0, 0]], "period_s": 4})
    )
    scene = parse_scene(json.dumps(data))
    ball = scene.objects[0]
    assert ball.position_at(0.0) == (0, 0, 0)
    assert ball.position_at(1.0) == pytest.approx((1, 0, 0))
    assert ball.position_at(3.0) == pytest.approx((1, 0, 0))
    assert ball.position_at(4.0) == pytest.approx((0, 0, 0))


def test_bundled_scenes_load_by_name():
    tracking = load_scene("tracking")
    drone = tracking.object_named("drone")
    assert drone.animate is not None
    assert drone.position_at(0.0) != drone.position_at(2.5)  # it moves, for F to track
    assert load_scene("demo").objects == load_scene().objects


def test_a_missing_scene_file_is_not_taken_for_a_bundled_name(tmp_path):
    with pytest.raises(SceneError, match="cannot read scene file"):
        load_scene(tmp_path / "tracking.json")
