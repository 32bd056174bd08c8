"""GPU copies of loaded models, and the draw calls of the scene pass for them.

:class:`ModelUploads` owns one model's buffers, textures and vertex arrays: made on the
first frame that draws the model, kept while scenes use it, freed by :meth:`release`.
:class:`ModelDrawer` keeps the uploads of the models the current scene holds, so a scene
that places one model many times uploads it once, and a frame allocates nothing.
"""

from __future__ import annotations

import moderngl
import numpy as np

from dofviewer.content.model import CLAMP_TO_EDGE, NEAREST, Material, Model, Primitive
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.shot.camera import gl_bytes

SHADER = "scene/mesh.glsl"
_ALPHA_MODES = {"OPAQUE": 0, "MASK": 1, "BLEND": 2}
# Texture units: one per material texture (their order in mesh.glsl's u_texcoord[] and
# u_uv_transform[]), then the first layer's ids for the second layer.
_SLOTS = (
    ("u_base_color_texture", "base_color_texture", True),
    ("u_metallic_roughness_texture", "metallic_roughness_texture", False),
    ("u_normal_texture", "normal_texture", False),
    ("u_occlusion_texture", "occlusion_texture", False),
    ("u_emissive_texture", "emissive_texture", True),
)
FIRST_IDS_UNIT = len(_SLOTS)
#: The vertex arrays of a BLEND primitive's depth-and-id pass (see ModelDrawer.draw).
COVERAGE = "coverage"
#: BLEND surfaces at least this opaque write depth and ids, so they blur as what they are
#: (glass at 0.2 included: a vase at the focus distance stays sharp, and a click on it
#: focuses on it); what is nearly clear (a texture's cut-out margin) leaves both to what
#: lies behind. The DOF has one depth per pixel, so what is seen through glass takes the
#: glass's blur.
BLEND_DEPTH_COVERAGE = 0.1
_SRGB8_ALPHA8 = 0x8C43
#: Anisotropic filtering wanted where the GL offers it (a receding tablecloth stays crisp).
MAX_ANISOTROPY = 16.0


def material_defines(material: Material, primitive: Primitive, peel: bool) -> dict[str, int]:
    """The shader variant that draws ``primitive`` with ``material`` (see mesh.glsl)."""
    defines = {"ALPHA_MODE": _ALPHA_MODES[material.alpha_mode]}
    if material.normal_texture is not None:
        defines["NORMAL_MAP"] = 1
        if primitive.tangents is not None:
            defines["TANGENTS"] = 1
    if primitive.colors is not None:
        defines["VERTEX_COLOR"] = 1
    if material.unlit:
        defines["UNLIT"] = 1
    elif any(c > 0 for c in material.sheen_color):
        defines["SHEEN"] = 1
    if peel:
        defines["PEEL"] = 1
    return defines


def column_major(matrices: np.ndarray) -> bytes:
    """(K, 4, 4) row-major matrices as K column-major float32 mat4 attributes."""
    return np.ascontiguousarray(np.transpose(matrices, (0, 2, 1)), dtype="f4").tobytes()


class _Draw:
    """One primitive of one mesh instance: its vertex arrays and how to draw it."""

    def __init__(self, vaos, material: Material, instances: int, mirrored: bool):
        self.vaos = vaos  # {False: first layer, True: second layer, COVERAGE: BLEND's depth}
        self.material = material
        self.instances = instances
        self.mirrored = mirrored  # the world matrix flips handedness: front faces are CW


class ModelUploads:
    """One model on the GPU. ``draws[i]`` lists model.instances[i]'s primitives."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, model: Model,
                 anisotropy: float = MAX_ANISOTROPY):  # fmt: skip
        self.ctx = ctx
        self.anisotropy = anisotropy
        self.model = model
        self._objects: list = []
        self._textures: dict[tuple[int, bool], moderngl.Texture] = {}
        primitive_buffers = {}
        self.draws: list[list[_Draw]] = []
        self.blended_centres: list[np.ndarray | None] = []
        for instance in model.instances:
            matrices = self._keep(ctx.buffer(column_major(instance.matrices)))
            mirrored = bool(np.linalg.det(instance.matrices[0][:3, :3]) < 0)
            draws = []
            for prim in model.meshes[instance.mesh].primitives:
                # Meshes that share accessors (a hundred copies of one sphere) share buffers.
                key = tuple(id(a) for a in (prim.positions, prim.normals, prim.indices,
                                            prim.texcoords0, prim.texcoords1, prim.colors,
                                            prim.tangents))  # fmt: skip
                if key not in primitive_buffers:
                    primitive_buffers[key] = self._upload_primitive(prim)
                content, indices = primitive_buffers[key]
                material = model.material(prim.material)
                vaos = {}
                for peel in (False, True, COVERAGE):
                    defines = material_defines(material, prim, peel is True)
                    if peel is COVERAGE:
                        if material.alpha_mode != "BLEND":
                            continue
                        defines["ALPHA_MODE"] = _ALPHA_MODES["MASK"]
                    program = shaders.program(SHADER, defines)
                    layout = [(vbo, fmt, name) for vbo, fmt, name in content if name in program]
                    layout.append((matrices, "16f/i", "in_instance"))
                    vaos[peel] = self._keep(
                        ctx.vertex_array(program, layout, indices, index_element_size=4)
                    )
                draws.append(_Draw(vaos, material, len(instance.matrices), mirrored))
            self.draws.append(draws)
            blended = [d for d in draws if d.material.alpha_mode == "BLEND"]
            lo, hi = model.instance_bounds(instance)
            self.blended_centres.append(0.5 * (lo + hi) if blended else None)
        self._white = self._keep(ctx.texture((1, 1), 4, bytes([255, 255, 255, 255])))

    def _keep(self, obj):
        self._objects.append(obj)
        return obj

    def _upload_primitive(self, prim: Primitive):
        ctx = self.ctx
        arrays = [
            (prim.positions, "3f", "in_position"),
            (prim.normals, "3f", "in_normal"),
            (prim.texcoords0, "2f", "in_uv0"),
            (prim.texcoords1, "2f", "in_uv1"),
            (prim.colors, "4f", "in_color"),
            (prim.tangents, "4f", "in_tangent"),
        ]
        content = [
            (self._keep(ctx.buffer(np.ascontiguousarray(a, "f4").tobytes())), fmt, name)
            for a, fmt, name in arrays
            if a is not None
        ]
        indices = self._keep(ctx.buffer(np.ascontiguousarray(prim.indices, "u4").tobytes()))
        return content, indices

    def texture(self, image: int, srgb: bool) -> moderngl.Texture:
        """The image as a mipmapped, anisotropically filtered texture (made on first use)."""
        key = (image, srgb)
        if key not in self._textures:
            pixels = self.model.images[image].pixels
            h, w = pixels.shape[:2]
            # GL's first row is the bottom one; glTF UV (0, 0) is the image's top-left,
            # so uploading top row first makes texture(uv) read the right texel as is.
            texture = self.ctx.texture(
                (w, h), 4, np.ascontiguousarray(pixels).tobytes(),
                internal_format=_SRGB8_ALPHA8 if srgb else None,
            )  # fmt: skip
            texture.build_mipmaps()
            texture.anisotropy = max(1.0, min(self.anisotropy, self.ctx.max_anisotropy))
            self._textures[key] = self._keep(texture)
        return self._textures[key]

    def bind_material(self, program: moderngl.Program, material: Material):
        texcoords, transforms = [], []
        for unit, (uniform, attribute, srgb) in enumerate(_SLOTS):
            ref = getattr(material, attribute)
            if ref is None:
                texture = self._white
                texcoords.append(0)
                transforms.append(np.identity(3))
            else:
                texture = self.texture(ref.image, srgb)
                texture.repeat_x = ref.sampler.wrap_s != CLAMP_TO_EDGE
                texture.repeat_y = ref.sampler.wrap_t != CLAMP_TO_EDGE
                mag = moderngl.NEAREST if ref.sampler.mag_filter == NEAREST else moderngl.LINEAR
                texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, mag)
                texcoords.append(ref.texcoord)
                transforms.append(ref.transform)
            texture.use(location=unit)
            if uniform in program:
                program[uniform].value = unit
        _set(program, "u_texcoord", texcoords)
        _set(program, "u_uv_transform", [tuple(np.asarray(m, "f4").T.ravel()) for m in transforms])
        _set(program, "u_base_color", tuple(material.base_color))
        _set(program, "u_metallic", material.metallic)
        _set(program, "u_roughness", material.roughness)
        _set(program, "u_normal_scale", material.normal_scale)
        _set(program, "u_occlusion_strength", material.occlusion_strength)
        _set(program, "u_emissive", tuple(material.emissive))
        _set(program, "u_alpha_cutoff", material.alpha_cutoff)
        _set(program, "u_sheen_color", tuple(material.sheen_color))
        _set(program, "u_sheen_roughness", material.sheen_roughness)

    def release(self):
        for obj in reversed(self._objects):
            obj.release()
        self._objects.clear()
        self._textures.clear()


def _set(program: moderngl.Program, name: str, value):
    # The compiler drops what a variant does not read (an unlit material's roughness).
    if name in program:
        program[name].value = value


class ModelDrawer:
    """Draws the scene's model objects; keeps uploads only for models the scene holds."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self.ctx = ctx
        self.shaders = shaders
        self._uploads: dict[int, ModelUploads] = {}  # id(model) -> uploads
        self.anisotropy = MAX_ANISOTROPY

    def uploads(self, model: Model) -> ModelUploads:
        key = id(model)
        if key not in self._uploads:
            self._uploads[key] = ModelUploads(self.ctx, self.shaders, model, self.anisotropy)
        return self._uploads[key]

    def keep_only(self, models):
        """Free the uploads of models no longer drawn (a new scene was loaded)."""
        wanted = {id(m) for m in models}
        for key in [k for k in self._uploads if k not in wanted]:
            self._uploads.pop(key).release()

    def blended_centre(self, model: Model, instance: int) -> np.ndarray | None:
        """The centre of the instance's BLEND parts (model space), or None if it has none:
        the blended pass sorts by it."""
        return self.uploads(model).blended_centres[instance]

    def draw(self, model: Model, instance: int, object_id: int, placement: np.ndarray,
             frame: dict, peel: bool = False, blended: bool = False,
             coverage: bool = False):  # fmt: skip
        """Draw one mesh instance's opaque and alpha-tested primitives, with one object id.

        ``blended``: its BLEND primitives instead (the caller sets up blending, and masks
        depth and ids). ``coverage``: their depth and ids where they are at least
        BLEND_DEPTH_COVERAGE opaque (the caller masks colour). ``placement`` is the scene
        file's model matrix; ``frame`` holds the uniforms every draw shares
        (view-projection, eye, light). The second layer (``peel``) holds only opaque and
        alpha-tested surfaces."""
        uploads = self.uploads(model)
        ctx = self.ctx
        placement_mirrored = np.linalg.det(placement[:3, :3]) < 0
        for draw in uploads.draws[instance]:
            if (draw.material.alpha_mode == "BLEND") != (blended or coverage):
                continue
            vao = draw.vaos[COVERAGE if coverage else peel]
            program = vao.program
            for name, value in frame.items():
                if name == "u_view_projection":
                    program[name].write(value)
                else:
                    _set(program, name, value)
            program["u_model"].write(gl_bytes(placement))
            _set(program, "u_object_id", object_id)
            if peel:
                program["u_first_ids"].value = FIRST_IDS_UNIT
            uploads.bind_material(program, draw.material)
            if coverage:
                program["u_alpha_cutoff"].value = BLEND_DEPTH_COVERAGE
            if draw.material.double_sided:
                ctx.disable(moderngl.CULL_FACE)
            else:
                ctx.enable(moderngl.CULL_FACE)
                ctx.front_face = "cw" if draw.mirrored != placement_mirrored else "ccw"
            vao.render(moderngl.TRIANGLES, instances=draw.instances)
        ctx.disable(moderngl.CULL_FACE)
        ctx.front_face = "ccw"

    def release(self):
        for uploads in self._uploads.values():
            uploads.release()
        self._uploads.clear()
