"""The on-screen text: status lines, the help overlay and messages.

Text is drawn with Pillow (already a dependency of imageio) into an RGBA image the size of
the window; the rectangle the text covers is uploaded to one texture and blended over
the frame, scissored to that rectangle. The texture is created on resize only and
rewritten only when the text changes, which during a focus pull is every frame: so only
the panels' pixels are converted, uploaded and blended (the whole window cost a software
rasteriser a tenth of a 960×540 frame).
"""

from __future__ import annotations

import moderngl
from PIL import Image, ImageDraw, ImageFont

from dofviewer.gl.fullscreen import FullscreenPass
from dofviewer.gl.shaders import ShaderLibrary

FONT_SIZE = 13
LINE_HEIGHT = 17
MARGIN = 8


class Hud:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, size: tuple[int, int]):
        self.ctx = ctx
        # A texel-for-pixel copy, blended (premultiplied alpha) over the frame.
        self.pass_ = FullscreenPass(ctx, shaders, "post/copy.glsl")
        self.font = ImageFont.load_default(size=FONT_SIZE)
        self.texture = None
        self._content = None
        self._rect = None  # (x, y, w, h) in GL window coordinates that the text covers
        self.resize(size)

    def resize(self, size: tuple[int, int]):
        size = (max(1, size[0]), max(1, size[1]))
        if self.texture is not None and self.texture.size == size:
            return
        if self.texture is not None:
            self.texture.release()
        self.texture = self.ctx.texture(size, 4, dtype="f1")
        self._content = None
        self._rect = None

    def set_content(self, status: list[str], bottom: list[str], help_rows=None):
        content = (tuple(status), tuple(bottom), tuple(help_rows or ()))
        if content == self._content:
            return
        self._content = content
        w, h = self.texture.size
        image = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        self._panel(draw, MARGIN, MARGIN, status)
        if bottom:
            self._panel(draw, MARGIN, h - MARGIN - LINE_HEIGHT * len(bottom), bottom)
        if help_rows:
            width = max(self.font.getlength(k) for k, _ in help_rows) + 16
            lines = [(k, d) for k, d in help_rows]
            top = max(MARGIN, (h - LINE_HEIGHT * (len(lines) + 1)) // 2)
            left = max(MARGIN, (w - int(width) - 340) // 2)
            bottom = top + LINE_HEIGHT * (len(lines) + 1)
            draw.rectangle((left - 8, top - 8, left + width + 340, bottom), fill=(0, 0, 0, 190))
            draw.text(
                (left, top), "Keys (H or F1 closes this)", font=self.font, fill=(255, 220, 120, 255)
            )
            for i, (keys, text) in enumerate(lines, start=1):
                y = top + i * LINE_HEIGHT
                draw.text((left, y), keys, font=self.font, fill=(255, 255, 255, 255))
                draw.text((left + width, y), text, font=self.font, fill=(210, 210, 210, 255))
        box = image.getbbox()  # (left, top, right, bottom) of everything drawn, or None
        if box is None:
            self._rect = None
            return
        x0, y0, x1, y1 = box
        self._rect = (x0, h - y1, x1 - x0, y1 - y0)  # GL rows count from the bottom
        # Pillow's "RGBa" is premultiplied alpha, what the blend expects.
        region = image.crop(box).convert("RGBa").transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        self.texture.write(region.tobytes(), viewport=self._rect)

    def _panel(self, draw, x, y, lines):
        if not lines:
            return
        width = max(self.font.getlength(line) for line in lines)
        draw.rectangle(
            (x - 4, y - 3, x + width + 4, y + LINE_HEIGHT * len(lines)), fill=(0, 0, 0, 140)
        )
        for i, line in enumerate(lines):
            draw.text((x, y + i * LINE_HEIGHT), line, font=self.font, fill=(255, 255, 255, 255))

    def draw(self, framebuffer):
        if self._rect is None:
            return
        self.ctx.enable(moderngl.BLEND)
        self.ctx.blend_func = moderngl.ONE, moderngl.ONE_MINUS_SRC_ALPHA
        framebuffer.scissor = self._rect
        try:
            self.pass_.draw(framebuffer, {"u_source": self.texture})
        finally:
            framebuffer.scissor = None
            self.ctx.disable(moderngl.BLEND)

    def release(self):
        self.pass_.release()
        if self.texture is not None:
            self.texture.release()
