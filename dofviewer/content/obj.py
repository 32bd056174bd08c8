"""Load Wavefront OBJ (and its .mtl) into a :class:`~dofviewer.content.model.Model`.

Hand-written rather than trimesh, so that a broken file says which line is wrong. Python
only splits lines and sorts their tokens into lists; numbers and indices are converted
with numpy in bulk, and faces are fan-triangulated and de-indexed (one vertex per unique
(v, vt, vn) triple) with array operations, so the per-line cost stays small.

OBJ is brought in line with glTF (see model.py) so the renderer treats both alike:

* texture v is flipped (v' = 1 − v): OBJ's v runs up the image, glTF's down it;
* MTL maps onto metallic-roughness: Kd → base colour (linear), map_Kd → its texture,
  Ke/map_Ke → emissive, d (or 1 − Tr) → alpha (BLEND below 1), Ns → roughness
  √(2 / (Ns + 2)) (the Blinn-Phong exponent whose lobe matches), metallic 0;
* every material is double-sided: OBJ has no notion of facing, and files mix windings;
* each ``o``/``g`` starts an object: its own Mesh and a MeshInstance with an identity
  matrix; ``usemtl`` splits an object into primitives.

Missing normals are computed smooth per position index, so UV seams (where one position
becomes several vertices) do not become shading seams.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dofviewer.content.meshdata import read_rgba, smooth_normals, unique_name, unit_vectors
from dofviewer.content.model import (
    Image,
    Material,
    Mesh,
    MeshInstance,
    Model,
    Primitive,
    TextureRef,
)
from dofviewer.errors import ModelError

#: Faces without ``usemtl`` (or naming an undefined material): white, dielectric.
_DEFAULT_MATERIAL = Material(name="default", metallic=0.0, roughness=1.0, double_sided=True)
#: ``map_*`` options and how many values each takes (-o/-s/-t take up to 3).
_MAP_OPTIONS = {
    "-blendu": 1,
    "-blendv": 1,
    "-bm": 1,
    "-boost": 1,
    "-cc": 1,
    "-clamp": 1,
    "-imfchan": 1,
    "-texres": 1,
    "-type": 1,
    "-mm": 2,
    "-o": 3,
    "-s": 3,
    "-t": 3,
}


class _LineError(Exception):
    """A problem on one line of a file; becomes ``ModelError(file, "line N: problem")``."""

    def __init__(self, line: int, problem: str):
        super().__init__(f"line {line}: {problem}")


def load_obj(path: Path) -> Model:
    """Read an .obj file (and the .mtl files it names) as one object per ``o``/``g``."""
    path = Path(path)
    source = str(path)
    try:
        return _ObjReader(path, _parse(_read_text(path), path.stem)).model()
    except _LineError as exc:
        raise ModelError(source, str(exc)) from None
    except ModelError:
        raise
    except Exception as exc:  # something no check foresaw: still one line
        problem = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise ModelError(source, f"malformed OBJ ({problem})") from exc


def _read_text(path: Path) -> str:
    """The file as text; a ModelError naming it if it cannot be read or is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(str(path), f"cannot read file ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError(
            str(path), f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


# -- parsing --------------------------------------------------------------------------------


@dataclass
class _Statements:
    """An OBJ file's statements, sorted by kind, each with its line number."""

    vertices: list[list[str]] = field(default_factory=list)
    vertex_lines: list[int] = field(default_factory=list)
    texcoords: list[list[str]] = field(default_factory=list)
    texcoord_lines: list[int] = field(default_factory=list)
    normals: list[list[str]] = field(default_factory=list)
    normal_lines: list[int] = field(default_factory=list)
    corners: list[str] = field(default_factory=list)  # "v/vt/vn" of every face, in order
    face_sizes: list[int] = field(default_factory=list)
    face_lines: list[int] = field(default_factory=list)
    face_groups: list[int] = field(default_factory=list)  # index into groups
    #: per face, how many v, vt and vn came before it (what negative indices count back from)
    face_bases: list[tuple[int, int, int]] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    groups: dict[tuple[int, str | None], int] = field(default_factory=dict)  # (object, usemtl)
    libraries: list[str] = field(default_factory=list)


def _parse(text: str, stem: str) -> _Statements:
    s = _Statements()
    obj, material = None, None
    for number, line in enumerate(text.splitlines(), 1):
        if "#" in line:
            line = line[: line.index("#")]
        tokens = line.split()
        if not tokens:
            continue
        key = tokens[0]
        if key == "v":
            s.vertices.append(tokens[1:])
            s.vertex_lines.append(number)
        elif key == "vt":
            s.texcoords.append(tokens[1:])
            s.texcoord_lines.append(number)
        elif key == "vn":
            s.normals.append(tokens[1:])
            s.normal_lines.append(number)
        elif key == "f":
            if len(tokens) < 4:
                raise _LineError(
                    number, f"a face needs at least 3 vertices (this has {len(tokens) - 1})"
                )
            if obj is None:
                s.objects.append(stem)
                obj = len(s.objects) - 1
            s.corners.extend(tokens[1:])
            s.face_sizes.append(len(tokens) - 1)
            s.face_lines.append(number)
            s.face_groups.append(s.groups.setdefault((obj, material), len(s.groups)))
            s.face_bases.append((len(s.vertices), len(s.texcoords), len(s.normals)))
        elif key in ("o", "g"):
            s.objects.append(_rest(line) or stem)
            obj = len(s.objects) - 1
        elif key == "usemtl":
            material = _rest(line)
        elif key == "mtllib":
            s.libraries.append(_rest(line))
    return s


def _rest(line: str) -> str:
    """The line after its keyword (names may hold spaces)."""
    parts = line.strip().split(None, 1)
    return parts[1].strip() if len(parts) > 1 else ""


def _numbers(
    rows: list[list[str]], lines: list[int], width: int, what: str, minimum: int | None = None
) -> np.ndarray:
    """The first ``width`` numbers of each row as (len(rows), width) float64; rows with
    fewer than ``width`` (but at least ``minimum``) are padded with 0."""
    minimum = width if minimum is None else minimum
    if any(len(row) != width for row in rows):
        for row, line in zip(rows, lines, strict=True):
            if len(row) < minimum:
                raise _LineError(line, f"{what} needs {minimum} numbers, this has {len(row)}")
        rows = [(row + ["0"] * width)[:width] for row in rows]
    try:
        array = np.array(rows, dtype=np.float64).reshape(len(rows), width)
    except ValueError:  # the slow way, to name the line
        array = np.array(
            [[_float(t, line) for t in row] for row, line in zip(rows, lines, strict=True)]
        )
    finite = np.isfinite(array).all(axis=1)
    if not finite.all():
        bad = int(np.argmin(finite))
        raise _LineError(
            lines[bad], f"{what} holds a value that is not finite ({' '.join(rows[bad])})"
        )
    return array


def _float(token: str, line: int) -> float:
    try:
        return float(token)
    except ValueError:
        raise _LineError(line, f"{token!r} is not a number") from None


# -- faces ----------------------------------------------------------------------------------


@dataclass
class _Corners:
    """Every face corner's resolved 0-based (v, vt, vn); vt and vn are −1 where absent."""

    v: np.ndarray
    vt: np.ndarray
    vn: np.ndarray


def _corners(s: _Statements) -> _Corners:
    v_text, vt_text, vn_text = [], [], []
    for corner in s.corners:
        v, _, rest = corner.partition("/")
        vt, _, vn = rest.partition("/")
        v_text.append(v)
        vt_text.append(vt)
        vn_text.append(vn)
    sizes = np.array(s.face_sizes)
    face_of_corner = np.repeat(np.arange(len(sizes)), sizes)
    bases = np.array(s.face_bases, dtype=np.int64).reshape(-1, 3)[face_of_corner]
    counts = (len(s.vertices), len(s.texcoords), len(s.normals))
    kinds = (
        ("vertex", "vertices"),
        ("texture coordinate", "texture coordinates"),
        ("normal", "normals"),
    )
    resolved = [
        _resolve(text, bases[:, k], counts[k], kinds[k], face_of_corner, s.face_lines)
        for k, text in enumerate((v_text, vt_text, vn_text))
    ]
    return _Corners(*resolved)


def _resolve(
    text: list[str],
    base: np.ndarray,
    count: int,
    kind: tuple[str, str],
    face_of_corner: np.ndarray,
    face_lines: list[int],
) -> np.ndarray:
    """One index column of the corners, 0-based, checked; −1 where a corner has none."""
    strings = np.array(text)
    present = strings != ""
    name = "face index" if kind[0] == "vertex" else f"face {kind[0]} index"

    def fail(i: int, problem: str):
        raise _LineError(face_lines[face_of_corner[i]], problem)

    try:
        values = np.where(present, strings, "0").astype(np.int64)
    except (ValueError, OverflowError):  # the slow way, to name the line
        values = np.array(
            [_int(t or "0", name, face_lines[face_of_corner[i]]) for i, t in enumerate(text)]
        )
    if kind[0] == "vertex" and not present.all():
        fail(int(np.argmin(present)), "a face corner has no vertex index")
    zero = present & (values == 0)
    if zero.any():
        fail(int(np.argmax(zero)), f"{name} 0 is invalid (OBJ counts from 1)")
    resolved = np.where(values < 0, base + values, values - 1)
    outside = present & ((resolved < 0) | (resolved >= count))
    if outside.any():
        bad = int(np.argmax(outside))
        fail(bad, f"{name} {values[bad]} is out of range ({count} {kind[1]})")
    return np.where(present, resolved, -1)


def _int(token: str, name: str, line: int) -> int:
    try:
        value = int(token)
    except ValueError:
        raise _LineError(line, f"{name} {token!r} is not an integer") from None
    if abs(value) >= 2**62:
        raise _LineError(line, f"{name} {token} is out of range")
    return value


def _fan_triangles(face_sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Corner numbers (T, 3) of every face's fan (0, i, i+1), and each triangle's face."""
    sizes = np.array(face_sizes, dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    per_face = sizes - 2
    face = np.repeat(np.arange(len(sizes)), per_face)
    step = np.arange(len(face)) - np.repeat(np.cumsum(per_face) - per_face, per_face)
    first = starts[face]
    return np.stack([first, first + step + 1, first + step + 2], axis=1), face


# -- materials ------------------------------------------------------------------------------


@dataclass
class _MtlMaterial:
    """One ``newmtl``: its statements (keyword → (values, line)) and where its file is."""

    library: Path
    statements: dict[str, tuple[list[str], int]] = field(default_factory=dict)


class _Materials:
    """The .mtl libraries' materials and textures, converted when a face uses them."""

    def __init__(self, path: Path, libraries: list[str], warn):
        self.path, self.warn = path, warn
        self.materials: list[Material] = []
        self.images: list[Image] = []
        self.definitions: dict[str, _MtlMaterial] = {}
        self._index: dict[str | None, int] = {}
        self._image_index: dict[Path, int | None] = {}
        self._undefined: list[str] = []
        self._library_missing = False
        for name in libraries:
            self._read_library(self.path.parent / name.replace("\\", "/"), name)

    def _read_library(self, library: Path, name: str) -> None:
        if not library.is_file():
            self.warn(f"material library {name!r} is missing; drawing with default materials")
            self._library_missing = True
            return
        try:
            self.definitions.update(_parse_mtl(_read_text(library), library))
        except _LineError as exc:
            raise ModelError(str(library), str(exc)) from None

    def index(self, name: str | None) -> int:
        """The Model.materials index for ``usemtl name`` (None: no usemtl)."""
        if name not in self.definitions:
            if name is not None and name not in self._undefined:
                self._undefined.append(name)
            name = None
        if name not in self._index:
            material = _DEFAULT_MATERIAL if name is None else self._material(name)
            self.materials.append(material)
            self._index[name] = len(self.materials) - 1
        return self._index[name]

    def report_undefined(self) -> None:
        if self._undefined and not self._library_missing:
            self.warn(
                f"materials not defined in any .mtl: {', '.join(self._undefined)} "
                "(drawn with the default material)"
            )

    def _material(self, name: str) -> Material:
        definition = self.definitions[name]
        try:
            return self._convert(name, definition)
        except _LineError as exc:
            raise ModelError(str(definition.library), str(exc)) from None

    def _convert(self, name: str, definition: _MtlMaterial) -> Material:
        statements = definition.statements
        alpha = _mtl_floats(statements, "d", 1, None)
        if alpha is None:
            alpha = tuple(1.0 - t for t in _mtl_floats(statements, "Tr", 1, (0.0,)))
        opacity = min(max(alpha[0], 0.0), 1.0)
        shininess = max(_mtl_floats(statements, "Ns", 1, (0.0,))[0], 0.0)
        folder = definition.library.parent
        return Material(
            name=name,
            base_color=(*_mtl_floats(statements, "Kd", 3, (1.0, 1.0, 1.0)), opacity),
            base_color_texture=self._texture(statements.get("map_Kd"), folder),
            metallic=0.0,
            roughness=math.sqrt(2.0 / (shininess + 2.0)),
            emissive=_mtl_floats(statements, "Ke", 3, (0.0, 0.0, 0.0)),
            emissive_texture=self._texture(statements.get("map_Ke"), folder),
            alpha_mode="BLEND" if opacity < 1.0 else "OPAQUE",
            double_sided=True,
        )

    def _texture(self, statement, folder: Path) -> TextureRef | None:
        if statement is None or not statement[0]:
            return None
        name = _map_file(statement[0])
        file = folder / name
        if file not in self._image_index:
            self._image_index[file] = self._load_image(file, name)
        image = self._image_index[file]
        return None if image is None else TextureRef(image=image)

    def _load_image(self, file: Path, name: str) -> int | None:
        try:
            pixels = read_rgba(file)
        except FileNotFoundError:
            self.warn(f"texture {name!r} is missing; drawing without it")
            return None
        except OSError as exc:
            self.warn(
                f"texture {name!r} cannot be read ({exc.strerror or exc}); drawing without it"
            )
            return None
        except ValueError as exc:
            self.warn(f"texture {name!r} cannot be decoded ({exc}); drawing without it")
            return None
        self.images.append(Image(name=name, pixels=pixels))
        return len(self.images) - 1


def _parse_mtl(text: str, library: Path) -> dict[str, _MtlMaterial]:
    materials: dict[str, _MtlMaterial] = {}
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0]
        tokens = line.split()
        if not tokens:
            continue
        if tokens[0] == "newmtl":
            current = materials.setdefault(_rest(line), _MtlMaterial(library))
        elif current is not None:
            values = [t for t in tokens[1:] if t != "-halo"]  # "d -halo 0.5": a dissolve style
            current.statements[tokens[0]] = (values, number)
    return materials


def _mtl_floats(statements: dict, key: str, n: int, default):
    if key not in statements:
        return default
    values, line = statements[key]
    numbers = tuple(_float(v, line) for v in values[:n])
    if len(numbers) != n or not all(math.isfinite(x) for x in numbers):
        raise _LineError(
            line,
            f"{key} needs {n} finite number{'s' if n > 1 else ''}, "
            f"got {' '.join(values) or 'none'}",
        )
    return numbers


def _map_file(tokens: list[str]) -> str:
    """The file name of a ``map_*`` statement, past its options (names may hold spaces)."""
    i = 0
    while i < len(tokens) - 1 and tokens[i] in _MAP_OPTIONS:
        wanted, i = _MAP_OPTIONS[tokens[i]], i + 1
        while wanted and i < len(tokens) - 1 and _is_option_value(tokens[i]):
            wanted, i = wanted - 1, i + 1
    return " ".join(tokens[i:]).replace("\\", "/")


def _is_option_value(token: str) -> bool:
    if token in ("on", "off"):
        return True
    try:
        float(token)
    except ValueError:
        return False
    return True


# -- the model ------------------------------------------------------------------------------


class _ObjReader:
    def __init__(self, path: Path, statements: _Statements):
        self.path, self.s = path, statements
        self.warnings: list[str] = []
        self.materials = _Materials(path, statements.libraries, self.warnings.append)

    def model(self) -> Model:
        s = self.s
        if not s.face_sizes:
            raise ModelError(str(self.path), "no faces to draw")
        positions = _numbers(s.vertices, s.vertex_lines, 3, "a vertex")
        corners = _corners(s)
        triangles, face = _fan_triangles(s.face_sizes)
        arrays = self._vertex_arrays(positions, corners, triangles)
        meshes = self._meshes(arrays, corners, triangles, np.array(s.face_groups)[face])
        self.materials.report_undefined()
        taken: set[str] = set()
        instances = tuple(
            MeshInstance(name=unique_name(mesh.name, taken), mesh=i, matrices=np.identity(4)[None])
            for i, mesh in enumerate(meshes)
        )
        source = str(self.path)
        return Model(
            source=source,
            meshes=tuple(meshes),
            materials=tuple(self.materials.materials),
            images=tuple(self.materials.images),
            instances=instances,
            warnings=tuple(f"{source}: {w}" for w in self.warnings),
        )

    def _vertex_arrays(self, positions, corners: _Corners, triangles) -> dict:
        """The file's per-position, per-vt and per-vn tables, each with a spare last row
        for corners that lack one; position normals computed if some corner lacks vn."""
        s = self.s
        texcoords = _numbers(s.texcoords, s.texcoord_lines, 2, "a texture coordinate", 1)
        texcoords[:, 1] = 1.0 - texcoords[:, 1]
        arrays = {
            "positions": positions.astype(np.float32),
            "texcoords": np.vstack([texcoords, [[0.0, 0.0]]]).astype(np.float32),
            "colors": _vertex_colors(s.vertices, s.vertex_lines),
        }
        normals = _numbers(s.normals, s.normal_lines, 3, "a normal")
        arrays["normals"] = unit_vectors(np.vstack([normals, [[0.0, 0.0, 1.0]]])).astype(np.float32)
        if (corners.vn < 0).any():
            arrays["smooth"] = smooth_normals(positions, corners.v[triangles])
        return arrays

    def _meshes(self, arrays: dict, corners: _Corners, triangles, triangle_group) -> list[Mesh]:
        """One mesh per object holding faces, one primitive per (object, usemtl) group."""
        order = np.argsort(triangle_group, kind="stable")
        ends = np.cumsum(np.bincount(triangle_group, minlength=len(self.s.groups)))
        by_object: dict[int, list[Primitive]] = {}
        for (obj, material), group in self.s.groups.items():
            start = ends[group - 1] if group else 0
            corner_ids = triangles[order[start : ends[group]]].ravel()
            primitive = self._primitive(arrays, corners, corner_ids, material)
            by_object.setdefault(obj, []).append(primitive)
        return [
            Mesh(name=self.s.objects[obj], primitives=tuple(prims))
            for obj, prims in sorted(by_object.items())
        ]

    def _primitive(self, arrays: dict, corners: _Corners, corner_ids, material) -> Primitive:
        """De-index: one vertex per distinct (v, vt, vn) among the primitive's corners."""
        v, vt, vn = corners.v[corner_ids], corners.vt[corner_ids], corners.vn[corner_ids]
        triples, inverse = np.unique(np.stack([v, vt, vn], axis=1), axis=0, return_inverse=True)
        v, vt, vn = triples.T
        # vt and vn are -1 where a corner has none: that reads the tables' spare last row.
        normals = arrays["normals"][vn] if (vn >= 0).all() else arrays["smooth"][v]
        colors = arrays["colors"]
        return Primitive(
            positions=arrays["positions"][v],
            normals=normals,
            indices=inverse.reshape(-1).astype(np.uint32),
            material=self.materials.index(material),
            texcoords0=arrays["texcoords"][vt] if (vt >= 0).any() else None,
            colors=None if colors is None else colors[v],
        )


def _vertex_colors(rows: list[list[str]], lines: list[int]) -> np.ndarray | None:
    """``v x y z r g b`` colours as (N, 4) float32 (white where a vertex has none)."""
    if not any(len(row) >= 6 for row in rows):
        return None
    rgb = [row[3:6] if len(row) >= 6 else ["1", "1", "1"] for row in rows]
    colors = np.ones((len(rows), 4), np.float32)
    colors[:, :3] = _numbers(rgb, lines, 3, "a vertex colour")
    return colors
