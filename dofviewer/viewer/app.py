"""The interactive viewer: window events → viewer state → the shared renderer → screen."""

from __future__ import annotations

import json
import math
import signal
import time
from pathlib import Path

import glfw
import numpy as np

from dofviewer.camera import world_point
from dofviewer.fileio import atomic_write_text, unused_path, write_png
from dofviewer.focus import silhouette_focus
from dofviewer.gl.context import is_software_renderer
from dofviewer.gl.model_draw import MAX_ANISOTROPY
from dofviewer.recorder import Autosaver, Recorder
from dofviewer.renderer import Renderer, scene_view
from dofviewer.scene import bundled_scenes, load_scene
from dofviewer.timeline import TimelineSampler
from dofviewer.viewer.bindings import Action, action_for_key, action_for_scroll, help_lines
from dofviewer.viewer.hud import Hud
from dofviewer.viewer.state import Candidate, ViewerState, distance_text, focal_length_text
from dofviewer.viewer.window import Window

_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

STATE_FILE_INTERVAL_S = 0.1
#: While focus or the camera moves, frames that take longer than this at full quality
#: are drawn at the preview quality (dofviewer.gl.dof.PREVIEW), and the frame where the
#: motion settles is drawn at full quality. A GPU stays under it and never previews.
PREVIEW_ABOVE_MS = 1000.0 / 30.0
#: How long an idle loop (nothing moving, nothing to redraw) waits for input.
IDLE_WAIT_S = 0.05


def run_viewer(scene_path=None, size=(960, 540), state_file=None, screenshot_dir=".",
               record_file=None, record=False, supersample=2,
               motion_preview=True, msaa=None, camera=None) -> int:  # fmt: skip
    scene = load_scene(scene_path, aspect=size[0] / max(size[1], 1), camera=camera)
    if scene_path is None or (not Path(scene_path).exists() and scene_path in bundled_scenes()):
        scene_ref = scene_path or "demo"  # a bundled scene, by name
    else:
        scene_ref = str(Path(scene_path).resolve())
    window = Window(size, f"dofviewer: {Path(scene.source).name}")
    try:
        app = ViewerApp(window, scene, state_file, screenshot_dir, supersample, motion_preview,
                        msaa)  # fmt: skip
        app.recording_setup(scene_ref, Path(record_file) if record_file else None)
        if record:
            app.toggle_recording()
        app.run()
    finally:
        window.close()
    return 0


def run_player(timeline, scene, size=(960, 540), state_file=None) -> int:
    window = Window(size, f"dofviewer: playing {Path(timeline.source).name}")
    try:
        app = ViewerApp(window, scene, state_file)
        app.player = Player(TimelineSampler(timeline, scene), timeline)
        app.run()
    finally:
        window.close()
    return 0


class Player:
    """Playback clock over a timeline: play, pause, scrub; holds on the last frame."""

    def __init__(self, sampler: TimelineSampler, timeline):
        self.sampler, self.timeline = sampler, timeline
        self.time_s = 0.0
        self.paused = False

    def advance(self, dt: float):
        if not self.paused:
            self.time_s = min(self.time_s + dt, self.timeline.duration_s)

    def scrub(self, seconds: float):
        self.time_s = min(max(self.time_s + seconds, 0.0), self.timeline.duration_s)

    def status(self) -> str:
        key = self.sampler.next_keyframe(self.time_s)
        upcoming = f"next: {key.kind} at {key.time_s:.2f} s" if key else "next: end"
        state = "paused" if self.paused else "playing"
        return f"{state} {self.time_s:5.2f} / {self.timeline.duration_s:.2f} s   {upcoming}"


class ViewerApp:
    def __init__(self, window: Window, scene, state_file=None, screenshot_dir=".", supersample=2,
                 motion_preview=True, msaa=None):  # fmt: skip
        self.window = window
        self.ctx = window.ctx
        self.scene = scene
        self.state = ViewerState(scene)
        # Anisotropic texture filtering only where it is cheap: the live window on a
        # software rasteriser trades it for speed (renders and exports keep it).
        anisotropy = 1.0 if is_software_renderer(self.ctx) else MAX_ANISOTROPY
        self.renderer = Renderer(self.ctx, window.framebuffer_size, supersample, msaa,
                                 anisotropy)  # fmt: skip
        self.hud = Hud(self.ctx, self.renderer.shaders, window.framebuffer_size)
        self.state_file = Path(state_file) if state_file else None
        self.screenshot_dir = Path(screenshot_dir)
        self.screenshots: list[str] = []
        self._start = time.perf_counter()
        self._frame_ms = 0.0
        self._frames = 0  # loop iterations
        self._drawn_frames = 0  # of which the renderer drew a new image
        self._last_state_write = -math.inf
        self._drag_button = None
        self._cursor = (0.0, 0.0)
        self._last_settings = None  # what the last frame showed (the HUD reads it)
        self._drawn_frame = None  # what the window shows
        self._drawn_quality = None  # and at which quality preset
        self.motion_preview = motion_preview
        self._final_frame_ms = 0.0  # the last full-quality frame's time, swap included
        self._frame_text, self._frame_text_at = "", -math.inf
        self._focus_text_value, self._focus_text_at = "", -math.inf
        h = window.handle
        glfw.set_key_callback(h, self._on_key)
        glfw.set_mouse_button_callback(h, self._on_mouse_button)
        glfw.set_cursor_pos_callback(h, self._on_cursor)
        glfw.set_scroll_callback(h, self._on_scroll)
        self.player: Player | None = None
        self.recorder: Recorder | None = None
        self.autosaver: Autosaver | None = None
        self._scene_ref = "demo"
        self._record_path: Path | None = None
        self.state.listener = self._on_state_event

    def now(self) -> float:
        return time.perf_counter() - self._start

    # -- the frame loop ---------------------------------------------------------------

    def run(self):
        previous = time.perf_counter()
        # SIGTERM (and a closed terminal) end the loop like the window's close button, so
        # the recording is saved on the way out.
        handlers = {sig: signal.signal(sig, self._on_signal) for sig in _STOP_SIGNALS}
        try:
            while not self.window.should_close():
                glfw.poll_events()
                size = self.window.framebuffer_size
                if size[0] == 0 or size[1] == 0:  # minimised: nothing to draw
                    glfw.wait_events_timeout(0.1)
                    continue
                start = time.perf_counter()
                drawn = self.draw_frame(size)
                glfw.swap_buffers(self.window.handle)
                tick = time.perf_counter()
                frame_s, previous = tick - previous, tick
                if drawn:
                    # The time to draw and show a frame (not the idle wait before it),
                    # smoothed for the HUD; the first frame includes start-up.
                    draw_s = tick - start
                    self._frame_ms = 0.9 * self._frame_ms + 100 * draw_s if self._frames else 0.0
                    if drawn == "final" and self._frames:  # the first compiles shaders
                        self._final_frame_ms = draw_s * 1000
                    self._drawn_frames += 1
                self._frames += 1
                if self.player and self._frames > 1:
                    self.player.advance(frame_s)
                self._write_state_file()
                if not drawn:
                    glfw.wait_events_timeout(IDLE_WAIT_S)
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            if self.recorder is not None:
                self.autosaver.save(self.recorder, self.now())
            self._write_state_file(force=True)
            self.hud.release()
            self.renderer.release()

    def draw_frame(self, size) -> str | None:
        """Draw what the window shows now; returns the quality preset the image was drawn
        at, or None where the view had not changed and the last image stands."""
        if size != self.renderer.size:
            self.renderer.resize(size)
            self.hud.resize(size)
        now = self.now()
        self.state.update(now)
        if self.recorder is not None:
            self.recorder.camera(now, self.state.pose)
            self.autosaver.maybe_save(self.recorder, now)
        base = (
            self.player.sampler.sample(self.player.time_s)
            if self.player
            else self.state.frame_settings(now)
        )
        settings = base.with_(view=self.state.debug_view, focus_peaking=self.state.focus_peaking)
        self._last_settings = settings
        quality = self._quality_for(
            (scene_view(self.scene, settings), settings.with_(time_s=0.0), size)
        )
        screen = self.ctx.screen
        screen.viewport = (0, 0, *size)
        if quality is not None:
            # Tone-mapped straight into the window: the copy from the display target
            # costs a software rasteriser a twentieth of a preview frame. The display
            # target catches up only when it is read (a redraw, a screenshot).
            self.renderer.render(self.scene, settings.with_(quality=quality), output=screen)
            self._drawn_quality = quality
        else:
            self.renderer.update_display()
            screen.use()
            self.ctx.copy_framebuffer(screen, self.renderer.targets.display_fbo)
        self.hud.set_content(*self._hud_text(now))
        self.hud.draw(screen)
        return quality

    def _quality_for(self, frame) -> str | None:
        """Moving: preview if full quality is too slow here. Settled after a preview:
        full quality, once. Still: nothing (the last image is still in the display
        target, and the machine stays idle)."""
        if frame != self._drawn_frame:
            self._drawn_frame = frame
            slow = self._final_frame_ms > PREVIEW_ABOVE_MS
            return "preview" if self.motion_preview and slow else "final"
        return "final" if self._drawn_quality != "final" else None

    def _hud_text(self, now):
        s = self.state
        lens = s.lens
        moving = s.puller.is_moving(now)
        if self.player:  # the timeline's focus, which moves while it plays
            focus = self._focus_text(now, self._last_settings.focus_distance_m, moving=True)
        else:
            focus = self._focus_text(now, s.focus_distance_m(now), moving)
        pulling = f"  ->  {distance_text(s.puller.target_m)}" if moving else ""
        status = [
            f"Focus {focus}{pulling}   on {s.target or '-'}"
            + ("   [tracking]" if s.tracking else ""),
            f"f/{lens.f_stop:g}   {focal_length_text(lens.focal_length_mm)}   "
            f"{lens.aperture_blades or 'round'}{' blades' if lens.aperture_blades else ''}",
            f"Pull {s.easing}, {s.duration_s:g} s   View {s.debug_view}"
            + ("   peaking" if s.focus_peaking else ""),
            f"{self._frame_time_text(now)}   H: help",
        ]  # fmt: skip
        if self.player:
            lens = self._last_settings.lens
            status[0] = f"Focus {focus}"
            status[1] = (
                f"f/{lens.f_stop:g}   {focal_length_text(lens.focal_length_mm)}   "
                f"{lens.aperture_blades or 'round'}"
            )
            status.insert(0, self.player.status())
        if self.recorder is not None:
            status.insert(0, f"REC {now - self.recorder.start_s:5.1f} s  ->  {self.autosaver.path}")
        bottom = [s.message] if s.message else []
        return status, bottom, help_lines() if s.show_help else None

    def _focus_text(self, now: float, focus_m: float, moving: bool) -> str:
        """The focus distance, refreshed ten times a second while it moves (faster is too
        fast to read, and redrawing the HUD's text costs a software rasteriser a
        twentieth of a preview frame), and exactly once it lands."""
        if not moving or now - self._focus_text_at >= 0.1:
            self._focus_text_value = distance_text(focus_m)
            self._focus_text_at = now
        return self._focus_text_value

    def _frame_time_text(self, now: float) -> str:
        """The frame time, refreshed four times a second: a new number every frame would
        redraw the HUD texture every frame."""
        if now - self._frame_text_at >= 0.25:
            fps = 1000.0 / self._frame_ms if self._frame_ms > 0 else 0.0
            preview = ", preview" if self._drawn_quality == "preview" else ""
            self._frame_text = f"Frame {self._frame_ms:.1f} ms ({fps:.0f} fps{preview})"
            self._frame_text_at = now
        return self._frame_text

    # -- input ------------------------------------------------------------------------

    def _on_key(self, _window, key, _scancode, action, mods):
        if action not in (glfw.PRESS, glfw.REPEAT):
            return
        found = action_for_key(key, mods)
        if found is not None:
            self.perform(found)

    def _on_scroll(self, _window, _dx, dy, *args):
        mods = _current_mods(self.window.handle)
        found = action_for_scroll(dy, mods)
        if found is not None:
            self.perform(found)

    def _on_mouse_button(self, _window, button, action, _mods):
        if action == glfw.PRESS and button == glfw.MOUSE_BUTTON_LEFT:
            self.pick(*self._cursor)
        elif action == glfw.PRESS and button in (glfw.MOUSE_BUTTON_RIGHT, glfw.MOUSE_BUTTON_MIDDLE):
            self._drag_button = button
        elif action == glfw.RELEASE and button == self._drag_button:
            self._drag_button = None

    def _on_cursor(self, _window, x, y):
        dx, dy = x - self._cursor[0], y - self._cursor[1]
        self._cursor = (x, y)
        if self._drag_button == glfw.MOUSE_BUTTON_RIGHT:
            self.state.orbit.orbit(dx, dy)
        elif self._drag_button == glfw.MOUSE_BUTTON_MIDDLE:
            w, h = self.renderer.size
            vfov = 2 * math.atan(math.tan(self.state.lens.horizontal_fov_rad / 2) * h / w)
            scale = self.window.pixel_scale
            self.state.orbit.pan(dx * scale[0], dy * scale[1], h, vfov)

    def perform(self, action: Action):
        s, now = self.state, self.now()
        handlers = {
            "cycle_target": lambda n: s.cycle_target(n, self.candidates(), now),
            "recall_mark": lambda n: s.recall_mark(n, now),
            "store_mark": lambda n: s.store_mark(n, now),
            "nudge": lambda n: s.nudge(n, now),
            "dolly": lambda n: s.orbit.dolly(n),
            "toggle_tracking": lambda n: s.toggle_tracking(now),
            "f_stop": lambda n: s.step_f_stop(n, now),
            "focal_length": lambda n: s.step_focal_length(n, now),
            "blades": lambda n: s.step_blades(n, now),
            "easing": s.step_easing,
            "duration": s.step_duration,
            "debug_view": s.step_debug_view,
            "focus_peaking": lambda n: setattr(s, "focus_peaking", not s.focus_peaking),
            "reset_camera": lambda n: s.reset_camera(),
            "cycle_shot": lambda n: s.cycle_shot(n, now),
            "help": lambda n: setattr(s, "show_help", not s.show_help),
            "screenshot": lambda n: self.screenshot(),
            "record": lambda n: self.toggle_recording(),
            "play_pause": lambda n: self._player_do(lambda p: setattr(p, "paused", not p.paused)),
            "scrub": lambda n: self._player_do(lambda p: p.scrub(n / 10)),
            "scrub_start": lambda n: self._player_do(lambda p: p.scrub(-p.time_s)),
            "quit": lambda n: self.window.request_close(),
        }
        handlers[action.name](action.arg)
        self._write_state_file(force=True)

    def _player_do(self, change):
        if self.player is None:
            self.state.message = "playback keys work in `dofviewer play`"
        else:
            change(self.player)

    # -- recording --------------------------------------------------------------------

    def recording_setup(self, scene_ref: str, record_path: Path | None):
        self._scene_ref, self._record_path = scene_ref, record_path

    def toggle_recording(self):
        now = self.now()
        if self.player is not None:
            self.state.message = "recording is for the viewer, not playback"
            return
        if self.recorder is None:
            s = self.state
            lens = {"f_stop": s.lens.f_stop, "focal_length_mm": s.lens.focal_length_mm,
                    "aperture_blades": s.lens.aperture_blades}  # fmt: skip
            self.recorder = Recorder(self._scene_ref, now, s.puller.target_m, lens, s.pose)
            self.autosaver = Autosaver(self._record_path, self.screenshot_dir)
            self.autosaver.save(self.recorder, now)
            if s.tracking and s.target:
                self.recorder.tracking(now, True, s.target, s.target_offset)
            s.message = f"recording to {self.autosaver.path}"
        else:
            self.autosaver.save(self.recorder, now)
            self.state.message = f"saved {self.autosaver.path}"
            self.recorder = None

    def _on_state_event(self, kind: str, now_s: float, **fields):
        if self.recorder is not None:
            getattr(self.recorder, kind)(now_s, **fields)

    def _on_signal(self, signum, _frame):
        self.window.request_close()

    def pick(self, x: float, y: float):
        """Pull focus to the surface under the cursor (window coordinates)."""
        sx, sy = self.window.pixel_scale
        w, h = self.renderer.size
        px, py = int(min(max(x * sx, 0), w - 1)), int(min(max(y * sy, 0), h - 1))
        object_id, depth = self.renderer.read_pixel(px, py)
        point = None
        if object_id > 0:
            ndc = (2 * (px + 0.5) / w - 1, 1 - 2 * (py + 0.5) / h)
            point = world_point(self.state.pose, self.state.lens, w / h, *ndc, depth)
        self.state.pick(object_id - 1, depth, point, self.now())
        self._write_state_file(force=True)

    def candidates(self) -> list[Candidate]:
        """Visible objects and their silhouette-centre focus points, from the last frame."""
        ids, depth = self.renderer.read_object_ids(), self.renderer.read_depth()
        h, w = ids.shape
        found = []
        for object_id in np.unique(ids):
            if object_id == 0:
                continue
            hit = silhouette_focus(ids, depth, int(object_id))
            if hit is None:
                continue
            d, (x, y) = hit
            ndc = (2 * (x + 0.5) / w - 1, 1 - 2 * (y + 0.5) / h)
            point = world_point(self.state.pose, self.state.lens, w / h, *ndc, d)
            found.append(Candidate(self.scene.objects[object_id - 1].name, d, tuple(point)))
        return found

    def screenshot(self):
        if self._drawn_quality == "preview":  # a screenshot is always at full quality
            self.renderer.render(self.scene, self._last_settings)
            self._drawn_quality = "final"
        path = unused_path(self.screenshot_dir, "dofviewer", ".png")
        write_png(path, self.renderer.read_image())
        self.screenshots.append(str(path))
        self.state.message = f"saved {path}"

    def _write_state_file(self, force=False):
        if self.state_file is None:
            return
        now = self.now()
        if not force and now - self._last_state_write < STATE_FILE_INTERVAL_S:
            return
        self._last_state_write = now
        snapshot = self.state.snapshot(now)
        snapshot.update(
            recording=str(self.autosaver.path) if self.recorder is not None else None,
            playback_time_s=self.player.time_s if self.player else None,
            frames=self._frames,
            drawn_frames=self._drawn_frames,
            frame_ms=round(self._frame_ms, 3),
            quality=self._drawn_quality,
            framebuffer_size=list(self.renderer.size),
            screenshots=self.screenshots,
        )
        atomic_write_text(self.state_file, json.dumps(snapshot, indent=1))


def _current_mods(handle) -> int:
    mods = 0
    if glfw.get_key(handle, glfw.KEY_LEFT_SHIFT) or glfw.get_key(handle, glfw.KEY_RIGHT_SHIFT):
        mods |= glfw.MOD_SHIFT
    if glfw.get_key(handle, glfw.KEY_LEFT_CONTROL) or glfw.get_key(handle, glfw.KEY_RIGHT_CONTROL):
        mods |= glfw.MOD_CONTROL
    return mods
