"""The viewer's input mapping and state, without a window."""

import json
import math

import glfw
import numpy as np
import pytest

from dofviewer.content.scene import load_scene, parse_scene
from dofviewer.shot.easing import diopters
from dofviewer.viewer.bindings import (
    BINDINGS,
    Action,
    action_for_key,
    action_for_scroll,
    help_groups,
)
from dofviewer.viewer.state import NUDGE_DIOPTERS, Candidate, ViewerState


def test_keys_map_to_actions():
    assert action_for_key(glfw.KEY_TAB, 0) == Action("cycle_target", +1)
    assert action_for_key(glfw.KEY_TAB, glfw.MOD_SHIFT) == Action("cycle_target", -1)
    assert action_for_key(glfw.KEY_3, 0) == Action("recall_mark", 3)
    assert action_for_key(glfw.KEY_3, glfw.MOD_CONTROL) == Action("store_mark", 3)
    assert action_for_key(glfw.KEY_3, glfw.MOD_CONTROL | glfw.MOD_NUM_LOCK) == Action(
        "store_mark", 3
    )
    assert action_for_key(glfw.KEY_F, 0) == Action("toggle_tracking")
    assert action_for_key(glfw.KEY_F1, 0) == action_for_key(glfw.KEY_H, 0) == Action("help")
    assert action_for_key(glfw.KEY_F12, 0) == action_for_key(glfw.KEY_P, 0) == Action("screenshot")
    assert action_for_key(glfw.KEY_ESCAPE, 0) == Action("quit")
    assert action_for_key(glfw.KEY_Q, 0) is None


def test_wheel_nudges_and_shift_wheel_dollies():
    assert action_for_scroll(1.0, 0) == Action("nudge", +1)
    assert action_for_scroll(-2.0, 0) == Action("nudge", -1)
    assert action_for_scroll(1.0, glfw.MOD_SHIFT) == Action("dolly", +1)
    assert action_for_scroll(0.0, 0) is None


def test_help_groups_list_every_bound_action_once_and_the_mouse():
    from dofviewer.viewer.bindings import HELP_GROUPS

    titles = [title for title, _ in help_groups()]
    assert titles == ["Focus", "Lens", "Camera", "Views", "Recording", "Mouse"]
    grouped = [name for _, names in HELP_GROUPS for name in names]
    assert sorted(grouped) == sorted({b.action.name for b in BINDINGS})
    mouse = dict(help_groups())["Mouse"]
    assert {"Click", "Drag ring", "Wheel", "Right drag", "Middle drag"} <= dict(mouse).keys()


@pytest.mark.parametrize("size", [(640, 360), (960, 540), (1280, 720), (1920, 1080)])
def test_help_overlay_fits_between_the_status_and_the_ring(size):
    """The panel's bounds from the HUD layout: inside the window, clear of the status
    panel (five lines, as at start-up) and of the follow-focus ring."""
    from dofviewer.viewer import hud_layout as layout

    status = layout.status_rect(["Focus 4.00 m   no target (click an object)"] * 5)
    ring = layout.ring_rect(size)
    top, bottom = status[1] + status[3] + 4, ring[1] - 4
    panel = layout.help_layout(help_groups(), size, top, bottom)
    left, upper, width, height = panel.rect
    assert 0 <= left and left + width <= size[0] and upper >= top and upper + height <= bottom
    assert not layout.intersects(panel.rect, status) and not layout.intersects(panel.rect, ring)
    rows = sum(len(c[2]) for c in panel.columns)
    assert rows == sum(len(r) + 1 for _, r in help_groups())  # every row is drawn
    if size == (640, 360):
        assert panel.font_size >= 10 and len(panel.columns) == 3


def test_focus_ring_scale_is_even_in_dioptres():
    from dofviewer.viewer.hud_layout import FocusScale, ring_ticks

    scale = FocusScale(100, 400, near_m=0.5)
    assert scale.x_of(0.5) == 100 and scale.x_of(math.inf) == 500
    assert scale.x_of(1.0) == pytest.approx(300)  # 1 D of 2 D: halfway
    assert scale.distance_at(300) == pytest.approx(1.0) and math.isinf(scale.distance_at(500))
    ticks = ring_ticks(scale, lambda text: 6 * len(text))
    assert ticks[0] == math.inf and min(ticks) >= 0.5 and 1.0 in ticks


def test_no_key_is_bound_twice():
    keys = [(b.key, b.mods) for b in BINDINGS]
    assert len(keys) == len(set(keys))


@pytest.fixture
def state():
    return ViewerState(load_scene())


def test_pick_starts_an_eased_pull(state):
    state.pick(state.scene.index_of("ball"), 1.2, (0, 0, -1.2), now_s=10.0)
    assert state.target == "ball"
    assert state.focus_distance_m(10.0) == pytest.approx(4.5)
    assert 1.2 < state.focus_distance_m(10.5) < 4.5
    assert state.focus_distance_m(11.0) == pytest.approx(1.2)


def test_clicking_the_sky_focuses_at_infinity(state):
    state.pick(-1, math.inf, None, now_s=0.0)
    assert state.target is None
    assert math.isinf(state.focus_distance_m(5.0))


def test_cycle_goes_near_to_far_and_wraps(state):
    candidates = [Candidate("tower", 12.0, (0, 0, -12)), Candidate("ball", 1.0, (0, 0, -1)),
                  Candidate("crate", 5.0, (0, 0, -5))]  # fmt: skip
    names = []
    state.target = "ball"
    for _ in range(4):
        state.cycle_target(+1, candidates, 0.0)
        names.append(state.target)
    assert names == ["crate", "tower", "ball", "crate"]
    state.cycle_target(-1, candidates, 0.0)
    assert state.target == "ball"


def test_cycle_without_target_starts_beyond_the_focus(state):
    candidates = [Candidate("ball", 1.0, (0, 0, -1)), Candidate("tower", 6.0, (0, 0, -6))]
    state.cycle_target(+1, candidates, 0.0)  # focus is 4.5 m: the next farther is the tower
    assert state.target == "tower"


def test_marks_store_and_recall(state):
    state.pick(0, 1.25, None, now_s=0.0)
    state.store_mark(1, 2.0)
    state.pick(2, 4.0, None, now_s=2.0)
    state.recall_mark(1, 5.0)
    assert state.target == state.scene.objects[0].name
    assert state.focus_distance_m(7.0) == pytest.approx(1.25)
    state.recall_mark(9, 8.0)
    assert "empty" in state.message


def test_nudges_are_even_steps_in_dioptres(state):
    targets = []
    for i in range(3):
        state.nudge(-1, float(i))
        targets.append(diopters(state.puller.target_m))
    steps = np.diff([diopters(4.5), *targets])
    assert np.allclose(steps, NUDGE_DIOPTERS)


def test_camera_moves_leave_focus_alone(state):
    before = state.focus_distance_m(0.0)
    state.orbit.orbit(120, -40)
    state.orbit.dolly(3)
    state.update(0.5)
    assert state.focus_distance_m(0.5) == before


def test_tracking_follows_a_moving_object():
    scene = parse_scene(json.dumps({
        "camera": {"position": [0, 0, 0], "look_at": [0, 0, -1], "focus_distance_m": 3},
        "objects": [{"name": "drone", "shape": "sphere", "position": [0, 0, -2], "radius": 0.1,
                     "animate": {"path": [[0, 0, -2], [0, 0, -8]], "period_s": 8}}],
    }))  # fmt: skip
    state = ViewerState(scene)
    state.pick(0, 2.0, (0, 0, -2.0), now_s=0.0)
    state.toggle_tracking(0.0)
    assert state.tracking
    t = 0.0
    while t < 3.0:
        t += 1 / 60
        state.update(t)
    depth_now = -scene.objects[0].position_at(t)[2]  # moving away at 1.5 m/s
    assert state.focus_distance_m(t) == pytest.approx(depth_now, rel=0.05)
    state.toggle_tracking(t)
    assert not state.tracking


def test_lens_steps(state):
    state.step_f_stop(+1)
    assert state.lens.f_stop == 2.0
    state.step_f_stop(-5)
    assert state.lens.f_stop == 1.0
    state.step_focal_length(+1)
    assert state.lens.focal_length_mm == 85
    state.step_blades(+1)  # B visits every blade count a lens may have: 0, 3, 4, ..., 16
    assert state.lens.aperture_blades == 3
    state.step_blades(+13)
    assert state.lens.aperture_blades == 16
    state.step_blades(+1)
    assert state.lens.aperture_blades == 0


def test_v_cycles_a_models_authored_cameras_with_their_focal_lengths():
    """V moves the camera to the model's next authored camera and sets its focal length
    (its yfov at the window's aspect); a scene without cameras says so."""
    from dofviewer.content.model_scene import focal_length_for_yfov

    assert action_for_key(glfw.KEY_V, 0) == Action("cycle_shot", +1)
    assert action_for_key(glfw.KEY_V, glfw.MOD_SHIFT) == Action("cycle_shot", -1)
    scene = load_scene("toycar", aspect=16 / 9)
    state = ViewerState(scene)
    assert np.allclose(state.pose.position, scene.shots[0].pose.position)  # the first
    state.cycle_shot(+1)
    second = scene.shots[1]
    assert np.allclose(state.pose.position, second.pose.position)
    assert state.lens.focal_length_mm == pytest.approx(second.focal_length_mm)
    assert state.snapshot(0.0)["camera"]["shot"] == second.name
    state.cycle_shot(-2)  # wraps round to the last
    assert np.allclose(state.pose.position, scene.shots[-1].pose.position)
    assert scene.shots[1].focal_length_mm == pytest.approx(focal_length_for_yfov(0.41, 16 / 9))
    demo = ViewerState(load_scene())
    demo.cycle_shot(+1)
    assert demo.message == "this scene has no authored cameras"


def test_small_scenes_nudge_and_dolly_at_their_own_scale():
    """On a toy car 3 cm away a wheel step moves focus by a visible amount (not 0.05 D
    at 30 D), and dollying can come closer than the 10 cm that suits a room."""
    scene = load_scene("toycar")
    state = ViewerState(scene)
    before = state.puller.target_m
    state.nudge(+1, 0.0)
    step = diopters(before) - diopters(state.puller.target_m)
    assert step > 10 * NUDGE_DIOPTERS
    assert 1 / before - step == pytest.approx(1 / state.puller.target_m)
    start = state.orbit.distance_m
    state.orbit.dolly(20)
    assert state.orbit.distance_m < start * 0.2


def test_distances_read_at_every_scale():
    from dofviewer.viewer.state import distance_text, focal_length_text

    assert distance_text(0.0232) == "23.2 mm"
    assert distance_text(0.453) == "45.3 cm"
    assert distance_text(2.346) == "2.35 m"
    assert distance_text(math.inf) == "infinity"
    assert focal_length_text(20.9603) == "21 mm" and focal_length_text(18.5) == "18.5 mm"


def test_every_action_name_has_help_and_the_preview_policy_settles_once():
    from dofviewer.viewer.bindings import _DESCRIPTIONS, BINDINGS, Name
    from dofviewer.viewer.preview import PREVIEW_ABOVE_MS, PreviewPolicy

    assert {b.action.name for b in BINDINGS} | {Name.DOLLY} == set(Name)
    assert set(_DESCRIPTIONS) == set(Name) - {Name.DOLLY}  # the wheel's, in MOUSE_HELP
    policy = PreviewPolicy()
    assert policy.quality_for("a") == "final"  # nothing measured yet
    policy.drew("final")
    policy.timed("final", PREVIEW_ABOVE_MS * 3)  # a slow machine
    assert policy.quality_for("a") is None  # still: nothing to draw
    assert policy.quality_for("b") == "preview"  # moving
    policy.drew("preview")
    assert policy.quality_for("b") == "final"  # settled: full quality once
    policy.drew("final")
    assert policy.quality_for("b") is None
    assert PreviewPolicy(motion_preview=False).quality_for("c") == "final"


def test_clicking_the_sky_while_tracking_stops_tracking_and_says_so():
    state = ViewerState(load_scene("tracking"))
    moving = next(o for o in state.scene.objects if o.animate)
    index = state.scene.index_of(moving.name)
    state.pick(index, 5.0, moving.position_at(0.0), 0.0)
    state.toggle_tracking(0.1)
    assert state.tracking
    state.pick(-1, math.inf, None, 0.2)
    assert not state.tracking and state.target is None
    assert "tracking off" in state.message and "sky" in state.message
    assert math.isinf(state.puller.target_m)


def test_space_pauses_the_scene_animation_not_the_pulls():
    state = ViewerState(load_scene("tracking"))
    assert state.frame_settings(2.0).time_s == 2.0
    state.toggle_animation(2.0)
    assert state.animation_paused and "paused" in state.message
    assert state.frame_settings(5.0).time_s == 2.0
    state.pull_to(state.puller.target_m * 2, 5.0, None)
    assert state.puller.is_moving(5.1)  # focus still pulls while the scene stands
    state.toggle_animation(6.0)
    assert state.frame_settings(7.0).time_s == pytest.approx(3.0)
    still = ViewerState(load_scene())
    still.toggle_animation(1.0)
    assert not still.animation_paused and "nothing moves" in still.message


def test_the_ring_by_hand_drops_tracking_and_the_target(state):
    state.target, state.tracking = "ball", True
    state.focus_by_hand(7.0, 1.0)
    assert state.puller.target_m == pytest.approx(7.0)
    assert not state.tracking and state.target is None and "by hand" in state.message


def test_hud_text_at_start_up_is_readable_and_messages_fade(state):
    from dofviewer.viewer.hud_text import MESSAGE_FADE_S, MESSAGE_HOLD_S, HudText

    text = HudText()
    settings = state.frame_settings(0.0)
    first = text.content(0.0, state, settings, 0.0, None)
    joined = "\n".join(first.status)
    assert "on -" not in joined and "0 fps" not in joined and "Frame 0.0 ms" not in joined
    assert "no target (click an object)" in joined and "Sharp " in joined
    state.nudge(1, 0.0)
    assert text.content(0.1, state, settings, 20.0, None).message[1] == 1.0
    fading = text.content(MESSAGE_HOLD_S + MESSAGE_FADE_S / 2, state, settings, 20.0, None)
    assert 0 < fading.message[1] < 1
    assert text.content(MESSAGE_HOLD_S + MESSAGE_FADE_S + 0.1, state, settings, 20.0,
                        None).message is None  # fmt: skip
    state.nudge(1, 10.0)  # a new action: its message shows in full again
    assert text.content(10.1, state, settings, 20.0, None).message[1] == 1.0
