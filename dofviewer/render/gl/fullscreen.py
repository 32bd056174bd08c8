"""The shared base of every post-process pass: a program over one oversized triangle.

Each pass's uniforms are typed and declared once (``dofviewer/render/gl/passes.py``:
``UNIFORMS``), as pygfx's ``uniform_type`` and Bevy's ``DepthOfFieldUniform`` do, and
enforced always, not only under tests: a misspelt name once set nothing and showed only
as a slightly worse image. The checks are two set comparisons a draw.

* When a program is made: every uniform it uses must be in the schema, with the type
  declared there. A declared one that this variant's compiler dropped is fine.
* At each draw: the textures and values given must be exactly the schema's (a name it
  lacks raises, naming the pass and the nearest name; so does one left out), and every
  kept uniform the program uses must have been written.
"""

from __future__ import annotations

import difflib

import moderngl

from dofviewer.render.gl.passes import UNIFORMS, Pass, Uniforms, pass_for_shader
from dofviewer.render.gl.shaders import ShaderLibrary

#: GLSL type names of GL's uniform type enums (what the schemas may use).
_GL_TYPES = {
    0x1404: "int", 0x1405: "uint", 0x1406: "float", 0x8B56: "bool",
    0x8B50: "vec2", 0x8B51: "vec3", 0x8B52: "vec4",
    0x8B53: "ivec2", 0x8B54: "ivec3", 0x8B55: "ivec4",
    0x8DC6: "uvec2", 0x8DC7: "uvec3", 0x8DC8: "uvec4",
    0x8B5A: "mat2", 0x8B5B: "mat3", 0x8B5C: "mat4",
    0x8B5E: "sampler2D", 0x8DCA: "isampler2D", 0x8DD2: "usampler2D",
    0x9108: "sampler2DMS", 0x9109: "isampler2DMS", 0x910A: "usampler2DMS",
}  # fmt: skip


class UniformError(ValueError):
    """A pass was given a uniform its schema lacks, or not given one it declares, or its
    program disagrees with its schema. The message names the pass and the uniform."""


class FullscreenPass:
    """Draws ``shaders/<name>`` over a whole framebuffer; owns only its vertex array."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, name: str, defines=None,
                 label: str | None = None):  # fmt: skip
        """``label``: the pass's name in errors (by default the first pass in
        dofviewer.render.gl.passes that draws with ``name``)."""
        spec = pass_for_shader(name)
        self.label = f"{label or (spec.name if spec else name)} (shaders/{name})"
        if name not in UNIFORMS:
            raise UniformError(f"{self.label}: no uniform schema in dofviewer/render/gl/passes.py")
        self.ctx = ctx
        self.name = name
        self.schema: Uniforms = UNIFORMS[name]
        self.program = shaders.program(name, defines)
        # The schema's members this variant's compiler kept, looked up once.
        self._active = _check_program(self.program, self.schema, self.label)
        self._samplers = self.schema.samplers
        self._values = self.schema.values
        self._unwritten = set(self.schema.kept & self._active.keys())
        self._vao = ctx.vertex_array(self.program, [])

    @classmethod
    def for_pass(cls, ctx: moderngl.Context, shaders: ShaderLibrary, spec: Pass,
                 defines=None) -> FullscreenPass:  # fmt: skip
        """The pass ``spec`` of dofviewer.render.gl.passes declares."""
        return cls(ctx, shaders, spec.shader, defines, label=spec.name)

    def draw(self, framebuffer, textures: dict | None = None, **uniforms):
        """Bind ``textures`` (sampler name → texture) to units in order, set ``uniforms``
        and draw. Together they must name every uniform of the schema but the kept ones."""
        textures = textures or {}
        if textures.keys() != self._samplers or uniforms.keys() != self._values or self._unwritten:
            self._raise_incomplete(textures, uniforms)
        framebuffer.use()
        active = self._active
        for unit, (uniform, texture) in enumerate(textures.items()):
            texture.use(location=unit)
            if uniform in active:
                active[uniform].value = unit
        for uniform, value in uniforms.items():
            if uniform in active:
                active[uniform].value = value
        self._vao.render(moderngl.TRIANGLES, vertices=3)

    def uses(self, uniform: str) -> bool:
        """Whether this variant's program kept ``uniform`` (a declared one)."""
        self._check_declared(uniform)
        return uniform in self._active

    def write(self, uniform: str, data: bytes):
        """Write a kept uniform (an array, as bytes); the program keeps it between draws."""
        self._check_declared(uniform)
        if uniform not in self.schema.kept:
            raise UniformError(f"{self.label}: {uniform!r} is given to each draw, not written")
        if uniform in self._active:
            self._active[uniform].write(data)
        self._unwritten.discard(uniform)

    def _check_declared(self, uniform: str):
        if uniform not in self.schema.types:
            raise UniformError(f"{self.label}: {_unknown(uniform, self.schema)}")

    def _raise_incomplete(self, textures, uniforms):
        problems = []
        for given, expected, kind in ((textures, self._samplers, "texture"),
                                      (uniforms, self._values, "value")):  # fmt: skip
            for uniform in sorted(given.keys() - expected):
                if uniform in self.schema.types:
                    problems.append(f"{uniform!r} is not a {kind} here")
                else:
                    problems.append(_unknown(uniform, self.schema))
            problems += [f"{u!r} ({kind}) was not given" for u in sorted(expected - given.keys())]
        problems += [f"kept {u!r} was never written" for u in sorted(self._unwritten)]
        raise UniformError(f"{self.label}: " + "; ".join(problems))

    def release(self):
        self._vao.release()


def _unknown(uniform: str, schema: Uniforms) -> str:
    close = difflib.get_close_matches(uniform, schema.types, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{uniform!r} is not in its uniform schema{hint}"


def _check_program(program: moderngl.Program, schema: Uniforms, label: str) -> dict:
    """The program's uniforms by name, after checking each against the schema."""
    active = {}
    for name in program:
        member = program[name]
        if not isinstance(member, moderngl.Uniform):
            continue
        declared = schema.types.get(name)
        if declared is None:
            raise UniformError(
                f"{label}: the program uses uniform {name!r}, which its schema in "
                "dofviewer/render/gl/passes.py lacks"
            )
        gl_type = getattr(member, "gl_type", None)  # moderngl >= 5.9; else unchecked
        if gl_type is not None:
            found = _GL_TYPES.get(gl_type, f"GL type {gl_type:#06x}")
            found += "[]" if member.array_length > 1 else ""
            if found not in declared.split("|"):
                raise UniformError(f"{label}: {name!r} is {found}, but its schema says {declared}")
        active[name] = member
    return active


class PassVariants:
    """The passes of one shader file, one per set of ``#define``s, each made on first use
    and kept for the context's lifetime. Compile-time switches rather than uniform ones:
    a software rasteriser runs both sides of every branch, even one on a uniform."""

    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary, name: str,
                 label: str | None = None):  # fmt: skip
        self.ctx = ctx
        self.shaders = shaders
        self.name = name
        self.label = label
        self._passes: dict[tuple, FullscreenPass] = {}

    @classmethod
    def for_pass(cls, ctx: moderngl.Context, shaders: ShaderLibrary, spec: Pass) -> PassVariants:
        return cls(ctx, shaders, spec.shader, label=spec.name)

    def get(self, defines: dict[str, int]) -> FullscreenPass:
        key = tuple(sorted(defines.items()))
        if key not in self._passes:
            self._passes[key] = FullscreenPass(self.ctx, self.shaders, self.name, defines,
                                               self.label)  # fmt: skip
        return self._passes[key]

    def release(self):
        for variant in self._passes.values():
            variant.release()
        self._passes.clear()
