"""The renderer every surface drives: the window, headless renders and video export.

It owns the passes and the frame targets; the caller owns the context and says where the
final image goes (its own display texture, or a window's default framebuffer).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import moderngl
import numpy as np

from dofviewer.content.scene import Scene
from dofviewer.render.gl import passes
from dofviewer.render.gl.context import default_msaa
from dofviewer.render.gl.dof import QUALITY_PRESETS, DepthOfField, thin_lens_uniforms
from dofviewer.render.gl.model_draw import MAX_ANISOTROPY
from dofviewer.render.gl.photo_pass import PhotoPass
from dofviewer.render.gl.scene_pass import ScenePass
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.targets import FrameTargets, light_weight
from dofviewer.render.gl.timing import NullTimer
from dofviewer.render.gl.tonemap import Tonemap
from dofviewer.shot.camera import FAR_M, NEAR_M, CameraPose, projection_matrix
from dofviewer.shot.lens import ThinLens, max_coc_radius_px


@dataclass(frozen=True)
class FrameSettings:
    """Everything that decides one frame besides the scene itself."""

    pose: CameraPose
    lens: ThinLens
    focus_distance_m: float
    exposure_ev: float = 0.0
    time_s: float = 0.0
    dof: bool = True
    view: str = "image"  # or "depth", "coc": the viewer's debug views
    baseline_gather: bool = False  # the quality benchmark's naive gather, for comparison
    focus_peaking: bool = False
    quality: str = "final"  # a key of dofviewer.render.gl.dof.QUALITY_PRESETS
    clip_m: tuple[float, float] = (NEAR_M, FAR_M)  # the scene's clip planes (Scene.clip_m)

    @classmethod
    def from_scene(cls, scene: Scene, **overrides) -> FrameSettings:
        settings = cls(scene.camera, scene.lens, scene.focus_distance_m, scene.exposure_ev,
                       clip_m=scene.clip_m)  # fmt: skip
        return replace(settings, **overrides)

    def with_(self, **changes) -> FrameSettings:
        return replace(self, **changes)


def scene_view(scene: Scene, settings: FrameSettings) -> tuple:
    """Everything the scene pass's output depends on. Focus, f-stop, blades and the
    debug views are not in it, so a rack focus with the camera still redraws only the
    depth-of-field passes; time counts only when something in the scene moves."""
    moving = any(obj.animate is not None for obj in scene.objects)
    lens = settings.lens
    return (
        scene,
        settings.pose,
        lens.focal_length_mm,
        lens.sensor_width_mm,
        settings.time_s if moving else 0.0,
        settings.clip_m,
    )


class Renderer:
    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], supersample: int = 2,
                 msaa: int | None = None, anisotropy: float = MAX_ANISOTROPY):  # fmt: skip
        """``msaa`` None picks the offline default (4× on every rasteriser, see
        :func:`dofviewer.render.gl.context.default_msaa`); the live viewer passes its own.
        ``anisotropy``: models' texture filtering (1 = off; the live viewer turns it off
        on a software rasteriser, where it costs 70 % more per textured pixel)."""
        self.ctx = ctx
        self.shaders = ShaderLibrary(ctx)
        msaa = default_msaa(ctx) if msaa is None else msaa
        interleaved = {q.gather_scale for q in QUALITY_PRESETS.values() if q.interleave > 1}
        self.targets = FrameTargets(ctx, size, supersample, msaa, tuple(sorted(interleaved)))
        self.scene_pass = ScenePass(ctx, self.shaders)
        self.scene_pass.models.anisotropy = anisotropy
        self.photo_pass = PhotoPass(ctx, self.shaders)
        self.dof = DepthOfField(ctx, self.shaders)
        self.tonemap = Tonemap(ctx, self.shaders)
        self.timer = NullTimer()
        self._accumulator = None  # made on the first reference render
        self._linear_source = None  # what read_linear() reads: set by each render
        self._drawn_scene_view = None  # what the scene targets hold (see scene_view)
        # The view the second layer was drawn for. Only the final preset reads it, so a
        # camera move drawn at the preview preset skips it (on a software rasteriser it
        # costs as much again as the scene), and the frame where the motion settles
        # draws it.
        self._second_layer_view = None
        # The last frame's settings: read_coc() derives its CoC from them, and the display
        # target is tone-mapped with them.
        self._frame_settings = None
        self._display_stale = False  # the last frame went to another output (a window)
        # A photo is display-referred: the tone map encodes it without the filmic curve.
        self._display_referred = False
        # Called with a message the first time a frame's blur passes the supported CoC
        # (it is also printed on stderr, once): the viewer shows it on the HUD.
        self.on_blur_clamped = None
        self._warned_clamp = False

    def set_timer(self, timer):
        """Time each pass with ``timer`` (dofviewer.render.gl.timing); NullTimer turns it off."""
        self.timer = timer
        self.dof.timer = timer

    def set_timer_off(self):
        self.set_timer(NullTimer())

    @property
    def size(self) -> tuple[int, int]:
        return self.targets.size

    def resize(self, size: tuple[int, int]):
        if size != self.size:
            self.targets.resize(size)
            self._linear_source = None  # the old targets are gone
            self._display_stale = False  # and the new display target awaits a frame
            self.invalidate_scene()

    def invalidate_scene(self):
        """Draw the scene pass on the next frame even if the view has not changed (the
        benchmark times it every frame)."""
        self._drawn_scene_view = None
        self._second_layer_view = None

    def view_projection(self, settings: FrameSettings) -> np.ndarray:
        w, h = self.size
        near, far = settings.clip_m
        projection = projection_matrix(settings.lens, w / h, near, far, pad=self.targets.guard_pad)
        return projection @ settings.pose.view_matrix()

    def render(self, scene: Scene, settings: FrameSettings, output=None):
        """Draw one frame; tone-mapped into ``output`` (a framebuffer), or the display target."""
        t, timer = self.targets, self.timer
        self.dof.clip_m = settings.clip_m
        self._display_referred = scene.photo is not None
        view = scene_view(scene, settings)
        if view != self._drawn_scene_view:
            self._draw_scene(scene, settings)
        needs_second_layer = settings.dof and QUALITY_PRESETS[settings.quality].second_layer
        if needs_second_layer and view != self._second_layer_view:
            self._draw_second_layer(scene, settings)
        self._frame_settings = settings
        if settings.dof:
            self._check_blur_range(settings)
        if settings.dof and settings.baseline_gather:
            self.dof.blur_baseline(t, settings.lens, settings.focus_distance_m)
        elif settings.dof:
            self.dof.blur(
                t, settings.lens, settings.focus_distance_m, QUALITY_PRESETS[settings.quality]
            )
        self._linear_source = t.linear if settings.dof else t.color_source
        with timer.section(passes.TONEMAP.name):
            self._tonemap(output)

    def background_coc_px(self, settings: FrameSettings) -> float:
        """The CoC radius (px) of the farthest surface the frame can show (the far clip
        plane): the widest blur behind focus."""
        c0, c1 = settings.lens.coc_coefficients(settings.focus_distance_m, self.size[0])
        return abs(0.5 * (c0 / settings.clip_m[1] + c1))

    def _check_blur_range(self, settings: FrameSettings):
        """Say once (stderr, and :attr:`on_blur_clamped`, the viewer's HUD) when the
        lens blurs the background past the largest supported CoC, which is clamped."""
        limit = max_coc_radius_px(self.size[0])
        coc = self.background_coc_px(settings)
        if coc <= limit or self._warned_clamp:
            return
        self._warned_clamp = True
        message = (
            f"blur clamped: the background's CoC radius is {coc:.0f} px at this size, past "
            f"the supported {limit:.0f} px (8 % of the frame's width)"
        )
        print(f"dofviewer: {message}", file=sys.stderr)
        if self.on_blur_clamped is not None:
            self.on_blur_clamped(message)

    def render_reference(
        self, scene: Scene, settings: FrameSettings, samples: int = 256, output=None
    ):
        """Ground truth by accumulation over the aperture (slow: one scene pass per sample).

        Depth, CoC and ids come from the pinhole view, as for :meth:`render`.
        """
        from dofviewer.render.gl.reference import Accumulator

        if scene.photo is not None:
            from dofviewer.errors import DofError

            raise DofError(f"--reference: {scene.source} is a photo; a reference needs a scene")
        if self._accumulator is None:
            self._accumulator = Accumulator(self.ctx, self.shaders)
        t = self.targets
        self.dof.clip_m = settings.clip_m
        linear = self._accumulator.render(scene, settings, self.scene_pass, t, samples)
        self._draw_scene(scene, settings)  # the accumulation left a sheared view there
        self._second_layer_view = None
        self._frame_settings = settings
        self._linear_source = linear
        self._tonemap(output)

    def _draw_scene(self, scene: Scene, settings: FrameSettings):
        """The pinhole view and what depth of field needs of it once per view, into the
        scene targets, remembered so frames that change only focus can reuse them."""
        view_projection = self.view_projection(settings)
        with self.timer.section(passes.SCENE.name):  # the scene resolve too
            if scene.photo is not None:
                self.photo_pass.draw(scene.photo, self.targets, self.scene_pass, settings.clip_m)
            else:
                self.scene_pass.draw(scene, self.targets, view_projection, settings.time_s)
        self.dof.prepare(self.targets)  # timed there: prepare, tiles
        self._drawn_scene_view = scene_view(scene, settings)

    def _draw_second_layer(self, scene: Scene, settings: FrameSettings):
        """What the first layer hides, for the final preset's blurred foregrounds (after
        :meth:`_draw_scene` for the same view: it peels the first layer's ids)."""
        view_projection = self.view_projection(settings)
        with self.timer.section(passes.SECOND_LAYER.name):
            if scene.photo is not None:
                self.photo_pass.draw_second_layer(scene.photo, self.targets, settings.clip_m)
            else:
                self.scene_pass.draw_second_layer(scene, self.targets, view_projection,
                                                  settings.time_s)  # fmt: skip
        self._second_layer_view = scene_view(scene, settings)

    def update_display(self):
        """Bring the display target up to the last frame where that frame was tone-mapped
        straight into a window (``render(..., output=)``): the viewer then copies the
        display target for a redraw that reuses it, and :meth:`read_image` reads it."""
        if self._display_stale:
            self._tonemap(None)

    def _tonemap(self, output):
        """The last frame's linear image, tone-mapped into ``output`` or the display target."""
        settings, t = self._frame_settings, self.targets
        self._display_stale = output is not None
        self.tonemap.draw_to(
            output or t.display_fbo,
            self._linear_source,
            t,
            exposure_ev=settings.exposure_ev,
            view=settings.view,
            focus_peaking=settings.focus_peaking,
            focus_distance_m=settings.focus_distance_m,
            display_referred=self._display_referred,
            zone_m=_zone(settings),
            lens_uniforms=thin_lens_uniforms(
                settings.lens, settings.focus_distance_m, t.size[0], settings.clip_m
            ),
        )

    # -- read-back (tests, headless renders, picking) ---------------------------------

    def read_image(self) -> np.ndarray:
        """The tone-mapped frame as uint8 H×W×3, top row first."""
        self.update_display()
        data = np.frombuffer(self.targets.display.read(), dtype=np.uint8)
        return _top_down(data.reshape(self.size[1], self.size[0], 4)[..., :3])

    def read_linear(self) -> np.ndarray:
        """Linear HDR RGB after DOF, before tone mapping, as float32 H×W×3."""
        source = self._linear_source or self.targets.linear
        data = np.frombuffer(
            source.read(), dtype=np.float16 if source.dtype == "f2" else np.float32
        )
        return self._crop(data, 4)[..., :3].astype(np.float32)

    def read_depth(self) -> np.ndarray:
        """View depth in metres (float32 H×W); +inf where nothing was drawn."""
        data = np.frombuffer(self.targets.depth_m.read(), dtype=np.float32)
        return self._crop(data, 1)[..., 0]

    def read_coc(self) -> np.ndarray:
        """Signed, clamped CoC radius in pixels (float32 H×W) of the last frame, from its
        stored inverse depth as the shaders derive it (shaders/common/thin_lens.glsl)."""
        data = np.frombuffer(self.targets.color_invd.read(), dtype=np.float16)
        texels = self._crop(data, 4).astype(np.float32)
        inverse_depth = texels[..., 3] / light_weight(texels[..., :3])
        settings = self._frame_settings
        c0, c1 = settings.lens.coc_coefficients(settings.focus_distance_m, self.size[0])
        limit = max_coc_radius_px(self.size[0])
        return np.clip(0.5 * (c0 * inverse_depth + c1), -limit, limit)

    def read_object_ids(self) -> np.ndarray:
        """0 for background, else 1 + the object's index in the scene (int32 H×W)."""
        data = np.frombuffer(self.targets.ids_source.read(), dtype=np.uint32)
        return self._crop(data, 1)[..., 0].astype(np.int32)

    def read_pixel(self, x: int, y: int) -> tuple[int, float]:
        """(object id, depth in metres) under a pixel, top-left origin; for picking."""
        mx, my = self.targets.margin
        viewport = (x + mx, self.size[1] - 1 - y + my, 1, 1)
        fbo, attachment = self.targets.ids_read
        ids = fbo.read(viewport, components=1, attachment=attachment, dtype="u4")
        depth = self.targets.prepare_fbo.read(viewport, components=1, attachment=1, dtype="f4")
        return int(np.frombuffer(ids, np.uint32)[0]), float(np.frombuffer(depth, np.float32)[0])

    def _crop(self, data: np.ndarray, components: int) -> np.ndarray:
        """A padded target's pixels as H×W×components, the guard band cut off, top row first."""
        (w, h), (pw, ph), (mx, my) = self.size, self.targets.padded_size, self.targets.margin
        image = data.reshape(ph, pw, components)[my : my + h, mx : mx + w]
        return _top_down(image)

    def release(self):
        if self._accumulator is not None:
            self._accumulator.release()
        self.tonemap.release()
        self.dof.release()
        self.photo_pass.release()
        self.scene_pass.release()
        self.targets.release()
        self.shaders.release()


def _top_down(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(image[::-1])


def _zone(settings) -> tuple[float, float]:
    """Near and far limits of acceptable sharpness (the depth view's band)."""
    from dofviewer.shot.dofcalc import for_lens

    try:
        dof = for_lens(settings.lens, settings.focus_distance_m)
    except ValueError:  # focus inside the focal length: the formulas have no zone
        return settings.focus_distance_m, settings.focus_distance_m
    return dof.near_limit_m, dof.far_limit_m
