"""A photograph with a depth map (RGB-D) becomes a scene: refocusing after capture.

Pure numpy, no GL: the renderer uploads what :func:`load_photo` makes
(dofviewer/render/gl/photo_pass.py) into the targets the scene pass writes, and the
depth-of-field passes run unchanged. Rules (README "Photos"):

* **Colour** is display-referred sRGB: decoded to linear before the blur, and the tone
  map encodes it back without a filmic curve, so an in-focus photo comes back as it was.
* **Highlight boost** (on by default, ``--no-highlight-boost``): sRGB clips lights at 1.0,
  so a blurred lamp would spread as a dim grey disc. Linear values above
  :data:`BOOST_KNEE` are expanded by an inverse tone curve whose slope is 1 at the knee
  and which reaches :data:`BOOST_GAIN` at 1.0; in focus the tone map clips them back to
  1.0 (the photo is unchanged), out of focus they bloom into bright bokeh.
* **Depth**: ``depth`` kind is metres = value × ``depth_scale`` (default 0.001 for
  integer maps, millimetres; 1 for float maps; TUM's Kinect frames need 0.0002).
  ``inverse`` is 1/metres = value × scale; with ``near``/``far`` a normalised map
  t ∈ [0, 1] (an 8-bit phone export) is 1/d = 1/far + t·(1/near − 1/far), 1 nearest;
  ``disparity`` is the same normalised map and always needs ``near``/``far``; a
  normalised ``depth`` map is d = near + t·(far − near). Values equal to
  ``depth_invalid`` (default 0) or not above 0 are holes.
* **Flying pixels** (a sensor's depth averaged across a silhouette, between the object
  and the background) snap to the nearer of their neighbourhood's extremes
  (:func:`snap_flying_pixels`), so they blur with one side instead of rimming it.
* **Holes** get the depth of their farther valid neighbours by a far-biased push-pull
  (:func:`push_pull`): each 2×2 block of the pyramid averages only its valid texels
  within :data:`FAR_BIAS` of the block's farthest, and holes take the coarsest level that
  has data. A Kinect's holes are mostly shadows on the background beside an occluder,
  so the far side is the right guess; a hole filled from the near side would grow the
  foreground and its blur into a halo.
* **Occlusion**: a photo has no second layer. Pixels within :data:`OCCLUDER_REACH_PX`
  of a depth discontinuity (a neighbour :data:`OCCLUDER_JUMP` farther) and nearer than
  its far side (by :data:`OCCLUDER_STEP`) are occluders (:func:`occluders`);
  behind them the hidden background is synthesised by the same far-biased push-pull from
  the other pixels, and given as the second layer, so a blurred foreground edge shows
  background through it, not a smear of itself.
* **Camera**: the lens's 35 mm-equivalent focal length is 36 mm × fx / width, so the blur
  diameter in pixels is (f/N)·fx·|d − s|/(d·s), the thin lens the scenes use. fx comes
  from ``fx`` or ``hfov`` (default :data:`DEFAULT_HFOV_DEG`). The default f-stop gives
  a blur of :data:`DEFAULT_BLUR_PER_DIOPTRE` × width per dioptre of defocus.
* **Objects**: pixels are grouped into depth layers (bins of :data:`LAYER_RATIO` in
  depth); each layer is an object, so a click, Tab and ``--focus-on`` work as in scenes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dofviewer.errors import DofError

SENSOR_WIDTH_MM = 36.0
#: The horizontal field of view assumed when neither fx nor hfov is given (a phone's
#: main camera is 65-75 degrees, a Kinect's 62.7).
DEFAULT_HFOV_DEG = 60.0
#: The simulated aperture a photo opens at blurs a point one dioptre (1/m) off focus by
#: this fraction of the image's width (diameter): f/N = this × width / (f · fx), rounded
#: to 0.1. A 35 mm-equivalent f/1.4 would be invisible at a Kinect's 640 px (TUM, fx
#: 525: the 4 m wall behind a 1.6 m focus blurs 4 px); this opens TUM at f/0.5 (12 px)
#: and the bundled demo photo (50 mm, fx 889) at f/1.4, which read as a portrait mode.
DEFAULT_BLUR_PER_DIOPTRE = 0.05
#: Highlight boost: linear values above the knee are expanded, 1.0 becoming the gain.
BOOST_KNEE = 0.8
BOOST_GAIN = 16.0
#: A depth this far (ratio) from both its neighbourhood's extremes is a flying pixel.
FLYING_STEP = 0.1
#: Push-pull keeps, in each 2×2 block, valid texels at least (1 - this) × the farthest.
FAR_BIAS = 0.1
BACKGROUND_FAR_BIAS = 0.1
#: Occluders: nearer than the farthest depth within this reach (px) by this fraction.
OCCLUDER_REACH_PX = 24
OCCLUDER_STEP = 0.1
#: A depth discontinuity: a neighbour this fraction farther than the pixel.
OCCLUDER_JUMP = 0.1
#: Depth layers (objects) are bins this wide in depth (ratio far / near).
LAYER_RATIO = 1.25
#: A layer with fewer than this fraction of the pixels joins its neighbour.
MIN_LAYER_FRACTION = 0.005
DEPTH_KINDS = ("depth", "inverse", "disparity")
PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")


@dataclass(frozen=True)
class PhotoOptions:
    """How to read a photo's depth map and camera (the command line's depth options)."""

    depth: str | None = None
    depth_scale: float | None = None
    depth_kind: str = "depth"
    near: float | None = None
    far: float | None = None
    depth_invalid: float = 0.0
    fx: float | None = None
    hfov: float | None = None
    resize_depth: bool = False
    highlight_boost: bool = True


@dataclass(frozen=True, eq=False)
class Photo:
    """An RGB-D photo ready to upload: every array is H×W, top row first. Compared by
    identity (the renderer keeps its textures while the same photo is shown)."""

    source: str
    depth_source: str
    color: np.ndarray  # float32 H×W×3, linear (highlights boosted)
    depth_m: np.ndarray  # float32 H×W, holes filled
    valid: np.ndarray  # bool H×W: depth measured, not filled
    layer_ids: np.ndarray  # uint32 H×W, 1 + the layer (object) index
    background: np.ndarray  # float32 H×W×4: hidden background colour, a = 1 behind occluders
    background_depth_m: np.ndarray  # float32 H×W
    fx: float
    layers: tuple[tuple[float, float], ...]  # each layer's depth range (m)

    @property
    def size(self) -> tuple[int, int]:
        return self.color.shape[1], self.color.shape[0]

    def depth_at(self, x: float, y: float) -> float:
        """Depth (m) at a pixel of the photo, top-left origin."""
        w, h = self.size
        xi, yi = min(max(int(x), 0), w - 1), min(max(int(y), 0), h - 1)
        return float(self.depth_m[yi, xi])


def is_photo_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in PHOTO_SUFFIXES


# -- decoding ----------------------------------------------------------------------------


def read_image(path: str | Path, what: str) -> np.ndarray:
    import imageio.v3 as iio

    if not Path(path).is_file():
        raise DofError(f"{path}: {what} file not found")
    try:
        if str(path).lower().endswith(".npy"):
            return np.load(path, allow_pickle=False)
        return iio.imread(path)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is the file's problem
        reason = (str(exc).strip().splitlines() or [""])[0]
        raise DofError(f"{path}: cannot read {what} ({type(exc).__name__}: {reason})") from None


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)


def boost_highlights(linear: np.ndarray, knee: float = BOOST_KNEE,
                     gain: float = BOOST_GAIN) -> np.ndarray:  # fmt: skip
    """The inverse tone curve: identity below ``knee``; above it u = (x - knee)/(1 - knee)
    maps to knee + (1 - knee)·u / (1 - u·(1 - 1/gain)), slope 1 at the knee, 1.0 → gain.
    Applied to the brightest channel and scaled through, so a clipped light keeps its hue."""
    peak = linear.max(axis=-1, keepdims=True)
    u = np.clip((peak - knee) / (1.0 - knee), 0.0, 1.0)
    boosted = knee + (1.0 - knee) * u / (1.0 - u * (1.0 - 1.0 / gain))
    scale = np.where(peak > knee, boosted / np.maximum(peak, 1e-6), 1.0)
    return (linear * scale).astype(np.float32)


def decode_color(raw: np.ndarray, path: str) -> np.ndarray:
    if raw.ndim == 2:
        raw = np.stack([raw] * 3, axis=-1)
    if raw.ndim != 3 or raw.shape[2] not in (3, 4):
        raise DofError(f"{path}: expected an RGB image, got shape {raw.shape}")
    raw = raw[..., :3]
    if raw.dtype == np.uint8:
        c = raw.astype(np.float32) / 255.0
    elif raw.dtype == np.uint16:
        c = raw.astype(np.float32) / 65535.0
    else:
        c = np.clip(raw.astype(np.float32), 0.0, 1.0)
    return srgb_to_linear(c)


def decode_depth(raw: np.ndarray, path: str, o: PhotoOptions) -> tuple[np.ndarray, np.ndarray]:
    """(depth in metres, valid) from a stored map, by the options (module docstring)."""
    if raw.ndim == 3:
        raw = raw[..., 0]
    if raw.ndim != 2:
        raise DofError(f"{path}: expected a one-channel depth map, got shape {raw.shape}")
    if o.depth_kind not in DEPTH_KINDS:
        raise DofError(f"--depth-kind: expected one of {', '.join(DEPTH_KINDS)}")
    values = raw.astype(np.float64)
    if np.isnan(values).any():
        raise DofError(f"{path}: depth map holds NaN; mark holes with a number (--depth-invalid)")
    normalised = o.near is not None or o.far is not None
    if normalised and (o.near is None or o.far is None):
        raise DofError("--near and --far go together")
    if normalised and not 0 < o.near < o.far:
        raise DofError(f"--near/--far: need 0 < near < far, got {o.near:g}, {o.far:g}")
    if raw.dtype == np.uint8 and not normalised:
        raise DofError(
            f"{path}: 8-bit depth map is normalised; give --near and --far (metres) "
            "and --depth-kind"
        )
    if o.depth_kind == "disparity" and not normalised:
        raise DofError(f"{path}: --depth-kind disparity needs --near and --far")
    valid = np.isfinite(values) & (values != o.depth_invalid)
    with np.errstate(divide="ignore", invalid="ignore"):
        if normalised:
            top = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(raw.dtype, 1.0)
            t = values * (o.depth_scale or 1.0) / top
            if o.depth_kind == "depth":
                depth = o.near + t * (o.far - o.near)
            else:
                depth = 1.0 / (1.0 / o.far + t * (1.0 / o.near - 1.0 / o.far))
        else:
            integer = np.issubdtype(raw.dtype, np.integer)
            scale = o.depth_scale or (0.001 if integer else 1.0)
            depth = values * scale if o.depth_kind == "depth" else 1.0 / (values * scale)
    valid &= np.isfinite(depth) & (depth > 0)
    if not valid.any():
        raise DofError(f"{path}: depth map has no valid pixel (all {o.depth_invalid:g} or <= 0)")
    measured = depth[valid]
    if measured.max() - measured.min() <= 1e-6 * measured.max():
        raise DofError(f"{path}: depth map is constant ({measured[0]:g} m): nothing to refocus")
    return np.where(valid, depth, 0.0).astype(np.float32), valid


# -- push-pull ---------------------------------------------------------------------------


def push_pull(values: np.ndarray, valid: np.ndarray, depth: np.ndarray,
              far_bias: float = FAR_BIAS) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Fill invalid pixels of ``values`` (H×W×C) and ``depth`` (H×W) from valid ones.

    Pull: each level halves the last; a block averages its valid texels whose depth is
    at least (1 - far_bias) × the block's farthest valid depth. Push: from the coarsest
    level down, a texel without data takes its parents' value (colour bilinear, depth
    the farthest of the four bilinear taps), so a hole is filled from the nearest level
    that saw past it, and from its far side."""
    levels = [(values.astype(np.float32), valid.astype(bool), depth.astype(np.float32))]
    while max(levels[-1][1].shape) > 1:
        v, ok, d = levels[-1]
        h, w = ok.shape
        ph, pw = h + h % 2, w + w % 2
        v = np.pad(v, ((0, ph - h), (0, pw - w), (0, 0)), mode="edge")
        ok = np.pad(ok, ((0, ph - h), (0, pw - w)), constant_values=False)
        d = np.pad(d, ((0, ph - h), (0, pw - w)), mode="edge")
        vb = v.reshape(ph // 2, 2, pw // 2, 2, -1)
        okb = ok.reshape(ph // 2, 2, pw // 2, 2)
        db = d.reshape(ph // 2, 2, pw // 2, 2)
        far = np.where(okb, db, 0.0).max(axis=(1, 3), keepdims=True)
        keep = okb & (db >= far * (1.0 - far_bias))
        n = keep.sum(axis=(1, 3))
        safe = np.maximum(n, 1)
        dv = (db * keep).sum(axis=(1, 3)) / safe
        vv = (vb * keep[..., None]).sum(axis=(1, 3)) / safe[..., None]
        levels.append((vv.astype(np.float32), n > 0, dv.astype(np.float32)))
    v, ok, d = levels[-1]
    for fv, fok, fd in reversed(levels[:-1]):
        h, w = fok.shape
        uv, ud = _upsample(v, h, w), _upsample(d[..., None], h, w, farthest=True)[..., 0]
        v = np.where(fok[..., None], fv, uv)
        d = np.where(fok, fd, ud)
    return v, d


def _upsample(a: np.ndarray, h: int, w: int, farthest: bool = False) -> np.ndarray:
    """Bilinear 2× (pixel centres aligned), cropped to h×w; ``farthest``: the largest of
    the four taps instead (depth: a hole beside a step takes the far side's)."""
    ch, cw = a.shape[:2]
    ys = np.clip((np.arange(h) + 0.5) / 2.0 - 0.5, 0, ch - 1)
    xs = np.clip((np.arange(w) + 0.5) / 2.0 - 0.5, 0, cw - 1)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, ch - 1), np.minimum(x0 + 1, cw - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    if farthest:
        taps = (a[y0][:, x0], a[y0][:, x1], a[y1][:, x0], a[y1][:, x1])
        return np.maximum(np.maximum(taps[0], taps[1]), np.maximum(taps[2], taps[3]))
    top = a[y0][:, x0] * (1 - fx) + a[y0][:, x1] * fx
    bottom = a[y1][:, x0] * (1 - fx) + a[y1][:, x1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def max_filter(a: np.ndarray, reach: int) -> np.ndarray:
    """Maximum over a (2·reach + 1)² square, separably, by doubling shifts."""
    out = a.copy()
    for axis in (0, 1):
        done = 0
        while done < reach:
            step = min(done + 1, reach - done)
            shifted_lo = np.roll(out, step, axis=axis)
            shifted_hi = np.roll(out, -step, axis=axis)
            # np.roll wraps: the wrapped rows/columns repeat the edge instead
            if axis == 0:
                shifted_lo[:step] = out[:1]
                shifted_hi[-step:] = out[-1:]
            else:
                shifted_lo[:, :step] = out[:, :1]
                shifted_hi[:, -step:] = out[:, -1:]
            out = np.maximum(out, np.maximum(shifted_lo, shifted_hi))
            done += step
    return out


# -- the photo ---------------------------------------------------------------------------


def snap_flying_pixels(depth: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Depth sensors average across a silhouette: an edge pixel gets a depth between the
    object's and the background's, which blurs as neither and rims the object with a
    halo. A valid pixel more than FLYING_STEP from both its 3×3 neighbourhood's nearest
    and farthest valid depth takes whichever is closer."""
    h, w = depth.shape
    pad_d = np.pad(depth, 1, mode="edge")
    pad_v = np.pad(valid, 1, mode="edge")
    lo, hi = depth.copy(), depth.copy()
    for i in range(3):
        for j in range(3):
            d, v = pad_d[i : i + h, j : j + w], pad_v[i : i + h, j : j + w]
            lo = np.where(v, np.minimum(lo, d), lo)
            hi = np.where(v, np.maximum(hi, d), hi)
    between = valid & (depth > lo * (1.0 + FLYING_STEP)) & (depth < hi / (1.0 + FLYING_STEP))
    nearer = depth - lo < hi - depth
    return np.where(between, np.where(nearer, lo, hi), depth).astype(np.float32)


def occluders(depth: np.ndarray) -> np.ndarray:
    """Pixels that hide something: within OCCLUDER_REACH_PX of a depth discontinuity
    (a neighbour more than OCCLUDER_JUMP farther) and nearer, by OCCLUDER_STEP, than the
    far side of it. A slope (a floor) has no discontinuity, so hides nothing."""
    far_side = np.zeros_like(depth)
    for axis in (0, 1):
        for shift in (1, -1):
            neighbour = np.roll(depth, shift, axis=axis)
            edge = [slice(None), slice(None)]
            edge[axis] = slice(0, 1) if shift == 1 else slice(-1, None)
            neighbour[tuple(edge)] = depth[tuple(edge)]  # no wrapping at the frame's edge
            jump = neighbour > depth * (1.0 + OCCLUDER_JUMP)
            far_side = np.maximum(far_side, np.where(jump, neighbour, 0.0))
    return depth < (1.0 - OCCLUDER_STEP) * max_filter(far_side, OCCLUDER_REACH_PX)


def depth_layers(depth: np.ndarray) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """Pixels binned by depth (bins LAYER_RATIO wide), small bins merged into the next."""
    lo = float(depth.min())
    index = np.floor(np.log(depth / lo) / math.log(LAYER_RATIO) + 1e-9).astype(np.int64)
    counts = np.bincount(index.ravel())
    minimum = MIN_LAYER_FRACTION * depth.size
    mapping, groups, pending = {}, [], 0
    for b, count in enumerate(counts):
        if count == 0:
            continue
        if not groups or pending >= minimum:
            groups.append(b)
            pending = 0
        mapping[b] = len(groups) - 1
        pending += count
    if len(groups) > 1 and pending < minimum:  # a small last group joins the one before
        last = len(groups) - 1
        mapping = {b: (g - 1 if g == last else g) for b, g in mapping.items()}
        groups.pop()
    ranges = groups
    lut = np.zeros(len(counts), np.uint32)
    for b, layer in mapping.items():
        lut[b] = layer + 1
    ids = lut[index]
    bounds = tuple(
        (float(depth[ids == i + 1].min()), float(depth[ids == i + 1].max()))
        for i in range(len(ranges))
    )
    return ids, bounds


def load_photo(path: str | Path, options: PhotoOptions) -> Photo:
    """Read, check and prepare a photo and its depth map (module docstring)."""
    if options.depth is None:
        raise DofError(f"{path}: a photo needs its depth map: give --depth DEPTH")
    raw_color = read_image(path, "image")
    raw_depth = read_image(options.depth, "depth map")
    color = decode_color(raw_color, str(path))
    depth, valid = decode_depth(raw_depth, str(options.depth), options)
    h, w = color.shape[:2]
    if depth.shape != (h, w):
        if not options.resize_depth:
            raise DofError(
                f"{options.depth}: depth map is {depth.shape[1]}x{depth.shape[0]} but "
                f"{path} is {w}x{h} (--resize-depth scales it)"
            )
        ys = (np.arange(h) * depth.shape[0] // h).clip(0, depth.shape[0] - 1)
        xs = (np.arange(w) * depth.shape[1] // w).clip(0, depth.shape[1] - 1)
        depth, valid = depth[ys][:, xs], valid[ys][:, xs]
    if options.fx is not None:
        fx = float(options.fx)
    else:
        hfov = options.hfov if options.hfov is not None else DEFAULT_HFOV_DEG
        if not 0 < hfov < 180:
            raise DofError(f"--hfov: must be between 0 and 180 degrees, got {hfov:g}")
        fx = 0.5 * w / math.tan(math.radians(hfov) / 2)
    return photo_from_arrays(color, depth, valid, fx, options.highlight_boost, str(path),
                             str(options.depth))  # fmt: skip


def photo_from_arrays(color: np.ndarray, depth: np.ndarray, valid: np.ndarray, fx: float,
                      highlight_boost: bool = True, source: str = "<photo>",
                      depth_source: str = "<depth>") -> Photo:  # fmt: skip
    """A photo from linear colour (H×W×3), depth in metres and its valid mask (H×W):
    holes filled, layers found, the hidden background synthesised (module docstring)."""
    h, w = valid.shape
    if highlight_boost:
        color = boost_highlights(color)
    depth = snap_flying_pixels(depth, valid)
    _, filled = push_pull(np.zeros((h, w, 1), np.float32), valid, depth)
    filled = filled.astype(np.float32)
    occluder = occluders(filled)
    bg_color, bg_depth = push_pull(color, ~occluder, filled, BACKGROUND_FAR_BIAS)
    background = np.concatenate([bg_color, occluder[..., None].astype(np.float32)], axis=-1)
    ids, layers = depth_layers(filled)
    return Photo(source, depth_source, color, filled, valid, ids,
                 background.astype(np.float32), bg_depth.astype(np.float32), fx,
                 layers)  # fmt: skip


def scene_from_photo(photo: Photo):
    """The scene a photo opens as: a camera at the origin looking down -Z, the lens from
    its intrinsics, one object per depth layer, focus on the centre pixel."""
    from dofviewer.content.scene import Scene, SceneObject
    from dofviewer.shot.camera import CameraPose
    from dofviewer.shot.lens import ThinLens

    w, h = photo.size
    objects = []
    for i, (lo, hi) in enumerate(photo.layers):
        ys, xs = np.nonzero(photo.layer_ids == i + 1)
        d = float(np.median(photo.depth_m[ys, xs]))
        x = (float(xs.mean()) + 0.5 - w / 2) / photo.fx * d
        y = -(float(ys.mean()) + 0.5 - h / 2) / photo.fx * d
        objects.append(SceneObject(name=f"depth {lo:.2f}-{hi:.2f} m", shape="photo",
                                   position=(x, y, -d)))  # fmt: skip
    focal_mm = SENSOR_WIDTH_MM * photo.fx / w
    # No faster than f/0.5, the physical limit (dofviewer.shot.lens.LIMITS).
    f_stop = max(round(focal_mm * 1e-3 * photo.fx / (DEFAULT_BLUR_PER_DIOPTRE * w), 1), 0.5)
    lens = ThinLens(focal_length_mm=focal_mm, f_stop=f_stop, sensor_width_mm=SENSOR_WIDTH_MM)
    depth = photo.depth_m
    near, far = 0.5 * float(depth.min()), 2.0 * float(depth.max())
    return Scene(
        camera=CameraPose((0.0, 0.0, 0.0), (0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
        lens=lens,
        focus_distance_m=photo.depth_at(w / 2, h / 2),
        objects=tuple(objects),
        source=photo.source,
        clip_m=(near, far),
        photo=photo,
    )


# -- in timelines ------------------------------------------------------------------------

#: A timeline's ``"scene": {"photo": ..., "depth": ..., ...}``: these keys besides photo
#: and depth, as PhotoOptions names them.
OPTION_KEYS = ("depth_scale", "depth_kind", "near", "far", "depth_invalid", "fx", "hfov",
               "resize_depth", "highlight_boost")  # fmt: skip


@dataclass(frozen=True)
class PhotoScene:
    """How a timeline names a photo: its file and the options that read it (paths
    relative to the timeline's folder, or absolute)."""

    photo: str
    options: PhotoOptions

    def to_dict(self) -> dict:
        defaults = PhotoOptions()
        extra = {k: getattr(self.options, k) for k in OPTION_KEYS
                 if getattr(self.options, k) != getattr(defaults, k)}  # fmt: skip
        return {"photo": self.photo, "depth": self.options.depth, **extra}

    def resolved(self, folder: Path) -> tuple[Path, PhotoOptions]:
        """The photo's path and options with both paths made relative to ``folder``."""
        from dataclasses import replace

        def at(path: str) -> str:
            p = Path(path).expanduser()
            return str(p if p.is_absolute() else folder / p)

        depth = at(self.options.depth) if self.options.depth else None
        return Path(at(self.photo)), replace(self.options, depth=depth)


def read_photo_scene(reader, table, where: str) -> PhotoScene:
    """A photo named in JSON (a timeline's "scene", or a scene file that is a photo):
    ``{"photo": "img.jpg", "depth": "d.png", ...}`` with PhotoOptions' fields; ``reader``
    is a dofviewer.content.jsonreader.JsonReader, which names the file and field."""
    from dofviewer.content.jsonreader import kind_of

    table = reader.table(table, where, ("photo", "depth", *OPTION_KEYS, "comment"))

    def path(key):
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            reader.fail(f"{where}.{key}".lstrip("."), f"must be a file name, got {kind_of(value)}")
        return value

    photo, depth = path("photo"), path("depth")
    kind = reader.choice(table, "depth_kind", where, DEPTH_KINDS, "depth")
    numbers = {k: reader.number(table, k, where, None, above=0)
               for k in ("depth_scale", "near", "far", "fx", "hfov")}  # fmt: skip
    flags = {}
    for key, default in (("resize_depth", False), ("highlight_boost", True)):
        value = table.get(key, default)
        if not isinstance(value, bool):
            field = f"{where}.{key}".lstrip(".")
            reader.fail(field, f"must be true or false, got {kind_of(value)}")
        flags[key] = value
    invalid = reader.number(table, "depth_invalid", where, 0.0)
    options = PhotoOptions(depth=depth, depth_kind=kind, depth_invalid=invalid, **numbers,
                           **flags)  # fmt: skip
    return PhotoScene(photo, options)
