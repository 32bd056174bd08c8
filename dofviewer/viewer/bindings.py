"""Keys and mouse buttons → viewer actions, in one table that also writes the help text.

Pure: takes GLFW key codes and modifier bits, returns an :class:`Action`. The window only
forwards events here, so the mapping tests without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import glfw

SHIFT, CTRL = glfw.MOD_SHIFT, glfw.MOD_CONTROL


class Name(StrEnum):
    """Every viewer action, named once: bindings, help text and the app's handlers all
    key on these, so a misspelt action fails at import, not on a key press."""

    CYCLE_TARGET = "cycle_target"
    RECALL_MARK = "recall_mark"
    STORE_MARK = "store_mark"
    NUDGE = "nudge"
    DOLLY = "dolly"
    TOGGLE_TRACKING = "toggle_tracking"
    F_STOP = "f_stop"
    FOCAL_LENGTH = "focal_length"
    BLADES = "blades"
    EASING = "easing"
    DURATION = "duration"
    DEBUG_VIEW = "debug_view"
    FOCUS_PEAKING = "focus_peaking"
    RESET_CAMERA = "reset_camera"
    CYCLE_SHOT = "cycle_shot"
    HELP = "help"
    SCREENSHOT = "screenshot"
    RECORD = "record"
    PLAY_PAUSE = "play_pause"
    SCRUB = "scrub"
    SCRUB_START = "scrub_start"
    QUIT = "quit"


@dataclass(frozen=True)
class Action:
    name: Name
    arg: int = 0


@dataclass(frozen=True)
class Binding:
    keys: str  # as shown in the help
    key: int
    mods: int
    action: Action


def _digits() -> list[Binding]:
    out = []
    for n in range(1, 10):
        key = getattr(glfw, f"KEY_{n}")
        out.append(Binding("1-9", key, 0, Action(Name.RECALL_MARK, n)))
        out.append(Binding("Ctrl+1-9", key, CTRL, Action(Name.STORE_MARK, n)))
    return out


BINDINGS: tuple[Binding, ...] = (
    Binding("Tab", glfw.KEY_TAB, 0, Action(Name.CYCLE_TARGET, +1)),
    Binding("Shift+Tab", glfw.KEY_TAB, SHIFT, Action(Name.CYCLE_TARGET, -1)),
    *_digits(),
    Binding("]", glfw.KEY_RIGHT_BRACKET, 0, Action(Name.NUDGE, +1)),
    Binding("[", glfw.KEY_LEFT_BRACKET, 0, Action(Name.NUDGE, -1)),
    Binding("F", glfw.KEY_F, 0, Action(Name.TOGGLE_TRACKING)),
    Binding(".", glfw.KEY_PERIOD, 0, Action(Name.F_STOP, +1)),
    Binding(",", glfw.KEY_COMMA, 0, Action(Name.F_STOP, -1)),
    Binding("=", glfw.KEY_EQUAL, 0, Action(Name.FOCAL_LENGTH, +1)),
    Binding("-", glfw.KEY_MINUS, 0, Action(Name.FOCAL_LENGTH, -1)),
    Binding("B", glfw.KEY_B, 0, Action(Name.BLADES, +1)),
    Binding("Shift+B", glfw.KEY_B, SHIFT, Action(Name.BLADES, -1)),
    Binding("E", glfw.KEY_E, 0, Action(Name.EASING, +1)),
    Binding("Shift+]", glfw.KEY_RIGHT_BRACKET, SHIFT, Action(Name.DURATION, +1)),
    Binding("Shift+[", glfw.KEY_LEFT_BRACKET, SHIFT, Action(Name.DURATION, -1)),
    Binding("D", glfw.KEY_D, 0, Action(Name.DEBUG_VIEW, +1)),
    Binding("K", glfw.KEY_K, 0, Action(Name.FOCUS_PEAKING)),
    Binding("C", glfw.KEY_C, 0, Action(Name.RESET_CAMERA)),
    Binding("V", glfw.KEY_V, 0, Action(Name.CYCLE_SHOT, +1)),
    Binding("Shift+V", glfw.KEY_V, SHIFT, Action(Name.CYCLE_SHOT, -1)),
    Binding("H", glfw.KEY_H, 0, Action(Name.HELP)),
    Binding("F1", glfw.KEY_F1, 0, Action(Name.HELP)),
    Binding("P", glfw.KEY_P, 0, Action(Name.SCREENSHOT)),
    Binding("F12", glfw.KEY_F12, 0, Action(Name.SCREENSHOT)),
    Binding("R", glfw.KEY_R, 0, Action(Name.RECORD)),
    Binding("Space", glfw.KEY_SPACE, 0, Action(Name.PLAY_PAUSE)),
    Binding("Right", glfw.KEY_RIGHT, 0, Action(Name.SCRUB, +10)),
    Binding("Left", glfw.KEY_LEFT, 0, Action(Name.SCRUB, -10)),
    Binding("Shift+Right", glfw.KEY_RIGHT, SHIFT, Action(Name.SCRUB, +1)),
    Binding("Shift+Left", glfw.KEY_LEFT, SHIFT, Action(Name.SCRUB, -1)),
    Binding("Home", glfw.KEY_HOME, 0, Action(Name.SCRUB_START)),
    Binding("Esc", glfw.KEY_ESCAPE, 0, Action(Name.QUIT)),
)

_BY_KEY = {(b.key, b.mods): b.action for b in BINDINGS}
_MODS_THAT_MATTER = SHIFT | CTRL


def action_for_key(key: int, mods: int) -> Action | None:
    """The action for a key press, ignoring Caps Lock, Num Lock, Alt and Super."""
    return _BY_KEY.get((key, mods & _MODS_THAT_MATTER))


def action_for_scroll(y_offset: float, mods: int) -> Action | None:
    """Wheel nudges focus; Shift+wheel dollies the camera."""
    if y_offset == 0:
        return None
    step = 1 if y_offset > 0 else -1
    return Action(Name.DOLLY, step) if mods & SHIFT else Action(Name.NUDGE, step)


MOUSE_HELP = (
    ("Left click", "pull focus to the point under the cursor"),
    ("Wheel", "nudge focus (even steps in 1/distance)"),
    ("Right drag", "orbit the camera"),
    ("Middle drag", "pan the camera"),
    ("Shift+wheel", "dolly the camera"),
)

_DESCRIPTIONS: dict[Name, str] = {
    Name.CYCLE_TARGET: "focus on the next / previous object, near to far",
    Name.RECALL_MARK: "pull focus to a stored mark",
    Name.STORE_MARK: "store the current focus as a mark",
    Name.NUDGE: "nudge focus farther / nearer",
    Name.TOGGLE_TRACKING: "tracking: keep focus locked on the target as it moves",
    Name.F_STOP: "close / open the aperture one full stop",
    Name.FOCAL_LENGTH: "longer / shorter focal length",
    Name.BLADES: "more / fewer aperture blades (0 = round)",
    Name.EASING: "next easing curve for pulls",
    Name.DURATION: "longer / shorter pulls",
    Name.DEBUG_VIEW: "view: image, depth, signed CoC",
    Name.FOCUS_PEAKING: "focus peaking overlay",
    Name.RESET_CAMERA: "reset the camera to the scene's",
    Name.CYCLE_SHOT: "next / previous camera of the model file",
    Name.HELP: "this help",
    Name.SCREENSHOT: "save a PNG screenshot (never overwrites)",
    Name.RECORD: "start / stop recording the focus pull (autosaves)",
    Name.PLAY_PAUSE: "playback: pause / resume",
    Name.SCRUB: "playback: scrub 1 s (Shift: 0.1 s)",
    Name.SCRUB_START: "playback: back to the start",
    Name.QUIT: "quit",
}


def help_lines() -> list[tuple[str, str]]:
    """(keys, description) rows for the help overlay, one per action, in table order."""
    keys_for: dict[str, list[str]] = {}
    for b in BINDINGS:
        names = keys_for.setdefault(b.action.name, [])
        if b.keys not in names:
            names.append(b.keys)
    rows = [(" ".join(keys), _DESCRIPTIONS[name]) for name, keys in keys_for.items()]
    return rows + list(MOUSE_HELP)
