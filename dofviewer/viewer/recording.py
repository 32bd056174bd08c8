"""Recording in the viewer: R starts and stops it, and nothing recorded is lost. No GL.

While on, every change the viewer state reports (focus, lens, tracking) and every camera
move becomes a keyframe of a timeline (dofviewer.shot.recorder.Recorder), autosaved
atomically as it grows and saved once more on stop, on quit and on SIGTERM.
"""

from __future__ import annotations

from pathlib import Path

from dofviewer.shot.recorder import Autosaver, Recorder
from dofviewer.viewer.state import ViewerState


class RecordingControl:
    def __init__(self, state: ViewerState, scene_ref: str = "demo",
                 record_path: Path | None = None, folder: Path = Path(".")):  # fmt: skip
        """``scene_ref`` is how the timeline names its scene; ``record_path`` where it
        goes (None: a new pull-NNNN.json in ``folder``)."""
        self.state = state
        self.scene_ref, self.record_path, self.folder = scene_ref, record_path, folder
        self.recorder: Recorder | None = None
        self.autosaver: Autosaver | None = None
        state.listener = self._on_state_event

    @property
    def on(self) -> bool:
        return self.recorder is not None

    @property
    def path(self) -> Path | None:
        return self.autosaver.path if self.on else None

    def toggle(self, now_s: float):
        s = self.state
        if not self.on:
            lens = {"f_stop": s.lens.f_stop, "focal_length_mm": s.lens.focal_length_mm,
                    "aperture_blades": s.lens.aperture_blades}  # fmt: skip
            self.recorder = Recorder(self.scene_ref, now_s, s.puller.target_m, lens, s.pose)
            self.autosaver = Autosaver(self.record_path, self.folder)
            self.autosaver.save(self.recorder, now_s)
            if s.tracking and s.target:
                self.recorder.tracking(now_s, True, s.target, s.target_offset)
            s.message = f"recording to {self.autosaver.path}"
        else:
            self.autosaver.save(self.recorder, now_s)
            s.message = f"saved {self.autosaver.path}"
            self.recorder = None

    def frame(self, now_s: float):
        """Per frame: the camera's pose, and an autosave when one is due."""
        if self.on:
            self.recorder.camera(now_s, self.state.pose)
            self.autosaver.maybe_save(self.recorder, now_s)

    def status(self, now_s: float) -> tuple[float, Path] | None:
        """(seconds recorded, file) for the HUD while on."""
        return (now_s - self.recorder.start_s, self.autosaver.path) if self.on else None

    def save(self, now_s: float):
        if self.on:
            self.autosaver.save(self.recorder, now_s)

    def _on_state_event(self, kind: str, now_s: float, **fields):
        if self.on:
            getattr(self.recorder, kind)(now_s, **fields)
