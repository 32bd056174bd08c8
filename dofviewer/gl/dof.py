"""The depth-of-field passes: CoC, tiles, dilation, gather, composite.

Each pass names the textures it reads and writes; the chain is

    scene colour + depth ──coc──▶ colour+CoC (mipmapped), depth in metres
    colour+CoC ──tiles──▶ per-tile (nearest, farthest) CoC ──dilate──▶ near field reach
    colour+CoC mips + dilated tiles ──gather──▶ far field, near field (+ alpha)
    far + near ──composite──▶ linear HDR

The wide gather runs at half resolution (a quarter in the viewer's PREVIEW preset, while
focus moves on a slow machine); the composite upsamples it and gathers small
blurs (up to SMALL_BLUR_PX) itself, exactly, at full resolution, so sharp and slightly
soft pixels keep their detail. Both gathers live in shaders/dof/gather_library.glsl and
are sized by the tiles and the pixel's own CoC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import moderngl

from dofviewer.camera import FAR_M, NEAR_M
from dofviewer.gl.fullscreen import FullscreenPass
from dofviewer.gl.shaders import ShaderLibrary
from dofviewer.gl.targets import TILE_SIZE_PX, FrameTargets
from dofviewer.gl.timing import NullTimer
from dofviewer.lens import MAX_COC_RADIUS_PX, ThinLens, polygon_area_factor

#: Tiles a near-field blur can reach across; TILE_SIZE_PX * this covers MAX_COC_RADIUS_PX.
NEAR_DILATION_TILES = math.ceil(MAX_COC_RADIUS_PX / TILE_SIZE_PX)
#: Preferred distance between gather rings (px). Finer rings cost more samples;
#: coarser ones read blurrier mip levels and soften the disc's rim.
RING_SPACING_PX = 1.5
#: Read mip levels this much finer than the ring spacing. The rings sample a texel's
#: footprint at 0.785 of the spacing around and 1 across, so half a level finer still
#: leaves no gaps while keeping the rim of a bokeh disc (and blade corners) crisper.
MIP_LOD_BIAS = 0.5
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
#: At most this many rings (1 + 4·n·(n+1) samples: 169 for 6). Wider discs space their
#: rings further apart and read coarser mip levels instead.
MAX_RINGS = 6


@dataclass(frozen=True)
class GatherQuality:
    """How much work the gather does per pixel: the sample budget of the wide gather and
    the largest blur gathered exactly at full resolution."""

    max_rings: int
    small_blur_px: float
    gather_scale: int = 2  # the wide gather's resolution: 1/2 or 1/4 of the frame's


#: What every render, export and the quality benchmark use.
FINAL = GatherQuality(max_rings=MAX_RINGS, small_blur_px=SMALL_BLUR_PX)
#: What the viewer draws while focus or the camera is moving, on slow GPUs; the frame
#: after the motion settles is drawn at FINAL. Measured in `dofviewer quality`/`bench`.
PREVIEW = GatherQuality(max_rings=3, small_blur_px=4.0, gather_scale=4)
QUALITY_PRESETS = {"final": FINAL, "preview": PREVIEW}


class DepthOfField:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self.ctx = ctx
        self.coc = FullscreenPass(ctx, shaders, "dof/coc.glsl")
        self.tiles = FullscreenPass(ctx, shaders, "dof/tiles.glsl")
        self.dilate = FullscreenPass(ctx, shaders, "dof/dilate.glsl")
        self.gather = FullscreenPass(ctx, shaders, "dof/gather.glsl")
        self.composite = FullscreenPass(ctx, shaders, "dof/composite.glsl")
        self.baseline = FullscreenPass(ctx, shaders, "dof/baseline.glsl")
        self.timer = NullTimer()

    def compute_coc(self, targets: FrameTargets, lens: ThinLens, focus_m: float):
        """Depth in metres and the signed CoC; runs even with DOF off (picking needs depth)."""
        self.coc.draw(
            targets.coc_fbo,
            {"u_scene_color": targets.color_source, "u_scene_depth": targets.depth_source},
            u_coc_coefficients=lens.coc_coefficients(focus_m, targets.size[0]),
            u_clip_planes=(NEAR_M, FAR_M),
            u_max_coc_radius=MAX_COC_RADIUS_PX,
            u_near_epsilon=NEAR_FIELD_EPSILON_PX,
        )

    def blur(self, targets: FrameTargets, lens: ThinLens, focus_m: float,
             quality: GatherQuality = FINAL):  # fmt: skip
        """Gather and composite into ``targets.linear`` (after :meth:`compute_coc`)."""
        timer = self.timer
        with timer.section("mips"):
            targets.color_coc.build_mipmaps(0, targets.mip_levels - 1)
            targets.layers.build_mipmaps(0, targets.mip_levels - 1)
        with timer.section("tiles"):
            self.tiles.draw(
                targets.tiles_fbo, {"u_color_coc": targets.color_coc}, u_tile_size=TILE_SIZE_PX
            )
            self.dilate.draw(
                targets.dilate_fbo,
                {"u_tiles": targets.tiles},
                u_reach=NEAR_DILATION_TILES,
                u_tile_size=TILE_SIZE_PX,
            )
        uniforms = self._gather_uniforms(lens, quality.max_rings)
        gather_textures = {
            "u_color_coc": targets.color_coc,
            "u_layers": targets.layers,
            "u_tiles": targets.tiles_dilated,
        }
        fields = targets.fields[quality.gather_scale]
        uniforms["u_fields_scale"] = quality.gather_scale
        with timer.section("gather"):
            self.gather.draw(fields.fbo, gather_textures, **uniforms)
        with timer.section("composite"):
            self.composite.draw(
                targets.linear_fbo,
                {
                    **gather_textures,
                    "u_far": fields.far,
                    "u_near": fields.near,
                    "u_second_layer": targets.second_layer,
                    "u_second_layer_depth": targets.second_layer_depth,
                },
                u_small_blur=quality.small_blur_px,
                u_coc_coefficients=lens.coc_coefficients(focus_m, targets.size[0]),
                u_clip_planes=(NEAR_M, FAR_M),
                u_max_coc_radius=MAX_COC_RADIUS_PX,
                **uniforms,
            )

    def blur_baseline(self, targets: FrameTargets):
        """The quality benchmark's naive single-layer gather, into ``targets.linear``."""
        targets.color_coc.build_mipmaps(0, targets.mip_levels - 1)
        self.baseline.draw(
            targets.linear_fbo, {"u_color_coc": targets.color_coc}, u_max_rings=MAX_RINGS
        )

    @staticmethod
    def _gather_uniforms(lens: ThinLens, max_rings: int) -> dict:
        return {
            "u_tile_size": TILE_SIZE_PX,
            "u_ring_spacing": RING_SPACING_PX,
            "u_max_rings": max_rings,
            "u_blades": lens.aperture_blades,
            "u_blade_rotation": math.radians(lens.blade_rotation_deg),
            "u_aperture_area": polygon_area_factor(lens.aperture_blades),
            "u_near_epsilon": NEAR_FIELD_EPSILON_PX,
            "u_lod_bias": MIP_LOD_BIAS,
        }

    def release(self):
        for p in (self.coc, self.tiles, self.dilate, self.gather, self.composite, self.baseline):
            p.release()
