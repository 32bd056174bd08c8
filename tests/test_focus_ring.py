"""The follow-focus ring in the real window (Xvfb, xdotool): dragging it pulls focus the
way a lens turns, and the witness marks are drawn where their distances are on the scale
(read back from the window's pixels)."""

import math

import numpy as np
import pytest

from dofviewer.viewer.hud import MARK_COLOR
from dofviewer.viewer.hud_layout import RING_INSET

SIZE = (640, 360)


def ring_x(state, distance_m):
    """Where a distance sits on the ring, from the state file's ring rectangle, by the
    dioptre scale written out here: the close end at the left, infinity at the right."""
    left, _, width, _ = state["hud"]["ring"]
    t = 1.0 - state["ring_near_m"] / distance_m
    return left + RING_INSET + (width - 2 * RING_INSET) * t


def drag(app, x0, y, dx, steps=8):
    app._xdotool("mousemove", "--window", app.window, "--sync", str(x0), str(y))
    app._xdotool("mousedown", "1")
    for i in range(1, steps + 1):
        app._xdotool("mousemove", "--window", app.window, "--sync",
                     str(round(x0 + dx * i / steps)), str(y))  # fmt: skip
    app._xdotool("mouseup", "1")


def test_dragging_the_ring_pulls_focus_by_hand(viewer):
    app = viewer(size=SIZE)
    start = app.wait_until(lambda s: "ring" in s["hud"], what="the ring")
    left, top, width, height = start["hud"]["ring"]
    x0 = round(ring_x(start, start["focus_target_m"]))
    drag(app, x0, top + height // 2, +80)
    farther = app.wait_until(lambda s: s["focus_target_m"] > start["focus_target_m"] * 1.2,
                             what="a drag to the right to pull focus farther")  # fmt: skip
    assert farther["target"] is None and "by hand" in farther["message"]
    # Where the drag ended on the scale is where focus went (the ring follows the hand).
    expected = start["ring_near_m"] / (1 - (x0 + 80 - left - RING_INSET) / (width - 2 * RING_INSET))
    assert farther["focus_target_m"] == pytest.approx(expected, rel=0.03)
    drag(app, x0 + 80, top + height // 2, -160)
    end = start["ring_near_m"] / (1 - (x0 - 80 - left - RING_INSET) / (width - 2 * RING_INSET))
    nearer = app.wait_until(lambda s: s["focus_target_m"] == pytest.approx(end, rel=0.03),
                            what="a drag to the left to pull focus nearer")  # fmt: skip
    assert nearer["focus_target_m"] < start["focus_target_m"] < farther["focus_target_m"]
    # The wheel over the ring turns it too: up is farther.
    before = nearer["focus_target_m"]
    app._xdotool("mousemove", "--window", app.window, "--sync", str(x0), str(top + 10))
    app._xdotool("click", "4")
    app.wait_until(lambda s: s["focus_target_m"] > before, what="the wheel over the ring")


def test_marks_are_drawn_on_the_ring_at_their_distances(viewer):
    app = viewer(size=SIZE)
    for slot in ("1", "2", "3"):
        app.key("Tab")
        app.wait_until(lambda s: s["target"] and not s["pulling"], timeout=20, what="Tab")
        app.key(f"ctrl+{slot}")
    # The marks list stays on screen (a title and a line a mark), not only in a message.
    state = app.wait_until(lambda s: len(s["marks"]) == 3 and s["hud"].get("marks", [0] * 4)[3]
                           == 17 * 4 + 4, what="three marks listed")  # fmt: skip
    pixels = app.window_pixels().astype(int)
    left, top, width, _ = state["hud"]["ring"]
    # The witness strokes: rows 27-34 of the ring panel (under the scale, above labels).
    band = pixels[top + 28 : top + 34, left : left + width]
    yellow = (np.abs(band - np.array(MARK_COLOR[:3])).max(axis=2) < 12).all(axis=0)
    columns = np.flatnonzero(yellow) + left
    clusters = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    drawn = sorted(float(c.mean()) for c in clusters if len(c))
    distances = sorted(m["distance_m"] for m in state["marks"].values())
    expected = sorted(ring_x(state, d) for d in distances)
    assert len(drawn) == len(set(round(x) for x in expected)), (drawn, expected)
    for x, want in zip(drawn, expected, strict=True):
        assert abs(x - want) <= 2.0, (drawn, expected)
    assert all(math.isfinite(d) for d in distances)


def test_help_overlay_fits_640x360_and_leaves_the_hud_visible(viewer):
    """The real window's HUD layout (from the state file) with the help open."""
    from dofviewer.viewer.hud_layout import intersects

    app = viewer(size=SIZE)
    app.key("h")
    hud = app.wait_until(lambda s: "help" in s["hud"], what="the help overlay")["hud"]
    left, top, width, height = hud["help"]
    assert left >= 0 and top >= 0 and left + width <= SIZE[0] and top + height <= SIZE[1]
    assert not intersects(hud["help"], hud["status"]) and not intersects(hud["help"], hud["ring"])
    pixels = app.window_pixels()
    # The panel is drawn where the layout says: dark, with the group titles' blue in it.
    panel = pixels[top : top + height, left : left + width].astype(int)
    blue = (panel[..., 2] > 200) & (panel[..., 0] < 160)
    assert blue.sum() > 50
