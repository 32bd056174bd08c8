"""Scene files: JSON → validated, immutable dataclasses. Pure Python, no GL.

Every problem is reported as a :class:`~dofviewer.errors.SceneError` naming the file, the
field (``objects[2].radius``) and what is wrong, so a user can fix a hand-written scene
from one line. The format is documented in README.md ("Scene files").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dofviewer.content.jsonreader import JsonReader, join, kind_of, loads
from dofviewer.errors import DofError, ModelError, SceneError
from dofviewer.fileio import exists, read_text_file
from dofviewer.resources import asset_dir, demo_scene_path
from dofviewer.shot.camera import FAR_M, NEAR_M, CameraPose
from dofviewer.shot.lens import MAX_OBJECTS, MAX_PATH_POINTS, ThinLens, blade_count_problem
from dofviewer.shot.presets import Prime, prime_named, sensor_named

if TYPE_CHECKING:
    from dofviewer.content.model import Model
    from dofviewer.content.photo import Photo, PhotoOptions

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
ZERO3: Vec3 = (0.0, 0.0, 0.0)


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
    #: an RGB-D photo (dofviewer.content.photo) drawn instead of the objects, which are
    #: then its depth layers (for clicks, Tab and --focus-on)
    photo: Photo | None = None

    def object_named(self, name: str) -> SceneObject:
        for obj in self.objects:
            if obj.name == name:
                return obj
        names = ", ".join(o.name for o in self.objects)
        raise KeyError(f"no object named '{name}' (objects: {names})")

    def index_of(self, name: str) -> int:
        return self.objects.index(self.object_named(name))


PHOTO_SUFFIXES_TEXT = (".png", ".jpg", ".tif")
#: Files in assets/ that open by their bare name: scenes, and models.
BUNDLED_SUFFIXES = (".json", ".glb", ".gltf", ".obj")


def bundled_scenes() -> dict[str, Path]:
    """Bundled scenes and models by name (``demo``, ``tracking``, ``toycar``)."""
    return {
        p.stem: p for p in sorted(asset_dir().iterdir()) if p.suffix.lower() in BUNDLED_SUFFIXES
    }


def bundled_scene_names() -> list[str]:
    return sorted(bundled_scenes())


def bundled_name(path: str | Path | None) -> str | None:
    """The bundled scene an argument names, if it is no file: ``demo`` or ``demo.json``."""
    if path is None or isinstance(path, (dict, Scene)) or exists(path):
        return None
    bundled, text = bundled_scenes(), str(path)
    if text in bundled:
        return text
    stem = Path(text).stem
    if stem in bundled and bundled[stem].name.lower() == text.lower():
        return stem
    return None


def resolve_scene_path(path: str | Path | None) -> Path:
    """The file a scene argument names: a path, a bundled name (with or without its
    suffix), or the demo for None."""
    if path is None:
        return demo_scene_path()
    name = bundled_name(path)
    return bundled_scenes()[name] if name else Path(path)


def load_scene(path: str | Path | None = None, *, aspect: float = DEFAULT_ASPECT,
               camera: str | int | None = None,
               photo: PhotoOptions | None = None) -> Scene:  # fmt: skip
    """Load and validate a scene file or a model; the bundled demo when ``path`` is None.

    A bare name that is no file but names a bundled scene (``demo``, ``tracking``,
    ``toycar``) loads that one, so ``dofviewer view tracking`` works from any folder.
    A .gltf, .glb or .obj opens as its own scene (dofviewer.content.model_scene):
    ``aspect`` (width / height of the render) fits its authored camera's field of view,
    and ``camera`` picks one of its cameras by name or index. A .png, .jpg or .tif is
    a photo: ``photo`` (dofviewer.content.photo.PhotoOptions) names its depth map.
    """
    if isinstance(path, Scene):
        return path
    if isinstance(path, dict):  # a scene in memory, as a notebook builds one
        return _SceneReader("<scene dict>", Path.cwd()).scene(path)
    if path is not None and not isinstance(path, (str, Path)):
        raise DofError(f"load_scene: expected a path, a scene name, a dict or a Scene, got "
                       f"{type(path).__name__}")  # fmt: skip
    path = resolve_scene_path(path)
    from dofviewer.content import is_model_path, load_model
    from dofviewer.content.photo import PhotoOptions, is_photo_path, load_photo, scene_from_photo

    if is_photo_path(path):
        if camera is not None:
            raise DofError(f"--camera: {path} is a photo; its camera is its own")
        return scene_from_photo(load_photo(path, photo or PhotoOptions()))
    if photo is not None and photo.depth is not None:
        raise DofError(f"--depth: {path} is not a photo ({', '.join(PHOTO_SUFFIXES_TEXT)})")

    if is_model_path(path):
        from dofviewer.content.model_scene import scene_from_model

        return scene_from_model(load_model(path), aspect=aspect, camera=camera)
    if camera is not None:
        raise DofError(f"--camera: {path} is a scene file with one camera; --camera picks "
                       "among a glTF model's cameras")  # fmt: skip
    text = read_text_file(path, "scene file", SceneError)
    return parse_scene(text, str(path), path.parent)


def parse_scene(text: str, source: str = "<scene>", base_dir: Path | None = None) -> Scene:
    """``base_dir``: where mesh objects' paths are relative to (the scene file's folder;
    the working directory by default)."""
    data = loads(text, SceneError, source)
    if isinstance(data, dict) and "photo" in data:
        # A scene file that names a photo (assets/photo.json): paths beside it.
        from dofviewer.content.photo import load_photo, read_photo_scene, scene_from_photo

        photo, options = read_photo_scene(_SceneReader(source, Path()), data, "").resolved(
            base_dir or Path.cwd()
        )
        return scene_from_photo(load_photo(photo, options))
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
            background=self.vector(data, "background", "", (0.02, 0.02, 0.03), rule="color"),
            light=light,
            exposure_ev=self.number(data, "exposure_ev", "", 0.0, rule="exposure_ev"),
            source=self.source,
            clip_m=clip,
        )

    def camera(self, cam):
        if cam is None:
            self.fail("camera", "is required")
        known = (
            "position", "look_at", "up", "focal_length_mm", "sensor_width_mm", "f_stop",
            "focus_distance_m", "aperture_blades", "blade_rotation_deg", "sensor",
            "sensor_height_mm", "lens",
        )  # fmt: skip
        cam = self.table(cam, "camera", known)
        position = self.vector(cam, "position", "camera", rule="coordinate_m")
        target = self.vector(cam, "look_at", "camera", rule="coordinate_m")
        up = self.vector(cam, "up", "camera", (0.0, 1.0, 0.0), rule="coordinate_m")
        forward = [t - p for t, p in zip(target, position, strict=True)]
        if math.hypot(*forward) < 1e-9:
            self.fail("camera.look_at", "must differ from camera.position")
        cross = _cross(forward, up)
        if math.hypot(*cross) < 1e-9 * math.hypot(*forward) * max(math.hypot(*up), 1e-30):
            self.fail("camera.up", "must not be zero or parallel to the view direction")
        width, height = self.sensor(cam)
        prime = self.prime(cam)
        default_focal = prime.focal_length_mm if prime else 50.0
        focal = self.number(cam, "focal_length_mm", "camera", default_focal, rule="focal_length_mm")
        blades = cam.get("aperture_blades", 0)
        problem = blade_count_problem(blades)
        if problem:
            self.fail("camera.aperture_blades", problem)
        lens = ThinLens(
            focal_length_mm=focal,
            f_stop=self.number(
                cam, "f_stop", "camera", prime.max_f_stop if prime else 2.8, rule="f_stop"
            ),  # fmt: skip
            sensor_width_mm=width,
            sensor_height_mm=height,
            aperture_blades=blades,
            blade_rotation_deg=self.number(
                cam, "blade_rotation_deg", "camera", 0.0, rule="angle_deg"
            ),
        )
        focus = self.number(cam, "focus_distance_m", "camera", 4.0, rule="focus_distance_m")
        if focus <= focal * 1e-3:
            self.fail(
                "camera.focus_distance_m",
                f"must be beyond the focal length ({focal * 1e-3:g} m), got {focus:g}",
            )
        return CameraPose(position, target, up), lens, focus

    def sensor(self, cam) -> tuple[float, float | None]:
        """``"sensor": "super35"`` (dofviewer.shot.presets), or ``sensor_width_mm`` and
        ``sensor_height_mm``; numbers given override the named sensor's."""
        width, height = 36.0, None
        if "sensor" in cam:
            if not isinstance(cam["sensor"], str):
                self.fail("camera.sensor", f"must be a sensor name, got {cam['sensor']!r}")
            try:
                named = sensor_named(cam["sensor"])
            except ValueError as exc:
                self.fail("camera.sensor", str(exc))
            width, height = named.width_mm, named.height_mm
        width = self.number(cam, "sensor_width_mm", "camera", width, rule="sensor_width_mm")
        height = self.number(cam, "sensor_height_mm", "camera", height, rule="sensor_width_mm")
        return width, height

    def prime(self, cam) -> Prime | None:
        """``"lens": "cooke-s4-50"``: a real prime's focal length and widest stop."""
        if "lens" not in cam:
            return None
        if not isinstance(cam["lens"], str):
            self.fail("camera.lens", f"must be a lens name, got {cam['lens']!r}")
        try:
            return prime_named(cam["lens"])
        except ValueError as exc:
            self.fail("camera.lens", str(exc))

    def objects(self, items) -> tuple[SceneObject, ...]:
        if items is None:
            self.fail("objects", "is required")
        if not isinstance(items, list):
            self.fail("objects", f"must be a list, got {kind_of(items)}")
        self.count(items, "objects", MAX_OBJECTS, "objects")
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
            radius = self.number(item, "radius", where, rule="size_m")
        elif shape == "box":
            size = self.vector(item, "size", where, rule="size_m")
        else:
            w, d = self.vector(item, "size", where, length=2, rule="size_m")
            size = (w, 0.0, d)
        return SceneObject(
            name=name,
            shape=shape,
            position=self.vector(item, "position", where, rule="coordinate_m"),
            color=self.vector(item, "color", where, (0.8, 0.8, 0.8), rule="color"),
            emissive=self.vector(item, "emissive", where, (0.0, 0.0, 0.0), rule="color"),
            radius=radius,
            size=size,
            rotation_deg=self.vector(item, "rotation_deg", where, ZERO3, rule="angle_deg"),
            texture=self.choice(item, "texture", where, TEXTURES, "none"),
            checker_size_m=self.number(
                item, "checker_size_m", where, DEFAULT_CHECKER_SIZE_M, rule="size_m"
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
            scale = (self.number(item, "scale", where, rule="scale"),) * 3
        else:
            scale = self.vector(item, "scale", where, rule="scale")
        return SceneObject(
            name=name,
            shape="mesh",
            position=self.vector(item, "position", where, rule="coordinate_m"),
            rotation_deg=self.vector(item, "rotation_deg", where, ZERO3, rule="angle_deg"),
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
        self.count(path, join(where, "path"), MAX_PATH_POINTS, "points")
        items = {str(i): p for i, p in enumerate(path)}
        points = tuple(
            self.vector(items, str(i), join(where, "path"), rule="coordinate_m")
            for i in range(len(path))
        )
        return Animation(points, self.number(anim, "period_s", where, rule="period_s"))

    def light(self, light) -> Light:
        light = self.table(light, "light", ("direction", "color", "ambient"))
        default = Light()
        direction = self.vector(light, "direction", "light", default.direction, rule="coordinate_m")
        if math.hypot(*direction) < 1e-9:
            self.fail("light.direction", "must not be zero")
        return Light(
            direction=direction,
            color=self.vector(light, "color", "light", default.color, rule="color"),
            ambient=self.vector(light, "ambient", "light", default.ambient, rule="color"),
        )


def _cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])
