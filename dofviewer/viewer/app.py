"""The interactive viewer: window events → viewer state → the shared renderer → screen.

This module is the frame loop and the input; what to draw when is
:mod:`~dofviewer.viewer.preview`, what the HUD says :mod:`~dofviewer.viewer.hud_text`,
what each action does :mod:`~dofviewer.viewer.state`, and playback
:mod:`~dofviewer.viewer.player`.
"""

from __future__ import annotations

import json
import math
import signal
import sys
import time
from pathlib import Path

import glfw
import numpy as np

from dofviewer.content.scene import bundled_name, load_scene
from dofviewer.errors import DofError
from dofviewer.fileio import atomic_write_text, unused_path, write_png
from dofviewer.render.gl.context import OFFLINE_MSAA, default_msaa, is_software_renderer
from dofviewer.render.gl.model_draw import MAX_ANISOTROPY
from dofviewer.render.gl.targets import clamp_size
from dofviewer.render.renderer import Renderer, scene_view
from dofviewer.shot.camera import world_point
from dofviewer.shot.focus import silhouette_focus
from dofviewer.shot.timeline import TimelineSampler
from dofviewer.viewer.bindings import Action, Name, action_for_key, action_for_scroll
from dofviewer.viewer.hud import Hud
from dofviewer.viewer.hud_layout import RING_WHEEL_FRACTION, contains, ring_rect, ring_scale
from dofviewer.viewer.hud_text import HudText
from dofviewer.viewer.player import Player
from dofviewer.viewer.preview import PreviewPolicy
from dofviewer.viewer.recording import RecordingControl
from dofviewer.viewer.state import Candidate, ViewerState
from dofviewer.viewer.window import Window

_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

STATE_FILE_INTERVAL_S = 0.1
#: How long an idle loop (nothing moving, nothing to redraw) waits for input.
IDLE_WAIT_S = 0.05


def run_viewer(scene_path=None, size=(960, 540), state_file=None, screenshot_dir=".",
               record_file=None, record=False, supersample=2,
               motion_preview=True, msaa=None, camera=None, photo=None) -> int:  # fmt: skip
    scene = load_scene(scene_path, aspect=size[0] / max(size[1], 1), camera=camera, photo=photo)
    if scene_path is None or bundled_name(scene_path):
        scene_ref = bundled_name(scene_path) or "demo"  # a bundled scene, by name
    else:
        scene_ref = str(Path(scene_path).resolve())
    if scene.photo is not None and photo is not None and photo.depth:
        from dataclasses import replace

        from dofviewer.content.photo import PhotoScene

        depth = str(Path(photo.depth).resolve())
        scene_ref = PhotoScene(scene_ref, replace(photo, depth=depth))
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
        # The live window adapts MSAA to speed; screenshots are offline output (4×).
        self._msaa_override = msaa
        self._supersample = supersample
        live_msaa = default_msaa(self.ctx, live=True) if msaa is None else msaa
        self.renderer = Renderer(self.ctx, window.framebuffer_size, supersample, live_msaa,
                                 anisotropy)  # fmt: skip
        self.renderer.on_blur_clamped = self._on_blur_clamped
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
        self._ring_grab = None  # (cursor x, ring index x) where the ring was grabbed
        self._cursor = (0.0, 0.0)
        self._last_settings = None  # what the last frame showed (the HUD reads it)
        self.preview = PreviewPolicy(motion_preview)
        self.hud_text = HudText()
        self._handlers = self._action_handlers()
        h = window.handle
        glfw.set_key_callback(h, self._on_key)
        glfw.set_mouse_button_callback(h, self._on_mouse_button)
        glfw.set_cursor_pos_callback(h, self._on_cursor)
        glfw.set_scroll_callback(h, self._on_scroll)
        self.player: Player | None = None
        self.recording = RecordingControl(self.state, folder=self.screenshot_dir)

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
                    # smoothed for the HUD; the first frame includes start-up and
                    # compiling shaders, so it says nothing of the frame rate.
                    draw_s = tick - start
                    self._frame_ms = 0.9 * self._frame_ms + 100 * draw_s if self._frames else 0.0
                    if self._frames:
                        self.preview.timed(drawn, draw_s * 1000)
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
            self.recording.save(self.now())
            self._write_state_file(force=True)
            self.hud.release()
            self.renderer.release()

    def draw_frame(self, size) -> str | None:
        """Draw what the window shows now; returns the quality preset the image was drawn
        at, or None where the view had not changed and the last image stands."""
        # A window dragged beyond what the GL's targets can hold draws at the largest
        # size that fits, in its lower-left corner, instead of failing.
        t = self.renderer.targets
        size = clamp_size(self.ctx, size, t.supersample, t.msaa)
        if size != self.renderer.size:
            self.renderer.resize(size)
            self.hud.resize(size)
        now = self.now()
        self.state.update(now)
        self.recording.frame(now)
        base = (
            self.player.sampler.sample(self.player.time_s)
            if self.player
            else self.state.frame_settings(now)
        )
        settings = base.with_(view=self.state.debug_view, focus_peaking=self.state.focus_peaking)
        self._last_settings = settings
        quality = self.preview.quality_for(
            (scene_view(self.scene, settings), settings.with_(time_s=0.0), size)
        )
        screen = self.ctx.screen
        screen.viewport = (0, 0, *size)
        if quality is not None:
            # Tone-mapped straight into the window: the copy from the display target
            # costs a software rasteriser a twentieth of a preview frame. The display
            # target catches up only when it is read (a redraw, a screenshot).
            self.renderer.render(self.scene, settings.with_(quality=quality), output=screen)
            self.preview.drew(quality)
        else:
            self.renderer.update_display()
            screen.use()
            self.ctx.copy_framebuffer(screen, self.renderer.targets.display_fbo)
        self.hud.set_content(self.hud_text.content(
            now, self.state, settings, self._frame_ms, self.preview.drawn_quality,
            self.player, self.recording.status(now),
        ))  # fmt: skip
        self.hud.draw(screen)
        return quality

    # -- input ------------------------------------------------------------------------

    def _on_key(self, _window, key, _scancode, action, mods):
        if action not in (glfw.PRESS, glfw.REPEAT):
            return
        found = action_for_key(key, mods)
        if found is not None:
            self.perform(found)

    def _on_scroll(self, _window, _dx, dy, *args):
        mods = _current_mods(self.window.handle)
        if dy and not mods and self._over_ring(*self._cursor):
            # The wheel over the ring turns it, a fixed step along the scale.
            scale = self._ring_scale()
            step = (1 if dy > 0 else -1) * scale.width * RING_WHEEL_FRACTION
            x = scale.x_of(self.state.puller.target_m) + step
            self.state.focus_by_hand(scale.distance_at(x), self.now())
            self._write_state_file(force=True)
            return
        found = action_for_scroll(dy, mods)
        if found is not None:
            self.perform(found)

    def _on_mouse_button(self, _window, button, action, _mods):
        if action == glfw.PRESS and button == glfw.MOUSE_BUTTON_LEFT and self._over_ring(
            *self._cursor
        ):
            # Grab the ring: dragging turns it (see _on_cursor), a click alone does nothing.
            scale = self._ring_scale()
            self._ring_grab = (self._cursor[0], scale.x_of(self.state.puller.target_m))
        elif action == glfw.RELEASE and button == glfw.MOUSE_BUTTON_LEFT and self._ring_grab:
            self._ring_grab = None
        elif action == glfw.PRESS and button == glfw.MOUSE_BUTTON_LEFT:
            self.pick(*self._cursor)
        elif action == glfw.PRESS and button in (glfw.MOUSE_BUTTON_RIGHT, glfw.MOUSE_BUTTON_MIDDLE):
            self._drag_button = button
        elif action == glfw.RELEASE and button == self._drag_button:
            self._drag_button = None

    def _on_cursor(self, _window, x, y):
        dx, dy = x - self._cursor[0], y - self._cursor[1]
        self._cursor = (x, y)
        if self._ring_grab is not None:
            start_x, start_index = self._ring_grab
            moved = (x - start_x) * self.window.pixel_scale[0]
            distance = self._ring_scale().distance_at(start_index + moved)
            if abs(1 / distance - 1 / self.state.puller.target_m) > 1e-9:
                self.state.focus_by_hand(distance, self.now())
        elif self._drag_button == glfw.MOUSE_BUTTON_RIGHT:
            self.state.orbit.orbit(dx, dy)
        elif self._drag_button == glfw.MOUSE_BUTTON_MIDDLE:
            w, h = self.renderer.size
            vfov = 2 * math.atan(math.tan(self.state.lens.horizontal_fov_rad / 2) * h / w)
            scale = self.window.pixel_scale
            self.state.orbit.pan(dx * scale[0], dy * scale[1], h, vfov)

    def _action_handlers(self) -> dict:
        """What each action does (built once): every name in bindings.Name, checked."""
        s = self.state
        handlers = {
            Name.CYCLE_TARGET: lambda n, now: s.cycle_target(n, self.candidates(), now),
            Name.RECALL_MARK: s.recall_mark,
            Name.STORE_MARK: s.store_mark,
            Name.NUDGE: s.nudge,
            Name.DOLLY: lambda n, now: s.orbit.dolly(n),
            Name.TOGGLE_TRACKING: lambda n, now: s.toggle_tracking(now),
            Name.F_STOP: s.step_f_stop,
            Name.FOCAL_LENGTH: s.step_focal_length,
            Name.BLADES: s.step_blades,
            Name.EASING: lambda n, now: s.step_easing(n),
            Name.DURATION: lambda n, now: s.step_duration(n),
            Name.DEBUG_VIEW: lambda n, now: s.step_debug_view(n),
            Name.FOCUS_PEAKING: lambda n, now: setattr(s, "focus_peaking", not s.focus_peaking),
            Name.RESET_CAMERA: lambda n, now: s.reset_camera(),
            Name.CYCLE_SHOT: s.cycle_shot,
            Name.HELP: lambda n, now: setattr(s, "show_help", not s.show_help),
            Name.SCREENSHOT: lambda n, now: self.screenshot(),
            Name.RECORD: lambda n, now: self.toggle_recording(),
            Name.PLAY_PAUSE: lambda n, now: (
                s.toggle_animation(now)
                if self.player is None
                else setattr(self.player, "paused", not self.player.paused)
            ),
            Name.SCRUB: lambda n, now: self._player_do(lambda p: p.scrub(n / 10)),
            Name.SCRUB_START: lambda n, now: self._player_do(lambda p: p.scrub(-p.time_s)),
            Name.QUIT: lambda n, now: self.window.request_close(),
        }
        missing = set(Name) - set(handlers)
        if missing:
            raise AssertionError(f"viewer actions without a handler: {sorted(missing)}")
        return handlers

    def perform(self, action: Action):
        self._handlers[action.name](action.arg, self.now())
        self._write_state_file(force=True)

    def _player_do(self, change):
        if self.player is None:
            self.state.message = "playback keys work in `dofviewer play`"
        else:
            change(self.player)

    # -- recording --------------------------------------------------------------------

    def recording_setup(self, scene_ref: str, record_path: Path | None):
        self.recording.scene_ref, self.recording.record_path = scene_ref, record_path

    def toggle_recording(self):
        if self.player is not None:
            self.state.message = "recording is for the viewer, not playback"
        else:
            self.recording.toggle(self.now())

    def _on_signal(self, signum, _frame):
        self.window.request_close()

    def _ring_scale(self):
        return ring_scale(self.renderer.size, self.state.ring_near_m)

    def _over_ring(self, x: float, y: float) -> bool:
        """Whether the cursor (window coordinates) is over the follow-focus ring."""
        sx, sy = self.window.pixel_scale
        return contains(ring_rect(self.renderer.size), x * sx, y * sy)

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
        path = unused_path(self.screenshot_dir, "dofviewer", ".png")
        try:
            write_png(path, self._screenshot_image())
        except DofError as exc:  # a full disk, a folder gone read-only: say so, keep going
            self.state.message = f"screenshot not saved: {exc}"
            print(f"dofviewer: warning: {exc}", file=sys.stderr)
            return
        self.screenshots.append(str(path))
        self.state.message = f"saved {path}"

    def _on_blur_clamped(self, message: str):
        self.state.message = message

    def _screenshot_image(self) -> np.ndarray:
        """A screenshot is offline output: the final preset, and :data:`OFFLINE_MSAA`
        multisamples unless ``--msaa`` said otherwise. Where the live window runs with
        fewer, the frame is drawn again on a renderer made for it (then released)."""
        settings = self._last_settings
        wanted = OFFLINE_MSAA if self._msaa_override is None else self._msaa_override
        if self.renderer.targets.msaa >= max(wanted, 1):
            if self.preview.drawn_quality == "preview":
                self.renderer.render(self.scene, settings)
                self.preview.drew("final")
            return self.renderer.read_image()
        offline = Renderer(self.ctx, self.renderer.size, self._supersample, wanted)
        try:
            offline.render(self.scene, settings)
            return offline.read_image()
        finally:
            offline.release()

    def _write_state_file(self, force=False):
        if self.state_file is None:
            return
        now = self.now()
        if not force and now - self._last_state_write < STATE_FILE_INTERVAL_S:
            return
        self._last_state_write = now
        snapshot = self.state.snapshot(now)
        snapshot.update(
            recording=str(self.recording.path) if self.recording.on else None,
            playback_time_s=self.player.time_s if self.player else None,
            frames=self._frames,
            drawn_frames=self._drawn_frames,
            frame_ms=round(self._frame_ms, 3),
            quality=self.preview.drawn_quality,
            framebuffer_size=list(self.renderer.size),
            hud={name: list(rect) for name, rect in self.hud.panels.items()},
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
