"""The per-size textures and framebuffers of one frame.

:class:`FrameTargets` owns every size-dependent GL object. A resize releases them all and
builds them again; nothing else creates textures, so a frame allocates nothing.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import moderngl
import numpy as np

from dofviewer.errors import DofError

#: Side of a CoC tile in full-resolution pixels (see dofviewer/render/gl/dof.py).
TILE_SIZE_PX = 16
#: Extra pixels rendered on every side of the frame and cropped by the tone map, so
#: blur near the frame's edge gathers what lies just outside it, as a real lens does,
#: instead of smearing the edge pixels. 16 px covers blurs of up to that radius exactly
#: (wider ones see 16 px of it) for about 10 % more pixels at 960×540.
GUARD_BAND_PX = 16
#: Where the frame's size is even, the guard band grows (by under half this on each side)
#: until the padded frame is a multiple of this: then its first five mip levels halve
#: exactly. GL builds mips with a bilinear blit, which on odd sizes skips rows and
#: columns: at 480×270 a 4-pixel light vanished from level 4 and the wide gather that
#: reads it lost the light's bokeh.
MIP_ALIGN_PX = 32


#: Offline renders (``dofviewer render``, ``export``) draw the scene at least this many
#: samples across, up to 4×4 per pixel (:func:`offline_supersample`): a 480×270 frame
#: scaled up from 2×2 to 4×4 agrees with the same shot at 3840×2160 scaled down to it
#: 1.4 dB better (38.9 -> 40.4 dB, docs/issue15/README.md) and costs what a 960×540 frame
#: costs at 2×2; frames 960 px wide or more keep 2×2.
OFFLINE_SCENE_SAMPLES_PX = 1920


def offline_supersample(size: tuple[int, int]) -> int:
    """Scene samples per pixel per axis for an offline frame of ``size``: 2 to 4, so the
    scene is drawn at least OFFLINE_SCENE_SAMPLES_PX samples across its longer side."""
    return min(4, max(2, math.ceil(OFFLINE_SCENE_SAMPLES_PX / max(1, *size))))


def guard_margin(extent: int) -> int:
    """The guard band on each side of a frame ``extent`` pixels wide (or tall)."""
    if extent % 2:
        return GUARD_BAND_PX  # no symmetric band makes an odd size even
    return GUARD_BAND_PX + (-(extent + 2 * GUARD_BAND_PX) % MIP_ALIGN_PX) // 2


#: Resolutions the wide gather can run at, as divisors of the frame's.
GATHER_SCALES = (2, 4)


class GatherFields(NamedTuple):
    far: moderngl.Texture
    near: moderngl.Texture
    fbo: moderngl.Framebuffer


def multisample_limit(ctx: moderngl.Context) -> int:
    """The most MSAA samples the scene pass's colour, depth and id textures all support."""
    keys = ("GL_MAX_SAMPLES", "GL_MAX_COLOR_TEXTURE_SAMPLES", "GL_MAX_DEPTH_TEXTURE_SAMPLES",
            "GL_MAX_INTEGER_SAMPLES")  # fmt: skip
    return min(int(ctx.info.get(key, 1)) for key in keys)


#: The most memory one set of targets may take (the scene pass's supersampled and
#: multisampled targets dominate). GL has no portable query for free memory, and a
#: software rasteriser allocates from system RAM, so a request beyond this is refused
#: in one line instead of being tried. README.md "Limits" states it.
MAX_TARGET_BYTES = 8 << 30


def light_weight(color: np.ndarray) -> np.ndarray:
    """What colour_invd's alpha multiplies inverse depth by: luminance plus a floor
    (shaders/common/inverse_depth.glsl, which says why; keep the two alike)."""
    return color @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32) + 0.01


def target_extent_limit(ctx: moderngl.Context) -> int:
    """The widest texture, renderbuffer, viewport and framebuffer this GL allows."""
    info = ctx.info
    viewport = info.get("GL_MAX_VIEWPORT_DIMS", (16384, 16384))
    values = [int(info.get(key, 16384)) for key in
              ("GL_MAX_TEXTURE_SIZE", "GL_MAX_RENDERBUFFER_SIZE")]  # fmt: skip
    values += [int(v) for v in viewport]
    for key in ("GL_MAX_FRAMEBUFFER_WIDTH", "GL_MAX_FRAMEBUFFER_HEIGHT"):
        if info.get(key):
            values.append(int(info[key]))
    return min(values)


def padded_extent(extent: int) -> int:
    return extent + 2 * guard_margin(extent)


def target_bytes(size: tuple[int, int], supersample: int, msaa: int) -> int:
    """About how much memory the targets for a frame of ``size`` take: per padded pixel
    the scene pass's colour, id and depth (16 bytes) per scene sample, and about 100 bytes
    of resolve, mip-chained DOF fields and tiles."""
    w, h = padded_extent(size[0]), padded_extent(size[1])
    return w * h * (supersample * supersample * max(msaa, 1) * 16 + 100)


def size_problem(ctx: moderngl.Context, size: tuple[int, int], supersample: int,
                 msaa: int) -> str | None:  # fmt: skip
    """Why this GL cannot hold the targets for a ``size`` frame, or None where it can."""
    limit = target_extent_limit(ctx)
    scene = (padded_extent(size[0]) * supersample, padded_extent(size[1]) * supersample)
    if max(scene) > limit:
        largest = clamp_size(ctx, (limit, 1), supersample, 0)[0]
        return (f"{size[0]}x{size[1]} at supersample {supersample} needs {scene[0]}x"
                f"{scene[1]} scene targets; this GL allows {limit} per side (at most "
                f"{largest} pixels wide or high; a lower --supersample allows more)")  # fmt: skip
    need = target_bytes(size, supersample, msaa)
    if need > MAX_TARGET_BYTES:
        return (f"{size[0]}x{size[1]} at supersample {supersample} needs about "
                f"{need / (1 << 30):.1f} GiB of render targets; the limit is "
                f"{MAX_TARGET_BYTES >> 30} GiB")  # fmt: skip
    return None


def clamp_size(ctx: moderngl.Context, size: tuple[int, int], supersample: int,
               msaa: int) -> tuple[int, int]:  # fmt: skip
    """``size`` shrunk (each side on its own) until its targets fit this GL: how the
    viewer copes with a window resized beyond them."""
    limit = target_extent_limit(ctx)
    w, h = max(1, int(size[0])), max(1, int(size[1]))
    while w > 1 and padded_extent(w) * supersample > limit:
        w -= max(1, (padded_extent(w) * supersample - limit) // supersample)
    while h > 1 and padded_extent(h) * supersample > limit:
        h -= max(1, (padded_extent(h) * supersample - limit) // supersample)
    while target_bytes((w, h), supersample, msaa) > MAX_TARGET_BYTES and max(w, h) > 1:
        w, h = max(1, w * 9 // 10), max(1, h * 9 // 10)
    return w, h


class FrameTargets:
    """How the scene pass is antialiased:

    * ``supersample`` = n renders it at n×n pixels per frame pixel, each shaded;
    * ``msaa`` = k adds k multisamples to each of those (a rotated pattern, so
      near-vertical and near-horizontal edges get k steps per scene pixel, not n), shaded
      once per scene pixel. Where the GL cannot multisample the colour, depth and id
      textures k×, it is left off.

    A resolve pass brings either to the frame's size (``color_source``, ``depth_source``,
    ``ids_source`` are what later passes read, resolved or not)."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], supersample: int = 1,
                 msaa: int = 0, interleaved_scales: tuple[int, ...] = ()):  # fmt: skip
        """``interleaved_scales``: the gather scales some preset interleaves at (their raw
        fields are made only for those)."""
        if supersample not in (1, 2, 3, 4):
            raise ValueError(f"supersample must be 1..4, got {supersample}")
        if msaa not in (0, 1, 2, 4, 8):
            raise ValueError(f"msaa must be 0 (off), 2, 4 or 8, got {msaa}")
        msaa = max(msaa, 1)
        if msaa > multisample_limit(ctx):
            msaa = 1
        if not set(interleaved_scales) <= set(GATHER_SCALES):
            raise ValueError(f"interleaved_scales must be among {GATHER_SCALES}")
        self.ctx = ctx
        self.supersample = supersample
        self.msaa = msaa
        self.interleaved_scales = tuple(interleaved_scales)
        # Bound before our framebuffers are freed: moderngl re-binds the last bound
        # framebuffer after creating one, and a freed one would be a GL error.
        self._default_fbo = ctx.detect_framebuffer(0)
        self._objects: list = []
        self.size = (0, 0)
        self.resize(size)

    def resize(self, size: tuple[int, int]):
        """Rebuild every target for ``size``; a 0×0 (minimised) window keeps a 1×1 set."""
        size = (max(1, int(size[0])), max(1, int(size[1])))
        if size == self.size:
            return
        problem = size_problem(self.ctx, size, self.supersample, self.msaa)
        if problem:
            raise DofError(f"frame size {problem}")
        self.release()
        self.size = size  # the frame the user sees
        m = self.margin = (guard_margin(size[0]), guard_margin(size[1]))
        # Everything up to the DOF's output covers the frame and its guard band.
        padded = self.padded_size = (size[0] + 2 * m[0], size[1] + 2 * m[1])
        w, h = padded
        tiles = (math.ceil(w / TILE_SIZE_PX), math.ceil(h / TILE_SIZE_PX))

        # Scene pass: HDR colour, object ids for picking, depth (multi- or supersampled).
        n, k = self.supersample, self.msaa
        scene_size = (w * n, h * n)
        self.scene_color = self._texture(scene_size, 4, "f2", samples=k)
        self.object_ids = self._texture(scene_size, 1, "u4", samples=k)
        # moderngl: samples=0 is a plain texture (1 would be a one-sample multisampled one).
        self.scene_depth = self._keep(self.ctx.depth_texture(scene_size, samples=k if k > 1 else 0))
        self.scene_fbo = self._fbo([self.scene_color, self.object_ids], self.scene_depth)
        if n > 1 or k > 1:
            self.color_source = self._texture(padded, 4, "f2")
            self.depth_source = self._texture(padded, 1, "f4")
            self.ids_source = self._texture(padded, 1, "u4")
            self.resolve_fbo = self._fbo([self.color_source, self.depth_source, self.ids_source])
            self.ids_read = (self.resolve_fbo, 2)
        else:
            self.color_source, self.depth_source = self.scene_color, self.scene_depth
            self.ids_source = self.object_ids
            self.resolve_fbo = None
            self.ids_read = (self.scene_fbo, 1)

        # Once per view: colour with inverse depth (mipmapped for the gather; the CoC
        # for any focus is affine in 1/depth) and view depth in metres.
        self.color_invd = self._mipmapped(padded)
        self.mip_levels = int(math.log2(max(padded))) + 1
        self.depth_m = self._texture(padded, 1, "f4")
        self.prepare_fbo = self._fbo([self.color_invd, self.depth_m])
        # Every frame: each pixel's CoC as layer moments (mipmapped for the gather).
        self.layers = self._mipmapped(padded)
        # And what blurred foregrounds hide, for the current focus (mipmapped, blurred
        # by reading a coarser level): the second layer inside them, the image elsewhere.
        self.background = self._mipmapped(padded)
        # And the far field's spreading light: colour premultiplied by how much of each
        # far pixel's blur leaves the pixel (mipmapped): a coarse texel straddling a sharp
        # surface and a blurred one spreads only the blurred one's colour.
        self.far_color = self._mipmapped(padded)
        self.layers_fbo = self._fbo([self.layers, self.background, self.far_color])

        # The second layer: colour (alpha 1 where anything lies behind the first
        # layer's object) and its depth.
        self.second_layer = self._texture(padded, 4, "f2")
        self.second_layer_depth = self._keep(self.ctx.depth_texture(padded))
        self.second_layer_fbo = self._fbo([self.second_layer], self.second_layer_depth)

        # Tiles: (largest, smallest) inverse depth once per view, and every frame the
        # (nearest, farthest) CoC, dilated.
        self.tiles = self._texture(tiles, 2, "f4")
        self.tiles_fbo = self._fbo([self.tiles])
        self.tiles_dilated = self._texture(tiles, 2, "f2")
        self.dilate_fbo = self._fbo([self.tiles_dilated])

        # Gather: far and near fields, at half resolution (and at a quarter, for the
        # viewer's preview while focus moves), each keyed by its scale.
        # An interleaved gather writes its own pair, which the resolve pass averages into
        # these; its texels reach one further up and right (the average's corner).
        self.fields = {}
        self.interleaved_fields = {}
        for scale in GATHER_SCALES:
            self.fields[scale] = self._fields(scale, self.frame_rect(scale))
        for scale in self.interleaved_scales:
            x, y, rect_w, rect_h = self.frame_rect(scale)
            self.interleaved_fields[scale] = self._fields(scale, (x, y, rect_w + 1, rect_h + 1))
        # The preview's far field at half resolution (small blurs and the gathered field).
        self.preview_far = self._upsampled(2)
        self.preview_far_fbo = self._fbo([self.preview_far])
        self.preview_far_fbo.scissor = self.frame_rect(2)

        # Linear HDR result after DOF, and the 8-bit display image.
        self.linear = self._texture(padded, 4, "f2")
        self.linear_fbo = self._fbo([self.linear])
        self.linear_fbo.scissor = self.frame_rect(1)
        self.display = self._texture(size, 4, "f1")
        self.display_fbo = self._fbo([self.display])

    def _fields(self, scale: int, rect: tuple[int, int, int, int]) -> GatherFields:
        far, near = self._upsampled(scale), self._upsampled(scale)
        fbo = self._fbo([far, near])
        fbo.scissor = rect
        return GatherFields(far, near, fbo)

    def _upsampled(self, scale: int) -> moderngl.Texture:
        """RGBA16F at 1/``scale`` of the padded size (rounded up), read with bilinear
        filtering: the lower-resolution fields that later passes upsample."""
        w, h = self.padded_size
        texture = self._texture((-(-w // scale), -(-h // scale)), 4, "f2")
        texture.filter = (moderngl.LINEAR, moderngl.LINEAR)
        return texture

    def frame_rect(self, scale: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of the visible frame in a target 1/``scale`` of the padded
        size, with a texel to spare round it where ``scale`` > 1 for bilinear upsampling.

        The passes that make the DOF's output and its fields write only this: the guard
        band is there to be read, and nothing reads what lies in it after the DOF (every
        read-back and the tone map crop it). Without it they would shade 9 % more pixels
        at 1280×720."""
        (mx, my), (w, h) = self.margin, self.size
        apron = 1 if scale > 1 else 0
        pw, ph = -(-self.padded_size[0] // scale), -(-self.padded_size[1] // scale)
        x0, y0 = max(mx // scale - apron, 0), max(my // scale - apron, 0)
        x1 = min(-(-(mx + w) // scale) + apron, pw)
        y1 = min(-(-(my + h) // scale) + apron, ph)
        return x0, y0, x1 - x0, y1 - y0

    @property
    def guard_pad(self) -> tuple[float, float]:
        """How much wider and taller the rendered window is than the frame (guard band)."""
        return self.padded_size[0] / self.size[0], self.padded_size[1] / self.size[1]

    def dof_memory_bytes(self) -> int:
        """GPU memory held by the depth-of-field targets (for the benchmark), counted from
        the textures themselves; a mip chain adds a third."""
        mipmapped = (self.color_invd, self.layers, self.background, self.far_color)
        all_fields = (*self.fields.values(), *self.interleaved_fields.values())
        fields = [t for f in all_fields for t in (f.far, f.near)]
        plain = (self.depth_m, self.second_layer, self.second_layer_depth, self.tiles,
                 self.tiles_dilated, self.preview_far, *fields)  # fmt: skip

        def size(t):
            return t.width * t.height * t.components * int(t.dtype[1])

        return int(sum(size(t) for t in mipmapped) * 4 / 3 + sum(size(t) for t in plain))

    def _keep(self, obj):
        self._objects.append(obj)
        return obj

    def _mipmapped(self, size):
        """RGBA16F with a mip chain, read with trilinear filtering (the gather's levels)."""
        texture = self._texture(size, 4, "f2")
        texture.build_mipmaps()
        texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        return texture

    def _texture(self, size, components, dtype, samples=1):
        if samples > 1:  # multisampled textures have no filtering or wrapping to set
            return self._keep(self.ctx.texture(size, components, dtype=dtype, samples=samples))
        texture = self._keep(self.ctx.texture(size, components, dtype=dtype))
        texture.filter = (moderngl.NEAREST, moderngl.NEAREST)
        texture.repeat_x = texture.repeat_y = False
        return texture

    def _fbo(self, colors, depth=None):
        return self._keep(self.ctx.framebuffer(color_attachments=colors, depth_attachment=depth))

    def release(self):
        self._default_fbo.use()
        for obj in reversed(self._objects):
            obj.release()
        self._objects.clear()
