"""Recording focus pulls live in the viewer, into a timeline. No GL.

Every focus retarget, mark recall, nudge, tracking toggle and lens change becomes a
keyframe as it happens; camera moves become camera keyframes, at most ten a second
while the camera moves. The recording autosaves atomically (see ``Autosaver``), so an
interrupted session loses at most the last few seconds, never the file.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from dofviewer.errors import DofError
from dofviewer.fileio import unused_path
from dofviewer.shot.camera import CameraPose
from dofviewer.shot.timeline import (
    CameraKey,
    FocusKey,
    LensKey,
    Start,
    Timeline,
    TrackingKey,
    save_timeline,
)

CAMERA_KEY_INTERVAL_S = 0.1
AUTOSAVE_INTERVAL_S = 2.0
END_PADDING_S = 0.5


class Recorder:
    """Collects keyframes with times relative to when recording started."""

    def __init__(self, scene_ref: str, start_s: float, focus_m: float, lens_changes: dict,
                 pose: CameraPose):  # fmt: skip
        self.scene_ref = scene_ref
        self.start_s = start_s
        self.start = Start(focus_distance_m=focus_m, lens_changes=dict(lens_changes), camera=pose)
        self.keyframes: list = []
        self._last_pose = pose
        self._last_camera_key_s = -math.inf
        self._end_s = 0.0

    def _t(self, now_s: float) -> float:
        t = max(0.0, now_s - self.start_s)
        # Keyframes stay in time order even if two land in the same instant.
        if self.keyframes:
            t = max(t, self.keyframes[-1].time_s)
        self._end_s = max(self._end_s, t)
        return round(t, 4)

    def focus(self, now_s, distance_m, target, easing, duration_s):
        self.keyframes.append(FocusKey(self._t(now_s), distance_m, target, easing, duration_s))
        self._end_s = max(self._end_s, self.keyframes[-1].time_s + duration_s)

    def lens(self, now_s, **changes):
        self.keyframes.append(LensKey(self._t(now_s), dict(changes)))

    def tracking(self, now_s, on: bool, target: str | None, offset=(0.0, 0.0, 0.0)):
        offset = tuple(float(v) for v in offset)
        self.keyframes.append(
            TrackingKey(
                self._t(now_s), on, target if on else None, offset if on else (0.0, 0.0, 0.0)
            )
        )

    def camera(self, now_s, pose: CameraPose, force=False):
        """Called every frame; keeps a key when the camera moved (≤ 10 per second)."""
        if pose == self._last_pose:
            return
        if not force and now_s - self._last_camera_key_s < CAMERA_KEY_INTERVAL_S:
            return
        self._last_pose = pose
        self._last_camera_key_s = now_s
        self.keyframes.append(
            CameraKey(self._t(now_s), tuple(pose.position), tuple(pose.look_at), tuple(pose.up))
        )

    def timeline(self, now_s: float) -> Timeline:
        end = max(self._end_s, now_s - self.start_s) + END_PADDING_S
        return Timeline(self.scene_ref, self.start, tuple(self.keyframes), round(end, 4))


class Autosaver:
    """Saves a recorder's timeline atomically every few seconds and when asked."""

    def __init__(self, path: Path | None, folder: Path):
        self.path = path or unused_path(folder, "pull", ".json")
        self._last_save_s = -math.inf

    def maybe_save(self, recorder: Recorder, now_s: float):
        if now_s - self._last_save_s >= AUTOSAVE_INTERVAL_S:
            self.save(recorder, now_s)

    def save(self, recorder: Recorder, now_s: float):
        """A failed save (a full disk) is reported once and tried again at the next
        interval; the recording goes on in memory, and the last good file stays whole."""
        self._last_save_s = now_s
        try:
            save_timeline(recorder.timeline(now_s), self.path)
        except DofError as exc:
            if str(exc) != getattr(self, "_reported", None):
                print(f"dofviewer: warning: recording not saved: {exc}", file=sys.stderr)
                self._reported = str(exc)
