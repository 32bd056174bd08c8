"""Focus-pull timelines: file round trip, validation messages, and sampling by time."""

from __future__ import annotations

import json
import math
import random

import pytest
from jsonedit import REMOVE, edited_json

from dofviewer.content.scene import load_scene, parse_scene
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.easing import FocusPuller
from dofviewer.shot.timeline import (
    FORMAT,
    TRACKING_LEAD_S,
    VERSION,
    CameraKey,
    FocusKey,
    LensKey,
    Start,
    Timeline,
    TimelineError,
    TimelineSampler,
    TrackingKey,
    load_timeline,
    parse_timeline,
    pull_timeline,
    save_timeline,
    timeline_to_dict,
)

VALID = {
    "format": "dofviewer-timeline",
    "version": 1,
    "scene": "demo",
    "duration_s": 6.0,
    "start": {"focus_distance_m": 4.5, "f_stop": 1.4, "focal_length_mm": 50, "aperture_blades": 0,
              "camera": {"position": [0, 0.95, 0], "look_at": [0, 0.62, -5]}},
    "keyframes": [
        {"time_s": 0.5, "kind": "focus", "target": "ball", "distance_m": 1.22, "easing": "ease-in-out-cubic", "duration_s": 1.0},
        {"time_s": 2.5, "kind": "focus", "target": None, "distance_m": None, "easing": "spring", "duration_s": 0.8},
        {"time_s": 3.0, "kind": "lens", "f_stop": 2.8},
        {"time_s": 3.5, "kind": "lens", "focal_length_mm": 85, "aperture_blades": 6},
        {"time_s": 4.0, "kind": "tracking", "on": True, "target": "globe", "offset": [0, 0.1, 0]},
        {"time_s": 4.2, "kind": "camera", "position": [0.2, 1, 0], "look_at": [0, 0.6, -5]},
        {"time_s": 5.0, "kind": "tracking", "on": False},
        {"time_s": 5.0, "kind": "camera", "position": [0.6, 1, 0], "look_at": [0, 0.6, -5], "up": [0, 1, 0]},
    ],
}  # fmt: skip


def edited(path, value):
    """A JSON copy of VALID with the field at ``path`` set to ``value`` (or removed)."""
    return edited_json(VALID, path, value)


def valid() -> Timeline:
    return parse_timeline(json.dumps(VALID), "pull.json")


# -- file round trip --------------------------------------------------------------------


def test_parses_all_four_kinds_with_defaults():
    tl = valid()
    assert tl.scene == "demo" and tl.duration_s == 6.0
    assert tl.start.focus_distance_m == 4.5
    assert tl.start.lens_changes == {"f_stop": 1.4, "focal_length_mm": 50.0, "aperture_blades": 0}
    assert tl.start.camera == CameraPose((0, 0.95, 0), (0, 0.62, -5), (0, 1, 0))
    keys = tl.keyframes
    assert keys[0] == FocusKey(0.5, 1.22, "ball", "ease-in-out-cubic", 1.0)
    assert keys[1].distance_m == math.inf and keys[1].target is None
    assert keys[3] == LensKey(3.5, {"focal_length_mm": 85.0, "aperture_blades": 6})
    assert keys[4] == TrackingKey(4.0, True, "globe", (0.0, 0.1, 0.0))
    assert keys[6] == TrackingKey(5.0, False, None, (0.0, 0.0, 0.0))
    assert isinstance(keys[5], CameraKey) and keys[5].up == (0.0, 1.0, 0.0)


def test_save_then_load_is_equal(tmp_path):
    tl = valid()
    path = tmp_path / "shot.json"
    save_timeline(tl, path)
    again = load_timeline(path)
    assert again == tl
    assert again.keyframes[1].distance_m == math.inf
    data = json.loads(path.read_text())
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert data["keyframes"][1]["distance_m"] is None  # infinity is written as null
    assert {k["kind"] for k in data["keyframes"]} == {"focus", "lens", "tracking", "camera"}
    # One keyframe per line: the file stays easy to edit and diff.
    lines = path.read_text().splitlines()
    assert sum('"kind"' in line for line in lines) == len(tl.keyframes)
    assert timeline_to_dict(again) == timeline_to_dict(tl)


def test_round_trip_without_camera_or_keyframes(tmp_path):
    tl = Timeline("scenes/a.json", Start(math.inf), (), 2.0)
    save_timeline(tl, tmp_path / "t.json")
    assert load_timeline(tmp_path / "t.json") == tl


def test_save_is_atomic_and_replaces(tmp_path):
    path = tmp_path / "shot.json"
    path.write_text("old contents")
    save_timeline(valid(), path)
    assert load_timeline(path) == valid()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.json"]  # no temp file left


def test_default_duration_is_end_of_last_motion_plus_half_a_second():
    data = json.loads(json.dumps(VALID))
    del data["duration_s"]
    data["keyframes"] = data["keyframes"][:2]
    assert parse_timeline(json.dumps(data), "t.json").duration_s == pytest.approx(2.5 + 0.8 + 0.5)


def test_scene_path_is_relative_to_the_timeline_file(tmp_path):
    tl = parse_timeline(edited(("scene",), "scenes/room.json"), "t.json")
    assert (
        tl.scene_path(tmp_path / "shots" / "t.json") == tmp_path / "shots" / "scenes" / "room.json"
    )
    assert valid().scene_path(tmp_path / "t.json").name == "demo.json"


# -- validation -------------------------------------------------------------------------

ORDER = json.loads(json.dumps(VALID))
ORDER["keyframes"][2]["time_s"] = 2.0


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ('{"format": ', "line 1 column 12", "invalid JSON"),
        (edited(("format",), "dofviewer-scene"), "format", 'must be "dofviewer-timeline"'),
        (edited(("version",), 2), "version", "unsupported version 2"),
        (edited(("keyframes", 2, "kind"), "zoom"), "keyframes[2].kind", "must be one of focus, lens, tracking, camera"),
        (edited(("keyframes", 0, "time_s"), -1), "keyframes[0].time_s", "must be 0..3600 s, got -1"),
        (json.dumps(ORDER), "keyframes[2].time_s", "keyframes must be in time order (2.0 comes after 2.5)"),
        (edited(("keyframes", 0, "easing"), "sprung"), "keyframes[0].easing", "unknown easing \"sprung\" (did you mean 'spring'?)"),
        (edited(("keyframes", 0, "distance_m"), float("nan")), "keyframes[0].distance_m", "got nan"),
        (edited(("start", "f_stop"), float("inf")), "start.f_stop", "must be 0.5..64, got inf"),
        (edited(("keyframes", 0, "duration_s"), -0.5), "keyframes[0].duration_s", "must be 0..3600 s"),
        (edited(("keyframes", 0, "distance_m"), 0), "keyframes[0].distance_m", "must be 0.005..10000 m, got 0"),
        (edited(("keyframes", 0, "distance_m"), REMOVE), "keyframes[0].distance_m", "is required"),
        (edited(("start", "focus_distance_m"), REMOVE), "start.focus_distance_m", "is required"),
        (edited(("keyframes", 0, "distanse_m"), 2), "keyframes[0].distanse_m", "unknown field in a focus key (did you mean 'distance_m'?)"),
        (edited(("keyframes", 2, "distance_m"), 2), "keyframes[2].distance_m", "unknown field in a lens key"),
        (edited(("keyframes", 2), {"time_s": 3.0, "kind": "lens"}), "keyframes[2]", "needs one or more of"),
        (edited(("keyframes", 3, "aperture_blades"), 2), "keyframes[3].aperture_blades", "must be 0 (round)"),
        (edited(("keyframes", 4, "target"), REMOVE), "keyframes[4].target", "is required"),
        (edited(("keyframes", 4, "on"), "yes"), "keyframes[4].on", "must be true or false"),
        (edited(("keyframes", 6, "target"), "ball"), "keyframes[6].target", "only allowed when tracking is on"),
        (edited(("keyframes", 5, "look_at"), [0.2, 1, 0]), "keyframes[5].look_at", "must differ from position"),
        (edited(("keyframes", 5, "position"), [0, 1]), "keyframes[5].position", "must be a list of 3 numbers"),
        (edited(("keyframes",), {}), "keyframes", "must be a list"),
        (edited(("duration_s",), "long"), "duration_s", "must be a number"),
        (edited(("scene",), REMOVE), "scene", "is required"),
        (edited(("sceen",), "demo"), "sceen", "unknown field (did you mean 'scene'?)"),
    ],
)  # fmt: skip
def test_bad_timelines_name_file_field_and_problem(text, field, problem):
    with pytest.raises(TimelineError) as info:
        parse_timeline(text, "pull.json")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"pull.json: {field}: "), message
    assert problem in message, message


def test_the_example_with_keyframes_out_of_order_is_rejected():
    data = json.loads(json.dumps(VALID))
    data["keyframes"].append(
        {"time_s": 4.2, "kind": "camera", "position": [0, 1, 0], "look_at": [0, 0, -5]}
    )
    with pytest.raises(TimelineError, match=r"keyframes\[8\]\.time_s: .*\(4\.2 comes after 5\.0\)"):
        parse_timeline(json.dumps(data), "pull.json")


def test_unreadable_file_is_a_timeline_error(tmp_path):
    with pytest.raises(TimelineError, match="cannot read timeline file"):
        load_timeline(tmp_path / "missing.json")


@pytest.mark.parametrize("index", [0, 4])
def test_check_against_names_unknown_objects(index):
    tl = parse_timeline(edited(("keyframes", index, "target"), "bal"), "pull.json")
    scene = load_scene()
    with pytest.raises(TimelineError) as info:
        tl.check_against(scene)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"pull.json: keyframes[{index}].target: no object named 'bal' in ")
    assert "demo.json (objects: ball, post, crate" in message
    with pytest.raises(TimelineError):
        TimelineSampler(tl, scene)
    valid().check_against(scene)  # the real names pass


# -- sampling ---------------------------------------------------------------------------

FOCUS_ONLY = Timeline(
    "demo",
    Start(4.5),
    (
        FocusKey(0.5, 1.22, "ball", "ease-in-out-cubic", 1.0),
        FocusKey(1.2, 9.0, None, "smoothstep", 0.6),  # retargets mid-pull
        FocusKey(2.5, math.inf, None, "spring", 0.8),
        FocusKey(3.0, 2.0, None, "linear", 0.0),
        FocusKey(3.0, 3.0, None, "linear", 0.5),  # two keys at once: the later one wins
    ),
    4.0,
)


def test_sampling_matches_a_hand_driven_puller():
    sampler = TimelineSampler(FOCUS_ONLY, load_scene())
    puller = FocusPuller(4.5)
    pending = list(FOCUS_ONLY.keyframes)
    for i in range(0, 801):
        t = i * 0.005
        while pending and pending[0].time_s <= t:
            key = pending.pop(0)
            puller.retarget(key.distance_m, key.time_s, key.easing, key.duration_s)
        assert sampler.sample(t).focus_distance_m == puller.distance_m(t), t
    assert sampler.sample(0.0).focus_distance_m == 4.5
    assert sampler.sample(3.9).focus_distance_m == 3.0


def test_sampler_is_a_pure_function_of_time():
    scene = load_scene()
    tl = valid()
    times = [i * 0.037 for i in range(170)]
    fresh = {t: TimelineSampler(tl, scene).sample(t) for t in times}
    sampler = TimelineSampler(tl, scene)
    a = sampler.sample(3.0)
    assert sampler.sample(1.0) == TimelineSampler(tl, scene).sample(1.0)
    assert sampler.sample(3.0) == a
    for t in times:  # forward playback resumes the replay: same floats as starting over
        assert sampler.sample(t) == fresh[t], t
    random.Random(1).shuffle(times)
    for t in times:
        assert sampler.sample(t) == fresh[t], t


def test_frame_settings_carry_time_and_exposure():
    scene = load_scene()
    settings = TimelineSampler(valid(), scene).sample(1.25)
    assert settings.time_s == 1.25 and settings.exposure_ev == scene.exposure_ev


def test_lens_keys_are_steps():
    scene = load_scene()
    sampler = TimelineSampler(valid(), scene)
    start = sampler.sample(0.0).lens
    assert start == scene.lens.with_(f_stop=1.4, focal_length_mm=50.0, aperture_blades=0)
    assert sampler.sample(2.999).lens.f_stop == 1.4
    assert sampler.sample(3.0).lens.f_stop == 2.8 and sampler.sample(3.0).lens.focal_length_mm == 50
    late = sampler.sample(3.5).lens
    assert (late.f_stop, late.focal_length_mm, late.aperture_blades) == (2.8, 85.0, 6)
    assert late.sensor_width_mm == scene.lens.sensor_width_mm  # untouched fields stay


def test_scene_lens_and_camera_when_start_omits_them():
    scene = load_scene()
    tl = Timeline("demo", Start(2.0), (), 1.0)
    settings = TimelineSampler(tl, scene).sample(0.5)
    assert settings.lens == scene.lens and settings.pose == scene.camera
    assert settings.focus_distance_m == 2.0


def test_camera_holds_then_interpolates_then_holds():
    sampler = TimelineSampler(valid(), load_scene())
    start = CameraPose((0, 0.95, 0), (0, 0.62, -5))
    assert sampler.sample(4.19).pose == start  # before the first camera key
    assert sampler.sample(4.2).pose.position == (0.2, 1.0, 0.0)
    mid = sampler.sample(4.6).pose
    assert mid.position == pytest.approx((0.4, 1.0, 0.0))
    assert mid.look_at == pytest.approx((0.0, 0.6, -5.0))
    assert sampler.sample(5.0).pose.position == (0.6, 1.0, 0.0)
    assert sampler.sample(60.0).pose.position == (0.6, 1.0, 0.0)


TRACK_SCENE = {
    "camera": {"position": [0, 0, 0], "look_at": [0, 0, -1], "focus_distance_m": 3.0},
    "objects": [
        {"name": "drone", "shape": "sphere", "position": [0, 0, -2], "radius": 0.1,
         "animate": {"path": [[0, 0, -2], [0, 0, -6]], "period_s": 4}},
        {"name": "wall", "shape": "box", "position": [0, 0, -8], "size": [4, 4, 0.1]},
    ],
}  # fmt: skip


def test_tracking_follows_an_animated_object():
    scene = parse_scene(json.dumps(TRACK_SCENE), "track.json")
    drone = scene.object_named("drone")
    keys = (TrackingKey(0.5, True, "drone"), TrackingKey(7.0, False), FocusKey(8.0, 8.0))
    sampler = TimelineSampler(Timeline("track.json", Start(3.0), keys, 10.0), scene)
    assert sampler.sample(0.4).focus_distance_m == 3.0  # before tracking starts
    for i in range(100):
        t = 1.5 + i * 0.05  # settled: from a second after the key, to its end
        depth = -drone.position_at(t)[2]
        turn = min(abs(t - 2.0), abs(t - 4.0), abs(t - 6.0))  # the path reverses here
        if turn > 0.15:
            assert sampler.sample(t).focus_distance_m == pytest.approx(depth, rel=0.02), t
    # Off: the spring lands on the last depth it was aimed at (a lag ahead) and stays.
    held = sampler.sample(7.5).focus_distance_m
    assert held == pytest.approx(-drone.position_at(7.0 + TRACKING_LEAD_S)[2], rel=0.005)
    assert sampler.sample(7.9).focus_distance_m == held
    assert sampler.sample(9.5).focus_distance_m == 8.0  # a focus key ends it


def test_tracking_uses_the_offset_and_ends_at_a_focus_key():
    scene = parse_scene(json.dumps(TRACK_SCENE), "track.json")
    keys = (
        TrackingKey(0.0, True, "drone", (0.0, 0.0, -1.0)),
        FocusKey(1.0, 0.5, None, "linear", 0.0),
    )
    sampler = TimelineSampler(Timeline("track.json", Start(3.0), keys, 2.0), scene)
    assert sampler.sample(0.0).focus_distance_m == 3.0  # the spring starts from rest
    assert sampler.sample(0.9).focus_distance_m == pytest.approx(3.0 + 1.8, rel=0.02)
    assert sampler.sample(1.5).focus_distance_m == 0.5


# -- authoring --------------------------------------------------------------------------


def test_pull_timeline_layout():
    tl = pull_timeline("demo", [("ball", 1.2), ("crate", 4.6), (None, math.inf)], duration_s=0.8,
                       easing="smoothstep", hold_s=0.5, f_stop=2.0)  # fmt: skip
    assert tl.start == Start(1.2, {"f_stop": 2.0}, None)
    assert tl.keyframes == (
        FocusKey(0.5, 4.6, "crate", "smoothstep", 0.8),
        FocusKey(1.8, math.inf, None, "smoothstep", 0.8),
    )
    assert tl.duration_s == pytest.approx(1.8 + 0.8 + 0.5)
    sampler = TimelineSampler(tl, load_scene())
    assert sampler.sample(0.0).focus_distance_m == 1.2
    assert sampler.sample(0.5).focus_distance_m == 1.2
    assert sampler.sample(1.3).focus_distance_m == 4.6
    assert sampler.sample(tl.duration_s).focus_distance_m == math.inf
    assert sampler.sample(0.0).lens.f_stop == 2.0


def test_pull_timeline_defaults_and_bad_options():
    tl = pull_timeline("demo", [(None, 3.0), ("ball", 1.2)])
    assert [k.time_s for k in tl.keyframes] == [1.0] and tl.duration_s == 3.0
    assert tl.start.lens_changes == {}
    with pytest.raises(TimelineError, match="easing"):
        pull_timeline("demo", [(None, 3.0), (None, 1.0)], easing="bouncy")
    with pytest.raises(TimelineError, match="duration_s: must be 0..3600 s"):
        pull_timeline("demo", [(None, 3.0), (None, 1.0)], duration_s=-1)


def test_next_keyframe():
    sampler = TimelineSampler(valid(), load_scene())
    assert sampler.next_keyframe(0.0) == valid().keyframes[0]
    assert sampler.next_keyframe(0.5) == valid().keyframes[1]
    assert sampler.next_keyframe(4.2).time_s == 5.0
    assert sampler.next_keyframe(5.0) is None


def test_scrubbing_a_long_tracking_shot_gives_the_same_floats():
    scene = parse_scene(json.dumps(TRACK_SCENE), "track.json")
    keys = (
        TrackingKey(0.25, True, "drone"),
        FocusKey(4.0, 2.0, None, "spring", 0.5),
        TrackingKey(4.5, True, "drone"),
    )
    tl = Timeline("track.json", Start(3.0), keys, 8.0)
    times = [i * 0.227 for i in range(36)]
    fresh = {t: TimelineSampler(tl, scene).sample(t).focus_distance_m for t in times}
    sampler = TimelineSampler(tl, scene)
    sampler.sample(8.0)  # replays everything once, keeping snapshots along the way
    random.Random(2).shuffle(times)
    for t in times:
        assert sampler.sample(t).focus_distance_m == fresh[t], t


def _readme_json_after(heading: str, doc: str) -> str:
    """The first ```json block after ``heading`` in docs/``doc`` (the format's notes)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / doc).read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    start = section.index("```json\n") + len("```json\n")
    return section[start : section.index("```", start)]


def test_the_readme_timeline_example_is_a_valid_timeline_for_the_demo():
    """docs/timelines.md is the format's one specification: its example must read and play."""
    from dofviewer.content.scene import load_scene
    from dofviewer.shot.timeline import TimelineSampler, parse_timeline

    timeline = parse_timeline(_readme_json_after("## Timeline files", "timelines.md"), "README.md")
    scene = load_scene(timeline.scene_path("README.md"))
    timeline.check_against(scene)
    assert {k.kind for k in timeline.keyframes} == {"focus", "lens", "tracking", "camera"}
    TimelineSampler(timeline, scene).sample(timeline.duration_s)


def test_the_readme_scene_example_is_a_valid_scene():
    from dofviewer.content.scene import parse_scene

    scene = parse_scene(_readme_json_after("# Scene files", "scene-files.md"), "README.md")
    assert {o.shape for o in scene.objects} >= {"sphere", "box", "plane"}
