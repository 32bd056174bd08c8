"""Tone mapping and sRGB encoding: the last pass, after depth of field."""

from __future__ import annotations

import moderngl

from dofviewer.gl.fullscreen import FullscreenPass
from dofviewer.gl.shaders import ShaderLibrary


class Tonemap(FullscreenPass):
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        super().__init__(ctx, shaders, "post/tonemap.glsl")

    def draw_to(self, framebuffer, linear, exposure_ev: float = 0.0):
        self.draw(framebuffer, {"u_linear": linear}, u_exposure=2.0**exposure_ev)
