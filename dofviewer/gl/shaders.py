"""GLSL programs from files in ``shaders/``, one file per program.

A file holds all its stages, split by ``#if defined VERTEX_SHADER`` and
``#if defined FRAGMENT_SHADER``; ``#include "path"`` pulls in shared snippets. Programs are
compiled once per (file, defines) and cached for the context's lifetime.
"""

from __future__ import annotations

import re
from pathlib import Path

import moderngl

from dofviewer.resources import shader_dir

_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$', re.MULTILINE)
_MAX_INCLUDE_DEPTH = 8
_STAGES = {"vertex_shader": "VERTEX_SHADER", "fragment_shader": "FRAGMENT_SHADER"}


class ShaderError(RuntimeError):
    """A shader file failed to load or compile; the message names the file."""


class ShaderLibrary:
    def __init__(self, ctx: moderngl.Context, root: Path | None = None):
        self.ctx = ctx
        self.root = root or shader_dir()
        self._programs: dict[tuple, moderngl.Program] = {}

    def program(self, name: str, defines: dict[str, object] | None = None) -> moderngl.Program:
        key = (name, tuple(sorted((defines or {}).items())))
        if key not in self._programs:
            self._programs[key] = self._compile(name, defines or {})
        return self._programs[key]

    def source(self, name: str) -> str:
        """The file with its includes expanded (for compiling, and for tests)."""
        return self._expand(name, depth=0)

    def _expand(self, name: str, depth: int) -> str:
        if depth > _MAX_INCLUDE_DEPTH:
            raise ShaderError(
                f"{name}: includes nested deeper than {_MAX_INCLUDE_DEPTH} (a cycle?)"
            )
        path = self.root / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ShaderError(f"{path}: cannot read shader ({exc.strerror})") from None
        return _INCLUDE.sub(lambda m: self._expand(m.group(1), depth + 1), text)

    def _compile(self, name: str, defines: dict[str, object]) -> moderngl.Program:
        text = self.source(name)
        version, _, body = text.partition("\n")
        if not version.startswith("#version"):
            raise ShaderError(f"{name}: the first line must be #version")
        extra = "".join(f"#define {k} {v}\n" for k, v in defines.items())
        stages = {
            arg: f"{version}\n#define {macro}\n{extra}{body}"
            for arg, macro in _STAGES.items()
            if f"defined {macro}" in body
        }
        try:
            return self.ctx.program(**stages)
        except moderngl.Error as exc:
            raise ShaderError(f"shaders/{name}: {exc}") from None

    def release(self):
        for program in self._programs.values():
            program.release()
        self._programs.clear()
