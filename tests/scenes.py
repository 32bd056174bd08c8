"""Small crafted scenes for measuring the blur, built in code so each test says what it
sets up. Light is ambient-only (radiance = albedo) so pixel values are exact."""

from __future__ import annotations

import json

from dofviewer.scene import Scene, parse_scene

FLAT_LIGHT = {"color": [0, 0, 0], "ambient": [1, 1, 1]}


def lens_camera(focus_m: float, focal_mm=85.0, f_stop=1.4, blades=0, rotation=0.0) -> dict:
    return {
        "position": [0, 0, 0],
        "look_at": [0, 0, -1],
        "focal_length_mm": focal_mm,
        "f_stop": f_stop,
        "focus_distance_m": focus_m,
        "aperture_blades": blades,
        "blade_rotation_deg": rotation,
    }


def card(depth_m: float, **fields) -> dict:
    """A huge plane facing the camera at ``depth_m``."""
    return {
        "name": fields.pop("name", "card"),
        "shape": "plane",
        "position": fields.pop("position", [0, 0, -depth_m]),
        "size": fields.pop("size", [200, 200]),
        "rotation_deg": [90, 0, 0],
        **fields,
    }


def build(camera: dict, objects: list[dict], background=(0, 0, 0)) -> Scene:
    data = {
        "camera": camera,
        "background": list(background),
        "light": FLAT_LIGHT,
        "objects": objects,
    }
    return parse_scene(json.dumps(data), "<test scene>")


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
