"""GLSL programs from files in ``shaders/``, one file per program.

A file holds all its stages, split by ``#if defined VERTEX_SHADER`` and
``#if defined FRAGMENT_SHADER``; ``#include "path"`` pulls in shared snippets. Programs are
compiled once per (file, defines) and cached for the context's lifetime.

Errors name the file and line a person wrote, not the line of the expanded text the
driver saw. The expansion numbers every file with ``#line`` directives: after the
injected ``#define``s, on entering an include, on returning from it, and after any
``#else``/``#elif``/``#endif`` that may close a skipped include (a skipped ``#line`` does
not count, the skipped lines do). A file's index is both the directive's source-string
number and the line number's high digits (``#line 300091 3`` is line 91 of file 3):
NVIDIA reports the source number, Mesa reports 0 for every semantic error, so the line
number alone carries the file. `_name_files` maps the driver's log back.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import moderngl

from dofviewer.errors import DofError
from dofviewer.resources import shader_dir

_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"\s*$')
# Directives after which a skipped #if group may end: the line count is resynchronised.
_GROUP_END = re.compile(r"^\s*#\s*(else|elif|endif)\b")
_MAX_INCLUDE_DEPTH = 8
# Line numbers of file k run from k * _LINE_STRIDE + 1; a file may not be this long.
_LINE_STRIDE = 100_000
_STAGES = {"vertex_shader": "VERTEX_SHADER", "fragment_shader": "FRAGMENT_SHADER"}

# Driver log lines that carry a location; everything else is left as it is.
_MESA = re.compile(r"^(?P<source>\d+):(?P<line>\d+)\((?P<column>\d+)\): (?P<text>.*)$")
_NVIDIA = re.compile(r"^(?P<source>\d+)\((?P<line>\d+)\) : (?P<text>.*)$")
_ANGLE = re.compile(r"^(?P<kind>ERROR|WARNING): (?P<source>\d+):(?P<line>\d+): (?P<text>.*)$")


class ShaderError(DofError):
    """A shader file failed to load or compile; the message names the file and, for a
    compile error, the driver's log with each line's file and line number. The command
    line prints it without a traceback (exit status 2), like every DofError: it comes
    from an edited or broken shaders/ folder, not from a bug to trace in Python."""


class ShaderLibrary:
    def __init__(self, ctx: moderngl.Context, root: Path | None = None):
        self.ctx = ctx
        self.root = Path(root) if root is not None else shader_dir()
        self._programs: dict[tuple, moderngl.Program] = {}

    def program(self, name: str, defines: dict[str, object] | None = None) -> moderngl.Program:
        key = (name, tuple(sorted((defines or {}).items())))
        if key not in self._programs:
            self._programs[key] = self._compile(name, defines or {})
        return self._programs[key]

    def source(self, name: str) -> str:
        """The file with its includes expanded and numbered by ``#line`` directives: what
        is compiled, less the ``#define`` lines injected after ``#version``."""
        return self.expand(name)[0]

    def expand(self, name: str) -> tuple[str, list[str]]:
        """The expanded source and its files: index k of the list is source string k of
        the ``#line`` directives (0 is `name` itself), as paths below the root."""
        files: list[str] = []
        lines = self._expand(name, (), files)
        # A #line with no line after it numbers nothing, and NVIDIA's compiler (H200,
        # driver 580) rejects it: "C0115: #line source-string number invalid".
        while lines and lines[-1].startswith("#line "):
            lines.pop()
        return "\n".join(lines) + "\n", files

    def display_path(self, name: str) -> str:
        """How messages name a shader file: relative to the working directory when it
        lies below it (``shaders/dof/composite.glsl``), else in full."""
        path = self.root / name
        try:
            return str(path.relative_to(Path.cwd()))
        except (ValueError, OSError):  # not below it, or no working directory
            return os.fspath(path)

    def _expand(
        self, name: str, stack: tuple[str, ...], files: list[str], where: str = ""
    ) -> list[str]:
        """`name`'s lines with its includes expanded; `stack` holds the files including it,
        outermost first, and `where` the ``path:line: `` of its #include."""
        chain = " -> ".join((*stack, name))
        if name in stack:
            raise ShaderError(f"{where}include cycle: {chain}")
        if len(stack) > _MAX_INCLUDE_DEPTH:
            raise ShaderError(f"{where}includes nested deeper than {_MAX_INCLUDE_DEPTH}: {chain}")
        try:
            text = (self.root / name).read_text(encoding="utf-8")
        except OSError as exc:
            raise ShaderError(
                f"{where}cannot read shader {self.display_path(name)} ({exc.strerror})"
            ) from None
        if name not in files:
            files.append(name)
        index = files.index(name)
        source_lines = text.splitlines()
        if len(source_lines) >= _LINE_STRIDE:
            raise ShaderError(f"{self.display_path(name)}: longer than {_LINE_STRIDE - 1} lines")

        out = [_line_directive(1, index)] if stack else []
        included = False
        for number, line in enumerate(source_lines, start=1):
            match = _INCLUDE.match(line)
            if match is None:
                out.append(line)
                if included and _GROUP_END.match(line):
                    out.append(_line_directive(number + 1, index))
                continue
            here = f"{self.display_path(name)}:{number}: "
            out += self._expand(match.group(1), (*stack, name), files, here)
            out.append(_line_directive(number + 1, index))
            included = True
        return out

    def _compile(self, name: str, defines: dict[str, object]) -> moderngl.Program:
        text, files = self.expand(name)
        version, _, body = text.partition("\n")
        if not version.startswith("#version"):
            raise ShaderError(f"{self.display_path(name)}: the first line must be #version")
        extra = "".join(f"#define {k} {v}\n" for k, v in defines.items())
        # The body starts at line 2 of the file, after the #version line.
        stages = {
            arg: f"{version}\n#define {macro}\n{extra}{_line_directive(2, 0)}\n{body}"
            for arg, macro in _STAGES.items()
            if f"defined {macro}" in body
        }
        try:
            return self.ctx.program(**stages)
        except moderngl.Error as exc:
            variant = ", ".join(f"{k}={v}" for k, v in defines.items())
            header = self.display_path(name) + (f" ({variant})" if variant else "")
            log = _name_files(str(exc), [self.display_path(f) for f in files])
            raise ShaderError(f"{header}: {log}") from None

    def release(self):
        for program in self._programs.values():
            program.release()
        self._programs.clear()


def _line_directive(line: int, index: int) -> str:
    """``#line`` for GLSL 3.30 and later, where it numbers the line after it."""
    return f"#line {index * _LINE_STRIDE + line} {index}"


def _name_files(log: str, paths: list[str]) -> str:
    """The driver's log with each location that `_line_directive` numbered rewritten as
    ``path:line:column:`` (Mesa: ``0:300091(12): error: ...``) or ``path:line:`` (NVIDIA:
    ``3(300091) : error C0000: ...``; ANGLE-style ``ERROR: 0:300091: ...``). Lines in no
    known format, or whose number names no file, are left as they are."""

    def locate(match: re.Match) -> str | None:
        index, line = divmod(int(match["line"]), _LINE_STRIDE)
        return f"{paths[index]}:{line}" if index < len(paths) and line > 0 else None

    named = []
    for row in log.splitlines():
        if match := _MESA.match(row):
            where = locate(match)
            if where:
                row = f"{where}:{match['column']}: {match['text']}"
        elif match := _NVIDIA.match(row):
            where = locate(match)
            if where:
                row = f"{where}: {match['text']}"
        elif match := _ANGLE.match(row):
            where = locate(match)
            if where:
                row = f"{where}: {match['kind'].lower()}: {match['text']}"
        named.append(row)
    return "\n".join(named)
