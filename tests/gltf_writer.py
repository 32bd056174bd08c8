"""Build small glTF 2.0 files from numpy arrays, for tests.

Written with plain ``json`` and ``struct`` rather than pygltflib, so the loader is checked
against an independent writer. Everything goes into one binary buffer: the GLB's BIN chunk,
or a ``.bin`` beside a ``.gltf`` (or a ``data:`` URI with ``embed=True``).

Usage::

    b = GltfBuilder()
    quad = b.add_mesh(positions, indices=[0, 1, 2, 0, 2, 3], uvs=uvs,
                      material=b.add_material(base_color_texture=b.add_texture_png(rgba)))
    parent = b.add_node("parent", scale=[2, 2, 2], children=[b.add_node("quad", mesh=quad)])
    b.add_node("eye", camera=b.add_camera(yfov=0.8), translation=[0, 0, 3])
    b.write_glb(tmp_path / "scene.glb")

API (every ``add_*`` returns the new item's index in its glTF array):

* ``add_mesh(positions, indices=None, normals=None, uvs=None, material=None, *, uvs1=None,
  colors=None, tangents=None, index_type=np.uint32, mode=None, name=None)`` and
  ``add_primitive(mesh, ...)`` (same arguments) for a mesh's further primitives. ``colors``
  keep their dtype: uint8/uint16 are written normalized. ``indices=None`` is non-indexed.
* ``add_node(name=None, mesh=None, translation=None, rotation=None, scale=None, matrix=None,
  children=(), camera=None, instancing=None)``: ``rotation`` is an xyzw quaternion,
  ``matrix`` a row-major 4×4 (written column-major as glTF wants), ``instancing`` a dict of
  ``translation``/``rotation``/``scale`` (K, n) arrays for EXT_mesh_gpu_instancing.
* ``add_camera(yfov, aspect_ratio=None, znear=0.01, zfar=None, name=None)`` and
  ``add_orthographic_camera(xmag=1, ymag=1)``.
* ``add_material(base_color=(1, 1, 1, 1), base_color_texture=None, texture_transform=None,
  **fields)``: ``texture_transform`` is the KHR_texture_transform dict of the base colour
  texture; ``fields`` are copied into the material JSON as they are.
* ``add_texture_png(rgba)`` embeds an (H, W, 4) uint8 image as PNG; ``add_texture_uri(uri)``
  refers to a file (which may be missing).
* ``add_accessor(array, normalized=False)``: a tightly packed accessor of the array's dtype;
  ``add_buffer_view(data)``: raw bytes, 4-byte aligned (for sparse or odd cases).
* ``use_extension(name, required=False)``; ``scene_roots`` (default: the nodes that are no
  one's child, in order); ``document`` is the JSON dict, free to edit before writing, but
  for its ``buffers``, made on writing: ``buffer_fields`` is merged into buffer 0 (a bad uri).
* ``write_glb(path)``, ``write_gltf(path, embed=False, bin_name=None)``, ``glb_bytes()``.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import urllib.parse
from pathlib import Path

import imageio.v3 as iio
import numpy as np

_COMPONENT_TYPES = {
    np.dtype(np.int8): 5120,
    np.dtype(np.uint8): 5121,
    np.dtype(np.int16): 5122,
    np.dtype(np.uint16): 5123,
    np.dtype(np.uint32): 5125,
    np.dtype(np.float32): 5126,
}
_TYPES = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4", 16: "MAT4"}


class GltfBuilder:
    """Accumulates a glTF document and its binary buffer; see the module docstring."""

    def __init__(self):
        self.document: dict = {"asset": {"version": "2.0", "generator": "dofviewer tests"}}
        self.binary = bytearray()
        self.scene_roots: list[int] | None = None
        self.buffer_fields: dict = {}

    # -- data -----------------------------------------------------------------------------

    def _list(self, key: str) -> list:
        return self.document.setdefault(key, [])

    def _append(self, key: str, item: dict) -> int:
        items = self._list(key)
        items.append(item)
        return len(items) - 1

    def add_buffer_view(self, data: bytes, **fields) -> int:
        self.binary.extend(b"\0" * (-len(self.binary) % 4))  # accessors want 4-byte alignment
        view = {"buffer": 0, "byteOffset": len(self.binary), "byteLength": len(data), **fields}
        self.binary.extend(data)
        return self._append("bufferViews", view)

    def add_accessor(self, array, normalized: bool = False) -> int:
        """``array`` (count,) or (count, n) as a tightly packed accessor of its dtype."""
        array = np.ascontiguousarray(array)
        width = 1 if array.ndim == 1 else array.shape[1]
        accessor = {
            "bufferView": self.add_buffer_view(
                array.astype(array.dtype.newbyteorder("<")).tobytes()
            ),
            "componentType": _COMPONENT_TYPES[array.dtype],
            "count": len(array),
            "type": _TYPES[width],
        }
        if normalized:
            accessor["normalized"] = True
        if array.dtype == np.float32 and width == 3:  # POSITION needs min and max
            accessor["min"] = array.min(axis=0).tolist()
            accessor["max"] = array.max(axis=0).tolist()
        return self._append("accessors", accessor)

    # -- meshes and materials ---------------------------------------------------------------

    def add_mesh(
        self, positions, indices=None, normals=None, uvs=None, material=None, *, name=None, **more
    ) -> int:
        mesh = self._append("meshes", {"primitives": []} | ({"name": name} if name else {}))
        self.add_primitive(mesh, positions, indices, normals, uvs, material, **more)
        return mesh

    def add_primitive(
        self,
        mesh: int,
        positions,
        indices=None,
        normals=None,
        uvs=None,
        material=None,
        *,
        uvs1=None,
        colors=None,
        tangents=None,
        index_type=np.uint32,
        mode=None,
    ) -> int:
        floats = {
            "POSITION": positions,
            "NORMAL": normals,
            "TEXCOORD_0": uvs,
            "TEXCOORD_1": uvs1,
            "TANGENT": tangents,
        }
        attributes = {
            key: self.add_accessor(np.asarray(value, np.float32))
            for key, value in floats.items()
            if value is not None
        }
        if colors is not None:
            colors = np.asarray(colors)
            attributes["COLOR_0"] = self.add_accessor(colors, normalized=colors.dtype.kind == "u")
        primitive = {"attributes": attributes}
        if indices is not None:
            primitive["indices"] = self.add_accessor(np.asarray(indices, index_type))
        if material is not None:
            primitive["material"] = material
        if mode is not None:
            primitive["mode"] = mode
        primitives = self.document["meshes"][mesh]["primitives"]
        primitives.append(primitive)
        return len(primitives) - 1

    def add_material(
        self,
        base_color=(1.0, 1.0, 1.0, 1.0),
        base_color_texture=None,
        texture_transform=None,
        **fields,
    ) -> int:
        pbr = {"baseColorFactor": list(base_color)}
        if base_color_texture is not None:
            pbr["baseColorTexture"] = {"index": base_color_texture}
            if texture_transform is not None:
                pbr["baseColorTexture"]["extensions"] = {"KHR_texture_transform": texture_transform}
                self.use_extension("KHR_texture_transform")
        return self._append("materials", {"pbrMetallicRoughness": pbr, **fields})

    def add_texture_png(self, rgba) -> int:
        png = io.BytesIO()
        iio.imwrite(png, np.asarray(rgba, np.uint8), extension=".png")
        view = self.add_buffer_view(png.getvalue())
        image = self._append("images", {"bufferView": view, "mimeType": "image/png"})
        return self._append("textures", {"source": image})

    def add_texture_uri(self, uri: str) -> int:
        image = self._append("images", {"uri": uri})
        return self._append("textures", {"source": image})

    # -- nodes and cameras ------------------------------------------------------------------

    def add_node(
        self,
        name=None,
        mesh=None,
        translation=None,
        rotation=None,
        scale=None,
        matrix=None,
        children=(),
        camera=None,
        instancing=None,
    ) -> int:
        node = {}
        fields = {"name": name, "mesh": mesh, "camera": camera}
        node.update({key: value for key, value in fields.items() if value is not None})
        for key, value in (("translation", translation), ("rotation", rotation), ("scale", scale)):
            if value is not None:
                node[key] = [float(v) for v in value]
        if matrix is not None:
            node["matrix"] = np.asarray(matrix, float).T.ravel().tolist()  # column-major
        if children:
            node["children"] = list(children)
        if instancing is not None:
            node["extensions"] = {
                "EXT_mesh_gpu_instancing": {
                    "attributes": {
                        key.upper(): self.add_accessor(np.asarray(value, np.float32))
                        for key, value in instancing.items()
                    }
                }
            }
            self.use_extension("EXT_mesh_gpu_instancing")
        return self._append("nodes", node)

    def add_camera(self, yfov, aspect_ratio=None, znear=0.01, zfar=None, name=None) -> int:
        perspective = {"yfov": yfov, "znear": znear}
        if aspect_ratio is not None:
            perspective["aspectRatio"] = aspect_ratio
        if zfar is not None:
            perspective["zfar"] = zfar
        camera = {"type": "perspective", "perspective": perspective}
        return self._append("cameras", camera | ({"name": name} if name else {}))

    def add_orthographic_camera(self, xmag=1.0, ymag=1.0) -> int:
        ortho = {"xmag": xmag, "ymag": ymag, "znear": 0.01, "zfar": 100.0}
        return self._append("cameras", {"type": "orthographic", "orthographic": ortho})

    def use_extension(self, name: str, required: bool = False) -> None:
        for key in ("extensionsUsed", "extensionsRequired") if required else ("extensionsUsed",):
            if name not in self._list(key):
                self._list(key).append(name)

    # -- output -----------------------------------------------------------------------------

    def _finished(self, uri: str | None) -> dict:
        document = dict(self.document)
        children = {c for node in document.get("nodes", []) for c in node.get("children", [])}
        roots = self.scene_roots
        if roots is None:
            roots = [i for i in range(len(document.get("nodes", []))) if i not in children]
        document.setdefault("scenes", [{"nodes": roots}])
        document.setdefault("scene", 0)
        if self.binary:
            buffer = {"byteLength": len(self.binary)} | ({"uri": uri} if uri else {})
            document["buffers"] = [buffer | self.buffer_fields]
        return document

    def glb_bytes(self) -> bytes:
        text = json.dumps(self._finished(None)).encode()
        text += b" " * (-len(text) % 4)
        binary = bytes(self.binary) + b"\0" * (-len(self.binary) % 4)
        chunks = struct.pack("<I4s", len(text), b"JSON") + text
        if binary:
            chunks += struct.pack("<I4s", len(binary), b"BIN\0") + binary
        return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks

    def write_glb(self, path) -> Path:
        path = Path(path)
        path.write_bytes(self.glb_bytes())
        return path

    def write_gltf(self, path, embed: bool = False, bin_name: str | None = None) -> Path:
        """The JSON at ``path``; the buffer as a data: URI (``embed``) or a file beside it
        (``bin_name``, default the .gltf's stem + .bin; written URI-encoded)."""
        path = Path(path)
        if embed:
            uri = "data:application/octet-stream;base64," + base64.b64encode(self.binary).decode()
        else:
            bin_name = bin_name or path.with_suffix(".bin").name
            (path.parent / bin_name).write_bytes(bytes(self.binary))
            uri = urllib.parse.quote(bin_name)
        path.write_text(json.dumps(self._finished(uri), indent=1))
        return path
