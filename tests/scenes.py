"""Small crafted scenes for measuring the blur, built in code so each test says what it
sets up. The builders are the quality benchmark's (dofviewer/measurement/crafted.py); light is
ambient-only (radiance = albedo) so pixel values are exact, and the sky is black."""

from __future__ import annotations

from dofviewer.content.scene import Scene
from dofviewer.measurement import crafted
from dofviewer.measurement.crafted import FLAT_LIGHT, card, lens_camera

__all__ = ["FLAT_LIGHT", "build", "card", "checker_card_scene", "lens_camera"]


def build(camera: dict, objects: list[dict], background=(0, 0, 0)) -> Scene:
    return crafted.build(camera, objects, background, name="test scene")


def checker_card_scene(depth_m: float, focus_m: float, **lens) -> Scene:
    """A camera-facing card whose 4 m checker puts one vertical edge at the image centre,
    with the centre row in the middle of a square."""
    square = 4.0
    return build(
        lens_camera(focus_m, **lens),
        [
            card(
                depth_m,
                position=[0, square / 2, -depth_m],
                color=[1, 1, 1],
                texture="checker",
                checker_size_m=square,
            )
        ],
    )
