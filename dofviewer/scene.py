"""Scene files: JSON → validated, immutable dataclasses. Pure Python, no GL.

Every problem is reported as a :class:`~dofviewer.errors.SceneError` naming the file, the
field (``objects[2].radius``) and what is wrong, so a user can fix a hand-written scene
from one line. The format is documented in README.md ("Scene files").
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from dofviewer.camera import CameraPose
from dofviewer.errors import SceneError
from dofviewer.jsonreader import JsonReader, join, kind_of
from dofviewer.lens import ThinLens
from dofviewer.resources import asset_dir, demo_scene_path

SHAPES = ("sphere", "box", "plane")
TEXTURES = ("none", "checker")
#: Default edge length of one checker square, in object-local metres.
DEFAULT_CHECKER_SIZE_M = 0.25
#: Dark squares of the checker reflect this fraction of ``color``.
CHECKER_DARK_FACTOR = 0.1

Vec3 = tuple[float, float, float]


@dataclass(frozen=True)
class Animation:
    """A looping path through points, traversed at constant speed per segment."""

    path: tuple[Vec3, ...]
    period_s: float

    def position_at(self, time_s: float) -> Vec3:
        points = self.path
        if len(points) == 1:
            return points[0]
        phase = (time_s / self.period_s) % 1.0 * len(points)
        i = int(phase) % len(points)
        t = phase - int(phase)
        a, b = points[i], points[(i + 1) % len(points)]
        return tuple(a[k] + (b[k] - a[k]) * t for k in range(3))


@dataclass(frozen=True)
class SceneObject:
    name: str
    shape: str
    position: Vec3
    color: Vec3 = (0.8, 0.8, 0.8)
    emissive: Vec3 = (0.0, 0.0, 0.0)
    radius: float = 0.5
    size: Vec3 = (1.0, 1.0, 1.0)
    rotation_deg: Vec3 = (0.0, 0.0, 0.0)
    texture: str = "none"
    checker_size_m: float = DEFAULT_CHECKER_SIZE_M
    animate: Animation | None = None

    def position_at(self, time_s: float) -> Vec3:
        return self.animate.position_at(time_s) if self.animate else self.position


@dataclass(frozen=True)
class Light:
    """One directional key light plus a flat ambient term: enough to read shape."""

    direction: Vec3 = (-0.45, -1.0, -0.55)
    color: Vec3 = (1.0, 0.97, 0.92)
    ambient: Vec3 = (0.22, 0.24, 0.28)


@dataclass(frozen=True)
class Scene:
    camera: CameraPose
    lens: ThinLens
    focus_distance_m: float
    objects: tuple[SceneObject, ...]
    background: Vec3 = (0.02, 0.02, 0.03)
    light: Light = field(default_factory=Light)
    exposure_ev: float = 0.0
    source: str = "<scene>"

    def object_named(self, name: str) -> SceneObject:
        for obj in self.objects:
            if obj.name == name:
                return obj
        names = ", ".join(o.name for o in self.objects)
        raise KeyError(f"no object named '{name}' (objects: {names})")

    def index_of(self, name: str) -> int:
        return self.objects.index(self.object_named(name))


def bundled_scene_names() -> list[str]:
    return sorted(p.stem for p in asset_dir().glob("*.json"))


def load_scene(path: str | Path | None = None) -> Scene:
    """Load and validate a scene file; the bundled demo when ``path`` is None.

    A bare name that is no file but names a bundled scene (``demo``, ``tracking``)
    loads that one, so ``dofviewer view tracking`` works from any folder.
    """
    if path is None:
        path = demo_scene_path()
    elif not Path(path).exists() and str(path) in bundled_scene_names():
        path = asset_dir() / f"{path}.json"
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SceneError(source, "", f"cannot read scene file ({exc.strerror})") from None
    return parse_scene(text, source)


def parse_scene(text: str, source: str = "<scene>") -> Scene:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SceneError(
            source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    return _SceneReader(source).scene(data)


class _SceneReader(JsonReader):
    """Walks the JSON tree, converting and checking each field where it is found."""

    error = SceneError

    # -- sections --------------------------------------------------------------------

    def scene(self, data) -> Scene:
        data = self.table(
            data, "", ("camera", "background", "objects", "light", "exposure_ev", "comment")
        )
        pose, lens, focus = self.camera(data.get("camera"))
        objects = self.objects(data.get("objects"))
        light = self.light(data.get("light", {}))
        return Scene(
            camera=pose,
            lens=lens,
            focus_distance_m=focus,
            objects=objects,
            background=self.vector(data, "background", "", (0.02, 0.02, 0.03), at_least=0),
            light=light,
            exposure_ev=self.number(data, "exposure_ev", "", 0.0),
            source=self.source,
        )

    def camera(self, cam):
        if cam is None:
            self.fail("camera", "is required")
        known = (
            "position", "look_at", "up", "focal_length_mm", "sensor_width_mm", "f_stop",
            "focus_distance_m", "aperture_blades", "blade_rotation_deg",
        )  # fmt: skip
        cam = self.table(cam, "camera", known)
        position = self.vector(cam, "position", "camera")
        target = self.vector(cam, "look_at", "camera")
        up = self.vector(cam, "up", "camera", (0.0, 1.0, 0.0))
        forward = [t - p for t, p in zip(target, position, strict=True)]
        if math.hypot(*forward) < 1e-9:
            self.fail("camera.look_at", "must differ from camera.position")
        cross = _cross(forward, up)
        if math.hypot(*cross) < 1e-9 * math.hypot(*forward) * max(math.hypot(*up), 1e-30):
            self.fail("camera.up", "must not be zero or parallel to the view direction")
        focal = self.number(cam, "focal_length_mm", "camera", 50.0, above=0)
        blades = cam.get("aperture_blades", 0)
        if (
            isinstance(blades, bool)
            or not isinstance(blades, int)
            or not (blades == 0 or 3 <= blades <= 16)
        ):
            self.fail(
                "camera.aperture_blades", f"must be 0 (round) or an integer 3..16, got {blades!r}"
            )
        lens = ThinLens(
            focal_length_mm=focal,
            f_stop=self.number(cam, "f_stop", "camera", 2.8, above=0),
            sensor_width_mm=self.number(cam, "sensor_width_mm", "camera", 36.0, above=0),
            aperture_blades=blades,
            blade_rotation_deg=self.number(cam, "blade_rotation_deg", "camera", 0.0),
        )
        focus = self.number(cam, "focus_distance_m", "camera", 4.0)
        if focus <= focal * 1e-3:
            self.fail(
                "camera.focus_distance_m",
                f"must be beyond the focal length ({focal * 1e-3:g} m), got {focus:g}",
            )
        return CameraPose(position, target, up), lens, focus

    def objects(self, items) -> tuple[SceneObject, ...]:
        if items is None:
            self.fail("objects", "is required")
        if not isinstance(items, list):
            self.fail("objects", f"must be a list, got {kind_of(items)}")
        seen: dict[str, int] = {}
        objects = []
        for i, item in enumerate(items):
            obj = self.object(item, f"objects[{i}]")
            if obj.name in seen:
                self.fail(
                    f"objects[{i}].name",
                    f"duplicate name '{obj.name}' (also objects[{seen[obj.name]}])",
                )
            seen[obj.name] = i
            objects.append(obj)
        return tuple(objects)

    def object(self, item, where) -> SceneObject:
        known = (
            "name", "shape", "position", "radius", "size", "color", "emissive",
            "texture", "checker_size_m", "rotation_deg", "animate", "comment",
        )  # fmt: skip
        item = self.table(item, where, known)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(join(where, "name"), "must be a non-empty string")
        shape = self.choice(item, "shape", where, SHAPES)
        radius, size = 0.5, (1.0, 1.0, 1.0)
        if shape == "sphere":
            radius = self.number(item, "radius", where, above=0)
        elif shape == "box":
            size = self.vector(item, "size", where, above=0)
        else:
            w, d = self.vector(item, "size", where, length=2, above=0)
            size = (w, 0.0, d)
        return SceneObject(
            name=name,
            shape=shape,
            position=self.vector(item, "position", where),
            color=self.vector(item, "color", where, (0.8, 0.8, 0.8), at_least=0),
            emissive=self.vector(item, "emissive", where, (0.0, 0.0, 0.0), at_least=0),
            radius=radius,
            size=size,
            rotation_deg=self.vector(item, "rotation_deg", where, (0.0, 0.0, 0.0)),
            texture=self.choice(item, "texture", where, TEXTURES, "none"),
            checker_size_m=self.number(
                item, "checker_size_m", where, DEFAULT_CHECKER_SIZE_M, above=0
            ),
            animate=self.animation(item["animate"], join(where, "animate"))
            if "animate" in item
            else None,
        )

    def animation(self, anim, where) -> Animation:
        anim = self.table(anim, where, ("path", "period_s"))
        path = anim.get("path")
        if not isinstance(path, list) or not path:
            self.fail(join(where, "path"), "must be a non-empty list of [x, y, z] points")
        items = {str(i): p for i, p in enumerate(path)}
        points = tuple(self.vector(items, str(i), join(where, "path")) for i in range(len(path)))
        return Animation(points, self.number(anim, "period_s", where, above=0))

    def light(self, light) -> Light:
        light = self.table(light, "light", ("direction", "color", "ambient"))
        default = Light()
        direction = self.vector(light, "direction", "light", default.direction)
        if math.hypot(*direction) < 1e-9:
            self.fail("light.direction", "must not be zero")
        return Light(
            direction=direction,
            color=self.vector(light, "color", "light", default.color, at_least=0),
            ambient=self.vector(light, "ambient", "light", default.ambient, at_least=0),
        )


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
