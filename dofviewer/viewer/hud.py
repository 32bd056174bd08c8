"""The on-screen text: status lines, the help overlay and messages.

Text is drawn with Pillow (already a dependency of imageio), each panel into an RGBA
image of its own size, uploaded into one window-sized texture where it shows and blended
over the frame, scissored to the panel. The texture is created on resize only and
rewritten only when the text changes (during a focus pull, ten times a second), and then
only the panels' pixels are drawn, converted, uploaded and blended. Drawing into a
window-sized image and cropping it cost a sixth of a 960×540 preview frame on a software
rasteriser, the whole window's blend a tenth.
"""

from __future__ import annotations

import moderngl
from PIL import Image, ImageDraw, ImageFont

from dofviewer.render.gl.fullscreen import FullscreenPass
from dofviewer.render.gl.shaders import ShaderLibrary

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
        self._rects = []  # (x, y, w, h) in GL window coordinates of each panel
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

    def set_content(self, status: list[str], bottom: list[str], help_rows=None):
        content = (tuple(status), tuple(bottom), tuple(help_rows or ()))
        if content == self._content:
            return
        self._content = content
        w, h = self.texture.size
        panels = []
        if status:
            panels.append(self._text_panel(MARGIN, MARGIN, status))
        if bottom:
            panels.append(self._text_panel(MARGIN, h - MARGIN - LINE_HEIGHT * len(bottom), bottom))
        if help_rows:
            panels.append(self._help_panel(help_rows, w, h))
        self._rects = []
        for left, top, image in panels:
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

    def _text_panel(self, x: int, y: int, lines: list[str]):
        """Lines of white text on a dark translucent box whose text starts at (x, y) in
        window pixels from the top left: (left, top, image)."""
        width = int(max(self.font.getlength(line) for line in lines)) + 8
        image = Image.new("RGBA", (width + 1, LINE_HEIGHT * len(lines) + 4), (0, 0, 0, 140))
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((4, 3 + i * LINE_HEIGHT), line, font=self.font, fill=(255, 255, 255, 255))
        return x - 4, y - 3, image

    def _help_panel(self, help_rows, w: int, h: int):
        """The key list, centred in the window: (left, top, image)."""
        keys_width = int(max(self.font.getlength(k) for k, _ in help_rows)) + 16
        text_width = int(max(self.font.getlength(t) for _, t in help_rows))
        title = "Keys (H or F1 closes this)"
        width = max(keys_width + text_width, int(self.font.getlength(title))) + 16
        height = LINE_HEIGHT * (len(help_rows) + 1) + 8
        image = Image.new("RGBA", (width, height), (0, 0, 0, 190))
        draw = ImageDraw.Draw(image)
        draw.text((8, 8), title, font=self.font, fill=(255, 220, 120, 255))
        for i, (keys, text) in enumerate(help_rows, start=1):
            y = 8 + i * LINE_HEIGHT
            draw.text((8, y), keys, font=self.font, fill=(255, 255, 255, 255))
            draw.text((8 + keys_width, y), text, font=self.font, fill=(210, 210, 210, 255))
        return max(0, (w - width) // 2), max(0, (h - height) // 2), image

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
