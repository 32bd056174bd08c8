"""The shared base of every post-process pass: a program over one oversized triangle."""

from __future__ import annotations

import moderngl

from dofviewer.gl.shaders import ShaderLibrary


class FullscreenPass:
    """Draws ``shaders/<name>`` over a whole framebuffer; owns only its vertex array."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, name: str, defines=None):
        self.ctx = ctx
        self.name = name
        self.program = shaders.program(name, defines)
        self._vao = ctx.vertex_array(self.program, [])

    def draw(self, framebuffer, textures: dict | None = None, **uniforms):
        framebuffer.use()
        for unit, (uniform, texture) in enumerate((textures or {}).items()):
            texture.use(location=unit)
            self.set(uniform, unit)
        for uniform, value in uniforms.items():
            self.set(uniform, value)
        self._vao.render(moderngl.TRIANGLES, vertices=3)

    def set(self, uniform: str, value):
        # The GLSL compiler drops unused uniforms; setting one is then a harmless no-op.
        if uniform in self.program:
            self.program[uniform].value = value

    def release(self):
        self._vao.release()


class PassVariants:
    """The passes of one shader file, one per set of ``#define``s, each made on first use
    and kept for the context's lifetime. Compile-time switches rather than uniform ones:
    a software rasteriser runs both sides of every branch, even one on a uniform."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, name: str):
        self.ctx = ctx
        self.shaders = shaders
        self.name = name
        self._passes: dict[tuple, FullscreenPass] = {}

    def get(self, defines: dict[str, int]) -> FullscreenPass:
        key = tuple(sorted(defines.items()))
        if key not in self._passes:
            self._passes[key] = FullscreenPass(self.ctx, self.shaders, self.name, defines)
        return self._passes[key]

    def release(self):
        for variant in self._passes.values():
            variant.release()
        self._passes.clear()
