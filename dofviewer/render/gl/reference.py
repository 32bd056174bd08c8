"""The accumulation reference: ground-truth thin-lens depth of field on the GPU.

Renders the scene once per point on the aperture, each from an eye moved to that point
with a sheared frustum (``dofviewer/shot/lens_sampling.py``), and averages the linear HDR
images in a float32 buffer. Each sample also shifts the image by a sub-pixel amount, so
the average is antialiased too, as a path tracer's would be.
"""

from __future__ import annotations

import math

import moderngl
import numpy as np

from dofviewer.render.gl import passes
from dofviewer.render.gl.fullscreen import FullscreenPass
from dofviewer.render.gl.scene_pass import ScenePass
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.targets import FrameTargets
from dofviewer.shot.lens_sampling import aperture_samples, sheared_view_projection

#: Roberts' R2 sequence: well-spread sub-pixel offsets for any sample count.
_R2 = np.array([0.7548776662466927, 0.5698402909980532])


def pixel_jitter(count: int) -> np.ndarray:
    return np.mod(0.5 + np.outer(np.arange(count), _R2), 1.0) - 0.5


class Accumulator:
    """Owns the float32 accumulation buffer (rebuilt when the frame size changes)."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self.ctx = ctx
        self.add = FullscreenPass.for_pass(ctx, shaders, passes.ACCUMULATE)
        # Bound before the buffer is freed (see FrameTargets.release).
        self._default_fbo = ctx.detect_framebuffer(0)
        self.texture = None
        self.fbo = None

    def _ensure(self, size):
        if self.texture is not None and self.texture.size == size:
            return
        self._free()
        self.texture = self.ctx.texture(size, 4, dtype="f4")
        self.fbo = self.ctx.framebuffer([self.texture])

    def render(self, scene, settings, scene_pass: ScenePass, targets: FrameTargets, samples: int):
        """Average ``samples`` lens positions into :attr:`texture` (linear HDR)."""
        size = targets.size
        self._ensure(targets.padded_size)
        lens = settings.lens
        points = aperture_samples(samples, lens.aperture_blades, lens.blade_rotation_deg)
        # Each scene pixel spans 1/n of a frame pixel when supersampled n×n; jittering
        # over one scene pixel makes the n×n samples tile the frame pixel exactly: a box
        # filter, like the real-time path's, and no wider. Multisampled, the resolved
        # image is read, and the jitter spans about one sample's share of a scene pixel
        # (1/sqrt(k) of it), so the k samples' spreads tile it along each axis.
        jitter = pixel_jitter(samples) / (targets.supersample * math.sqrt(targets.msaa))
        multisampled = targets.msaa > 1
        source = targets.color_source if multisampled else targets.scene_color
        self.fbo.clear(0.0, 0.0, 0.0, 0.0)
        for point, offset in zip(points, jitter, strict=True):
            view_projection = sheared_view_projection(
                settings.pose,
                lens,
                size[0] / size[1],
                settings.focus_distance_m,
                point,
                offset,
                size,
                targets.guard_pad,
                settings.clip_m,
            )
            scene_pass.draw(
                scene, targets, view_projection, settings.time_s, prefilter_textures=False
            )
            self.ctx.enable(moderngl.BLEND)
            self.ctx.blend_func = moderngl.ONE, moderngl.ONE
            self.add.draw(
                self.fbo,
                {"u_source": source},
                u_weight=1.0 / samples,
                u_scale=1 if multisampled else targets.supersample,
            )
            self.ctx.disable(moderngl.BLEND)
            # One lens position at a time: queued unflushed, 256 of them at 3840x2160
            # (17 s on an H200) came back all black, with no GL error, where 64 did not.
            self.ctx.finish()
        return self.texture

    def _free(self):
        if self.fbo is not None:
            self._default_fbo.use()
            self.fbo.release()
            self.texture.release()
        self.texture = self.fbo = None

    def release(self):
        self._free()
        self.add.release()
