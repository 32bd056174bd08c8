"""The scene pass: draws the scene into HDR colour, object-id and depth buffers."""

from __future__ import annotations

import math

import moderngl
import numpy as np

from dofviewer.content.scene import CHECKER_DARK_FACTOR, Scene, SceneObject
from dofviewer.render.gl.fullscreen import FullscreenPass, PassVariants
from dofviewer.render.gl.meshes import UNIT_MESHES
from dofviewer.render.gl.model_draw import FIRST_IDS_UNIT, ModelDrawer
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.targets import FrameTargets
from dofviewer.shot.camera import gl_bytes


def model_matrix(obj: SceneObject, time_s: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(model matrix, scale) for an object's unit mesh, or a model's placement; rotation is
    about x, then y, then z."""
    if obj.shape == "mesh":
        scale = np.asarray(obj.scale, dtype=float)
    elif obj.shape == "sphere":
        scale = np.full(3, obj.radius)
    elif obj.shape == "plane":
        scale = np.array([obj.size[0], 1.0, obj.size[2]])
    else:
        scale = np.asarray(obj.size, dtype=float)
    rx, ry, rz = (math.radians(a) for a in obj.rotation_deg)
    cx, sx, cy, sy, cz, sz = (
        math.cos(rx),
        math.sin(rx),
        math.cos(ry),
        math.sin(ry),
        math.cos(rz),
        math.sin(rz),
    )
    rot_x = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    rot_y = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rot_z = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    model = np.identity(4)
    model[:3, :3] = rot_z @ rot_y @ rot_x @ np.diag(scale)
    model[:3, 3] = obj.position_at(time_s)
    return model, scale


def eye_position(view_projection: np.ndarray) -> np.ndarray:
    """The camera's position, recovered from a (possibly sheared) view-projection: the
    one point that projects to w = 0 with x = y = 0, so the reference's moved eyes light
    specular highlights from where each one stands."""
    h = np.linalg.solve(view_projection, np.array([0.0, 0.0, 1.0, 0.0]))
    return h[:3] / h[3]


class ScenePass:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self.ctx = ctx
        self.program = shaders.program("scene/lit.glsl")
        # The second layer: what lies behind the first visible object at each pixel.
        self.peel_program = shaders.program("scene/lit.glsl", {"PEEL": 1})
        self.background = FullscreenPass(ctx, shaders, "scene/background.glsl")
        self._resolves = PassVariants(ctx, shaders, "scene/resolve.glsl")
        self.models = ModelDrawer(ctx, shaders)
        self._buffers = {}
        self._vaos = {}
        self._peel_vaos = {}
        for shape, make in UNIT_MESHES.items():
            vbo = ctx.buffer(make().tobytes())
            self._buffers[shape] = vbo
            layout = [(vbo, "3f 3f", "in_position", "in_normal")]
            self._vaos[shape] = ctx.vertex_array(self.program, layout)
            self._peel_vaos[shape] = ctx.vertex_array(self.peel_program, layout)

    def draw(self, scene: Scene, targets: FrameTargets, view_projection: np.ndarray, time_s=0.0,
             prefilter_textures=True):  # fmt: skip
        """Draw the scene; ``prefilter_textures=False`` filters the checker over a quarter
        pixel only (the accumulation reference integrates pixels by itself)."""
        ctx = self.ctx
        targets.scene_fbo.use()
        ctx.disable(moderngl.DEPTH_TEST | moderngl.CULL_FACE | moderngl.BLEND)
        targets.scene_fbo.clear(depth=1.0)
        self.background.draw(targets.scene_fbo, u_background=tuple(scene.background))

        ctx.enable(moderngl.DEPTH_TEST)
        self._draw_objects(self.program, self._vaos, scene, view_projection, time_s,
                           1.0 if prefilter_textures else 0.25)  # fmt: skip
        self._draw_models(scene, targets, view_projection, time_s, peel=False)
        self._draw_blended_models(scene, targets, view_projection, time_s)
        ctx.disable(moderngl.DEPTH_TEST)
        self.resolve(targets)

    def resolve(self, targets: FrameTargets):
        """Bring the antialiased scene targets to the frame's size (a photo uses it too)."""
        if targets.resolve_fbo is not None:
            multisample = {"MULTISAMPLE": targets.msaa} if targets.msaa > 1 else {}
            self._resolves.get(multisample).draw(
                targets.resolve_fbo,
                {
                    "u_color": targets.scene_color,
                    "u_depth": targets.scene_depth,
                    "u_ids": targets.object_ids,
                },
                u_scale=targets.supersample,
            )

    def draw_second_layer(self, scene: Scene, targets: FrameTargets, view_projection, time_s=0.0):
        """Draw, at each pixel, the nearest surface of any object other than the one the
        first layer shows there (after :meth:`draw`): the background a blurred
        foreground hides, which the composite shows through its translucent edges."""
        ctx = self.ctx
        fbo = targets.second_layer_fbo
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 0.0, depth=1.0)  # alpha 0: nothing behind
        ctx.enable(moderngl.DEPTH_TEST)
        targets.ids_source.use(location=0)
        self.peel_program["u_first_ids"].value = 0
        self._draw_objects(self.peel_program, self._peel_vaos, scene, view_projection, time_s,
                           1.0)  # fmt: skip
        targets.ids_source.use(location=FIRST_IDS_UNIT)
        self._draw_models(scene, targets, view_projection, time_s, peel=True)
        ctx.disable(moderngl.DEPTH_TEST)

    def _draw_objects(self, p, vaos, scene, view_projection, time_s, texture_filter):
        to_light = -np.asarray(scene.light.direction, dtype=float)
        p["u_to_light"].value = tuple(to_light / np.linalg.norm(to_light))
        p["u_light_color"].value = tuple(scene.light.color)
        p["u_ambient"].value = tuple(scene.light.ambient)
        p["u_view_projection"].write(gl_bytes(view_projection))
        p["u_checker_dark"].value = CHECKER_DARK_FACTOR
        p["u_texture_filter"].value = texture_filter
        for index, obj in enumerate(scene.objects):
            if obj.shape == "mesh":
                continue  # _draw_models
            model, scale = model_matrix(obj, time_s)
            normal_matrix = np.linalg.inv(model[:3, :3]).T
            p["u_model"].write(gl_bytes(model))
            p["u_normal_matrix"].write(np.ascontiguousarray(normal_matrix, "f4").T.tobytes())
            p["u_scale"].value = tuple(scale)
            p["u_color"].value = tuple(obj.color)
            p["u_emissive"].value = tuple(obj.emissive)
            p["u_checker"].value = obj.texture == "checker"
            p["u_checker_size"].value = obj.checker_size_m
            p["u_object_id"].value = index + 1
            vaos[obj.shape].render(moderngl.TRIANGLES)

    def _model_frame_uniforms(self, scene: Scene, view_projection: np.ndarray) -> dict:
        """The uniforms every model draw of one pass shares."""
        to_light = -np.asarray(scene.light.direction, dtype=float)
        return {
            "u_view_projection": gl_bytes(view_projection),
            "u_eye": tuple(eye_position(view_projection)),
            "u_to_light": tuple(to_light / np.linalg.norm(to_light)),
            "u_light_color": tuple(scene.light.color),
            "u_ambient": tuple(scene.light.ambient),
        }

    def _draw_models(self, scene: Scene, targets: FrameTargets, view_projection: np.ndarray,
                     time_s: float, peel: bool):  # fmt: skip
        """The opaque and alpha-tested parts of the scene's models (shape "mesh"), each
        object with its own id."""
        self.models.keep_only({obj.model for obj in scene.objects if obj.model is not None})
        frame = self._model_frame_uniforms(scene, view_projection)
        for index, obj in enumerate(scene.objects):
            if obj.model is None:
                continue
            placement, _ = model_matrix(obj, time_s)
            for instance in obj.instances:
                self.models.draw(obj.model, instance, index + 1, placement, frame, peel=peel)

    def _draw_blended_models(self, scene: Scene, targets: FrameTargets,
                             view_projection: np.ndarray, time_s: float):  # fmt: skip
        """BLEND parts (and glass, see dofviewer.content.gltf), over everything else, far
        to near, without depth or ids; then, colour masked, the depth and ids where they
        are not nearly clear (dofviewer.render.gl.model_draw.BLEND_DEPTH_COVERAGE)."""
        frame = self._model_frame_uniforms(scene, view_projection)
        eye = np.asarray(frame["u_eye"])  # computed once, with the frame's uniforms
        queue = []
        for index, obj in enumerate(scene.objects):
            if obj.model is None:
                continue
            placement, _ = model_matrix(obj, time_s)
            for instance in obj.instances:
                centre = self.models.blended_centre(obj.model, instance)
                if centre is not None:
                    distance = np.linalg.norm(placement[:3, :3] @ centre + placement[:3, 3] - eye)
                    queue.append((-distance, index, instance, placement))
        if not queue:
            return
        fbo, ctx = targets.scene_fbo, self.ctx
        fbo.color_mask = ((True, True, True, True), (False, False, False, False))
        fbo.depth_mask = False
        fbo.use()
        ctx.enable(moderngl.BLEND)
        ctx.blend_func = (moderngl.SRC_ALPHA, moderngl.ONE_MINUS_SRC_ALPHA, moderngl.ZERO,
                          moderngl.ONE)  # fmt: skip
        queue.sort(key=lambda item: item[:3])
        for _, index, instance, placement in queue:
            obj = scene.objects[index]
            self.models.draw(obj.model, instance, index + 1, placement, frame, blended=True)
        ctx.disable(moderngl.BLEND)
        fbo.color_mask = ((False, False, False, False), (True, True, True, True))
        fbo.depth_mask = True
        fbo.use()
        for _, index, instance, placement in queue:
            obj = scene.objects[index]
            self.models.draw(obj.model, instance, index + 1, placement, frame, coverage=True)
        fbo.color_mask = ((True, True, True, True), (True, True, True, True))
        fbo.use()

    def release(self):
        self.models.release()
        for vao in (*self._vaos.values(), *self._peel_vaos.values()):
            vao.release()
        for vbo in self._buffers.values():
            vbo.release()
        self.background.release()
        self._resolves.release()
