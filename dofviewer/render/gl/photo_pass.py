"""The photo pass: an RGB-D photo drawn into the targets the scene pass writes.

:class:`PhotoPass` owns the textures of the photo it shows (uploaded once, when a new
photo arrives, and released with it) and two variants of shaders/scene/photo.glsl: the
first layer (colour, object id, depth) into ``scene_fbo``, which the scene resolve then
brings to the frame's size as it does a drawn scene, and the synthesised hidden
background into ``second_layer_fbo``. The depth-of-field passes run unchanged after it.
"""

from __future__ import annotations

import moderngl
import numpy as np

from dofviewer.content.photo import Photo
from dofviewer.render.gl import passes
from dofviewer.render.gl.fullscreen import PassVariants
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.targets import FrameTargets


class PhotoPass:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self.ctx = ctx
        self._variants = PassVariants.for_pass(ctx, shaders, passes.PHOTO)
        self._photo: Photo | None = None
        self._textures: dict[str, moderngl.Texture] = {}

    def _upload(self, photo: Photo):
        """The photo's textures, top row first (the shader reads them y down)."""
        if photo is self._photo:
            return
        self._release_textures()
        w, h = photo.size
        ctx = self.ctx

        def texture(array: np.ndarray, components: int, dtype: str, linear=False):
            data = np.ascontiguousarray(array)
            tex = ctx.texture((w, h), components, data.tobytes(), dtype=dtype)
            tex.filter = (
                (moderngl.LINEAR, moderngl.LINEAR)
                if linear
                else (moderngl.NEAREST, moderngl.NEAREST)
            )
            tex.repeat_x = tex.repeat_y = False
            return tex

        rgba = np.concatenate([photo.color, np.ones((h, w, 1), np.float32)], axis=-1)
        self._textures = {
            "u_color": texture(rgba.astype(np.float32), 4, "f4"),
            "u_depth": texture(photo.depth_m.astype(np.float32), 1, "f4"),
            "u_ids": texture(photo.layer_ids.astype(np.uint32), 1, "u4"),
            "u_background": texture(photo.background.astype(np.float32), 4, "f4"),
            "u_background_depth": texture(photo.background_depth_m.astype(np.float32), 1, "f4"),
        }
        self._photo = photo

    def _draw(self, fbo, photo: Photo, targets: FrameTargets, clip_m, scale: int, second: bool):
        self._upload(photo)
        ctx = self.ctx
        fbo.use()
        ctx.disable(moderngl.CULL_FACE | moderngl.BLEND)
        ctx.enable(moderngl.DEPTH_TEST)  # gl_FragDepth is written only with the test on
        ctx.depth_func = "1"  # always
        self._variants.get({"SECOND_LAYER": int(second)}).draw(
            fbo,
            dict(self._textures),
            u_scale=scale,
            u_margin=targets.margin,
            u_frame_size=tuple(float(v) for v in targets.size),
            u_clip_planes=tuple(clip_m),
        )
        ctx.depth_func = "<"
        ctx.disable(moderngl.DEPTH_TEST)

    def draw(self, photo: Photo, targets: FrameTargets, scene_pass, clip_m):
        """The first layer into the scene targets, resolved as the scene pass resolves."""
        self._draw(targets.scene_fbo, photo, targets, clip_m, targets.supersample, False)
        scene_pass.resolve(targets)

    def draw_second_layer(self, photo: Photo, targets: FrameTargets, clip_m):
        self._draw(targets.second_layer_fbo, photo, targets, clip_m, 1, True)

    def _release_textures(self):
        for tex in self._textures.values():
            tex.release()
        self._textures = {}
        self._photo = None

    def release(self):
        self._release_textures()
        self._variants.release()
