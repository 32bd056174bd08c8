"""Load glTF 2.0 (.gltf and .glb) into a :class:`~dofviewer.content.model.Model`.

pygltflib turns the JSON into its dataclasses; the rest is done here, because the rest is
where files go wrong and where the time goes:

* The GLB container is checked by hand before pygltflib sees it: pygltflib slices past the
  end of a truncated file without a word, and we want "chunk 1 runs past the end".
* Accessors are decoded with numpy as views into the buffers (no copy unless a conversion
  needs one), once each however many primitives share them: MetalRoughSpheresNoTextures
  draws one 10 k-triangle sphere a hundred times from the same accessors, and decoding,
  range-checking and normal generation happen once for all of them.
* Only what the default scene reaches is converted (meshes, materials, images), so an
  unused broken mesh or a missing texture of an unused material costs nothing.

What would draw wrongly is an error (a required extension we do not implement, indices
past the vertices, NaN positions); what the model can do without costs one warning
(optional extensions, orthographic cameras, points and lines, a missing texture). Every
failure is a :class:`~dofviewer.errors.ModelError` naming the file and the problem on one
line; a malformation no check foresaw still gives one (the catch-all in :func:`load_gltf`),
never a traceback.

What it shares with the OBJ loader (normals, names, images) is in
:mod:`dofviewer.content.meshdata`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
import urllib.parse
import warnings
from pathlib import Path

import numpy as np
import pygltflib
from pygltflib import GLTF2, PbrMetallicRoughness

from dofviewer.content.meshdata import read_rgba, smooth_normals, unique_name, unit_vectors
from dofviewer.content.model import (
    ALPHA_MODES,
    CLAMP_TO_EDGE,
    LINEAR,
    MIRRORED_REPEAT,
    NEAREST,
    REPEAT,
    Camera,
    Image,
    Material,
    Mesh,
    MeshInstance,
    Model,
    Primitive,
    Sampler,
    TextureRef,
)
from dofviewer.errors import ModelError

#: Extensions whose meaning the loader implements (so a file may require them).
SUPPORTED_EXTENSIONS = (
    "KHR_texture_transform",
    "KHR_materials_emissive_strength",
    "KHR_materials_unlit",
    "EXT_mesh_gpu_instancing",
)
#: Extensions drawn by an approximation (README "Models"); used, they are not reported
#: as ignored, and a file may not require them.
APPROXIMATED_EXTENSIONS = ("KHR_materials_transmission", "KHR_materials_sheen")
#: A transmissive surface (glass) is drawn as BLEND with this share of its coverage per
#: unit of transmission: it shows what is behind it, unrefracted and untinted, under a
#: faint layer of its own colour and highlights (a real see-through is beyond a
#: rasteriser without a refraction pass).
TRANSMISSION_SEE_THROUGH = 0.8

_GLB_MAGIC = b"glTF"
_CHUNK_JSON, _CHUNK_BIN = 0x4E4F534A, 0x004E4942
_COMPONENT_DTYPES = {
    5120: np.dtype("<i1"),
    5121: np.dtype("<u1"),
    5122: np.dtype("<i2"),
    5123: np.dtype("<u2"),
    5125: np.dtype("<u4"),
    5126: np.dtype("<f4"),
}
_TYPE_WIDTHS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
_INDEX_DTYPES = (np.dtype("<u1"), np.dtype("<u2"), np.dtype("<u4"))
#: glTF §3.11: a normalized integer c means c / max (signed ones clamped at -1).
_NORMALIZED_MAX = {
    np.dtype("<i1"): 127,
    np.dtype("<u1"): 255,
    np.dtype("<i2"): 32767,
    np.dtype("<u2"): 65535,
}
#: The top-level arrays, and the pygltflib class of their items (to find a schema error).
_ARRAYS = {
    "accessors": pygltflib.Accessor,
    "animations": pygltflib.Animation,
    "bufferViews": pygltflib.BufferView,
    "buffers": pygltflib.Buffer,
    "cameras": pygltflib.Camera,
    "images": pygltflib.Image,
    "materials": pygltflib.Material,
    "meshes": pygltflib.Mesh,
    "nodes": pygltflib.Node,
    "samplers": pygltflib.Sampler,
    "scenes": pygltflib.Scene,
    "skins": pygltflib.Skin,
    "textures": pygltflib.Texture,
}
_TRIANGLES, _TRIANGLE_STRIP, _TRIANGLE_FAN = 4, 5, 6
_POINTS_AND_LINES = (0, 1, 2, 3)


class _Invalid(Exception):
    """A problem with the file, as one line; :func:`load_gltf` prefixes the file name."""


def load_gltf(path: Path) -> Model:
    """Read a .gltf or .glb file: its default scene's meshes, materials and cameras."""
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(source, f"cannot read model ({exc.strerror or exc})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pygltflib's; ours go into Model.warnings
            return _SceneReader(path, *_parse_document(path, data)).model()
    except _Invalid as exc:
        raise ModelError(source, str(exc)) from None
    except Exception as exc:  # a malformation no check foresaw: still one line
        raise ModelError(source, f"malformed glTF ({_one_line(exc)})") from exc


# -- the container ------------------------------------------------------------------------


def _parse_document(path: Path, data: bytes) -> tuple[GLTF2, memoryview | None, list[str]]:
    """The parsed JSON, the GLB BIN chunk (None for .gltf) and the extension warnings."""
    if data[:4] == _GLB_MAGIC:
        json_bytes, bin_chunk = _split_glb(data)
    elif path.suffix.lower() == ".glb":
        raise _Invalid(f"not a GLB file (it starts with {bytes(data[:4])!r}, not b'glTF')")
    else:
        json_bytes, bin_chunk = memoryview(data), None
    text = _utf8(json_bytes)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Invalid(f"invalid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise _Invalid("invalid glTF: the JSON is not an object")
    _check_version(raw.get("asset"))
    extension_warnings = _check_extensions(raw)
    _check_arrays(raw)
    try:
        document = GLTF2.gltf_from_json(text)
    except Exception as exc:
        raise _Invalid(_schema_problem(raw, exc)) from exc
    return document, bin_chunk, extension_warnings


def _check_arrays(raw: dict) -> None:
    for key in _ARRAYS:
        items = raw.get(key, [])
        if not isinstance(items, list):
            raise _Invalid(f"{key} is not a list")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise _Invalid(f"{key}[{i}] is not an object")


def _schema_problem(raw: dict, exc: Exception) -> str:
    """Which array item pygltflib could not read, found by reading them one by one."""
    for key, item_class in _ARRAYS.items():
        for i, item in enumerate(raw.get(key, [])):
            try:
                item_class.from_dict(item, infer_missing=True)
            except Exception as item_exc:
                return f"{key}[{i}] does not follow the glTF schema ({_one_line(item_exc)})"
    return f"the JSON does not follow the glTF schema ({_one_line(exc)})"


def _split_glb(data: bytes) -> tuple[memoryview, memoryview | None]:
    """The JSON and BIN chunks of a GLB file, as views (glTF §4.4)."""
    if len(data) < 12:
        raise _Invalid(f"truncated GLB: {len(data)} bytes, shorter than its 12-byte header")
    _, version, length = struct.unpack_from("<4sII", data)
    if version != 2:
        raise _Invalid(f"GLB container version {version}; dofviewer reads version 2")
    if length != len(data):
        hint = " (truncated?)" if length > len(data) else ""
        raise _Invalid(
            f"bad GLB length: the header says {length} bytes, the file has {len(data)}{hint}"
        )
    view, chunks, offset = memoryview(data), [], 12
    while offset < length:
        if offset + 8 > length:
            raise _Invalid(f"GLB chunk {len(chunks)}: its header runs past the end of the file")
        size, kind = struct.unpack_from("<II", data, offset)
        start = offset + 8
        if start + size > length:
            raise _Invalid(
                f"GLB chunk {len(chunks)}: {size} bytes from byte {start} run past "
                f"the end of the file ({length} bytes)"
            )
        chunks.append((kind, view[start : start + size]))
        offset = start + size
    if not chunks or chunks[0][0] != _CHUNK_JSON:
        raise _Invalid("GLB file without a JSON chunk first")
    has_bin = len(chunks) > 1 and chunks[1][0] == _CHUNK_BIN
    return chunks[0][1], chunks[1][1] if has_bin else None


def _utf8(data: memoryview) -> str:
    try:
        return str(data, "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Invalid(
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None


def _check_version(asset) -> None:
    version = asset.get("version") if isinstance(asset, dict) else None
    if not isinstance(version, str) or not re.fullmatch(r"2\.\d+", version):
        raise _Invalid(f"asset.version is {version!r}; dofviewer reads glTF 2.x")


def _check_extensions(raw: dict) -> list[str]:
    """Refuse required extensions we lack; a warning line for optional ones we ignore."""
    required = _names(raw.get("extensionsRequired", []), "extensionsRequired")
    missing = [name for name in required if name not in SUPPORTED_EXTENSIONS]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise _Invalid(
            f"requires extension{plural} {', '.join(missing)}, which dofviewer does not support"
        )
    used = _names(raw.get("extensionsUsed", []), "extensionsUsed")
    known = SUPPORTED_EXTENSIONS + APPROXIMATED_EXTENSIONS
    ignored = [name for name in used if name not in known]
    if not ignored:
        return []
    return [f"ignored optional extensions: {', '.join(ignored)} (the model loads without them)"]


def _names(value, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"{where} is not a list of extension names")
    return value


# -- small validators -----------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _int(value, where: str) -> int:
    """A non-negative JSON integer (3.0 accepted)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _Invalid(f"{where}: expected a non-negative integer, got {value!r}")
    return value


def _item(items, index, kind: str, where: str):
    """``items[index]``, or an error naming the field that holds the bad reference."""
    items = items or []
    i = _int(index, where)
    if i >= len(items):
        raise _Invalid(f"{where}: there is no {kind} {i} (the file has {len(items)})")
    return items[i]


def _floats(value, n: int, where: str) -> tuple[float, ...]:
    ok = isinstance(value, list | tuple) and len(value) == n
    numbers = tuple(float(v) for v in value) if ok and all(_is_number(v) for v in value) else ()
    if len(numbers) != n or not np.isfinite(numbers).all():
        raise _Invalid(f"{where}: expected {n} finite numbers, got {value!r}")
    return numbers


def _number(value, where: str, default: float | None = None) -> float | None:
    if value is None:
        return default
    if not _is_number(value) or not np.isfinite(value):
        raise _Invalid(f"{where}: expected a number, got {value!r}")
    return float(value)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _extension(owner, name: str, where: str) -> dict | None:
    """The object ``owner.extensions[name]``, or None where the extension is not there."""
    extensions = owner.extensions or {}
    if not isinstance(extensions, dict):
        raise _Invalid(f"{where}.extensions is not an object")
    value = extensions.get(name)
    if value is not None and not isinstance(value, dict):
        raise _Invalid(f"{where}.extensions.{name} is not an object")
    return value


# -- buffers and accessors ------------------------------------------------------------------


class _Accessors:
    """Buffers, buffer views and accessors, each read and checked once."""

    def __init__(self, path: Path, document: GLTF2, bin_chunk: memoryview | None):
        self.path, self.document, self.bin_chunk = path, document, bin_chunk
        self._buffers: dict[int, memoryview] = {}
        self._raw: dict[int, np.ndarray] = {}
        self._floats: dict[int, np.ndarray] = {}

    def buffer(self, index: int, where: str) -> memoryview:
        index = _int(index, where)
        if index not in self._buffers:
            buffer = _item(self.document.buffers, index, "buffer", where)
            data = self._buffer_bytes(buffer.uri, index)
            length = _int(buffer.byteLength, f"buffers[{index}].byteLength")
            if len(data) < length:
                raise _Invalid(f"buffer {index}: holds {len(data)} bytes, byteLength says {length}")
            self._buffers[index] = memoryview(data)[:length]
        return self._buffers[index]

    def _buffer_bytes(self, uri, index: int):
        if uri is None:
            if index != 0 or self.bin_chunk is None:
                raise _Invalid(f"buffer {index}: has no uri and the file has no GLB BIN chunk")
            return self.bin_chunk
        return _read_uri(self.path, uri, f"buffer {index}")

    def buffer_view(self, index, where: str) -> memoryview:
        view = _item(self.document.bufferViews, index, "bufferView", where)
        buffer = self.buffer(view.buffer, f"bufferViews[{index}].buffer")
        start = _int(view.byteOffset or 0, f"bufferViews[{index}].byteOffset")
        length = _int(view.byteLength, f"bufferViews[{index}].byteLength")
        if start + length > len(buffer):
            raise _Invalid(
                f"bufferView {index}: bytes {start}..{start + length} lie past the end "
                f"of buffer {view.buffer} ({len(buffer)} bytes)"
            )
        return buffer[start : start + length]

    def raw(self, index, where: str) -> np.ndarray:
        """Accessor ``index`` in its component type: (count,) for SCALAR, else (count, n)."""
        index = _int(index, where)
        if index not in self._raw:
            self._raw[index] = self._decode(index, where)
        return self._raw[index]

    def floats(self, index, where: str) -> np.ndarray:
        """Accessor ``index`` as float32, normalized integers scaled to [0, 1] or [-1, 1]."""
        array = self.raw(index, where)
        index = _int(index, where)
        if index not in self._floats:
            accessor = self.document.accessors[index]
            self._floats[index] = _to_float32(array, bool(accessor.normalized))
        return self._floats[index]

    def _decode(self, index: int, where: str) -> np.ndarray:
        accessor = _item(self.document.accessors, index, "accessor", where)
        name = f"accessor {index}"
        dtype = _COMPONENT_DTYPES.get(accessor.componentType)
        if dtype is None:
            raise _Invalid(f"{name}: unknown componentType {accessor.componentType!r}")
        width = _TYPE_WIDTHS.get(accessor.type)
        if width is None:
            raise _Invalid(
                f"{name}: type {accessor.type!r} is not one dofviewer reads "
                f"({', '.join(_TYPE_WIDTHS)})"
            )
        count = _int(accessor.count, f"accessors[{index}].count")
        if count == 0:
            raise _Invalid(f"{name}: count is 0")
        if accessor.bufferView is None:
            array = np.zeros((count, width), dtype)
        else:
            offset = _int(accessor.byteOffset or 0, f"accessors[{index}].byteOffset")
            array = self._strided(accessor.bufferView, offset, dtype, width, count, name)
        if accessor.sparse is not None:
            array = self._apply_sparse(accessor.sparse, array, name)
        return array[:, 0] if width == 1 else array

    def _strided(
        self,
        view_index,
        offset: int,
        dtype,
        width: int,
        count: int,
        name: str,
        packed: bool = False,
    ) -> np.ndarray:
        """A view of ``count`` elements of a buffer view (strided if the view says so)."""
        data = self.buffer_view(view_index, f"{name}.bufferView")
        element = dtype.itemsize * width
        stride = element
        byte_stride = self.document.bufferViews[view_index].byteStride
        if byte_stride and not packed:
            stride = _int(byte_stride, f"bufferViews[{view_index}].byteStride")
            if stride < element:
                raise _Invalid(
                    f"bufferView {view_index}: byteStride {stride} is shorter than "
                    f"the {element}-byte elements of {name}"
                )
        end = offset + stride * (count - 1) + element
        if end > len(data):
            raise _Invalid(
                f"{name}: reads past the end of bufferView {view_index} (needs "
                f"{end} bytes, it has {len(data)})"
            )
        return np.ndarray(
            (count, width), dtype, buffer=data, offset=offset, strides=(stride, dtype.itemsize)
        )

    def _apply_sparse(self, sparse, base: np.ndarray, name: str) -> np.ndarray:
        count = _int(sparse.count, f"{name}.sparse.count")
        index_dtype = _COMPONENT_DTYPES.get(sparse.indices.componentType)
        if index_dtype not in _INDEX_DTYPES:
            raise _Invalid(
                f"{name}: sparse indices have componentType {sparse.indices.componentType!r}"
            )
        where = f"{name} sparse"
        offset = _int(sparse.indices.byteOffset or 0, f"{where} indices byteOffset")
        indices = self._strided(
            sparse.indices.bufferView, offset, index_dtype, 1, count, where, packed=True
        )[:, 0]
        offset = _int(sparse.values.byteOffset or 0, f"{where} values byteOffset")
        values = self._strided(
            sparse.values.bufferView, offset, base.dtype, base.shape[1], count, where, packed=True
        )
        if count and int(indices.max()) >= len(base):
            raise _Invalid(
                f"{name}: sparse index {int(indices.max())} is past its {len(base)} elements"
            )
        array = base.copy()
        array[indices] = values
        return array


def _to_float32(array: np.ndarray, normalized: bool) -> np.ndarray:
    if array.dtype.kind == "f":
        return array.astype(np.float32, copy=False)
    if not normalized or array.dtype not in _NORMALIZED_MAX:
        return array.astype(np.float32)
    scaled = array.astype(np.float32) / np.float32(_NORMALIZED_MAX[array.dtype])
    return np.maximum(scaled, np.float32(-1.0)) if array.dtype.kind == "i" else scaled


def _read_uri(path: Path, uri, where: str) -> bytes:
    """The bytes a glTF uri names: a ``data:`` URI, or a file relative to the model."""
    if not isinstance(uri, str):
        raise _Invalid(f"{where}: uri {uri!r} is not a string")
    if uri.startswith("data:"):
        header, _, payload = uri.partition(",")
        if not header.endswith(";base64"):
            return urllib.parse.unquote_to_bytes(payload)
        try:
            return base64.b64decode(payload, validate=True)
        except binascii.Error as exc:
            raise _Invalid(f"{where}: the data URI is not valid base64 ({exc})") from None
    name = urllib.parse.unquote(uri)
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]+:", name) or Path(name).is_absolute():
        raise _Invalid(
            f"{where}: cannot read {uri!r} (only files beside the model and data: URIs are read)"
        )
    try:
        return (path.parent / name).read_bytes()
    except OSError as exc:
        raise _Invalid(f"{where}: cannot read {name!r} ({exc.strerror or exc})") from None


# -- geometry -------------------------------------------------------------------------------


def _triangle_list(indices: np.ndarray, mode: int) -> np.ndarray:
    """Strips and fans as a plain triangle list (glTF §3.7.2.1 vertex orders); a list's
    incomplete last triangle is dropped."""
    if mode == _TRIANGLES:
        return indices[: len(indices) - len(indices) % 3]
    if len(indices) < 3:
        return indices[:0]
    if mode == _TRIANGLE_FAN:
        first = np.full(len(indices) - 2, indices[0], np.uint32)
        return np.stack([indices[1:-1], indices[2:], first], axis=1).ravel()
    odd = (np.arange(len(indices) - 2) % 2).astype(bool)  # odd strip triangles swap 1 and 2
    second, third = indices[1:-1], indices[2:]
    return np.stack(
        [indices[:-2], np.where(odd, third, second), np.where(odd, second, third)], axis=1
    ).ravel()


def _rgba(colors: np.ndarray) -> np.ndarray:
    if colors.shape[1] == 4:
        return colors
    out = np.ones((len(colors), 4), np.float32)
    out[:, :3] = colors
    return out


def _trs_matrices(translation: np.ndarray, rotation: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """(K, 4, 4) matrices T · R · S from (K, 3) translations, (K, 4) xyzw quaternions and
    (K, 3) scales. Quaternions are normalised; a zero one is the identity."""
    t, s = np.asarray(translation, np.float64), np.asarray(scale, np.float64)
    q = unit_vectors(np.asarray(rotation, np.float64), fallback=(0.0, 0.0, 0.0, 1.0))
    x, y, z, w = q.T
    rot = np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=1,
    )
    matrices = np.zeros((len(q), 4, 4))
    matrices[:, :3, :3] = rot * s[:, None, :]
    matrices[:, :3, 3] = t
    matrices[:, 3, 3] = 1.0
    return matrices


def _uv_transform(offset=(0.0, 0.0), rotation: float = 0.0, scale=(1.0, 1.0)) -> np.ndarray:
    """KHR_texture_transform's 3×3 matrix T(offset) · R(rotation) · S(scale).

    The rotation turns UVs counter-clockwise as seen with v pointing down the image:
    u' = u cos r + v sin r, v' = −u sin r + v cos r (the reference viewers' convention).
    """
    cos, sin = np.cos(rotation), np.sin(rotation)
    translate = np.array([[1.0, 0.0, offset[0]], [0.0, 1.0, offset[1]], [0.0, 0.0, 1.0]])
    rotate = np.array([[cos, sin, 0.0], [-sin, cos, 0.0], [0.0, 0.0, 1.0]])
    return translate @ rotate @ np.diag([scale[0], scale[1], 1.0])


# -- materials ------------------------------------------------------------------------------


class _Materials:
    """Materials, textures, samplers and images, converted on first use."""

    def __init__(self, path: Path, document: GLTF2, accessors: _Accessors, warn):
        self.path, self.document, self.accessors, self.warn = path, document, accessors, warn
        self.materials: list[Material] = []
        self.images: list[Image] = []
        self._material_index: dict[int, int] = {}
        self._image_index: dict[int, int | None] = {}

    def index(self, material) -> int:
        """The Model.materials index of glTF material ``material`` (-1 for none)."""
        if material is None:
            return -1
        material = _int(material, "material")
        if material not in self._material_index:
            self.materials.append(self._material(material))
            self._material_index[material] = len(self.materials) - 1
        return self._material_index[material]

    def _material(self, index: int) -> Material:
        m = _item(self.document.materials, index, "material", "primitive.material")
        where = f"materials[{index}]"
        pbr = m.pbrMetallicRoughness or PbrMetallicRoughness()
        strength = _extension(m, "KHR_materials_emissive_strength", where) or {}
        strength = _number(strength.get("emissiveStrength"), f"{where}.emissiveStrength", 1.0)
        emissive = _floats(m.emissiveFactor or [0.0, 0.0, 0.0], 3, f"{where}.emissiveFactor")
        alpha_mode = m.alphaMode or "OPAQUE"
        if alpha_mode not in ALPHA_MODES:
            raise _Invalid(f"{where}.alphaMode: {alpha_mode!r} is not OPAQUE, MASK or BLEND")
        normal, occlusion = m.normalTexture, m.occlusionTexture
        base_color = _floats(pbr.baseColorFactor or [1.0] * 4, 4, f"{where}.baseColorFactor")
        transmission = _extension(m, "KHR_materials_transmission", where) or {}
        transmission = _number(
            transmission.get("transmissionFactor"), f"{where}.transmissionFactor", 0.0
        )
        sheen = _extension(m, "KHR_materials_sheen", where) or {}
        sheen_color = _floats(
            sheen.get("sheenColorFactor", [0.0] * 3), 3, f"{where}.sheenColorFactor"
        )
        sheen_roughness = _number(
            sheen.get("sheenRoughnessFactor"), f"{where}.sheenRoughnessFactor", 0.0
        )
        if transmission > 0 and alpha_mode == "OPAQUE":
            alpha_mode = "BLEND"
            opacity = 1.0 - TRANSMISSION_SEE_THROUGH * min(transmission, 1.0)
            base_color = (*base_color[:3], base_color[3] * opacity)
        return Material(
            name=m.name or f"material {index}",
            base_color=base_color,
            base_color_texture=self._texture(pbr.baseColorTexture, where),
            metallic=_number(pbr.metallicFactor, f"{where}.metallicFactor", 1.0),
            roughness=_number(pbr.roughnessFactor, f"{where}.roughnessFactor", 1.0),
            metallic_roughness_texture=self._texture(pbr.metallicRoughnessTexture, where),
            normal_texture=self._texture(normal, where),
            normal_scale=_number(normal and normal.scale, f"{where}.normalTexture.scale", 1.0),
            occlusion_texture=self._texture(occlusion, where),
            occlusion_strength=_number(
                occlusion and occlusion.strength, f"{where}.occlusionTexture.strength", 1.0
            ),
            emissive=tuple(e * strength for e in emissive),
            emissive_texture=self._texture(m.emissiveTexture, where),
            alpha_mode=alpha_mode,
            alpha_cutoff=_number(m.alphaCutoff, f"{where}.alphaCutoff", 0.5),
            double_sided=bool(m.doubleSided),
            unlit=_extension(m, "KHR_materials_unlit", where) is not None,
            sheen_color=sheen_color,
            sheen_roughness=sheen_roughness,
        )

    def _texture(self, info, where: str) -> TextureRef | None:
        """A textureInfo as a TextureRef; None if absent or its image cannot be had."""
        if info is None:
            return None
        texture = _item(self.document.textures, info.index, "texture", f"{where} texture index")
        if texture.source is None:
            self.warn(f"{where}: texture {info.index} has no PNG or JPEG image; drawing without it")
            return None
        image = self._image(texture.source, f"textures[{info.index}].source")
        if image is None:
            return None
        texcoord = info.texCoord or 0
        transform = np.identity(3)
        khr = _extension(info, "KHR_texture_transform", where)
        if khr is not None:
            transform, texcoord = _khr_transform(khr, where), khr.get("texCoord", texcoord)
        texcoord = _int(texcoord, f"{where} texCoord")
        if texcoord > 1:
            self.warn(
                f"{where}: a texture reads TEXCOORD_{texcoord}; dofviewer reads "
                "TEXCOORD_0 and _1 only, so it draws without it"
            )
            return None
        sampler = self._sampler(texture.sampler)
        return TextureRef(image=image, texcoord=texcoord, transform=transform, sampler=sampler)

    def _sampler(self, index) -> Sampler:
        if index is None:
            return Sampler()
        s = _item(self.document.samplers, index, "sampler", "texture sampler")
        wraps = (REPEAT, CLAMP_TO_EDGE, MIRRORED_REPEAT)
        return Sampler(
            wrap_s=s.wrapS if s.wrapS in wraps else REPEAT,
            wrap_t=s.wrapT if s.wrapT in wraps else REPEAT,
            mag_filter=s.magFilter if s.magFilter in (NEAREST, LINEAR) else LINEAR,
        )

    def _image(self, index, where: str) -> int | None:
        index = _int(index, where)
        if index not in self._image_index:
            pixels, name = self._pixels(index, where)
            if pixels is not None:
                self.images.append(Image(name=name, pixels=pixels))
            self._image_index[index] = len(self.images) - 1 if pixels is not None else None
        return self._image_index[index]

    def _pixels(self, index: int, where: str) -> tuple[np.ndarray | None, str]:
        image = _item(self.document.images, index, "image", where)
        if image.bufferView is not None:
            name = image.name or f"image {index}"
            source = bytes(self.accessors.buffer_view(image.bufferView, f"images[{index}]"))
        elif isinstance(image.uri, str) and image.uri.startswith("data:"):
            name = image.name or f"image {index}"
            source = _read_uri(self.path, image.uri, f"images[{index}]")
        elif isinstance(image.uri, str):
            name = urllib.parse.unquote(image.uri)
            source = self.path.parent / name
        else:
            raise _Invalid(f"images[{index}]: has neither a uri nor a bufferView")
        try:
            return read_rgba(source), name
        except FileNotFoundError:
            self.warn(f"texture {name!r} is missing; drawing without it")
        except OSError as exc:
            self.warn(
                f"texture {name!r} cannot be read ({exc.strerror or exc}); drawing without it"
            )
        except ValueError as exc:
            self.warn(f"texture {name!r} cannot be decoded ({exc}); drawing without it")
        return None, name


def _khr_transform(khr: dict, where: str) -> np.ndarray:
    where = f"{where} KHR_texture_transform"
    return _uv_transform(
        offset=_floats(khr.get("offset", [0.0, 0.0]), 2, f"{where}.offset"),
        rotation=_number(khr.get("rotation"), f"{where}.rotation", 0.0),
        scale=_floats(khr.get("scale", [1.0, 1.0]), 2, f"{where}.scale"),
    )


# -- meshes ---------------------------------------------------------------------------------


class _Meshes:
    """glTF meshes as Model meshes; each accessor's checks and normals done once."""

    def __init__(self, document: GLTF2, accessors: _Accessors, materials: _Materials):
        self.document, self.accessors, self.materials = document, accessors, materials
        self.meshes: list[Mesh] = []
        self.skipped_primitives = 0  # points and lines
        self._mesh_index: dict[int, int | None] = {}
        self._indices: dict[tuple[int, int], np.ndarray] = {}
        self._finite: set[int] = set()
        self._normals: dict[tuple, np.ndarray] = {}

    def index(self, mesh: int, where: str) -> int | None:
        """The Model.meshes index of glTF mesh ``mesh``; None if it draws no triangles."""
        mesh = _int(mesh, where)
        if mesh not in self._mesh_index:
            converted = self._mesh(mesh, where)
            if converted is not None:
                self.meshes.append(converted)
            self._mesh_index[mesh] = len(self.meshes) - 1 if converted is not None else None
        return self._mesh_index[mesh]

    def _mesh(self, index: int, where: str) -> Mesh | None:
        mesh = _item(self.document.meshes, index, "mesh", where)
        primitives = []
        for p, primitive in enumerate(mesh.primitives or []):
            label = (
                f"mesh {mesh.name!r} primitive {p}"
                if mesh.name
                else f"meshes[{index}].primitives[{p}]"
            )
            converted = self._primitive(primitive, label)
            if converted is not None:
                primitives.append(converted)
        if not primitives:
            return None
        return Mesh(name=mesh.name or f"mesh {index}", primitives=tuple(primitives))

    def _primitive(self, primitive, where: str) -> Primitive | None:
        mode = _TRIANGLES if primitive.mode is None else primitive.mode
        if mode in _POINTS_AND_LINES:
            self.skipped_primitives += 1
            return None
        if mode not in (_TRIANGLES, _TRIANGLE_STRIP, _TRIANGLE_FAN):
            raise _Invalid(f"{where}: mode {mode!r} is not a glTF primitive mode")
        attributes = primitive.attributes
        position = getattr(attributes, "POSITION", None)
        if position is None:
            raise _Invalid(f"{where}: has no POSITION attribute")
        positions = self._attribute(position, "POSITION", (3,), None, where)
        n = len(positions)
        self._check_finite(position, positions, where)
        triangles = _triangle_list(self._vertex_indices(primitive.indices, n, where), mode)

        def optional(name: str, widths: tuple[int, ...]) -> np.ndarray | None:
            index = getattr(attributes, name, None)
            return None if index is None else self._attribute(index, name, widths, n, where)

        normals = optional("NORMAL", (3,))
        if normals is None:
            normals = self._computed_normals(
                (position, primitive.indices, mode), positions, triangles
            )
        colors = optional("COLOR_0", (3, 4))
        return Primitive(
            positions=positions,
            normals=normals,
            indices=triangles,
            material=self.materials.index(primitive.material),
            texcoords0=optional("TEXCOORD_0", (2,)),
            texcoords1=optional("TEXCOORD_1", (2,)),
            colors=None if colors is None else _rgba(colors),
            tangents=optional("TANGENT", (4,)),
        )

    def _attribute(self, index, name: str, widths, n: int | None, where: str) -> np.ndarray:
        array = self.accessors.floats(index, f"{where}.attributes.{name}")
        width = 1 if array.ndim == 1 else array.shape[1]
        if width not in widths:
            expected = " or ".join(f"VEC{w}" for w in widths)
            raise _Invalid(f"{where}: {name} has {width} components, expected {expected}")
        if n is not None and len(array) != n:
            raise _Invalid(f"{where}: {name} has {len(array)} entries, POSITION has {n}")
        return array

    def _check_finite(self, index: int, positions: np.ndarray, where: str) -> None:
        if index not in self._finite:
            if not np.isfinite(positions).all():
                raise _Invalid(f"{where}: POSITION holds NaN or infinite values")
            self._finite.add(index)

    def _vertex_indices(self, index, n: int, where: str) -> np.ndarray:
        """The primitive's indices as uint32, checked against its ``n`` vertices."""
        if index is None:
            return np.arange(n, dtype=np.uint32)
        index = _int(index, f"{where}.indices")
        if (index, n) not in self._indices:
            raw = self.accessors.raw(index, f"{where}.indices")
            if raw.ndim != 1 or raw.dtype not in _INDEX_DTYPES:
                raise _Invalid(
                    f"{where}: indices must be unsigned byte, short or int scalars "
                    f"(accessor {index} is {raw.dtype} x {raw.shape[1:] or 1})"
                )
            top = int(raw.max())
            if top >= n:
                raise _Invalid(f"{where}: indices reach vertex {top} of {n}")
            self._indices[(index, n)] = raw.astype(np.uint32, copy=False)
        return self._indices[(index, n)]

    def _computed_normals(self, key: tuple, positions, triangles) -> np.ndarray:
        if key not in self._normals:
            self._normals[key] = smooth_normals(positions, triangles)
        return self._normals[key]


# -- the scene ------------------------------------------------------------------------------


class _SceneReader:
    """Walks the default scene's node trees into instances and cameras."""

    def __init__(self, path: Path, document: GLTF2, bin_chunk, extension_warnings: list[str]):
        self.path, self.document = path, document
        self._warnings = list(extension_warnings)
        self.accessors = _Accessors(path, document, bin_chunk)
        self.materials = _Materials(path, document, self.accessors, self._warnings.append)
        self.meshes = _Meshes(document, self.accessors, self.materials)

    def model(self) -> Model:
        nodes = self.document.nodes or []
        instances, cameras, orthographic = [], [], 0
        instance_names, camera_names = set(), set()
        for index, world in _walk(nodes, self._roots(nodes)):
            node = nodes[index]
            if node.mesh is not None:
                instance = self._instance(index, node, world, instance_names)
                if instance is not None:
                    instances.append(instance)
            if node.camera is not None:
                camera = self._camera(index, node, world, camera_names)
                if camera is None:
                    orthographic += 1
                else:
                    cameras.append(camera)
        if not instances:
            raise _Invalid("the scene has no meshes to draw")
        self._summarise(orthographic)
        source = str(self.path)
        return Model(
            source=source,
            meshes=tuple(self.meshes.meshes),
            materials=tuple(self.materials.materials),
            images=tuple(self.materials.images),
            instances=tuple(instances),
            cameras=tuple(cameras),
            warnings=tuple(f"{source}: {w}" for w in self._warnings),
        )

    def _summarise(self, orthographic: int) -> None:
        if self.meshes.skipped_primitives:
            self._warnings.append(
                f"skipped {self.meshes.skipped_primitives} point and line "
                "primitives (dofviewer draws triangles)"
            )
        if orthographic:
            self._warnings.append(
                f"skipped {orthographic} orthographic camera(s) (dofviewer "
                "views through perspective cameras)"
            )

    def _roots(self, nodes) -> list[int]:
        """The default scene's root nodes (``scene``, else scenes[0], else every root)."""
        parents = _parents(nodes)
        document = self.document
        if document.scene is None and not document.scenes:
            return [i for i, parent in enumerate(parents) if parent is None]
        index = 0 if document.scene is None else document.scene
        scene = _item(document.scenes, index, "scene", "scene")
        where = f"scenes[{_int(index, 'scene')}].nodes"
        roots = [_int(n, where) for n in scene.nodes or []]
        for root in roots:
            _item(nodes, root, "node", where)
            if parents[root] is not None:
                raise _Invalid(
                    f"{where}: node {root} is not a root node (it is a child of "
                    f"node {parents[root]})"
                )
        return roots

    def _instance(self, index: int, node, world, taken: set[str]) -> MeshInstance | None:
        mesh = self.meshes.index(node.mesh, f"nodes[{index}].mesh")
        if mesh is None:
            return None
        gltf_mesh = self.document.meshes[node.mesh]
        name = unique_name(node.name or gltf_mesh.name or f"node {index}", taken)
        where = f"nodes[{index}]"
        instancing = _extension(node, "EXT_mesh_gpu_instancing", where)
        if instancing is None:
            return MeshInstance(name=name, mesh=mesh, matrices=world[None])
        matrices = _compose(world, self._instance_matrices(instancing, where), where)
        return MeshInstance(name=name, mesh=mesh, matrices=matrices)

    def _instance_matrices(self, extension: dict, where: str) -> np.ndarray:
        """EXT_mesh_gpu_instancing's per-instance T · R · S, (K, 4, 4)."""
        attributes = extension.get("attributes")
        if not isinstance(attributes, dict):
            raise _Invalid(f"{where}: EXT_mesh_gpu_instancing has no attributes")
        where = f"{where} EXT_mesh_gpu_instancing"
        arrays = {
            name: self.accessors.floats(attributes[name], f"{where} {name}")
            for name in ("TRANSLATION", "ROTATION", "SCALE")
            if name in attributes
        }
        counts = {len(a) for a in arrays.values()}
        if len(counts) != 1:
            raise _Invalid(
                f"{where}: TRANSLATION, ROTATION and SCALE must be present with the same count"
            )
        k = counts.pop()
        widths = {"TRANSLATION": 3, "ROTATION": 4, "SCALE": 3}
        for name, array in arrays.items():
            if array.ndim != 2 or array.shape[1] != widths[name]:
                raise _Invalid(f"{where}: {name} must be VEC{widths[name]}")
        return _trs_matrices(
            arrays.get("TRANSLATION", np.zeros((k, 3))),
            arrays.get("ROTATION", np.tile([0.0, 0.0, 0.0, 1.0], (k, 1))),
            arrays.get("SCALE", np.ones((k, 3))),
        )

    def _camera(self, index: int, node, world, taken: set[str]) -> Camera | None:
        """The node's perspective camera; None for an orthographic one."""
        c = _int(node.camera, f"nodes[{index}].camera")
        camera = _item(self.document.cameras, c, "camera", f"nodes[{index}].camera")
        where = f"cameras[{c}]"
        if camera.type == "orthographic":
            return None
        if camera.type != "perspective" or camera.perspective is None:
            raise _Invalid(f"{where}: type {camera.type!r} is not perspective or orthographic")
        p = camera.perspective
        yfov = _number(p.yfov, f"{where}.perspective.yfov")
        znear = _number(p.znear, f"{where}.perspective.znear")
        aspect = _number(p.aspectRatio, f"{where}.perspective.aspectRatio")
        zfar = _number(p.zfar, f"{where}.perspective.zfar")
        if yfov is None or not 0 < yfov < np.pi:
            raise _Invalid(f"{where}.perspective.yfov: {p.yfov!r} is not an angle in (0, π)")
        if znear is None or znear <= 0 or (zfar is not None and zfar <= znear):
            raise _Invalid(
                f"{where}.perspective: znear {p.znear!r} and zfar {p.zfar!r} do not "
                "make 0 < znear < zfar"
            )
        if aspect is not None and aspect <= 0:
            raise _Invalid(f"{where}.perspective.aspectRatio: {aspect} is not positive")
        name = unique_name(node.name or camera.name or f"camera {c}", taken)
        return Camera(
            name=name, yfov_rad=yfov, aspect_ratio=aspect, znear_m=znear, zfar_m=zfar, world=world
        )


def _parents(nodes) -> list[int | None]:
    """Each node's parent; refuses a node with two parents and a cycle of nodes."""
    parents: list[int | None] = [None] * len(nodes)
    for i, node in enumerate(nodes):
        for child in node.children or []:
            child = _int(child, f"nodes[{i}].children")
            _item(nodes, child, "node", f"nodes[{i}].children")
            if parents[child] is not None:
                raise _Invalid(f"nodes[{child}] has two parents (nodes {parents[child]} and {i})")
            parents[child] = i
    _check_acyclic(parents)
    return parents


def _check_acyclic(parents: list[int | None]) -> None:
    """With one parent each, a cycle is a loop of parent links: follow each link once."""
    state = [0] * len(parents)  # 0 unseen, 1 on the chain being followed, 2 leads to a root
    for start in range(len(parents)):
        chain, node = [], start
        while node is not None and state[node] == 0:
            state[node] = 1
            chain.append(node)
            node = parents[node]
        if node is not None and state[node] == 1:
            loop = chain[chain.index(node) :] + [node]
            raise _Invalid(f"the node hierarchy has a cycle (nodes {' -> '.join(map(str, loop))})")
        for visited in chain:
            state[visited] = 2


def _walk(nodes, roots: list[int]):
    """(node index, world matrix) depth-first from ``roots``, parents before children."""
    stack = [(root, np.identity(4)) for root in reversed(roots)]
    while stack:
        index, parent_world = stack.pop()
        node = nodes[index]
        where = f"nodes[{index}]"
        world = _compose(parent_world, _local_matrix(node, where), where)
        yield index, world
        stack.extend((_int(child, "child"), world) for child in reversed(node.children or []))


def _compose(parent: np.ndarray, local: np.ndarray, where: str) -> np.ndarray:
    """``parent @ local``, refused where it is not finite (huge or NaN transforms)."""
    with np.errstate(over="ignore", invalid="ignore"):  # checked below, with a clear message
        world = parent @ local
    if not np.isfinite(world).all():
        raise _Invalid(f"{where}: its world transform is not finite")
    return world


def _local_matrix(node, where: str) -> np.ndarray:
    if node.matrix is not None:
        return np.array(_floats(node.matrix, 16, f"{where}.matrix")).reshape(4, 4).T
    if node.translation is None and node.rotation is None and node.scale is None:
        return np.identity(4)
    t = _floats(node.translation or [0.0, 0.0, 0.0], 3, f"{where}.translation")
    r = _floats(node.rotation or [0.0, 0.0, 0.0, 1.0], 4, f"{where}.rotation")
    s = _floats(node.scale or [1.0, 1.0, 1.0], 3, f"{where}.scale")
    return _trs_matrices([t], [r], [s])[0]
