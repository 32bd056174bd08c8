"""The live recorder and its autosave, without a window."""

import json

import pytest

from dofviewer.content.scene import load_scene
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.recorder import AUTOSAVE_INTERVAL_S, Autosaver, Recorder
from dofviewer.shot.timeline import CameraKey, FocusKey, LensKey, TrackingKey, load_timeline
from dofviewer.viewer.state import ViewerState


def pose(x):
    return CameraPose((x, 1.0, 0.0), (0.0, 0.6, -5.0))


def test_viewer_actions_become_keyframes(tmp_path):
    state = ViewerState(load_scene())
    recorder = Recorder("demo", 100.0, 4.5, {"f_stop": 1.4}, state.pose)
    state.listener = lambda kind, now, **fields: getattr(recorder, kind)(now, **fields)
    state.pick(state.scene.index_of("ball"), 1.2, (0, 0.8, -1.2), 100.5)
    state.store_mark(1, 101.0)
    state.nudge(+1, 101.5)
    state.recall_mark(1, 102.0)
    state.toggle_tracking(102.5)
    state.step_f_stop(+1, 103.0)
    state.step_blades(+1, 103.5)
    kinds = [(type(k).__name__, k.time_s) for k in recorder.keyframes]
    assert kinds == [("FocusKey", 0.5), ("FocusKey", 1.5), ("FocusKey", 2.0), ("TrackingKey", 2.5),
                     ("LensKey", 3.0), ("LensKey", 3.5)]  # fmt: skip
    first = recorder.keyframes[0]
    assert isinstance(first, FocusKey)
    assert (first.target, first.distance_m, first.easing, first.duration_s) == (
        "ball",
        1.2,
        "ease-in-out-cubic",
        1.0,
    )
    assert recorder.keyframes[3] == TrackingKey(2.5, True, "ball", recorder.keyframes[3].offset)
    assert recorder.keyframes[4] == LensKey(3.0, {"f_stop": 2.0})
    path = tmp_path / "rec.json"
    Autosaver(path, tmp_path).save(recorder, 104.0)
    assert load_timeline(path).keyframes == tuple(recorder.keyframes)


def test_camera_moves_are_kept_at_most_ten_a_second():
    recorder = Recorder("demo", 0.0, 4.5, {}, pose(0.0))
    recorder.camera(0.01, pose(0.0))  # unchanged: nothing
    for i in range(1, 31):  # a drag: the camera moves every 1/60 s for half a second
        recorder.camera(i / 60, pose(i * 0.01))
    keys = [k for k in recorder.keyframes if isinstance(k, CameraKey)]
    assert 4 <= len(keys) <= 6
    assert all(b.time_s - a.time_s >= 0.099 for a, b in zip(keys, keys[1:], strict=False))


def test_autosave_every_few_seconds_and_atomically(tmp_path):
    recorder = Recorder("demo", 0.0, 4.5, {}, pose(0.0))
    saver = Autosaver(None, tmp_path)
    assert saver.path == tmp_path / "pull-0001.json"
    saver.maybe_save(recorder, 0.0)
    recorder.focus(0.5, 2.0, None, "linear", 1.0)
    saver.maybe_save(recorder, AUTOSAVE_INTERVAL_S / 2)  # too soon: the file is as before
    assert json.loads(saver.path.read_text())["keyframes"] == []
    saver.maybe_save(recorder, AUTOSAVE_INTERVAL_S + 0.1)
    assert len(json.loads(saver.path.read_text())["keyframes"]) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["pull-0001.json"]  # no temporary left


def test_keyframes_stay_in_time_order():
    recorder = Recorder("demo", 10.0, 4.5, {}, pose(0.0))
    recorder.lens(12.0, f_stop=2.0)
    recorder.lens(11.0, f_stop=2.8)  # a late event never goes back in time
    assert [k.time_s for k in recorder.keyframes] == [2.0, 2.0]
    assert recorder.timeline(13.0).duration_s == pytest.approx(3.5)
