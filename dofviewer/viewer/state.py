"""Everything the viewer knows between frames, and what each action does to it. No GL.

The window turns input into :class:`~dofviewer.viewer.bindings.Action` objects and reads
the GPU (picking) when an action needs it; this class holds focus, lens, marks, tracking
and view options, so all of that tests without a window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dofviewer.content.jsonreader import json_distance
from dofviewer.content.scene import Scene
from dofviewer.render.renderer import FrameSettings
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.dofcalc import distance_text
from dofviewer.shot.easing import (
    DEFAULT_DURATION_S,
    DEFAULT_EASING,
    EASINGS,
    TRACKING_DURATION_S,
    FocusPuller,
)
from dofviewer.shot.lens import BLADE_COUNTS, ThinLens, step_fstop
from dofviewer.viewer.hud_layout import ring_near_m
from dofviewer.viewer.orbit import OrbitCamera

#: A wheel click or [ / ] moves focus by this many dioptres (1/m): even steps in blur.
NUDGE_DIOPTERS = 0.05
#: ... at focus distances from this one out; closer shots take proportionally larger steps.
NUDGE_REFERENCE_M = 2.0
NUDGE_DURATION_S = 0.12
#: The follow-focus ring turned by hand: focus follows the knob through a spring this fast.
HAND_DURATION_S = 0.15
#: While tracking, focus follows the target through a critically damped spring this fast.
FOCAL_LENGTHS_MM = (14, 18, 24, 28, 35, 50, 85, 105, 135, 200)
DURATIONS_S = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
DEBUG_VIEWS = ("image", "depth", "coc")


@dataclass(frozen=True)
class Mark:
    """A focus puller's mark: a distance, and the object it was on (if any)."""

    distance_m: float
    target: str | None


@dataclass(frozen=True)
class Candidate:
    """An object on screen that focus can go to, and the point to focus on."""

    name: str
    depth_m: float
    point: tuple[float, float, float]


class ViewerState:
    def __init__(self, scene: Scene):
        self.scene = scene
        self.lens: ThinLens = scene.lens
        self.orbit = self._orbit_for(scene.camera)
        self.shot_index = 0  # which of scene.shots the camera was last set to (V cycles)
        # Even steps in dioptres, scaled to the shot: 0.05 D is a fine step at 4 m and
        # none at all on a toy car 5 cm away (20 D).
        self.nudge_diopters = NUDGE_DIOPTERS * max(1.0, NUDGE_REFERENCE_M / scene.focus_distance_m)
        self.puller = FocusPuller(scene.focus_distance_m)
        self.easing = DEFAULT_EASING
        self.duration_s = DEFAULT_DURATION_S
        self.target: str | None = None
        self._target_offset = np.zeros(3)  # focused point relative to the target's origin
        self.tracking = False
        self.marks: dict[int, Mark] = {}
        self.debug_view = DEBUG_VIEWS[0]
        self.focus_peaking = False
        self.show_help = False
        self.message_serial = 0  # counts messages, so a repeated one shows anew
        self.message = ""  # a short line for the HUD: what the last action did
        # The follow-focus ring's close end (its scale stays put through the session).
        self.ring_near_m = ring_near_m(scene.focus_distance_m)
        # Space pauses the scene's animation (not focus pulls): the scene's clock is the
        # wall clock less the time spent paused.
        self.animation_paused = False
        self._paused_at = 0.0
        self._paused_total_s = 0.0
        # Called as listener(kind, now_s, **fields) for each change a recording keeps:
        # "focus", "lens" and "tracking" (see dofviewer.shot.recorder.Recorder).
        self.listener = None

    @property
    def message(self) -> str:
        return self._message

    @message.setter
    def message(self, text: str):
        self._message = text
        self.message_serial += 1

    def scene_time(self, now_s: float) -> float:
        """Where the scene's animation is: it stands still while paused."""
        if self.animation_paused:
            return self._paused_at - self._paused_total_s
        return now_s - self._paused_total_s

    def toggle_animation(self, now_s: float):
        if not any(o.animate for o in self.scene.objects):
            self.message = "nothing moves in this scene"
            return
        if self.animation_paused:
            self._paused_total_s += now_s - self._paused_at
            self.animation_paused = False
            self.message = "animation resumed"
        else:
            self._paused_at, self.animation_paused = now_s, True
            self.message = "animation paused: click a moving subject (Space resumes)"

    def _emit(self, kind: str, now_s: float, **fields):
        if self.listener is not None:
            self.listener(kind, now_s, **fields)

    # -- what the renderer needs ----------------------------------------------------

    @property
    def pose(self) -> CameraPose:
        return self.orbit.pose()

    def focus_distance_m(self, now_s: float) -> float:
        return self.puller.distance_m(now_s)

    def frame_settings(self, now_s: float) -> FrameSettings:
        return FrameSettings(
            pose=self.pose,
            lens=self.lens,
            focus_distance_m=self.focus_distance_m(now_s),
            exposure_ev=self.scene.exposure_ev,
            time_s=self.scene_time(now_s),
            clip_m=self.scene.clip_m,
        )

    # -- focus ----------------------------------------------------------------------

    def pull_to(self, distance_m: float, now_s: float, target: str | None, point=None):
        """Start an eased pull; ``point`` (world) lets tracking follow the same spot."""
        self.puller.retarget(distance_m, now_s, easing=self.easing, duration_s=self.duration_s)
        self._emit("focus", now_s, distance_m=distance_m, target=target, easing=self.easing,
                   duration_s=self.duration_s)  # fmt: skip
        self.target = target
        if target is not None and point is not None:
            origin = np.asarray(self.scene.object_named(target).position_at(self.scene_time(now_s)))
            self._target_offset = np.asarray(point, dtype=float) - origin
        else:
            self._target_offset = np.zeros(3)
        self.message = f"pull to {target or 'point'} at {distance_text(distance_m)}"

    def pick(self, object_index: int, depth_m: float, point, now_s: float):
        """A click: object index from the id buffer (−1 for sky) and depth under the cursor."""
        name = self.scene.objects[object_index].name if object_index >= 0 else None
        if name is None:
            depth_m = math.inf  # the empty sky is at infinity
        was_tracking = self.tracking and name is None
        if was_tracking:
            self._stop_tracking(now_s)
        self.pull_to(depth_m, now_s, name, point if name else None)
        if was_tracking:
            self.message = "tracking off (clicked the sky): pull to infinity"

    def _stop_tracking(self, now_s: float):
        if self.tracking:
            self._emit("tracking", now_s, on=False, target=None, offset=(0.0, 0.0, 0.0))
        self.tracking = False

    def focus_by_hand(self, distance_m: float, now_s: float):
        """The follow-focus ring turned by hand: focus follows the knob through a short
        spring (no eased pull), and tracking lets go, as a puller takes over."""
        self.puller.retarget(distance_m, now_s, easing="spring", duration_s=HAND_DURATION_S)
        self._emit("focus", now_s, distance_m=self.puller.target_m, target=None,
                   easing="spring", duration_s=HAND_DURATION_S)  # fmt: skip
        if self.tracking:
            self._stop_tracking(now_s)
        self.target = None
        self.message = f"focus by hand: {distance_text(self.puller.target_m)}"

    def cycle_target(self, step: int, candidates: list[Candidate], now_s: float):
        """Next object from near to far (or back), starting from the current target."""
        if not candidates:
            self.message = "nothing on screen to focus on"
            return
        ordered = sorted(candidates, key=lambda c: c.depth_m)
        names = [c.name for c in ordered]
        if self.target in names:
            index = (names.index(self.target) + step) % len(ordered)
        else:
            # Start from the object nearest the current focus, in the direction asked.
            focus = self.puller.target_m
            ahead = [i for i, c in enumerate(ordered) if (c.depth_m > focus) == (step > 0)]
            index = (ahead[0] if step > 0 else ahead[-1]) if ahead else (0 if step > 0 else -1)
        chosen = ordered[index]
        self.pull_to(chosen.depth_m, now_s, chosen.name, chosen.point)

    def store_mark(self, slot: int, now_s: float):
        self.marks[slot] = Mark(self.puller.target_m, self.target)
        self.message = f"mark {slot} = {distance_text(self.puller.target_m)}"

    def recall_mark(self, slot: int, now_s: float):
        mark = self.marks.get(slot)
        if mark is None:
            self.message = f"mark {slot} is empty (Ctrl+{slot} stores one)"
            return
        self.pull_to(mark.distance_m, now_s, mark.target)
        self.message = f"mark {slot}: {mark.target or 'point'} at {distance_text(mark.distance_m)}"

    def nudge(self, steps: int, now_s: float):
        """Positive steps move focus farther (fewer dioptres)."""
        self.puller.nudge(-steps * self.nudge_diopters, now_s, duration_s=NUDGE_DURATION_S)
        self._emit("focus", now_s, distance_m=self.puller.target_m, target=None,
                   easing=self.puller.easing, duration_s=NUDGE_DURATION_S)  # fmt: skip
        self._stop_tracking(now_s)
        self.target = None
        self.message = f"focus {distance_text(self.puller.target_m)}"

    def toggle_tracking(self, now_s: float):
        if self.target is None:
            self.tracking = False
            self.message = "tracking needs a target: click an object or press Tab"
            return
        self.tracking = not self.tracking
        self._emit("tracking", now_s, on=self.tracking, target=self.target,
                   offset=self.target_offset)  # fmt: skip
        self.message = f"tracking {self.target}" if self.tracking else "tracking off"

    @property
    def target_offset(self) -> tuple[float, float, float]:
        """The focused point relative to the target object's origin (what tracking follows)."""
        return tuple(float(v) for v in self._target_offset)

    def tracked_point(self, now_s: float) -> np.ndarray | None:
        if not (self.tracking and self.target):
            return None
        position = self.scene.object_named(self.target).position_at(self.scene_time(now_s))
        return np.asarray(position) + self._target_offset

    def update(self, now_s: float):
        """Per frame: while tracking, follow the target's focused point as things move."""
        point = self.tracked_point(now_s)
        if point is None:
            return
        depth = self.pose.depth_of(point)
        if depth > 0 and abs(1 / depth - 1 / self.puller.target_m) > 1e-5:
            if self.puller.is_moving(now_s) and not self.puller.is_spring:
                return  # let the pull onto the target finish first
            self.puller.retarget(depth, now_s, easing="spring", duration_s=TRACKING_DURATION_S)

    # -- lens and view ------------------------------------------------------------------

    def _set_lens(self, now_s: float, **changes):
        self.lens = self.lens.with_(**changes)
        self._emit("lens", now_s, **changes)

    def step_f_stop(self, steps: int, now_s: float = 0.0):
        self._set_lens(now_s, f_stop=step_fstop(self.lens.f_stop, steps))
        self.message = f"f/{self.lens.f_stop:g}"

    def step_focal_length(self, steps: int, now_s: float = 0.0):
        self._set_lens(
            now_s, focal_length_mm=_step(FOCAL_LENGTHS_MM, self.lens.focal_length_mm, steps)
        )
        self.message = focal_length_text(self.lens.focal_length_mm)

    def step_blades(self, steps: int, now_s: float = 0.0):
        self._set_lens(
            now_s, aperture_blades=_step(BLADE_COUNTS, self.lens.aperture_blades, steps, wrap=True)
        )
        self.message = f"{self.lens.aperture_blades or 'round'} aperture"

    def step_easing(self, steps: int):
        self.easing = _step(tuple(EASINGS), self.easing, steps, wrap=True)
        self.message = f"easing: {self.easing}"

    def step_duration(self, steps: int):
        self.duration_s = _step(DURATIONS_S, self.duration_s, steps)
        self.message = f"pull duration {self.duration_s:g} s"

    def step_debug_view(self, steps: int):
        self.debug_view = _step(DEBUG_VIEWS, self.debug_view, steps, wrap=True)
        self.message = f"view: {self.debug_view}"

    def _orbit_for(self, pose: CameraPose) -> OrbitCamera:
        return OrbitCamera.from_pose(pose, min_distance_m=4.0 * self.scene.clip_m[0])

    def reset_camera(self):
        self.orbit = self._orbit_for(self.scene.camera)
        self.message = "camera reset"

    def cycle_shot(self, step: int, now_s: float = 0.0):
        """Next / previous camera authored in the model file: its place and focal length."""
        shots = self.scene.shots
        if not shots:
            self.message = "this scene has no authored cameras"
            return
        self.shot_index = (self.shot_index + step) % len(shots)
        shot = shots[self.shot_index]
        self.orbit = self._orbit_for(shot.pose)
        if abs(shot.focal_length_mm - self.lens.focal_length_mm) > 1e-9:
            self._set_lens(now_s, focal_length_mm=shot.focal_length_mm)
        self.message = (
            f"camera {shot.name} ({self.shot_index + 1}/{len(shots)}), "
            f"{focal_length_text(shot.focal_length_mm)}"
        )

    def snapshot(self, now_s: float) -> dict:
        """A JSON-able summary, for the HUD and for tests (--state-file)."""
        return {
            "time_s": now_s,
            "focus_distance_m": json_distance(self.focus_distance_m(now_s)),
            "focus_target_m": json_distance(self.puller.target_m),
            "pulling": self.puller.is_moving(now_s),
            "target": self.target,
            "tracking": self.tracking,
            "marks": {
                str(k): {"distance_m": json_distance(m.distance_m), "target": m.target}
                for k, m in sorted(self.marks.items())
            },  # fmt: skip
            "f_stop": self.lens.f_stop,
            "focal_length_mm": self.lens.focal_length_mm,
            "aperture_blades": self.lens.aperture_blades,
            "easing": self.easing,
            "duration_s": self.duration_s,
            "debug_view": self.debug_view,
            "focus_peaking": self.focus_peaking,
            "animation_paused": self.animation_paused,
            "ring_near_m": self.ring_near_m,
            "message": self.message,
            "camera": {
                "position": list(map(float, self.pose.position)),
                "look_at": list(map(float, self.pose.look_at)),
                "shot": self.scene.shots[self.shot_index].name if self.scene.shots else None,
            },  # fmt: skip
        }


def _step(options, current, steps, wrap=False):
    """The option ``steps`` away from the one nearest ``current``."""
    nearest = (
        min(range(len(options)), key=lambda i: abs(options[i] - current))
        if not isinstance(current, str)
        else options.index(current)
    )
    index = nearest + steps
    index = index % len(options) if wrap else max(0, min(len(options) - 1, index))
    return options[index]


def focal_length_text(focal_length_mm: float) -> str:
    """20.9603 mm reads as 21 mm; 18.5 mm stays 18.5 mm."""
    return f"{focal_length_mm:.1f}".removesuffix(".0") + " mm"
