"""Focus-pull timelines: keyframed focus, lens, tracking and camera moves. No GL.

A timeline is a hand-editable JSON file that scripts a shot, so a rack focus can be
replayed, rendered and shared exactly. Its format is specified in one place, README.md
("Timeline files"), whose example tests/test_timeline.py reads; this module reads it
(every problem a :class:`TimelineError`, one line naming the file, the field and the
problem), samples it (:class:`TimelineSampler`) and writes it.
"""

from __future__ import annotations

import bisect
import copy
import difflib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import numpy as np

from dofviewer.content.jsonreader import (
    REQUIRED,
    JsonReader,
    join,
    json_distance,
    kind_of,
    loads,
    short_json,
)
from dofviewer.content.photo import PhotoScene, read_photo_scene
from dofviewer.content.scene import DEFAULT_ASPECT, Scene, bundled_scenes, load_scene
from dofviewer.errors import DofError
from dofviewer.fileio import atomic_write_text, exists, read_text_file
from dofviewer.render.renderer import FrameSettings
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.easing import (
    DEFAULT_DURATION_S,
    DEFAULT_EASING,
    EASINGS,
    TRACKING_DURATION_S,
    FocusPuller,
    spring_lag_s,
)
from dofviewer.shot.lens import LIMITS, MAX_KEYFRAMES, blade_count_problem

FORMAT = "dofviewer-timeline"
VERSION = 1
LENS_FIELDS = ("f_stop", "focal_length_mm", "aperture_blades", "blade_rotation_deg")
KIND_FIELDS = {
    "focus": ("distance_m", "target", "easing", "duration_s"),
    "lens": LENS_FIELDS,
    "tracking": ("on", "target", "offset"),
    "camera": ("position", "look_at", "up"),
}
#: Tracking (easing.TRACKING_DURATION_S, as in the viewer) is re-aimed at fixed absolute
#: time steps, so a sample depends only on t.
TRACKING_STEP_S = 1.0 / 120.0
#: The sampler keeps the replay state every this many tracking steps, so scrubbing back
#: into a long tracking shot replays at most this many steps.
SNAPSHOT_STEPS = 120


#: A scripted path is known ahead, so tracking aims this far ahead of each step: the
#: spring's lag plus half a step (the aim is held between steps). The focus then sits
#: on a steadily moving object instead of trailing it by 2-3 %.
TRACKING_LEAD_S = spring_lag_s(TRACKING_DURATION_S) + TRACKING_STEP_S / 2.0
#: The longest timeline (lens.LIMITS "time_s": an hour); keyframe times fit in it too.
MAX_DURATION_S = LIMITS["time_s"][1]
#: The default duration leaves this long after the last motion, to see it land.
DEFAULT_TAIL_S = 0.5

Vec3 = tuple[float, float, float]


class TimelineError(DofError):
    """A timeline file is malformed; the message names the file, the field and the problem."""

    def __init__(self, source: str, field: str, problem: str):
        self.source, self.field, self.problem = source, field, problem
        super().__init__(f"{source}: {field}: {problem}" if field else f"{source}: {problem}")


@dataclass(frozen=True)
class FocusKey:
    time_s: float
    distance_m: float  # math.inf for infinity
    target: str | None = None
    easing: str = DEFAULT_EASING
    duration_s: float = DEFAULT_DURATION_S
    kind: ClassVar[str] = "focus"


@dataclass(frozen=True)
class LensKey:
    time_s: float
    changes: dict  # ThinLens field -> value, applied with ThinLens.with_
    kind: ClassVar[str] = "lens"


@dataclass(frozen=True)
class TrackingKey:
    time_s: float
    on: bool
    target: str | None = None
    offset: Vec3 = (0.0, 0.0, 0.0)
    kind: ClassVar[str] = "tracking"


@dataclass(frozen=True)
class CameraKey:
    time_s: float
    position: Vec3
    look_at: Vec3
    up: Vec3 = (0.0, 1.0, 0.0)
    kind: ClassVar[str] = "camera"

    @property
    def pose(self) -> CameraPose:
        return CameraPose(self.position, self.look_at, self.up)


Keyframe = FocusKey | LensKey | TrackingKey | CameraKey


@dataclass(frozen=True)
class Start:
    focus_distance_m: float
    lens_changes: dict = field(default_factory=dict)
    camera: CameraPose | None = None  # None: the scene's camera


@dataclass(frozen=True)
class Timeline:
    #: a scene file, model or bundled name; or a photo with its depth map
    scene: str | PhotoScene
    start: Start
    keyframes: tuple[Keyframe, ...]
    duration_s: float
    camera: str | int | None = None  # a model's authored camera, by name or index
    #: Where it was read from, for error messages; not part of its value.
    source: str = field(default="<timeline>", compare=False, repr=False)

    def scene_path(self, timeline_file_path: str | Path) -> Path:
        """The scene file; relative paths are relative to the timeline file, not the cwd,
        so a timeline and its scene can move together."""
        path = Path(self.scene).expanduser()
        if not path.is_absolute():
            path = Path(timeline_file_path).parent / path
        if not exists(path) and self.scene in bundled_scenes():
            return bundled_scenes()[self.scene]
        return path

    def load_scene(self, timeline_file_path: str | Path, aspect: float = DEFAULT_ASPECT) -> Scene:
        """The scene this timeline names (paths relative to the timeline's folder)."""
        if isinstance(self.scene, PhotoScene):
            photo, options = self.scene.resolved(Path(timeline_file_path).parent)
            return load_scene(photo, photo=options)
        return load_scene(self.scene_path(timeline_file_path), aspect=aspect, camera=self.camera)

    def check_against(self, scene: Scene) -> None:
        """Raise TimelineError for a target the scene lacks (the scene loads after us)."""
        names = [o.name for o in scene.objects]
        for i, key in enumerate(self.keyframes):
            target = getattr(key, "target", None)
            if target is not None and target not in names:
                raise TimelineError(
                    self.source,
                    f"keyframes[{i}].target",
                    f"no object named '{target}' in {scene.source} (objects: {', '.join(names)})",
                )


# -- reading ---------------------------------------------------------------------------


class _Reader(JsonReader):
    """Walks the JSON tree, converting and checking each field where it is found."""

    error = TimelineError

    def distance(self, table, key, where) -> float:
        """Metres > 0; null is infinity (JSON has no Infinity)."""
        if table.get(key, 0) is None:
            return math.inf
        return self.number(table, key, where, rule="focus_distance_m")

    def vector(self, table, key, where, default=REQUIRED) -> Vec3:
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        if not isinstance(value, list) or len(value) != 3:
            self.fail(join(where, key), f"must be a list of 3 numbers, got {kind_of(value)}")
        items = {str(i): v for i, v in enumerate(value)}
        here = join(where, key)
        return tuple(self.number(items, str(i), here, rule="coordinate_m") for i in range(3))

    def name(self, table, key, where, default=REQUIRED) -> str | None:
        value, missing = self.get(table, key, where, default)
        if missing or (value is None and default is None):
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(join(where, key), f"must be a non-empty string, got {kind_of(value)}")
        return value

    def lens(self, table, where) -> dict:
        changes = {}
        for key in LENS_FIELDS:
            if key not in table:
                continue
            if key == "aperture_blades":
                problem = blade_count_problem(table[key])
                if problem:
                    self.fail(join(where, key), problem)
                changes[key] = table[key]
            else:
                rule = "angle_deg" if key == "blade_rotation_deg" else key
                changes[key] = self.number(table, key, where, rule=rule)
        return changes

    def pose(self, table, where) -> CameraPose:
        position, look_at = (
            self.vector(table, "position", where),
            self.vector(table, "look_at", where),
        )
        up = self.vector(table, "up", where, (0.0, 1.0, 0.0))
        # math.hypot, not numpy: exact for tiny values, where numpy's dot underflows
        forward = [t - p for t, p in zip(look_at, position, strict=True)]
        if math.hypot(*forward) < 1e-9:
            self.fail(join(where, "look_at"), "must differ from position")
        cross = (forward[1] * up[2] - forward[2] * up[1], forward[2] * up[0] - forward[0] * up[2],
                 forward[0] * up[1] - forward[1] * up[0])  # fmt: skip
        if math.hypot(*cross) < 1e-9 * math.hypot(*forward):
            self.fail(join(where, "up"), "must not be zero or parallel to the view direction")
        return CameraPose(position, look_at, up)

    def easing(self, table, where) -> str:
        easing = table.get("easing", DEFAULT_EASING)
        if not isinstance(easing, str) or easing not in EASINGS:
            hint = difflib.get_close_matches(easing, EASINGS, n=1) if isinstance(easing, str) else 0
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            valid = ", ".join(EASINGS)
            self.fail(
                join(where, "easing"),
                f"unknown easing {short_json(easing)}{extra}; valid: {valid}",
            )
        return easing

    def timeline(self, data) -> Timeline:
        if not isinstance(data, dict):
            self.fail("top level", f"must be a JSON object, got {kind_of(data)}")
        # Format and version first: a scene file given by mistake should say so.
        fmt, _ = self.get(data, "format", "", REQUIRED)
        if fmt != FORMAT:
            self.fail("format", f'must be "{FORMAT}", got {short_json(fmt)}')
        version, _ = self.get(data, "version", "", REQUIRED)
        if type(version) is not int or version != VERSION:
            problem = f"unsupported version {short_json(version)}"
            self.fail("version", f"{problem} (this dofviewer reads version {VERSION})")
        known = ("format", "version", "scene", "camera", "duration_s", "start", "keyframes",
                 "comment")  # fmt: skip
        data = self.table(data, "", known)
        if isinstance(data.get("scene"), dict):
            scene = self.photo_scene(data["scene"])
        else:
            scene = self.name(data, "scene", "")
        shot = data.get("camera")
        if shot is not None and not (
            (isinstance(shot, str) and shot.strip()) or (type(shot) is int and shot >= 0)
        ):
            self.fail("camera", f"must be a camera name or an index >= 0, got {kind_of(shot)}")
        start, _ = self.get(data, "start", "", REQUIRED)
        start = self.table(start, "start", ("focus_distance_m", "camera", *LENS_FIELDS))
        camera = None
        if "camera" in start:
            table = self.table(start["camera"], "start.camera", KIND_FIELDS["camera"])
            camera = self.pose(table, "start.camera")
        distance = self.distance(start, "focus_distance_m", "start")
        start = Start(distance, self.lens(start, "start"), camera)
        items, _ = self.get(data, "keyframes", "", REQUIRED)
        if not isinstance(items, list):
            self.fail("keyframes", f"must be a list, got {kind_of(items)}")
        self.count(items, "keyframes", MAX_KEYFRAMES, "keyframes")
        keys: list[Keyframe] = []
        for i, item in enumerate(items):
            keys.append(self.keyframe(item, f"keyframes[{i}]"))
            if i and keys[i].time_s < keys[i - 1].time_s:
                self.fail(
                    f"keyframes[{i}].time_s",
                    f"keyframes must be in time order ({keys[i].time_s} comes after "
                    f"{keys[i - 1].time_s})",
                )
        ends = [k.time_s + (k.duration_s if isinstance(k, FocusKey) else 0.0) for k in keys]
        default = max(ends, default=0.0) + DEFAULT_TAIL_S
        duration = self.number(data, "duration_s", "", min(default, MAX_DURATION_S),
                               rule="time_s")  # fmt: skip
        return Timeline(scene, start, tuple(keys), duration, shot, source=self.source)

    def photo_scene(self, table) -> PhotoScene:
        """``"scene": {"photo": "img.jpg", "depth": "d.png", ...}`` (PhotoOptions' fields)."""
        return read_photo_scene(self, table, "scene")

    def keyframe(self, item, where) -> Keyframe:
        if not isinstance(item, dict):
            self.fail(where, f"must be a JSON object, got {kind_of(item)}")
        kind, _ = self.get(item, "kind", where, REQUIRED)
        if not isinstance(kind, str) or kind not in KIND_FIELDS:
            kinds = ", ".join(KIND_FIELDS)
            self.fail(join(where, "kind"), f"must be one of {kinds}; got {short_json(kind)}")
        self.table(
            item, where, ("time_s", "kind", "comment", *KIND_FIELDS[kind]), f" in a {kind} key"
        )
        time_s = self.number(item, "time_s", where, rule="time_s")
        if kind == "focus":
            return FocusKey(
                time_s,
                self.distance(item, "distance_m", where),
                self.name(item, "target", where, None),
                self.easing(item, where),
                self.number(item, "duration_s", where, DEFAULT_DURATION_S, rule="time_s"),
            )
        if kind == "lens":
            if not any(key in item for key in LENS_FIELDS):
                self.fail(where, f"a lens key needs one or more of {', '.join(LENS_FIELDS)}")
            return LensKey(time_s, self.lens(item, where))
        if kind == "camera":
            pose = self.pose(item, where)
            return CameraKey(time_s, pose.position, pose.look_at, pose.up)
        on = item.get("on")
        if not isinstance(on, bool):
            self.fail(join(where, "on"), f"must be true or false, got {kind_of(on)}")
        if not on:
            for key in ("target", "offset"):
                if key in item:
                    self.fail(join(where, key), "only allowed when tracking is on")
            return TrackingKey(time_s, False)
        offset = self.vector(item, "offset", where, (0.0, 0.0, 0.0))
        return TrackingKey(time_s, True, self.name(item, "target", where), offset)


def parse_timeline(text: str, source: str = "<timeline>") -> Timeline:
    return _Reader(source).timeline(loads(text, TimelineError, source))


def load_timeline(path: str | Path) -> Timeline:
    """A timeline file; ``path`` may also be a dict in memory (as the API's load_scene)."""
    if isinstance(path, dict):
        return _Reader("<timeline dict>").timeline(path)
    return parse_timeline(read_text_file(path, "timeline file", TimelineError), str(path))


def load_timeline_and_scene(path: str | Path,
                            aspect: float = DEFAULT_ASPECT) -> tuple[Timeline, Scene]:  # fmt: skip
    """A timeline with the scene it names, checked against each other (the object names).
    ``aspect``: the output's, which fits a model's authored camera (see load_scene)."""
    timeline = load_timeline(path)
    scene = timeline.load_scene(path, aspect)
    timeline.check_against(scene)
    return timeline, scene


# -- writing ---------------------------------------------------------------------------


def _pose_dict(pose) -> dict:
    return {"position": list(pose.position), "look_at": list(pose.look_at), "up": list(pose.up)}


def _key_dict(key: Keyframe) -> dict:
    head = {"time_s": key.time_s, "kind": key.kind}
    if isinstance(key, FocusKey):
        return head | {"target": key.target, "distance_m": json_distance(key.distance_m),
                       "easing": key.easing, "duration_s": key.duration_s}  # fmt: skip
    if isinstance(key, LensKey):
        return head | key.changes
    if isinstance(key, CameraKey):
        return head | _pose_dict(key)
    tracking = {"target": key.target, "offset": list(key.offset)} if key.on else {}
    return head | {"on": key.on} | tracking


def timeline_to_dict(timeline: Timeline) -> dict:
    scene = timeline.scene
    if isinstance(scene, PhotoScene):
        scene = scene.to_dict()
    start = timeline.start
    start_dict = {"focus_distance_m": json_distance(start.focus_distance_m), **start.lens_changes}
    if start.camera is not None:
        start_dict["camera"] = _pose_dict(start.camera)
    camera = {} if timeline.camera is None else {"camera": timeline.camera}
    return {
        "format": FORMAT,
        "version": VERSION,
        "scene": scene,
        **camera,
        "duration_s": timeline.duration_s,
        "start": start_dict,
        "keyframes": [_key_dict(k) for k in timeline.keyframes],
    }


def save_timeline(timeline: Timeline, path: str | Path) -> None:
    """Write atomically, one keyframe per line: easy to read, edit and diff."""
    data = timeline_to_dict(timeline)
    lines = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in data.items()]
    keys = ",\n".join(f"    {json.dumps(k, allow_nan=False)}" for k in data["keyframes"])
    lines[-1] = f'  "keyframes": [\n{keys}\n  ]' if keys else '  "keyframes": []'
    atomic_write_text(path, "{\n" + ",\n".join(lines) + "\n}\n")


# -- sampling --------------------------------------------------------------------------


@dataclass
class _Replay:
    """The focus replay after every event at or before ``time_s``."""

    puller: FocusPuller
    time_s: float = -math.inf
    next_key: int = 0
    tracked: tuple | None = None  # (object, offset, key time) while tracking
    steps: int = 0  # tracking steps taken since the key


def _copy(state: _Replay) -> _Replay:
    return replace(state, puller=copy.copy(state.puller))


class TimelineSampler:
    """Frame settings at any time t, as a pure function of t (call in any order).

    Focus replays the focus and tracking events up to t through a fresh FocusPuller, so
    it is exactly what the easing module gives. Replays are resumed from the last sample
    (playing forward) or from a snapshot taken during long tracking (scrubbing): the
    events sit at fixed absolute times, so resuming gives the same floats as starting
    over, without its cost.
    """

    def __init__(self, timeline: Timeline, scene: Scene):
        timeline.check_against(scene)
        self.timeline, self.scene = timeline, scene
        keys = timeline.keyframes
        self._focus_keys = [k for k in keys if isinstance(k, FocusKey | TrackingKey)]
        self._lens_keys = [k for k in keys if isinstance(k, LensKey)]
        self._camera_keys = [k for k in keys if isinstance(k, CameraKey)]
        self._camera_times = [k.time_s for k in self._camera_keys]
        self._start_lens = scene.lens.with_(**timeline.start.lens_changes)
        self._start_pose = timeline.start.camera or scene.camera
        self._last: _Replay | None = None
        self._snapshots: list[_Replay] = []  # in time order

    def sample(self, t: float) -> FrameSettings:
        t = float(t)
        if not math.isfinite(t):
            raise ValueError(f"time must be finite, got {t!r}")
        lens = self._start_lens
        for key in self._lens_keys:
            if key.time_s > t:
                break
            lens = lens.with_(**key.changes)
        return FrameSettings(
            pose=self.camera_at(t),
            lens=lens,
            focus_distance_m=self.focus_at(t),
            exposure_ev=self.scene.exposure_ev,
            time_s=t,
            clip_m=self.scene.clip_m,
        )

    def next_keyframe(self, t: float) -> Keyframe | None:
        return next((k for k in self.timeline.keyframes if k.time_s > t), None)

    def camera_at(self, t: float) -> CameraPose:
        i = bisect.bisect_right(self._camera_times, t)
        if i == 0:
            return self._start_pose
        a = self._camera_keys[i - 1]
        if i == len(self._camera_keys):
            return a.pose
        b = self._camera_keys[i]
        s = (t - a.time_s) / (b.time_s - a.time_s)

        def lerp(p, q):
            return tuple(float(x + (y - x) * s) for x, y in zip(p, q, strict=True))

        return CameraPose(lerp(a.position, b.position), lerp(a.look_at, b.look_at), a.up)

    def focus_at(self, t: float) -> float:
        i = bisect.bisect_right([s.time_s for s in self._snapshots], t)
        state = self._snapshots[i - 1] if i else None
        if (
            self._last
            and self._last.time_s <= t
            and (not state or state.time_s < self._last.time_s)
        ):
            state = self._last
        if state is None:
            state = _Replay(FocusPuller(self.timeline.start.focus_distance_m))
        self._last = state = self._advance(_copy(state), t)
        return state.puller.distance_m(t)

    def _advance(self, state: _Replay, t: float) -> _Replay:
        keys = self._focus_keys
        while True:
            next_time = keys[state.next_key].time_s if state.next_key < len(keys) else math.inf
            if state.tracked is not None:
                obj, offset, key_time = state.tracked
                while (step := key_time + (state.steps + 1) * TRACKING_STEP_S) <= t:
                    if step >= next_time:
                        break
                    state.steps += 1
                    self._follow(state.puller, obj, offset, step)
                    if state.steps % SNAPSHOT_STEPS == 0:
                        state.time_s = step
                        i = bisect.bisect([s.time_s for s in self._snapshots], step)
                        if not i or self._snapshots[i - 1].time_s != step:
                            self._snapshots.insert(i, _copy(state))
            if next_time > t:
                break
            key = keys[state.next_key]
            state.next_key += 1
            state.tracked = None
            if isinstance(key, FocusKey):
                state.puller.retarget(key.distance_m, key.time_s, key.easing, key.duration_s)
            elif key.on:
                obj = self.scene.object_named(key.target)
                state.tracked, state.steps = (obj, key.offset, key.time_s), 0
                self._follow(state.puller, obj, key.offset, key.time_s)
        state.time_s = t
        return state

    def _follow(self, puller: FocusPuller, obj, offset: Vec3, time_s: float) -> None:
        """Aim the tracking spring at the tracked point's depth a lag ahead of ``time_s``."""
        ahead = time_s + TRACKING_LEAD_S
        depth = self.camera_at(ahead).depth_of(np.add(obj.position_at(ahead), offset))
        if depth > 0.0 and depth != puller.target_m:  # behind the camera: hold focus
            puller.retarget(depth, time_s, "spring", TRACKING_DURATION_S)


# -- authoring -------------------------------------------------------------------------


def pull_timeline(
    scene: str | PhotoScene,
    stops: list[tuple[str | None, float]],
    duration_s: float = 1.0,
    easing: str = DEFAULT_EASING,
    hold_s: float = 1.0,
    f_stop: float | None = None,
    camera: str | int | None = None,
) -> Timeline:
    """A rack focus through ``stops`` (name or None, distance): start on the first, hold,
    pull to each next one, hold. Validated like a file, so bad options read the same."""
    if not stops:
        raise ValueError("pull_timeline needs at least one stop")
    step = duration_s + hold_s
    keys = [
        {"time_s": hold_s + i * step, "kind": "focus", "target": name,
         "distance_m": json_distance(distance), "easing": easing, "duration_s": duration_s}
        for i, (name, distance) in enumerate(stops[1:])
    ]  # fmt: skip
    start = {"focus_distance_m": json_distance(stops[0][1])}
    if f_stop is not None:
        start["f_stop"] = f_stop
    end = keys[-1]["time_s"] + duration_s + hold_s if keys else hold_s
    if isinstance(scene, PhotoScene):
        scene = scene.to_dict()
    data = {"format": FORMAT, "version": VERSION, "scene": scene, "duration_s": end,
            "start": start, "keyframes": keys}  # fmt: skip
    if camera is not None:
        data["camera"] = camera
    return _Reader("dofviewer pull").timeline(data)
