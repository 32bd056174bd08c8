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
    ("Click", "pull focus there (sky: inf)"),
    ("Drag ring", "turn focus by hand"),
    ("Wheel", "nudge focus (over ring: turn)"),
    ("Right drag", "orbit the camera"),
    ("Middle drag", "pan the camera"),
    ("Shift+wheel", "dolly the camera"),
)

#: Short, so the help fits three columns across a 640-pixel window.
_DESCRIPTIONS: dict[Name, str] = {
    Name.CYCLE_TARGET: "next / previous object",
    Name.RECALL_MARK: "pull to a stored mark",
    Name.STORE_MARK: "store focus as a mark",
    Name.NUDGE: "nudge focus far / near",
    Name.TOGGLE_TRACKING: "track the moving target",
    Name.F_STOP: "close / open one full stop",
    Name.FOCAL_LENGTH: "longer / shorter lens",
    Name.BLADES: "more / fewer blades",
    Name.EASING: "next easing curve",
    Name.DURATION: "longer / shorter pulls",
    Name.DEBUG_VIEW: "view: image, depth, CoC",
    Name.FOCUS_PEAKING: "focus peaking",
    Name.RESET_CAMERA: "reset the camera",
    Name.CYCLE_SHOT: "next / previous camera",
    Name.HELP: "this help",
    Name.SCREENSHOT: "save a PNG screenshot",
    Name.RECORD: "record the pull on / off",
    Name.PLAY_PAUSE: "pause / resume animation",
    Name.SCRUB: "scrub playback (Shift fine)",
    Name.SCRUB_START: "playback to the start",
    Name.QUIT: "quit",
}

#: Keys shown shorter than the bindings' list of them.
_HELP_KEYS = {Name.SCRUB: "Left Right", Name.DURATION: "Shift+] [",
              Name.CYCLE_TARGET: "Tab, Shift+Tab"}


#: The help overlay's groups, in order; every bound action is in exactly one.
HELP_GROUPS: tuple[tuple[str, tuple[Name, ...]], ...] = (
    ("Focus", (Name.CYCLE_TARGET, Name.RECALL_MARK, Name.STORE_MARK, Name.NUDGE,
               Name.TOGGLE_TRACKING, Name.EASING, Name.DURATION)),
    ("Lens", (Name.F_STOP, Name.FOCAL_LENGTH, Name.BLADES)),
    ("Camera", (Name.RESET_CAMERA, Name.CYCLE_SHOT)),
    ("Views", (Name.DEBUG_VIEW, Name.FOCUS_PEAKING, Name.HELP, Name.QUIT)),
    ("Recording", (Name.RECORD, Name.SCREENSHOT, Name.PLAY_PAUSE, Name.SCRUB,
                   Name.SCRUB_START)),
)  # fmt: skip


def help_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(keys, description), ...]) for each group of the help overlay, the
    mouse last: generated from the bindings, so a new key shows up in its group."""
    keys_for: dict[str, list[str]] = {}
    for b in BINDINGS:
        names = keys_for.setdefault(b.action.name, [])
        if b.keys not in names:
            names.append(b.keys)
    groups = [
        (title, [(_HELP_KEYS.get(n, " ".join(keys_for[n])), _DESCRIPTIONS[n]) for n in names])
        for title, names in HELP_GROUPS
    ]
    return [*groups, ("Mouse", list(MOUSE_HELP))]
