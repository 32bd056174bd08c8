"""Models built in code, for rendering tests that must know every vertex and material.

Each helper returns :mod:`dofviewer.content.model` types directly (no file, no loader),
so a failing test points at the renderer, not at parsing.
"""

from __future__ import annotations

import numpy as np

from dofviewer.content.model import (
    DEFAULT_MATERIAL,
    Image,
    Material,
    Mesh,
    MeshInstance,
    Model,
    Primitive,
    TextureRef,
)


def quad(size=1.0, z=0.0, material=0, uv_scale=1.0) -> Primitive:
    """A square in the XY plane facing +Z (towards a camera on +Z), CCW seen from there."""
    h = size / 2
    positions = np.array([[-h, -h, z], [h, -h, z], [h, h, z], [-h, h, z]], "f4")
    uvs = np.array([[0, 1], [1, 1], [1, 0], [0, 0]], "f4") * uv_scale  # glTF: v down
    return Primitive(
        positions=positions,
        normals=np.tile(np.array([0, 0, 1], "f4"), (4, 1)),
        indices=np.array([0, 1, 2, 0, 2, 3], "u4"),
        material=material,
        texcoords0=uvs,
    )


def translation(x=0.0, y=0.0, z=0.0, scale=(1.0, 1.0, 1.0)) -> np.ndarray:
    m = np.diag([*scale, 1.0])
    m[:3, 3] = (x, y, z)
    return m


def model(primitives_by_object: dict[str, tuple[Primitive, np.ndarray]],
          materials=(DEFAULT_MATERIAL,), images=()) -> Model:  # fmt: skip
    """One mesh and one instance per named object: {name: (primitive, world matrix)}."""
    meshes, instances = [], []
    for i, (name, (prim, world)) in enumerate(primitives_by_object.items()):
        meshes.append(Mesh(name, (prim,)))
        matrices = world[None] if world.ndim == 2 else world
        instances.append(MeshInstance(name, i, matrices))
    return Model("<test model>", tuple(meshes), tuple(materials), tuple(images), tuple(instances))


def rgba_image(pixels: np.ndarray, name="image") -> Image:
    return Image(name, np.ascontiguousarray(pixels, dtype=np.uint8))


def textured(image_index=0, **material) -> Material:
    return Material(base_color_texture=TextureRef(image_index), **material)
