"""Pack a .gltf with its .bin and textures into one small .glb for assets/.

The bundled demo model ships inside the wheel, so its textures are shrunk (longest side
``--max-size``) and stored as JPEG where their alpha is unused (PNG otherwise).
Textures only an ignored extension reads (``--drop-extension``) are left out with it.
Geometry, nodes, cameras and materials are kept as they are.

    python scripts/bundle_gltf.py ../shared/assets/gltf/ToyCar/glTF/ToyCar.gltf \
        assets/toycar.glb --max-size 512 --drop-extension KHR_materials_clearcoat
"""

from __future__ import annotations

import argparse
import io
import json
import struct
from pathlib import Path
from urllib.parse import unquote

from PIL import Image

GLB_MAGIC, JSON_CHUNK, BIN_CHUNK = 0x46546C67, 0x4E4F534A, 0x004E4942


def _pad(data: bytes, fill: bytes) -> bytes:
    return data + fill * (-len(data) % 4)


def _alpha_used(doc: dict, image_index: int) -> bool:
    """Whether a material reads this image's alpha (a non-opaque base colour)."""
    for material in doc.get("materials", []):
        base = material.get("pbrMetallicRoughness", {}).get("baseColorTexture")
        if base is None or material.get("alphaMode", "OPAQUE") == "OPAQUE":
            continue
        if doc["textures"][base["index"]].get("source") == image_index:
            return True
    return False


def _drop_extension(doc: dict, name: str):
    for material in doc.get("materials", []):
        material.get("extensions", {}).pop(name, None)
    for key in ("extensionsUsed", "extensionsRequired"):
        if name in doc.get(key, []):
            doc[key].remove(name)


def _used_textures(node, found: set[int]):
    if isinstance(node, dict):
        if "index" in node and isinstance(node["index"], int) and len(node) <= 4:
            found.add(node["index"])
        for value in node.values():
            _used_textures(value, found)
    elif isinstance(node, list):
        for value in node:
            _used_textures(value, found)


def bundle(source: Path, target: Path, max_size: int, drop: list[str]):
    doc = json.loads(source.read_text(encoding="utf-8"))
    for name in drop:
        _drop_extension(doc, name)
    used: set[int] = set()
    _used_textures(doc.get("materials", []), used)
    keep_images = sorted({doc["textures"][t]["source"] for t in used})

    blob = bytearray()
    views = []

    def add_view(data: bytes, **extra) -> int:
        while len(blob) % 4:  # glTF wants views 4-byte aligned
            blob.append(0)
        views.append({"buffer": 0, "byteOffset": len(blob), "byteLength": len(data), **extra})
        blob.extend(data)
        return len(views) - 1

    # Geometry: every old buffer view re-based into the new single buffer.
    buffers = [(source.parent / unquote(b["uri"])).read_bytes() for b in doc["buffers"]]
    for view in doc["bufferViews"]:
        data = buffers[view["buffer"]][view.get("byteOffset", 0):][: view["byteLength"]]
        extra = {k: v for k, v in view.items() if k in ("byteStride", "target")}
        add_view(data, **extra)

    # Images: shrunk and embedded; texture indices remapped to the kept images.
    new_images, image_map = [], {}
    for old in keep_images:
        entry = doc["images"][old]
        picture = Image.open(source.parent / unquote(entry["uri"]))
        picture.thumbnail((max_size, max_size), Image.LANCZOS)
        out = io.BytesIO()
        if _alpha_used(doc, old):
            picture.convert("RGBA").save(out, "PNG", optimize=True)
            mime = "image/png"
        else:
            picture.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
            mime = "image/jpeg"
        image_map[old] = len(new_images)
        new_images.append({"bufferView": add_view(out.getvalue()), "mimeType": mime,
                           "name": Path(entry["uri"]).stem})  # fmt: skip
    doc["images"] = new_images
    for texture in doc["textures"]:
        texture["source"] = image_map.get(texture["source"], 0)
    doc["bufferViews"] = views
    doc["buffers"] = [{"byteLength": len(blob)}]
    doc.setdefault("asset", {})["generator"] = "dofviewer scripts/bundle_gltf.py"

    json_bytes = _pad(json.dumps(doc, separators=(",", ":")).encode(), b" ")
    bin_bytes = _pad(bytes(blob), b"\0")
    length = 12 + 8 + len(json_bytes) + 8 + len(bin_bytes)
    with open(target, "wb") as out:
        out.write(struct.pack("<III", GLB_MAGIC, 2, length))
        out.write(struct.pack("<II", len(json_bytes), JSON_CHUNK) + json_bytes)
        out.write(struct.pack("<II", len(bin_bytes), BIN_CHUNK) + bin_bytes)
    print(f"wrote {target}: {length / 1e6:.2f} MB, {len(new_images)} images")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--max-size", type=int, default=512)
    parser.add_argument("--drop-extension", action="append", default=[])
    args = parser.parse_args()
    bundle(args.source, args.target, args.max_size, args.drop_extension)


if __name__ == "__main__":
    main()
