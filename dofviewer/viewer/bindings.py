"""Keys and mouse buttons → viewer actions, in one table that also writes the help text.

Pure: takes GLFW key codes and modifier bits, returns an :class:`Action`. The window only
forwards events here, so the mapping tests without a window.
"""

from __future__ import annotations

from dataclasses import dataclass

import glfw

SHIFT, CTRL = glfw.MOD_SHIFT, glfw.MOD_CONTROL


@dataclass(frozen=True)
class Action:
    name: str
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
        out.append(Binding("1-9", key, 0, Action("recall_mark", n)))
        out.append(Binding("Ctrl+1-9", key, CTRL, Action("store_mark", n)))
    return out


BINDINGS: tuple[Binding, ...] = (
    Binding("Tab", glfw.KEY_TAB, 0, Action("cycle_target", +1)),
    Binding("Shift+Tab", glfw.KEY_TAB, SHIFT, Action("cycle_target", -1)),
    *_digits(),
    Binding("]", glfw.KEY_RIGHT_BRACKET, 0, Action("nudge", +1)),
    Binding("[", glfw.KEY_LEFT_BRACKET, 0, Action("nudge", -1)),
    Binding("F", glfw.KEY_F, 0, Action("toggle_tracking")),
    Binding(".", glfw.KEY_PERIOD, 0, Action("f_stop", +1)),
    Binding(",", glfw.KEY_COMMA, 0, Action("f_stop", -1)),
    Binding("=", glfw.KEY_EQUAL, 0, Action("focal_length", +1)),
    Binding("-", glfw.KEY_MINUS, 0, Action("focal_length", -1)),
    Binding("B", glfw.KEY_B, 0, Action("blades", +1)),
    Binding("Shift+B", glfw.KEY_B, SHIFT, Action("blades", -1)),
    Binding("E", glfw.KEY_E, 0, Action("easing", +1)),
    Binding("Shift+]", glfw.KEY_RIGHT_BRACKET, SHIFT, Action("duration", +1)),
    Binding("Shift+[", glfw.KEY_LEFT_BRACKET, SHIFT, Action("duration", -1)),
    Binding("D", glfw.KEY_D, 0, Action("debug_view", +1)),
    Binding("K", glfw.KEY_K, 0, Action("focus_peaking")),
    Binding("C", glfw.KEY_C, 0, Action("reset_camera")),
    Binding("V", glfw.KEY_V, 0, Action("cycle_shot", +1)),
    Binding("Shift+V", glfw.KEY_V, SHIFT, Action("cycle_shot", -1)),
    Binding("H", glfw.KEY_H, 0, Action("help")),
    Binding("F1", glfw.KEY_F1, 0, Action("help")),
    Binding("P", glfw.KEY_P, 0, Action("screenshot")),
    Binding("F12", glfw.KEY_F12, 0, Action("screenshot")),
    Binding("R", glfw.KEY_R, 0, Action("record")),
    Binding("Space", glfw.KEY_SPACE, 0, Action("play_pause")),
    Binding("Right", glfw.KEY_RIGHT, 0, Action("scrub", +10)),
    Binding("Left", glfw.KEY_LEFT, 0, Action("scrub", -10)),
    Binding("Shift+Right", glfw.KEY_RIGHT, SHIFT, Action("scrub", +1)),
    Binding("Shift+Left", glfw.KEY_LEFT, SHIFT, Action("scrub", -1)),
    Binding("Home", glfw.KEY_HOME, 0, Action("scrub_start")),
    Binding("Esc", glfw.KEY_ESCAPE, 0, Action("quit")),
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
    return Action("dolly", step) if mods & SHIFT else Action("nudge", step)


MOUSE_HELP = (
    ("Left click", "pull focus to the point under the cursor"),
    ("Wheel", "nudge focus (even steps in 1/distance)"),
    ("Right drag", "orbit the camera"),
    ("Middle drag", "pan the camera"),
    ("Shift+wheel", "dolly the camera"),
)

_DESCRIPTIONS = {
    "cycle_target": "focus on the next / previous object, near to far",
    "recall_mark": "pull focus to a stored mark",
    "store_mark": "store the current focus as a mark",
    "nudge": "nudge focus farther / nearer",
    "toggle_tracking": "tracking: keep focus locked on the target as it moves",
    "f_stop": "close / open the aperture one full stop",
    "focal_length": "longer / shorter focal length",
    "blades": "more / fewer aperture blades (0 = round)",
    "easing": "next easing curve for pulls",
    "duration": "longer / shorter pulls",
    "debug_view": "view: image, depth, signed CoC",
    "focus_peaking": "focus peaking overlay",
    "reset_camera": "reset the camera to the scene's",
    "cycle_shot": "next / previous camera of the model file",
    "help": "this help",
    "screenshot": "save a PNG screenshot (never overwrites)",
    "record": "start / stop recording the focus pull (autosaves)",
    "play_pause": "playback: pause / resume",
    "scrub": "playback: scrub 1 s (Shift: 0.1 s)",
    "scrub_start": "playback: back to the start",
    "quit": "quit",
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
