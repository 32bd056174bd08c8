"""The on-screen HUD: status lines, the follow-focus ring, marks, legends, messages and
the help overlay.

Everything is drawn with Pillow (already a dependency of imageio), each panel into an
RGBA image of its own size, uploaded into one window-sized texture where it shows and
blended over the frame, scissored to the panel. The texture is created on resize only
and rewritten only when the content changes (during a focus pull, ten times a second),
and then only the panels' pixels are drawn, converted, uploaded and blended. Drawing
into a window-sized image and cropping it cost a sixth of a 960×540 preview frame on a
software rasteriser, the whole window's blend a tenth. Where each panel goes is
:mod:`~dofviewer.viewer.hud_layout` (pure, so the window hit-tests and tests read it).
"""

from __future__ import annotations

import math

import moderngl
from PIL import Image, ImageDraw

from dofviewer.render.gl.fullscreen import FullscreenPass
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.viewer import hud_layout as layout
from dofviewer.viewer.hud_text import HudContent

LINE_HEIGHT = layout.STATUS_LINE
MARGIN = layout.MARGIN

WHITE = (255, 255, 255, 255)
DIM = (200, 200, 200, 255)
#: The ring's colours; tests find the marks and the focus index by them.
MARK_COLOR = (255, 205, 40, 255)
INDEX_COLOR = (255, 70, 50, 255)
ZONE_COLOR = (70, 200, 95, 200)
SCALE_COLOR = (235, 235, 235, 255)
#: The depth view's scale (shaders/post/tonemap.glsl must agree): log from 0.25 to 64 m.
DEPTH_VIEW_NEAR_M, DEPTH_VIEW_STOPS = 0.25, 8.0


class Hud:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, size: tuple[int, int]):
        self.ctx = ctx
        # A texel-for-pixel copy, blended (premultiplied alpha) over the frame.
        self.pass_ = FullscreenPass(ctx, shaders, "post/copy.glsl")
        self.font = layout.font(layout.STATUS_FONT)
        self.small = layout.font(11)
        self.texture = None
        self._content = None
        self._rects = []  # (x, y, w, h) in GL window coordinates of each panel
        self.panels: dict[str, tuple[int, int, int, int]] = {}  # name → window rect
        self.resize(size)

    def resize(self, size: tuple[int, int]):
        size = (max(1, size[0]), max(1, size[1]))
        if self.texture is not None and self.texture.size == size:
            return
        if self.texture is not None:
            self.texture.release()
        self.texture = self.ctx.texture(size, 4, dtype="f1")
        self._content = None
        self._rects = []

    def set_content(self, content: HudContent):
        if content == self._content:
            return
        self._content = content
        size = self.texture.size
        w, h = size
        panels = {}
        if content.status:
            panels["status"] = self._text_panel(MARGIN, MARGIN, content.status)
        ring_top = h
        if content.ring is not None and layout.ring_rect(size) is not None:
            panels["ring"] = self._ring_panel(content.ring, size)
            ring_top = layout.ring_rect(size)[1]
        if content.message:
            text, alpha = content.message
            top = ring_top - 6 - LINE_HEIGHT
            panels["message"] = self._text_panel(MARGIN, top, [text], alpha)
        status = layout.status_rect(content.status)
        status_bottom = status[1] + status[3]
        if content.help_groups:
            panels["help"] = self._help_panel(content.help_groups, size, status_bottom + 4,
                                              ring_top - 4)  # fmt: skip
        else:
            right_top = MARGIN
            if content.legend is not None:
                left, top, image = self._legend_panel(content.legend, w, right_top)
                panels["legend"] = (left, top, image)
                right_top = top + image.height + 6
            if content.marks:
                image = self._lines_image(content.marks, title="Marks")
                panels["marks"] = (w - MARGIN - image.width, right_top, image)
        self._upload(panels, size)

    def _upload(self, panels: dict, size):
        w, h = size
        self._rects, self.panels = [], {}
        for name, (left, top, image) in panels.items():
            self.panels[name] = (left, top, image.width, image.height)
            # The part inside the window, in GL coordinates (rows count from the bottom).
            right, lower = left + image.width, top + image.height
            box = (max(left, 0), max(top, 0), min(right, w), min(lower, h))
            if box[0] >= box[2] or box[1] >= box[3]:
                continue
            region = image.crop((box[0] - left, box[1] - top, box[2] - left, box[3] - top))
            rect = (box[0], h - box[3], box[2] - box[0], box[3] - box[1])
            # Pillow's "RGBa" is premultiplied alpha, what the blend expects.
            pixels = region.convert("RGBa").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
            self.texture.write(pixels.tobytes(), viewport=rect)
            self._rects.append(rect)

    # -- panels -------------------------------------------------------------------------

    def _lines_image(self, lines, title=None, alpha=1.0):
        rows = ([title] if title else []) + list(lines)
        width = int(max(self.font.getlength(line) for line in rows)) + 8
        image = Image.new("RGBA", (width + 1, LINE_HEIGHT * len(rows) + 4),
                          (0, 0, 0, int(140 * alpha)))  # fmt: skip
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(rows):
            color = MARK_COLOR if (title and i == 0) else WHITE
            draw.text((4, 3 + i * LINE_HEIGHT), line, font=self.font,
                      fill=(*color[:3], int(255 * alpha)))  # fmt: skip
        return image

    def _text_panel(self, x: int, y: int, lines: list[str], alpha: float = 1.0):
        """Lines of white text on a dark translucent box whose text starts at (x, y) in
        window pixels from the top left: (left, top, image)."""
        return x - 4, y - 3, self._lines_image(lines, alpha=alpha)

    def _help_panel(self, groups, size, top: int, bottom: int):
        """The grouped key list between the status panel and the ring: (left, top, image)."""
        help_ = layout.help_layout(groups, size, top, bottom)
        font = layout.font(help_.font_size)
        left, upper, width, height = help_.rect
        image = Image.new("RGBA", (width, height), (10, 10, 14, 215))
        draw = ImageDraw.Draw(image)
        pad, line = layout.HELP_PAD, help_.line_height
        draw.text((pad, pad), help_.title, font=font, fill=(255, 220, 120, 255))
        for x, keys_w, rows in help_.columns:
            for i, (kind, a, b) in enumerate(rows, start=1):
                y = pad + i * line
                if kind == "group":
                    draw.text((x, y), a.upper(), font=font, fill=(120, 200, 255, 255))
                else:
                    draw.text((x, y), a, font=font, fill=WHITE)
                    draw.text((x + keys_w, y), b, font=font, fill=DIM)
        return left, upper, image

    def _ring_panel(self, ring, size):
        """The follow-focus ring, drawn like a lens's focus scale unrolled."""
        left, top, width, height = layout.ring_rect(size)
        scale = layout.ring_scale(size, ring.near_m)
        image = Image.new("RGBA", (width, height), (18, 18, 22, 210))
        draw = ImageDraw.Draw(image)
        font = self.small

        def x_of(d):
            return round(scale.x_of(d) - left)

        base = 20  # the scale's baseline, from the panel's top
        # The zone of acceptable sharpness: a green band along the baseline.
        near, far = ring.zone_m
        x0, x1 = x_of(max(near, ring.near_m)), x_of(far)
        draw.rectangle((x0, base - 3, max(x1, x0 + 1), base + 5), fill=ZONE_COLOR)
        # Minor ticks every 0.1 dioptre-step of the ring, labelled distances above.
        for i in range(41):
            x = round(layout.RING_INSET + (width - 2 * layout.RING_INSET) * i / 40)
            draw.line((x, base, x, base - 3), fill=(150, 150, 150, 255))
        for d in layout.ring_ticks(scale, font.getlength):
            x = x_of(d)
            draw.line((x, base, x, base - 7), fill=SCALE_COLOR)
            label = layout.distance_label(d)
            tw = font.getlength(label)
            draw.text((x - tw / 2, 3), label, font=font, fill=SCALE_COLOR)
        draw.line((layout.RING_INSET, base, width - layout.RING_INSET, base), fill=SCALE_COLOR)
        draw.text((width - 12, base + 6), "m", font=font, fill=DIM)
        # Witness marks: a marker-pen stroke under the scale, the slot and object name;
        # labels that would overlap drop to a second row, with a longer stroke.
        row_ends = [-math.inf, -math.inf]
        for slot, distance, name in sorted(ring.marks, key=lambda m: -m[1]):
            x = x_of(distance)
            label = f"{slot} {name}" if name else str(slot)
            tw = font.getlength(label)
            lx = min(max(x - tw / 2, 2), width - tw - 2)
            row = next((r for r, end in enumerate(row_ends) if lx + tw + 4 <= -end), None)
            row = len(row_ends) - 1 if row is None else row
            row_ends[row] = -lx
            draw.rectangle((x - 1, base + 7, x + 1, base + 15 + 11 * row), fill=MARK_COLOR)
            draw.text((lx, base + 16 + 11 * row), label, font=font, fill=MARK_COLOR)
        # The index: where focus is now (and where a pull is going, hollow).
        if ring.target_m != ring.focus_m:
            xt = x_of(ring.target_m)
            draw.polygon(((xt - 5, base - 14), (xt + 5, base - 14), (xt, base - 6)),
                         outline=INDEX_COLOR)  # fmt: skip
        x = x_of(ring.focus_m)
        draw.polygon(((x - 5, base - 14), (x + 5, base - 14), (x, base - 6)), fill=INDEX_COLOR)
        draw.line((x, base - 6, x, base + 6), fill=INDEX_COLOR, width=2)
        return left, top, image

    def _legend_panel(self, legend, w: int, top: int):
        """A scale for the depth or CoC view, in the top right."""
        kind, value = legend
        bar_w, pad = 220, 8
        image = Image.new("RGBA", (bar_w + 2 * pad, 52), (0, 0, 0, 170))
        draw = ImageDraw.Draw(image)
        font = self.small
        if kind == "depth":
            for i in range(bar_w):
                g = int(255 * (1 - i / (bar_w - 1)) ** (1 / 1.0))
                draw.line((pad + i, 20, pad + i, 32), fill=(g, g, g, 255))
            near, far = value

            def x_of(d):
                t = math.log2(max(d, 1e-6) / DEPTH_VIEW_NEAR_M) / DEPTH_VIEW_STOPS
                return pad + round(min(max(t, 0.0), 1.0) * (bar_w - 1))

            draw.rectangle((x_of(near), 33, x_of(min(far, 1e6)), 36), fill=ZONE_COLOR)
            for d in (0.25, 1, 4, 16, 64):
                x = x_of(d)
                draw.line((x, 32, x, 38), fill=WHITE)
                label = f"{d:g} m"
                tw = font.getlength(label)
                draw.text((min(max(x - tw / 2, 2), image.width - tw - 2), 38), label,
                          font=font, fill=WHITE)  # fmt: skip
            draw.text((pad, 3), "Depth (log)   green: sharp zone", font=font, fill=WHITE)
        else:
            max_px = value
            for i in range(bar_w):
                c = (i / (bar_w - 1)) * 2 - 1
                base = (25, 25, 25)
                tint = (255, 115, 13) if c < 0 else (25, 100, 255)
                a = math.sqrt(abs(c))
                col = tuple(int(b + (t - b) * a) for b, t in zip(base, tint, strict=True))
                draw.line((pad + i, 20, pad + i, 32), fill=(*col, 255))
            quarter = f"{max_px / 4:g}"
            for frac, label in ((-1, f"-{max_px:g}"), (-0.25, "-" + quarter), (0, "0"),
                                (0.25, quarter), (1, f"{max_px:g} px")):  # fmt: skip
                x = pad + round((frac + 1) / 2 * (bar_w - 1))
                draw.line((x, 32, x, 38), fill=WHITE)
                tw = font.getlength(label)
                draw.text((min(max(x - tw / 2, 2), bar_w + 2 * pad - tw - 2), 38), label,
                          font=font, fill=WHITE)  # fmt: skip
            draw.text((pad, 3), "Blur radius: near  |  sharp  |  far", font=font, fill=WHITE)
        return w - MARGIN - image.width, top, image

    def draw(self, framebuffer):
        if not self._rects:
            return
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        try:
            for rect in self._rects:
                framebuffer.scissor = rect
                self.pass_.draw(framebuffer, {"u_source": self.texture})
        finally:
            framebuffer.scissor = None
            self.ctx.disable(moderngl.BLEND)

    def release(self):
        self.pass_.release()
        if self.texture is not None:
            self.texture.release()
