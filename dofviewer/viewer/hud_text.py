"""What the HUD says and shows: focus and the depth of field, lens, pull, view, frame
time, the follow-focus ring and marks, legends, playback and recording. No GL.

Numbers that change every frame are refreshed a few times a second: faster is too fast
to read, and each new text costs a software rasteriser a twentieth of a preview frame
to draw into the HUD's texture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dofviewer.shot.dofcalc import for_lens
from dofviewer.shot.lens import MAX_COC_RADIUS_PX
from dofviewer.viewer.bindings import help_groups
from dofviewer.viewer.state import ViewerState, distance_text, focal_length_text

FOCUS_REFRESH_S = 0.1
FRAME_TIME_REFRESH_S = 0.25
#: A message shows in full this long, then fades out over MESSAGE_FADE_S ...
MESSAGE_HOLD_S = 4.0
MESSAGE_FADE_S = 2.0
#: ... in this many steps (each step redraws the HUD's text once).
MESSAGE_FADE_STEPS = 5


@dataclass(frozen=True)
class RingView:
    """What the follow-focus ring shows (dofviewer.viewer.hud draws it)."""

    near_m: float  # the ring's close end
    focus_m: float
    target_m: float
    zone_m: tuple[float, float]  # near and far limits of acceptable sharpness
    marks: tuple[tuple[int, float, str], ...]  # (slot, distance, object name or "")


@dataclass(frozen=True)
class HudContent:
    status: tuple[str, ...]
    message: tuple[str, float] | None = None  # (text, opacity)
    help_groups: tuple | None = None
    ring: RingView | None = None
    marks: tuple[str, ...] = ()
    legend: tuple[str, object] | None = None  # ("depth", (near, far)) or ("coc", max px)


class HudText:
    def __init__(self):
        self._frame_text, self._frame_text_at = "", -math.inf
        self._focus_text, self._focus_text_at = "", -math.inf
        self._focus_shown = math.nan
        self._message, self._message_since = -1, -math.inf

    def content(self, now: float, state: ViewerState, settings, frame_ms: float,
                quality: str | None, player=None, recording=None) -> HudContent:  # fmt: skip
        """``settings`` is what the last frame showed (during playback the timeline's
        lens and focus); ``recording`` is (elapsed seconds, path) while recording."""
        s = state
        moving = s.puller.is_moving(now)
        if player:  # the timeline's focus, which moves while it plays
            focus_now = settings.focus_distance_m
            focus = self._focus(now, focus_now, moving=True)
        else:
            focus_now = s.focus_distance_m(now)
            focus = self._focus(now, focus_now, moving)
        shown_m = self._focus_shown  # the distance the text (and ring) show, refreshed alike
        pulling = f"  ->  {distance_text(s.puller.target_m)}" if moving else ""
        lens = settings.lens if player else s.lens
        lens_text = f"f/{lens.f_stop:g}   {focal_length_text(lens.focal_length_mm)}   " + (
            f"{lens.aperture_blades} blades" if lens.aperture_blades else "round"
        ) + f"   {lens.sensor_width_mm:g} mm sensor"
        try:
            dof = for_lens(lens, shown_m)
        except ValueError:  # focus inside the focal length (a macro model's camera)
            dof = None
        target = (f"on {s.target}" if s.target else "no target (click an object)")
        status = [
            f"Focus {focus}{pulling}   {target}" + ("   [tracking]" if s.tracking else ""),
            zone_text(dof) if dof else "Sharp: no zone (focus inside the focal length)",
            lens_text,
            f"Pull {s.easing}, {s.duration_s:g} s   View {s.debug_view}"
            + ("   peaking" if s.focus_peaking else ""),
            f"{self._frame_time(now, frame_ms, quality)}   H: keys and help",
        ]
        if player:
            status[0] = f"Focus {focus}"
            status.insert(0, player.status())
        if s.animation_paused and not player:
            status.insert(0, "Animation paused (Space resumes)")
        if recording is not None:
            elapsed, path = recording
            status.insert(0, f"REC {elapsed:5.1f} s  ->  {path}")
        marks = tuple(
            (slot, m.distance_m, m.target or "") for slot, m in sorted(s.marks.items())
        )  # fmt: skip
        zone = (dof.near_limit_m, dof.far_limit_m) if dof else (shown_m, shown_m)
        ring = RingView(s.ring_near_m, shown_m, s.puller.target_m if not player else shown_m,
                        zone, marks)  # fmt: skip
        legend = None
        if s.debug_view == "depth":
            legend = ("depth", (round(zone[0], 3), round(zone[1], 3)))
        elif s.debug_view == "coc":
            legend = ("coc", MAX_COC_RADIUS_PX)
        return HudContent(
            status=tuple(status),
            message=self._fading(now, s.message, s.message_serial),
            help_groups=_HELP if s.show_help else None,
            ring=ring,
            marks=tuple(f"{n}  {name or 'point'}  {distance_text(d)}" for n, d, name in marks),
            legend=legend,
        )

    def _fading(self, now: float, message: str, serial: int) -> tuple[str, float] | None:
        """A message in full for MESSAGE_HOLD_S, then fading out: a stale "pull to drone
        at 2.29 m" should not read as news. A new message (even the same text after a
        new action: the state's serial) shows in full again."""
        if serial != self._message:
            self._message, self._message_since = serial, now
        if not message:
            return None
        age = now - self._message_since - MESSAGE_HOLD_S
        if age <= 0:
            return message, 1.0
        step = math.ceil(MESSAGE_FADE_STEPS * (1 - age / MESSAGE_FADE_S))
        return (message, step / MESSAGE_FADE_STEPS) if step > 0 else None

    def _focus(self, now: float, focus_m: float, moving: bool) -> str:
        """Refreshed ten times a second while it moves, and exactly once it lands."""
        if not moving or now - self._focus_text_at >= FOCUS_REFRESH_S:
            self._focus_text = distance_text(focus_m)
            self._focus_shown = focus_m
            self._focus_text_at = now
        return self._focus_text

    def _frame_time(self, now: float, frame_ms: float, quality: str | None) -> str:
        if frame_ms <= 0:
            return "Frame time: shown once the view moves"
        if now - self._frame_text_at >= FRAME_TIME_REFRESH_S:
            preview = ", preview" if quality == "preview" else ""
            self._frame_text = f"Frame {frame_ms:.1f} ms ({1000.0 / frame_ms:.0f} fps{preview})"
            self._frame_text_at = now
        return self._frame_text


_HELP = tuple((title, tuple(rows)) for title, rows in help_groups())


def zone_text(dof) -> str:
    """'Sharp 2.81 m - 3.22 m (41.0 cm)   H 43.39 m', from the calculator."""
    near, far = distance_text(dof.near_limit_m), dof.far_limit_m
    if math.isinf(far):
        zone = f"Sharp from {near} to infinity"
    else:
        zone = f"Sharp {near} - {distance_text(far)} ({distance_text(dof.depth_of_field_m)})"
    return (f"{zone}   H {distance_text(dof.hyperfocal_m)}"
            f"   CoC {dof.coc_limit_mm * 1000:.0f} um")  # fmt: skip
