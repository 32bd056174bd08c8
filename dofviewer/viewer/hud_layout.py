"""Where the HUD's panels go in a window, and the follow-focus ring's scale. No GL.

Rectangles are (left, top, width, height) in window pixels from the top left. The window
hit-tests the ring with the same numbers the HUD draws it from, and tests read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MARGIN = 8
#: The follow-focus ring: a strip along the bottom of the window.
RING_HEIGHT = 62
RING_MAX_WIDTH = 760
#: Distances the ring may label, metres (it shows those that fit, infinity always).
RING_DISTANCES = (0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4,
                  0.5, 0.6, 0.7, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0,
                  15.0, 20.0, 30.0, 50.0, math.inf)  # fmt: skip
#: The ring's close end is the scene's starting focus over this (rounded down to a
#: labelled distance): a dioptre scale crowds far distances towards infinity, so a close
#: end near the subjects spreads them over the ring (1.5 m for the demo's 4.5 m).
RING_NEAR_FRACTION = 3.0
#: One wheel click over the ring turns it by this fraction of its length.
RING_WHEEL_FRACTION = 1.0 / 80.0


@dataclass(frozen=True)
class FocusScale:
    """A lens focus scale unrolled: ``near_m`` at the left end, infinity at the right,
    even in dioptres (1/distance) between, as a real ring's distances crowd towards
    infinity."""

    left: float
    width: float
    near_m: float

    def x_of(self, distance_m: float) -> float:
        d = 0.0 if math.isinf(distance_m) else 1.0 / max(distance_m, 1e-9)
        t = 1.0 - min(d * self.near_m, 1.0)
        return self.left + self.width * t

    def distance_at(self, x: float) -> float:
        t = min(max((x - self.left) / self.width, 0.0), 1.0)
        d = (1.0 - t) / self.near_m
        return math.inf if d <= 0.0 else 1.0 / d


def ring_near_m(start_focus_m: float) -> float:
    near = max(0.005, start_focus_m / RING_NEAR_FRACTION)
    return max((d for d in RING_DISTANCES if d <= near), default=near)


#: Windows lower than this show no ring: it would cover a third of the picture.
RING_MIN_WINDOW_HEIGHT = 300


def ring_rect(size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The ring's panel, or None in a window too small to give it room."""
    w, h = size
    if h < RING_MIN_WINDOW_HEIGHT or w < 200:
        return None
    width = min(w - 2 * MARGIN, RING_MAX_WIDTH)
    return ((w - width) // 2, h - MARGIN - RING_HEIGHT, width, RING_HEIGHT)


#: The scale inside the ring's panel: this far in from each end, for the end labels.
RING_INSET = 22


def ring_scale(size: tuple[int, int], near_m: float) -> FocusScale:
    left, _, width, _ = ring_rect(size)
    return FocusScale(left + RING_INSET, width - 2 * RING_INSET, near_m)


def ring_ticks(scale: FocusScale, label_width) -> list[float]:
    """The labelled distances that fit without overlapping, from infinity inwards;
    ``label_width(text)`` measures a label in pixels."""
    shown, last_left = [], math.inf
    for d in reversed(RING_DISTANCES):
        if d < scale.near_m:
            break
        x = scale.x_of(d)
        half = label_width(distance_label(d)) / 2 + 4
        if x + half <= last_left:
            shown.append(d)
            last_left = x - half
    return shown


def distance_label(d: float) -> str:
    """A ring label: 'inf', '2.5', '0.75' (metres, as engraved on a lens)."""
    return "inf" if math.isinf(d) else f"{d:g}"


def contains(rect, x: float, y: float) -> bool:
    if rect is None:
        return False
    left, top, width, height = rect
    return left <= x < left + width and top <= y < top + height


def intersects(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


# -- the help overlay ----------------------------------------------------------------

#: (font size, line height) from the largest: the help takes the largest that fits.
HELP_FONTS = ((13, 17), (12, 15), (11, 13), (10, 12))
HELP_PAD = 8
HELP_GAP = 14  # between columns
HELP_KEY_GAP = 8  # between a row's keys and its description
STATUS_FONT, STATUS_LINE = 13, 17


def font(size: int):
    from PIL import ImageFont

    return _FONTS.setdefault(size, ImageFont.load_default(size=size))


_FONTS: dict = {}


def status_rect(lines: list[str]) -> tuple[int, int, int, int]:
    """The status panel in the top left (its box, text inset 4 px)."""
    if not lines:
        return (MARGIN - 4, MARGIN - 3, 0, 0)
    width = int(max(font(STATUS_FONT).getlength(line) for line in lines)) + 9
    return (MARGIN - 4, MARGIN - 3, width, STATUS_LINE * len(lines) + 4)


@dataclass(frozen=True)
class HelpLayout:
    rect: tuple[int, int, int, int]
    font_size: int
    line_height: int
    #: per column: (x offset in the panel, keys width, rows); a row is
    #: ("group", title, "") or ("key", keys, description).
    columns: tuple[tuple[int, int, tuple[tuple[str, str, str], ...]], ...]
    title: str = "Keys and mouse (H or F1 closes this)"


def _columns(groups, n: int) -> list[list]:
    """Groups (kept whole, in order) into at most ``n`` columns, the tallest as short as
    can be (there are few groups: every split is tried)."""
    from itertools import combinations

    sizes = [len(rows) + 1 for _, rows in groups]
    best, best_height = [list(groups)], sum(sizes)
    for cuts in combinations(range(1, len(groups)), min(n, len(groups)) - 1):
        bounds = (0, *cuts, len(groups))
        height = max(sum(sizes[a:b]) for a, b in zip(bounds, bounds[1:]))  # noqa: B905
        if height < best_height:
            best_height = height
            best = [list(groups[a:b]) for a, b in zip(bounds, bounds[1:])]  # noqa: B905
    return best


def help_layout(groups, size: tuple[int, int], top: int, bottom: int) -> HelpLayout:
    """The largest font and fewest columns whose panel fits between ``top`` and
    ``bottom`` (window pixels: below the status panel, above the ring) and the window's
    width; centred there. At the smallest font it takes what room there is."""
    w, _ = size
    room_w, room_h = w - 2 * MARGIN, max(bottom - top, 0)
    best = None
    for font_size, line in HELP_FONTS:
        f = font(font_size)
        for n in range(1, 5):
            columns, x = [], HELP_PAD
            for groups_here in _columns(groups, n):
                rows = []
                for title, items in groups_here:
                    rows.append(("group", title, ""))
                    rows += [("key", keys, text) for keys, text in items]
                keys_w = int(max(f.getlength(r[1]) for r in rows if r[0] == "key")) + HELP_KEY_GAP
                text_w = int(max(f.getlength(r[2]) for r in rows))
                columns.append((x, keys_w, tuple(rows)))
                x += keys_w + text_w + HELP_GAP
            width = x - HELP_GAP + HELP_PAD
            height = HELP_PAD * 2 + line * (1 + max(len(c[2]) for c in columns))
            width = max(width, int(f.getlength(HelpLayout.title)) + 2 * HELP_PAD)
            layout = HelpLayout((0, 0, width, height), font_size, line, tuple(columns))
            if width <= room_w and height <= room_h:
                best = layout
                break
            if best is None or (font_size == HELP_FONTS[-1][0] and width <= room_w):
                fallback = layout
        if best:
            break
    layout = best or fallback
    _, _, width, height = layout.rect
    left = max(MARGIN, (w - width) // 2)
    upper = top + max(0, (room_h - height) // 2)
    return HelpLayout((left, upper, width, height), layout.font_size, layout.line_height,
                      layout.columns)  # fmt: skip
