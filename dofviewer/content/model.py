"""A loaded 3D model as plain numpy data: what the GL upload and the scene need, no GL.

Loaders (glTF, OBJ) convert whatever their format stores into these types, so the renderer
draws every format the same way. Conventions follow glTF 2.0: metres, +Y up, cameras look
down −Z, colours linear (textures hold sRGB-encoded base and emissive colour), matrices
column-vector (``world @ [x, y, z, 1]``).

Models compare by identity (``eq=False``): a :class:`~dofviewer.content.scene.Scene` holding one
compares equal to itself without comparing megabytes of vertices, and the GL side can key
its uploads on the model object.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ALPHA_MODES = ("OPAQUE", "MASK", "BLEND")

# glTF sampler values (the GL enums).
REPEAT, CLAMP_TO_EDGE, MIRRORED_REPEAT = 10497, 33071, 33648
NEAREST, LINEAR = 9728, 9729


def identity_uv_transform() -> np.ndarray:
    return np.identity(3)


@dataclass(frozen=True, eq=False)
class Sampler:
    wrap_s: int = REPEAT
    wrap_t: int = REPEAT
    mag_filter: int = LINEAR  # NEAREST or LINEAR; minification always uses mipmaps


@dataclass(frozen=True, eq=False)
class TextureRef:
    """A material's use of an image: which UV set, and the KHR_texture_transform."""

    image: int  # index into Model.images
    texcoord: int = 0  # 0 or 1 (TEXCOORD_0 / TEXCOORD_1)
    #: 3×3 affine UV transform, uv' = transform @ [u, v, 1]: translation · rotation · scale
    transform: np.ndarray = field(default_factory=identity_uv_transform)
    sampler: Sampler = field(default_factory=Sampler)


@dataclass(frozen=True, eq=False)
class Material:
    """glTF metallic-roughness; OBJ materials map onto it (Kd → base, Ke → emissive)."""

    name: str = ""
    base_color: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)  # linear RGBA
    base_color_texture: TextureRef | None = None  # sRGB RGBA
    metallic: float = 1.0
    roughness: float = 1.0
    metallic_roughness_texture: TextureRef | None = None  # G = roughness, B = metallic
    normal_texture: TextureRef | None = None
    normal_scale: float = 1.0
    occlusion_texture: TextureRef | None = None  # R = occlusion
    occlusion_strength: float = 1.0
    emissive: tuple[float, float, float] = (0.0, 0.0, 0.0)  # linear HDR, strength folded in
    emissive_texture: TextureRef | None = None  # sRGB RGB
    alpha_mode: str = "OPAQUE"  # one of ALPHA_MODES
    alpha_cutoff: float = 0.5
    double_sided: bool = False
    unlit: bool = False  # KHR_materials_unlit: base colour as radiance
    #: KHR_materials_sheen (fabric's velvet rim): colour and roughness factors; its
    #: textures are not read. Black = no sheen.
    sheen_color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sheen_roughness: float = 0.0


#: The material of primitives that name none (glTF §3.9.6: white, metal 1, rough 1).
DEFAULT_MATERIAL = Material(name="default")


@dataclass(frozen=True, eq=False)
class Primitive:
    """Triangles sharing one material. Per-vertex arrays are float32 and share length N."""

    positions: np.ndarray  # (N, 3)
    normals: np.ndarray  # (N, 3), unit; computed by the loader where the file has none
    indices: np.ndarray  # (M,) uint32, M a multiple of 3 (made 0..N-1 if the file has none)
    material: int = -1  # index into Model.materials; -1 = DEFAULT_MATERIAL
    texcoords0: np.ndarray | None = None  # (N, 2), glTF orientation (v down the image)
    texcoords1: np.ndarray | None = None  # (N, 2)
    colors: np.ndarray | None = None  # (N, 4) linear RGBA, COLOR_0
    tangents: np.ndarray | None = None  # (N, 4), xyz unit, w = ±1 handedness


@dataclass(frozen=True, eq=False)
class Mesh:
    name: str
    primitives: tuple[Primitive, ...]


@dataclass(frozen=True, eq=False)
class Image:
    name: str
    pixels: np.ndarray  # (H, W, 4) uint8, top row first, as stored in the file


@dataclass(frozen=True, eq=False)
class MeshInstance:
    """A node that draws a mesh: one pickable, focusable object of the model."""

    name: str  # the node's name, else its mesh's, else "node N"; unique within the model
    mesh: int  # index into Model.meshes
    #: (K, 4, 4) float64 world matrices: K = 1, or one per EXT_mesh_gpu_instancing instance
    matrices: np.ndarray


@dataclass(frozen=True, eq=False)
class Camera:
    """A perspective camera from the file, placed by its node's world transform."""

    name: str
    yfov_rad: float
    aspect_ratio: float | None  # None where the file leaves it to the viewport
    znear_m: float
    zfar_m: float | None  # None: infinite projection
    world: np.ndarray  # (4, 4) float64 world matrix of the camera node (may hold scale)

    @property
    def position(self) -> np.ndarray:
        return self.world[:3, 3].copy()

    @property
    def forward(self) -> np.ndarray:
        """Unit view direction: the node's −Z axis, scale removed."""
        f = -self.world[:3, 2]
        return f / np.linalg.norm(f)

    @property
    def up(self) -> np.ndarray:
        u = self.world[:3, 1]
        return u / np.linalg.norm(u)


@dataclass(frozen=True, eq=False)
class Model:
    source: str  # the file, as the user named it (for messages)
    meshes: tuple[Mesh, ...]
    materials: tuple[Material, ...]
    images: tuple[Image, ...]
    instances: tuple[MeshInstance, ...]
    cameras: tuple[Camera, ...] = ()
    #: one line each, said once at load (ignored optional extensions, missing textures, ...)
    warnings: tuple[str, ...] = ()

    def material(self, index: int) -> Material:
        return self.materials[index] if index >= 0 else DEFAULT_MATERIAL

    def instance_bounds(self, instance: MeshInstance) -> tuple[np.ndarray, np.ndarray]:
        """World-space axis-aligned (min, max) of one instance (all its copies)."""
        lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
        for prim in self.meshes[instance.mesh].primitives:
            p_lo, p_hi = prim.positions.min(axis=0), prim.positions.max(axis=0)
            corners = np.array(
                [[x, y, z, 1.0] for x in (p_lo[0], p_hi[0]) for y in (p_lo[1], p_hi[1])
                 for z in (p_lo[2], p_hi[2])]
            )  # fmt: skip
            world = np.einsum("kij,cj->kci", instance.matrices, corners)[..., :3]
            lo = np.minimum(lo, world.reshape(-1, 3).min(axis=0))
            hi = np.maximum(hi, world.reshape(-1, 3).max(axis=0))
        return lo, hi

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """World-space axis-aligned (min, max) of everything drawn."""
        boxes = [self.instance_bounds(i) for i in self.instances]
        return (np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0))

    @property
    def triangle_count(self) -> int:
        return sum(
            len(prim.indices) // 3 * len(inst.matrices)
            for inst in self.instances
            for prim in self.meshes[inst.mesh].primitives
        )

    @property
    def size_m(self) -> float:
        """The diagonal of the model's bounds: its scale, for clip planes and framing."""
        lo, hi = self.bounds()
        return float(np.linalg.norm(hi - lo))
