"""The depth-of-field passes.

Which passes run when, and what each reads and writes, is declared once in
dofviewer/render/gl/passes.py (rendered as docs/passes.md): once per view (when the scene or
the camera changes, not while only focus, f-stop or blades do) prepare stores colour
with 1/depth and tiles its depth range; every frame, with the CoC derived from 1/depth
for the current lens and focus, layers, dilate, gather (resolve and preview far at the
preview preset) and composite blur it.

The wide gather runs at half resolution; the composite upsamples it and gathers small
blurs (up to SMALL_BLUR_PX) itself, exactly, at full resolution, so sharp and slightly
soft pixels keep their detail. Both gathers live in shaders/dof/gather_library.glsl and
are sized by the tiles and the pixel's own CoC.

The viewer's PREVIEW preset, while focus moves on a slow machine, gathers at a quarter
resolution and makes small blurs from the mip chain at half resolution (preview far), so
its composite reads three textures: this pixel, that far field and the near field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import moderngl

from dofviewer.render.gather_kernel import RING_SAMPLES, exact_kernel, gather_kernel, samples_within
from dofviewer.render.gl import passes
from dofviewer.render.gl.fullscreen import FullscreenPass, PassVariants
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.targets import TILE_SIZE_PX, FrameTargets
from dofviewer.render.gl.timing import NullTimer
from dofviewer.shot.camera import FAR_M, NEAR_M
from dofviewer.shot.lens import ThinLens, max_coc_radius_px, polygon_area_factor


def near_dilation_tiles(image_width_px: int) -> int:
    """Tiles a near-field blur can reach across: TILE_SIZE_PX times this covers the
    largest CoC radius of a frame this wide (dofviewer/shot/lens.py)."""
    return math.ceil(max_coc_radius_px(image_width_px) / TILE_SIZE_PX)
#: Preferred distance between gather rings (px). Finer rings cost more samples;
#: coarser ones read blurrier mip levels and soften the disc's rim.
RING_SPACING_PX = 1.5
#: Read mip levels this much finer than the ring spacing (then rounded to a whole level):
#: texels 0.6 to 1.2 times the spacing. A finer level keeps the rim of a bokeh disc (and
#: blade corners) crisper, but texels narrower than the spacing leave gaps between the
#: samples: half a level finer (0.5 to 1 times) dotted a small light's 79 px disc at
#: 1280x720 (mottle, std/mean inside it, 0.050; 0.026 now). No figure of the quality
#: benchmark at 480x270 moved, its blurs being too small to reach another level.
MIP_LOD_BIAS = 0.25
#: Blurs up to this radius (px) are gathered exactly at full resolution in the composite
#: (every texel within reach: at most 9×9); wider ones come from the half-resolution
#: gather, upsampled. Reading mips and upsampling widen a blur by about a pixel, which
#: below 4 px is more than 10 % of the lens's blur. Measured against the reference:
#: 6 px gains 0.6 dB of mean PSNR but costs 60 % more composite time, so 4.
SMALL_BLUR_PX = 4.0
#: CoC radius (px) below minus this is near field. Pixels this close to focus are
#: nearly sharp; keeping them in the far field stops them being composited like a
#: blurred foreground (a ground plane just in front of focus beside a blurred near
#: object otherwise takes on its colour). Measured against the reference: 0.5 px gave
#: 37.35 dB mean, 1.0 px 37.47, 1.5 px 37.50, 2.0 px 37.50 but the floor case -1 dB.
NEAR_FIELD_EPSILON_PX = 1.5
#: At most this many rings (1 + 3·n·(n+1) samples: 127 for 6). Wider discs space their
#: rings further apart and read coarser mip levels instead.
MAX_RINGS = 6
#: The exact gather's reach in texels: it covers blurs up to SMALL_BLUR_PX.
EXACT_REACH = math.ceil(SMALL_BLUR_PX)


@dataclass(frozen=True)
class GatherQuality:
    """How much work the DOF does per pixel: the sample budget of the wide gather, its
    resolution, and what the full-resolution composite adds."""

    max_rings: int
    #: With ``exact_small_blur``, blurs up to this radius are gathered exactly at full
    #: resolution; without, they come from four mip reads at half resolution (shading
    #: into the gathered field over the last quarter of the range), and the coarse near
    #: field takes near sources blurred by more than half of it
    #: (shaders/dof/preview_shares.glsl).
    small_blur_px: float
    gather_scale: int = 2  # the wide gather's resolution: 1/2 or 1/4 of the frame's
    exact_small_blur: bool = True
    second_layer: bool = True  # show the hidden background inside blurred foregrounds
    #: Split coarse texels at silhouettes by per-frame layer moments (a full-resolution
    #: pass and a mip chain each frame); without, a texel takes its mean depth's CoC.
    layers: bool = True
    #: 2: neighbouring texels of the wide gather each read half of every ring, in a
    #: checkerboard, and a resolve pass averages each 2×2 of them. Half the samples a
    #: texel, for a 2×2 box more blur (which the gather takes off each disc). On the
    #: preview: gather 13.6 → 8.8 ms at 1280×720 on llvmpipe, the crafted bokeh case
    #: 33.56 → 33.49 dB. On ``final`` it lost 0.5 dB of mean PSNR (1.9 dB on the worst
    #: case), so ``final`` reads every sample. 4 patterns (8k rings) striped large bokeh.
    interleave: int = 1
    #: Preferred distance between gather rings (px): blurs under ``max_rings`` times it
    #: take fewer rings.
    ring_spacing_px: float = RING_SPACING_PX
    #: Read mip levels this many levels finer than the ring spacing (MIP_LOD_BIAS).
    lod_bias: float = MIP_LOD_BIAS
    #: With ``interleave`` 2: the resolve pass also fills between the rings' samples,
    #: spreading each to the ring spacing (shaders/dof/ring_layout.glsl).
    fill_rings: bool = False

    def __post_init__(self):
        if self.second_layer and not self.layers:
            raise ValueError("second_layer needs layers: the layers pass makes its background")
        if self.interleave not in (1, 2):
            raise ValueError(f"interleave must be 1 or 2, got {self.interleave}")
        if self.fill_rings and self.interleave != 2:
            raise ValueError("fill_rings needs interleave 2: the resolve pass fills")
        if self.exact_small_blur and self.small_blur_px > EXACT_REACH:
            raise ValueError(
                f"small_blur_px {self.small_blur_px} exceeds EXACT_REACH {EXACT_REACH}"
            )

    @property
    def ring_samples(self) -> int:
        """Samples on ring 1 of each texel's own pattern (ring k holds k times as many)."""
        return RING_SAMPLES // self.interleave

    @property
    def gather_defines(self) -> dict[str, int]:
        return {
            "KERNEL_SAMPLES": self.interleave * samples_within(self.max_rings, self.ring_samples),
            "RING_SAMPLES": self.ring_samples,
            "INTERLEAVE": self.interleave,
            "EXACT_REACH": EXACT_REACH,
            "LAYERS": int(self.layers),
            "EXACT_SMALL_BLUR": int(self.exact_small_blur),
            "FILL_RINGS": int(self.fill_rings),
        }

    @property
    def composite_defines(self) -> dict[str, int]:
        return {**self.gather_defines, "SECOND_LAYER": int(self.second_layer)}


#: What every render, export and the quality benchmark use.
FINAL = GatherQuality(max_rings=MAX_RINGS, small_blur_px=SMALL_BLUR_PX)
#: What the viewer draws while focus or the camera is moving, where FINAL is slower than
#: 1/30 s (a software rasteriser); the frame after the motion settles is drawn at FINAL.
#: On llvmpipe: about a twelfth of FINAL's cost per frame of a rack focus (`dofviewer
#: bench`: 85 mm f/2 at 1280x720, 20 ms against 248), 35.7 dB against the reference
#: where FINAL measures 41.3 (`dofviewer quality`).
PREVIEW = GatherQuality(
    small_blur_px=6.0,
    gather_scale=4,
    exact_small_blur=False,
    second_layer=False,
    layers=False,
    interleave=2,
    # Blurs the quarter-resolution gather draws (4.5 px and up) take 2 rings up to 6 px
    # and 3 or 4 beyond: the gather 15 % cheaper, one case of the quality benchmark
    # 0.35 dB lower, none of the rest by more than 0.1.
    ring_spacing_px=3.0,
    # A small light's bokeh: 3 rings left it dotted with a scalloped rim at 1280x720
    # (rim roundness 0.88 against final's 0.97, centre/mean 0.93 against 1.30). 4 rings,
    # read a level coarser, with the resolve filling between their samples, draw final's
    # disc (0.97, 1.33; tests/test_blur.py: test_the_preview_draws_final_s_flat_round_bokeh).
    max_rings=4,
    lod_bias=1.0,
    fill_rings=True,
)
QUALITY_PRESETS = {"final": FINAL, "preview": PREVIEW}


class DepthOfField:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self.ctx = ctx
        self.prepare_pass = FullscreenPass.for_pass(ctx, shaders, passes.PREPARE)
        self.tiles = FullscreenPass.for_pass(ctx, shaders, passes.TILES)
        self.layers = FullscreenPass.for_pass(ctx, shaders, passes.LAYERS)
        self.dilate = FullscreenPass.for_pass(ctx, shaders, passes.DILATE)
        self.baseline = FullscreenPass.for_pass(ctx, shaders, passes.BASELINE)
        self.gathers = PassVariants.for_pass(ctx, shaders, passes.GATHER)
        self.composites = PassVariants.for_pass(ctx, shaders, passes.COMPOSITE)
        self.preview_far = FullscreenPass.for_pass(ctx, shaders, passes.PREVIEW_FAR)
        self.resolves = PassVariants.for_pass(ctx, shaders, passes.RESOLVE)
        # The aperture each variant's sample patterns were last written for.
        self._kernel_apertures: dict[FullscreenPass, tuple] = {}
        self.timer = NullTimer()
        #: The scene's (near, far) clip planes in metres: depth is linearised with them.
        self.clip_m: tuple[float, float] = (NEAR_M, FAR_M)

    def prepare(self, targets: FrameTargets):
        """Colour with 1/depth, its mips, depth in metres and the depth tiles: once per view.
        Runs with DOF off too (picking needs depth)."""
        with self.timer.section(passes.PREPARE.name):
            self.prepare_pass.draw(
                targets.prepare_fbo,
                {"u_scene_color": targets.color_source, "u_scene_depth": targets.depth_source},
                u_clip_planes=self.clip_m,
            )
            targets.color_invd.build_mipmaps(0, targets.mip_levels - 1)
        with self.timer.section(passes.TILES.name):
            self.tiles.draw(
                targets.tiles_fbo, {"u_color_invd": targets.color_invd}, u_tile_size=TILE_SIZE_PX
            )

    def blur(self, targets: FrameTargets, lens: ThinLens, focus_m: float,
             quality: GatherQuality = FINAL):  # fmt: skip
        """Gather and composite into ``targets.linear`` (after :meth:`prepare`)."""
        timer = self.timer
        lens_uniforms = thin_lens_uniforms(lens, focus_m, targets.size[0], self.clip_m)
        if quality.layers:
            with timer.section(passes.LAYERS.name):
                self.layers.draw(
                    targets.layers_fbo,
                    {"u_color_invd": targets.color_invd, "u_second_layer": targets.second_layer},
                    u_near_epsilon=NEAR_FIELD_EPSILON_PX,
                    **lens_uniforms,
                )
                targets.layers.build_mipmaps(0, targets.mip_levels - 1)
                targets.background.build_mipmaps(0, targets.mip_levels - 1)
                targets.far_color.build_mipmaps(0, targets.mip_levels - 1)
        with timer.section(passes.DILATE.name):
            self.dilate.draw(
                targets.dilate_fbo,
                {"u_tiles": targets.tiles},
                u_reach=near_dilation_tiles(targets.size[0]),
                u_tile_size=TILE_SIZE_PX,
                **lens_uniforms,
            )
        uniforms = {**self._gather_uniforms(lens, quality), **lens_uniforms}
        gather_textures = {
            "u_color_invd": targets.color_invd,
            "u_layers": targets.layers,
            "u_far_color": targets.far_color,
            "u_tiles": targets.tiles_dilated,
        }
        fields = gathered = targets.fields[quality.gather_scale]
        if quality.interleave > 1:
            # An interleaved gather writes raw fields, which the resolve pass averages.
            gathered = targets.interleaved_fields.get(quality.gather_scale)
            if gathered is None:
                raise ValueError(f"no interleaved fields at 1/{quality.gather_scale}")
        with timer.section(passes.GATHER.name):
            gather = self._with_kernels(self.gathers.get(quality.gather_defines), lens, quality)
            gather.draw(gathered.fbo, gather_textures, **uniforms)
        if gathered is not fields:
            with timer.section(passes.RESOLVE.name):
                resolve = self.resolves.get({"FILL_RINGS": int(quality.fill_rings)})
                resolve.draw(
                    fields.fbo,
                    {"u_far": gathered.far, "u_near": gathered.near,
                     "u_color_invd": targets.color_invd, "u_tiles": targets.tiles_dilated},
                    u_tile_size=TILE_SIZE_PX,
                    u_fields_scale=quality.gather_scale,
                    u_ring_spacing=quality.ring_spacing_px,
                    u_max_rings=quality.max_rings,
                    u_lod_bias=quality.lod_bias,
                    **lens_uniforms,
                )  # fmt: skip
        if not quality.exact_small_blur:
            with timer.section(passes.PREVIEW_FAR.name):
                self.preview_far.draw(
                    targets.preview_far_fbo,
                    {"u_color_invd": targets.color_invd, "u_far": fields.far},
                    u_small_blur=quality.small_blur_px,
                    u_fields_scale=quality.gather_scale,
                    **lens_uniforms,
                )
        with timer.section(passes.COMPOSITE.name):
            variant = self.composites.get(quality.composite_defines)
            composite = self._with_kernels(variant, lens, quality)
            composite.draw(
                targets.linear_fbo,
                {
                    **gather_textures,
                    "u_far": fields.far,
                    "u_near": fields.near,
                    "u_background": targets.background,
                    "u_second_layer_depth": targets.second_layer_depth,
                    "u_preview_far": targets.preview_far,
                },
                **uniforms,
            )

    def blur_baseline(self, targets: FrameTargets, lens: ThinLens, focus_m: float):
        """The quality benchmark's naive single-layer gather, into ``targets.linear``: the
        final gather's ring spacing, mip bias and ring limit, without its layers."""
        with self.timer.section(passes.BASELINE.name):
            self.baseline.draw(
                targets.linear_fbo,
                {"u_color_invd": targets.color_invd},
                u_max_rings=MAX_RINGS,
                u_ring_spacing=RING_SPACING_PX,
                u_lod_bias=MIP_LOD_BIAS,
                **thin_lens_uniforms(lens, focus_m, targets.size[0], self.clip_m),
            )

    def _with_kernels(self, variant: FullscreenPass, lens: ThinLens,
                      quality: GatherQuality) -> FullscreenPass:  # fmt: skip
        """``variant`` with its sample patterns (u_kernel for the ring gather,
        u_exact_kernel for the exact one) written for this aperture: only when the
        aperture changes, not every frame."""
        aperture = (lens.aperture_blades, lens.blade_rotation_deg)
        if self._kernel_apertures.get(variant) != aperture:
            rotation = math.radians(lens.blade_rotation_deg)
            if variant.uses("u_kernel"):
                kernel = gather_kernel(quality.max_rings, lens.aperture_blades, rotation,
                                       interleave=quality.interleave)  # fmt: skip
                variant.write("u_kernel", kernel.tobytes())
            if variant.uses("u_exact_kernel"):
                kernel = exact_kernel(EXACT_REACH, lens.aperture_blades, rotation)
                variant.write("u_exact_kernel", kernel.tobytes())
            self._kernel_apertures[variant] = aperture
        return variant

    @staticmethod
    def _gather_uniforms(lens: ThinLens, quality: GatherQuality) -> dict:
        """What the gather and the composite take besides the lens (GATHER_VALUES in
        dofviewer/render/gl/passes.py)."""
        return {
            "u_tile_size": TILE_SIZE_PX,
            "u_ring_spacing": quality.ring_spacing_px,
            "u_max_rings": quality.max_rings,
            "u_fields_scale": quality.gather_scale,
            "u_small_blur": quality.small_blur_px,
            "u_aperture_area": polygon_area_factor(lens.aperture_blades),
            "u_near_epsilon": NEAR_FIELD_EPSILON_PX,
            "u_lod_bias": quality.lod_bias,
        }

    def release(self):
        fixed = (self.prepare_pass, self.tiles, self.layers, self.dilate, self.baseline,
                 self.preview_far)  # fmt: skip
        for p in fixed:
            p.release()
        self.resolves.release()
        self.gathers.release()
        self.composites.release()
        self._kernel_apertures.clear()


def thin_lens_uniforms(lens: ThinLens, focus_m: float, image_width_px: int,
                       clip_m: tuple[float, float] = (NEAR_M, FAR_M)) -> dict:  # fmt: skip
    """What shaders/common/thin_lens.glsl needs to turn 1/depth into a CoC radius."""
    return {
        "u_coc_coefficients": lens.coc_coefficients(focus_m, image_width_px),
        "u_clip_planes": tuple(clip_m),
        "u_max_coc_radius": max_coc_radius_px(image_width_px),
    }
