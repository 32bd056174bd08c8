"""Small scenes built to expose the hard spots of a gather: the quality benchmark's
crafted cases. Flat ambient light (radiance = albedo) keeps pixel values exact."""

from __future__ import annotations

import json

from dofviewer.content.scene import Scene, parse_scene

#: Flat ambient light: the radiance of a surface is its albedo, so values are exact.
FLAT_LIGHT = {"color": [0, 0, 0], "ambient": [1, 1, 1]}
DARK_SKY = [0.02, 0.02, 0.03]


def lens_camera(focus_m: float, focal_mm=85.0, f_stop=1.4, blades=0, rotation=0.0,
                **camera) -> dict:  # fmt: skip
    """A scene file's camera at the origin looking down −z (the crafted cases' lens:
    85 mm f/1.4 on a 36 mm sensor unless given)."""
    return {
        "position": [0, 0, 0],
        "look_at": [0, 0, -1],
        "focal_length_mm": focal_mm,
        "f_stop": f_stop,
        "focus_distance_m": focus_m,
        "aperture_blades": blades,
        "blade_rotation_deg": rotation,
        **camera,
    }


def card(depth_m: float, **fields) -> dict:
    """A huge plane facing the camera at ``depth_m`` (a scene file's object)."""
    return {
        "name": fields.pop("name", "card"),
        "shape": "plane",
        "position": fields.pop("position", [0, 0, -depth_m]),
        "size": fields.pop("size", [200, 200]),
        "rotation_deg": [90, 0, 0],
        **fields,
    }


def build(camera: dict, objects: list[dict], background=DARK_SKY, name="crafted") -> Scene:
    """A scene under FLAT_LIGHT from a camera and objects as a scene file writes them."""
    data = {"camera": camera, "background": list(background), "light": FLAT_LIGHT,
            "objects": objects}  # fmt: skip
    return parse_scene(json.dumps(data), f"<{name}>")


def _scene(name: str, focus_m: float, objects: list, **camera) -> Scene:
    return build(lens_camera(focus_m, **camera), objects, name=f"crafted: {name}")


def halo() -> Scene:
    """A thin in-focus post in front of a far, strongly blurred, bright checker wall."""
    return _scene("halo", 2.0, [
        {"name": "post", "shape": "box", "position": [0, 0, -2], "size": [0.04, 3, 0.04],
         "color": [0.1, 0.1, 0.1]},
        card(30, name="wall", color=[1, 1, 1], emissive=[1, 1, 1], texture="checker",
             checker_size_m=2.5),
    ])  # fmt: skip


def near_bleed() -> Scene:
    """A blurred near bar over an in-focus checker wall."""
    return _scene("near-bleed", 3.0, [
        {"name": "bar", "shape": "box", "position": [0.15, 0, -1.2], "size": [0.12, 3, 0.05],
         "color": [0.9, 0.3, 0.1]},
        card(3, name="wall", color=[0.9, 0.9, 0.9], texture="checker", checker_size_m=0.2),
    ])  # fmt: skip


def bokeh() -> Scene:
    """A far bright light, far out of focus, over a dark background. It spans a few
    pixels so that 256 reference samples overlap into a smooth disc rather than a
    scatter of points."""
    return _scene("bokeh", 1.0, [
        {"name": "lamp", "shape": "sphere", "position": [0, 0, -8], "radius": 0.04,
         "color": [0, 0, 0], "emissive": [8, 6.5, 4.5]},
    ])  # fmt: skip


def receding_floor() -> Scene:
    """A checker floor running through the focus plane: a continuous CoC gradient."""
    return _scene("floor", 3.0, [
        {"name": "floor", "shape": "plane", "position": [0, -0.6, -20], "size": [20, 40],
         "color": [0.9, 0.9, 0.9], "texture": "checker", "checker_size_m": 0.25},
    ], look_at=[0, -0.25, -1])  # fmt: skip


def occluder() -> Scene:
    """A wide dark card in focus over a bright, uniform, strongly blurred wall: the wall
    must stay uniform right up to the card's silhouette (a thin post, as in the halo
    case, hides the dark fringe a wide one shows)."""
    return _scene("occluder", 2.0, [
        {"name": "card", "shape": "box", "position": [-1.0, 0, -2], "size": [2.0, 3, 0.02],
         "color": [0.05, 0.05, 0.05]},
        card(30, name="wall", color=[1, 1, 1], emissive=[1, 1, 1]),
    ])  # fmt: skip


def blurred_card() -> Scene:
    """The other way round: a wide dark card far in front of focus over a bright,
    uniform, sharp wall. Its blurred edge must fade into the wall with no bright rim."""
    return _scene("blurred-card", 3.0, [
        {"name": "card", "shape": "box", "position": [-0.6, 0, -1.2], "size": [1.2, 3, 0.02],
         "color": [0.05, 0.05, 0.05]},
        card(3, name="wall", color=[0.8, 0.8, 0.8]),
    ])  # fmt: skip


CRAFTED = {"halo": halo, "near-bleed": near_bleed, "bokeh": bokeh, "floor": receding_floor,
           "occluder": occluder, "blurred-card": blurred_card}  # fmt: skip
#: The wide-occluder cases: the card's silhouette is its right edge, at the frame's centre.
SILHOUETTE_CASES = ("occluder", "blurred-card")
