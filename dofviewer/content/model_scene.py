"""A model file opened on its own becomes a scene: its objects, its cameras, a focus.

Rules (README "Models"):

* Every mesh instance (a glTF node with a mesh, an OBJ object or group) is one object:
  it gets an id, can be clicked and named by ``--focus-on``.
* A glTF camera has a vertical field of view (``yfov``) and no focal length or sensor.
  We keep the 36 mm-wide sensor and choose the focal length that gives the camera's
  ``yfov`` at the *render's* aspect ratio: f = 18 mm / (aspect · tan(yfov / 2)). The
  file's ``aspectRatio``, where given, is not used: a wider window sees more at the
  sides, never less at the top and bottom (glTF leaves this to the viewer; Blender and
  three.js keep the vertical view the same way). The focal length is fixed when the
  file is opened; resizing the window later keeps it, as it would on a real camera.
* Without a camera, the model is framed from a 3/4 view above its front (+Z), with a
  50 mm lens, its bounding sphere filling the shorter side of the frame, but no closer
  than 2.5 focal lengths (a lens cannot focus nearer than its focal length).
* Focus starts on what lies at the image centre (a ray cast through it), or, where the
  centre ray meets nothing, on the object whose bounds' centre projects nearest to it.
* The near clip plane follows the model's size, so a 7.5 cm toy car seen from 3 cm keeps
  its depth precision; a 40 m building keeps the usual 5 cm.
"""

from __future__ import annotations

import math

import numpy as np

from dofviewer.content.model import Camera, Model
from dofviewer.content.scene import DEFAULT_ASPECT, Light, Scene, SceneObject, Shot
from dofviewer.errors import DofError
from dofviewer.shot.camera import FAR_M, NEAR_M, CameraPose
from dofviewer.shot.easing import MIN_FOCUS_DISTANCE_M
from dofviewer.shot.lens import ThinLens

SENSOR_WIDTH_MM = 36.0
#: The lens a model without a camera is framed with.
FRAMING_FOCAL_LENGTH_MM = 50.0
#: Azimuth (from +Z towards +X) and elevation of the 3/4 framing view, degrees.
FRAMING_AZIMUTH_DEG, FRAMING_ELEVATION_DEG = 35.0, 20.0
#: The framing camera stands at least this many focal lengths from the model's centre.
MIN_FRAMING_FOCAL_LENGTHS = 2.5
#: The f-number a model opens at: wide enough to show depth of field at any scale.
DEFAULT_F_STOP = 2.8
#: The near clip plane is this fraction of the model's size (its bounding-box diagonal),
#: never more than the usual NEAR_M and never under MIN_NEAR_M.
NEAR_CLIP_FRACTION = 0.005
MIN_NEAR_M = 1e-4


def focal_length_for_yfov(yfov_rad: float, aspect: float) -> float:
    """Focal length (mm, 36 mm-wide sensor) whose vertical field of view at ``aspect``
    (width / height) is ``yfov_rad``."""
    return 0.5 * SENSOR_WIDTH_MM / (aspect * math.tan(0.5 * yfov_rad))


def shot_from_camera(camera: Camera, aspect: float, model: Model) -> Shot:
    """The camera as a shot. It looks at what lies at its image centre (the orbit pivot)."""
    position = camera.position
    aim = CameraPose(tuple(position), tuple(position + camera.forward), tuple(camera.up))
    distance = centre_focus_distance(model, aim)
    pose = CameraPose(
        tuple(float(v) for v in position),
        tuple(float(v) for v in position + distance * camera.forward),
        tuple(float(v) for v in camera.up),
    )
    return Shot(camera.name, pose, focal_length_for_yfov(camera.yfov_rad, aspect))


def framing_shot(lo: np.ndarray, hi: np.ndarray, aspect: float) -> Shot:
    """A 3/4 view from above the front, the bounding sphere filling the shorter side."""
    centre = 0.5 * (lo + hi)
    radius = max(0.5 * float(np.linalg.norm(hi - lo)), 1e-6)
    half_w = math.atan(0.5 * SENSOR_WIDTH_MM / FRAMING_FOCAL_LENGTH_MM)
    half_h = math.atan(math.tan(half_w) / aspect)
    # No lens focuses closer than its focal length: a 7 mm model is seen from 2.5 focal
    # lengths (about 1:1.5 magnification, the macro limit), small in the frame.
    focal_m = FRAMING_FOCAL_LENGTH_MM * 1e-3
    distance = max(radius / math.sin(min(half_w, half_h)), MIN_FRAMING_FOCAL_LENGTHS * focal_m)
    az, el = math.radians(FRAMING_AZIMUTH_DEG), math.radians(FRAMING_ELEVATION_DEG)
    direction = np.array([math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)])
    eye = centre + distance * direction
    pose = CameraPose(tuple(map(float, eye)), tuple(map(float, centre)), (0.0, 1.0, 0.0))
    return Shot("framing", pose, FRAMING_FOCAL_LENGTH_MM)


def pick_shot(shots: tuple[Shot, ...], camera: str | int | None, source: str) -> Shot | None:
    """The shot ``--camera`` names (by name or 0-based index), else the first one."""
    if camera is None:
        return shots[0] if shots else None
    if not shots:
        raise DofError(f"--camera: {source} has no perspective camera")
    names = ", ".join(f"{i}: {s.name}" for i, s in enumerate(shots))
    for shot in shots:
        if shot.name == camera:
            return shot
    text = str(camera)
    if text.lstrip("-").isdigit():
        index = int(text)
        if 0 <= index < len(shots):
            return shots[index]
    raise DofError(f"--camera: {source} has no camera {camera!r} (cameras: {names})")


def near_clip_m(size_m: float) -> float:
    return min(NEAR_M, max(MIN_NEAR_M, NEAR_CLIP_FRACTION * size_m))


def scene_from_model(model: Model, aspect: float = DEFAULT_ASPECT,
                     camera: str | int | None = None) -> Scene:  # fmt: skip
    """The scene a model file opens as (see the module docstring for the rules)."""
    lo, hi = model.bounds()
    size_m = float(np.linalg.norm(hi - lo))
    shots = tuple(shot_from_camera(c, aspect, model) for c in model.cameras)
    shot = pick_shot(shots, camera, model.source) or framing_shot(lo, hi, aspect)
    objects = tuple(
        SceneObject(
            name=inst.name, shape="mesh", position=(0.0, 0.0, 0.0), model=model, instances=(i,)
        )  # fmt: skip
        for i, inst in enumerate(model.instances)
    )
    lens = ThinLens(
        focal_length_mm=shot.focal_length_mm,
        f_stop=DEFAULT_F_STOP,
        sensor_width_mm=SENSOR_WIDTH_MM,
    )
    near = near_clip_m(size_m)
    far = max(FAR_M, 100.0 * size_m)
    focus = centre_focus_distance(model, shot.pose)
    focus = max(focus, MIN_FOCUS_DISTANCE_M)
    return Scene(
        camera=shot.pose,
        lens=lens,
        focus_distance_m=focus,
        objects=objects,
        background=(0.02, 0.02, 0.03),
        light=Light(),
        source=model.source,
        clip_m=(near, far),
        shots=shots,
    )


def centre_focus_distance(model: Model, pose: CameraPose) -> float:
    """View depth of the surface at the image centre; where the centre ray meets nothing,
    the depth of the instance whose bounds' centre projects nearest the centre."""
    origin = np.asarray(pose.position, dtype=float)
    forward = pose.forward
    hit = ray_cast(model, origin, forward)
    if hit is not None:
        return hit
    best, best_offset = None, math.inf
    for inst in model.instances:
        lo, hi = model.instance_bounds(inst)
        to_centre = 0.5 * (lo + hi) - origin
        depth = float(np.dot(to_centre, forward))
        if depth <= 0:
            continue
        offset = float(np.linalg.norm(to_centre - depth * forward)) / depth
        if offset < best_offset:
            best, best_offset = depth, offset
    if best is not None:
        return best
    lo, hi = model.bounds()
    return max(float(np.dot(0.5 * (lo + hi) - origin, forward)), 0.1)


def ray_cast(model: Model, origin: np.ndarray, direction: np.ndarray) -> float | None:
    """Distance along the unit ``direction`` to the nearest triangle, or None.

    Möller–Trumbore over every triangle of every instance whose bounds the ray meets
    (vectorised; a million triangles take a fraction of a second). Alpha is ignored."""
    nearest = math.inf
    for inst in model.instances:
        lo, hi = model.instance_bounds(inst)
        if not _ray_meets_box(origin, direction, lo, hi):
            continue
        for prim in model.meshes[inst.mesh].primitives:
            for matrix in inst.matrices:
                world = prim.positions @ matrix[:3, :3].T + matrix[:3, 3]
                tri = world[prim.indices.reshape(-1, 3)]
                t = _intersect(origin, direction, tri)
                if t is not None:
                    nearest = min(nearest, t)
    return None if nearest == math.inf else nearest


def _ray_meets_box(origin, direction, lo, hi) -> bool:
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / direction
        t0, t1 = (lo - origin) * inv, (hi - origin) * inv
    t_near = np.nanmax(np.minimum(t0, t1))
    t_far = np.nanmin(np.maximum(t0, t1))
    return bool(t_far >= max(t_near, 0.0))


def _intersect(origin, direction, tri) -> float | None:
    v0, e1, e2 = tri[:, 0], tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-18
    if not ok.any():
        return None
    v0, e1, e2, p, det = v0[ok], e1[ok], e2[ok], p[ok], det[ok]
    s = origin - v0
    u = np.einsum("ij,ij->i", s, p) / det
    q = np.cross(s, e1)
    v = (q @ direction) / det
    t = np.einsum("ij,ij->i", e2, q) / det
    hit = (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 0)
    return float(t[hit].min()) if hit.any() else None
