"""What the HUD says: focus, lens, pull, view, frame time, playback and recording. No GL.

Numbers that change every frame are refreshed a few times a second: faster is too fast
to read, and each new text costs a software rasteriser a twentieth of a preview frame
to draw into the HUD's texture.
"""

from __future__ import annotations

import math

from dofviewer.viewer.bindings import help_lines
from dofviewer.viewer.state import ViewerState, distance_text, focal_length_text

FOCUS_REFRESH_S = 0.1
FRAME_TIME_REFRESH_S = 0.25


class HudText:
    def __init__(self):
        self._frame_text, self._frame_text_at = "", -math.inf
        self._focus_text, self._focus_text_at = "", -math.inf

    def lines(self, now: float, state: ViewerState, settings, frame_ms: float,
              quality: str | None, player=None, recording=None):  # fmt: skip
        """(status lines, bottom lines, help rows or None). ``settings`` is what the last
        frame showed (during playback the timeline's lens and focus); ``recording`` is
        (elapsed seconds, path) while recording."""
        s = state
        moving = s.puller.is_moving(now)
        if player:  # the timeline's focus, which moves while it plays
            focus = self._focus(now, settings.focus_distance_m, moving=True)
        else:
            focus = self._focus(now, s.focus_distance_m(now), moving)
        pulling = f"  ->  {distance_text(s.puller.target_m)}" if moving else ""
        lens = settings.lens if player else s.lens
        lens_text = f"f/{lens.f_stop:g}   {focal_length_text(lens.focal_length_mm)}   " + (
            f"{lens.aperture_blades} blades" if lens.aperture_blades else "round"
        )
        status = [
            f"Focus {focus}{pulling}   on {s.target or '-'}"
            + ("   [tracking]" if s.tracking else ""),
            lens_text,
            f"Pull {s.easing}, {s.duration_s:g} s   View {s.debug_view}"
            + ("   peaking" if s.focus_peaking else ""),
            f"{self._frame_time(now, frame_ms, quality)}   H: help",
        ]
        if player:
            status[0] = f"Focus {focus}"
            status.insert(0, player.status())
        if recording is not None:
            elapsed, path = recording
            status.insert(0, f"REC {elapsed:5.1f} s  ->  {path}")
        bottom = [s.message] if s.message else []
        return status, bottom, help_lines() if s.show_help else None

    def _focus(self, now: float, focus_m: float, moving: bool) -> str:
        """Refreshed ten times a second while it moves, and exactly once it lands."""
        if not moving or now - self._focus_text_at >= FOCUS_REFRESH_S:
            self._focus_text = distance_text(focus_m)
            self._focus_text_at = now
        return self._focus_text

    def _frame_time(self, now: float, frame_ms: float, quality: str | None) -> str:
        if now - self._frame_text_at >= FRAME_TIME_REFRESH_S:
            fps = 1000.0 / frame_ms if frame_ms > 0 else 0.0
            preview = ", preview" if quality == "preview" else ""
            self._frame_text = f"Frame {frame_ms:.1f} ms ({fps:.0f} fps{preview})"
            self._frame_text_at = now
        return self._frame_text
