"""When the viewer draws, and at which quality preset. No GL.

A frame is drawn only when what it shows changed. While focus or the camera moves, a
machine too slow for full quality at the frame rate (a software rasteriser) draws the
``preview`` preset, and the frame where the motion settles is drawn at ``final``.
"""

from __future__ import annotations

#: Frames that take longer than this at full quality are previewed while things move.
#: A GPU stays under it and never previews.
PREVIEW_ABOVE_MS = 1000.0 / 30.0


class PreviewPolicy:
    def __init__(self, motion_preview: bool = True):
        self.motion_preview = motion_preview
        self.drawn_frame = None  # what the window shows (anything comparable)
        self.drawn_quality: str | None = None  # and at which preset
        self.final_frame_ms = 0.0  # the last full-quality frame's time, swap included

    def quality_for(self, frame) -> str | None:
        """Moving (``frame`` differs from the last): preview if full quality is too slow
        here. Settled after a preview: full quality, once. Still: None, nothing to draw
        (the last image stands, and the machine stays idle)."""
        if frame != self.drawn_frame:
            self.drawn_frame = frame
            slow = self.final_frame_ms > PREVIEW_ABOVE_MS
            return "preview" if self.motion_preview and slow else "final"
        return "final" if self.drawn_quality != "final" else None

    def drew(self, quality: str):
        self.drawn_quality = quality

    def timed(self, quality: str, draw_ms: float):
        """How long a drawn frame took to draw and show (not the first one, which
        compiles shaders): a final frame's time decides whether motion previews."""
        if quality == "final":
            self.final_frame_ms = draw_ms
