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
from typing import TYPE_CHECKING

from dofviewer.content.jsonreader import JsonReader, join, kind_of
from dofviewer.errors import DofError, ModelError, SceneError
from dofviewer.resources import asset_dir, demo_scene_path
from dofviewer.shot.camera import FAR_M, NEAR_M, CameraPose
from dofviewer.shot.lens import MIN_F_STOP, ThinLens, blade_count_problem

if TYPE_CHECKING:
    from dofviewer.content.model import Model

#: The aspect ratio a model's authored camera is fitted to when the caller names none
#: (the default render and window size, 960×540).
DEFAULT_ASPECT = 16 / 9

SHAPES = ("sphere", "box", "plane", "mesh")
TEXTURES = ("none", "checker")
#: Default edge length of one checker square, in object-local metres.
DEFAULT_CHECKER_SIZE_M = 0.25
#: Dark squares of the checker reflect this fraction of ``color``.
CHECKER_DARK_FACTOR = 0.1
#: Fields only a model (shape "mesh") takes, and those only the built-in shapes take: a
#: model brings its own size and materials.
MESH_ONLY = ("path", "scale")
PRIMITIVE_ONLY = ("radius", "size", "color", "emissive", "texture", "checker_size_m")

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
    #: shape "mesh": the loaded model, which of its mesh instances this object draws, and
    #: the scale the scene file gives it (position and rotation_deg place it as usual)
    model: Model | None = None
    instances: tuple[int, ...] = ()
    scale: Vec3 = (1.0, 1.0, 1.0)

    def position_at(self, time_s: float) -> Vec3:
        return self.animate.position_at(time_s) if self.animate else self.position


@dataclass(frozen=True)
class Light:
    """One directional key light plus a flat ambient term: enough to read shape."""

    direction: Vec3 = (-0.45, -1.0, -0.55)
    color: Vec3 = (1.0, 0.97, 0.92)
    ambient: Vec3 = (0.22, 0.24, 0.28)


@dataclass(frozen=True)
class Shot:
    """A camera authored in a model file: where it stands and its focal length on the
    36 mm-wide sensor (see dofviewer.content.model_scene for how yfov becomes one)."""

    name: str
    pose: CameraPose
    focal_length_mm: float


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
    #: near and far clip planes in metres: the near one shrinks for small models (a toy
    #: car seen from 3 cm), so depth keeps its precision at every scale
    clip_m: tuple[float, float] = (NEAR_M, FAR_M)
    #: cameras authored in a model file, in file order (the viewer's V cycles them)
    shots: tuple[Shot, ...] = ()

    def object_named(self, name: str) -> SceneObject:
        for obj in self.objects:
            if obj.name == name:
                return obj
        names = ", ".join(o.name for o in self.objects)
        raise KeyError(f"no object named '{name}' (objects: {names})")

    def index_of(self, name: str) -> int:
        return self.objects.index(self.object_named(name))


#: Files in assets/ that open by their bare name: scenes, and models.
BUNDLED_SUFFIXES = (".json", ".glb", ".gltf", ".obj")


def bundled_scenes() -> dict[str, Path]:
    """Bundled scenes and models by name (``demo``, ``tracking``, ``toycar``)."""
    return {
        p.stem: p for p in sorted(asset_dir().iterdir()) if p.suffix.lower() in BUNDLED_SUFFIXES
    }


def bundled_scene_names() -> list[str]:
    return sorted(bundled_scenes())


def resolve_scene_path(path: str | Path | None) -> Path:
    """The file a scene argument names: a path, a bundled name, or the demo for None."""
    if path is None:
        return demo_scene_path()
    if not Path(path).exists() and str(path) in bundled_scenes():
        return bundled_scenes()[str(path)]
    return Path(path)


def load_scene(path: str | Path | None = None, *, aspect: float = DEFAULT_ASPECT,
               camera: str | int | None = None) -> Scene:  # fmt: skip
    """Load and validate a scene file or a model; the bundled demo when ``path`` is None.

    A bare name that is no file but names a bundled scene (``demo``, ``tracking``,
    ``toycar``) loads that one, so ``dofviewer view tracking`` works from any folder.
    A .gltf, .glb or .obj opens as its own scene (dofviewer.content.model_scene):
    ``aspect`` (width / height of the render) fits its authored camera's field of view,
    and ``camera`` picks one of its cameras by name or index.
    """
    path = resolve_scene_path(path)
    from dofviewer.content import is_model_path, load_model

    if is_model_path(path):
        from dofviewer.content.model_scene import scene_from_model

        return scene_from_model(load_model(path), aspect=aspect, camera=camera)
    if camera is not None:
        raise DofError(f"--camera: {path} is a scene file with one camera; --camera picks "
                       "among a glTF model's cameras")  # fmt: skip
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SceneError(source, "", f"cannot read scene file ({exc.strerror})") from None
    return parse_scene(text, source, path.parent)


def parse_scene(text: str, source: str = "<scene>", base_dir: Path | None = None) -> Scene:
    """``base_dir``: where mesh objects' paths are relative to (the scene file's folder;
    the working directory by default)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SceneError(
            source, f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
        ) from None
    return _SceneReader(source, base_dir or Path.cwd()).scene(data)


class _SceneReader(JsonReader):
    """Walks the JSON tree, converting and checking each field where it is found."""

    error = SceneError

    def __init__(self, source: str, base_dir: Path):
        super().__init__(source)
        self.base_dir = base_dir

    # -- sections --------------------------------------------------------------------

    def scene(self, data) -> Scene:
        data = self.table(
            data, "", ("camera", "background", "objects", "light", "exposure_ev", "comment")
        )
        pose, lens, focus = self.camera(data.get("camera"))
        objects = self.objects(data.get("objects"))
        light = self.light(data.get("light", {}))
        models = [o for o in objects if o.model is not None]
        clip = (NEAR_M, FAR_M)
        if models:
            from dofviewer.content.model_scene import near_clip_m

            sizes = [o.model.size_m * min(o.scale) for o in models]
            clip = (near_clip_m(min(sizes)), FAR_M)
        return Scene(
            camera=pose,
            lens=lens,
            focus_distance_m=focus,
            objects=objects,
            background=self.vector(data, "background", "", (0.02, 0.02, 0.03), at_least=0),
            light=light,
            exposure_ev=self.number(data, "exposure_ev", "", 0.0),
            source=self.source,
            clip_m=clip,
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
        problem = blade_count_problem(blades)
        if problem:
            self.fail("camera.aperture_blades", problem)
        lens = ThinLens(
            focal_length_mm=focal,
            f_stop=self.number(cam, "f_stop", "camera", 2.8, at_least=MIN_F_STOP),
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
            "texture", "checker_size_m", "rotation_deg", "animate", "comment", "path", "scale",
        )  # fmt: skip
        item = self.table(item, where, known)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            self.fail(join(where, "name"), "must be a non-empty string")
        shape = self.choice(item, "shape", where, SHAPES)
        for key in MESH_ONLY if shape != "mesh" else PRIMITIVE_ONLY:
            if key in item:
                self.fail(join(where, key), f"does not apply to shape '{shape}'")
        if shape == "mesh":
            return self.mesh_object(item, where, name)
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

    def mesh_object(self, item, where, name) -> SceneObject:
        """A model placed in the scene: loaded once however often it is placed."""
        from dofviewer.content import load_model

        path = item.get("path")
        if not isinstance(path, str) or not path.strip():
            self.fail(join(where, "path"), "must be the path of a .gltf, .glb or .obj file")
        try:
            model = load_model(self.base_dir / path)
        except ModelError as exc:
            self.fail(join(where, "path"), str(exc))
        scale = item.get("scale", 1.0)
        if isinstance(scale, (int, float)) and not isinstance(scale, bool):
            scale = (self.number(item, "scale", where, above=0),) * 3
        else:
            scale = self.vector(item, "scale", where, above=0)
        return SceneObject(
            name=name,
            shape="mesh",
            position=self.vector(item, "position", where),
            rotation_deg=self.vector(item, "rotation_deg", where, (0.0, 0.0, 0.0)),
            animate=self.animation(item["animate"], join(where, "animate"))
            if "animate" in item
            else None,
            model=model,
            instances=tuple(range(len(model.instances))),
            scale=scale,
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
