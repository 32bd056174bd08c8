"""The shader library: includes, and compile errors that name the file and line a person
wrote (dofviewer/render/gl/shaders.py numbers the expanded text with #line directives).

Each broken shader is written into its own shader root, so the errors come from the
driver itself (llvmpipe in CI), not from a copy of its format.
"""

from __future__ import annotations

import re

import pytest

from dofviewer.render.gl.shaders import ShaderError, ShaderLibrary, _name_files

VERSION = "#version 330 core\n"
FULLSCREEN = """\
#if defined VERTEX_SHADER
void main() {
    gl_Position = vec4(float(gl_VertexID & 1), float(gl_VertexID >> 1), 0.0, 1.0);
}
#endif
"""


def write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def compile_error(gl, root, name: str, defines=None) -> str:
    library = ShaderLibrary(gl.ctx, root=root)
    try:
        with pytest.raises(ShaderError) as caught:
            library.program(name, defines)
    finally:
        library.release()
    return str(caught.value)


def error_lines(message: str, path) -> list[int]:
    """The line numbers of `path` that the message blames (Mesa ``path:L:C: error``,
    NVIDIA ``path:L: error``)."""
    prefix = re.escape(str(path))
    return [int(m) for m in re.findall(rf"^{prefix}:(\d+):", message, re.MULTILINE)]


def test_an_error_inside_an_include_names_the_included_file_and_its_line(gl, tmp_path):
    write(
        tmp_path,
        {
            "main.glsl": VERSION
            + '#include "common/full.glsl"\n'  # 2
            + "#if defined FRAGMENT_SHADER\n"  # 3
            + '#include "lib/broken.glsl"\n'  # 4
            + "out vec4 colour;\n"  # 5
            + "void main() { colour = shade(); }\n"
            + "#endif\n",
            "common/full.glsl": FULLSCREEN,
            "lib/broken.glsl": "// A helper.\n"
            + "vec4 shade() {\n"
            + "    return vec4(no_such_thing);\n"  # 3
            + "}\n",
        },
    )
    message = compile_error(gl, tmp_path, "main.glsl", {"A": 1, "B": 2})
    assert error_lines(message, tmp_path / "lib" / "broken.glsl")[:1] == [3], message
    assert "no_such_thing" in message
    # Nothing is left in the driver's own numbering.
    assert not re.search(r"^\d+[:(]\d+", message, re.MULTILINE), message


def test_errors_in_the_main_file_after_injected_defines_and_after_includes(gl, tmp_path):
    write(
        tmp_path,
        {
            "main.glsl": VERSION
            + "#if defined FRAGMENT_SHADER\n"  # 2
            + "out vec4 colour;\n"  # 3
            + "float early() { return too_early; }\n"  # 4: after the defines only
            + "#endif\n"  # 5
            + '#include "common/full.glsl"\n'  # 6
            + "#if defined FRAGMENT_SHADER\n"  # 7
            + '#include "lib/fine.glsl"\n'  # 8
            + "void main() {\n"  # 9
            + "    colour = shade() * COUNT + early();\n"  # 10
            + "    colour += vec4(not_declared);\n"  # 11: after two includes
            + "}\n"
            + "#endif\n",
            "common/full.glsl": FULLSCREEN,
            "lib/fine.glsl": "vec4 shade() {\n    return vec4(1.0);\n}\n",
        },
    )
    message = compile_error(gl, tmp_path, "main.glsl", {"COUNT": 3, "OTHER": 1, "MORE": 2})
    assert set(error_lines(message, tmp_path / "main.glsl")) == {4, 11}, message
    assert "too_early" in message and "not_declared" in message
    assert "COUNT=3" in message  # the variant that failed


def test_an_error_after_an_include_the_preprocessor_skipped(gl, tmp_path):
    # A skipped #line does not count but the skipped lines do: the count is set again
    # after the group ends.
    write(
        tmp_path,
        {
            "main.glsl": VERSION
            + '#include "common/full.glsl"\n'  # 2
            + "#if defined FRAGMENT_SHADER\n"  # 3
            + "#if SWITCH\n"  # 4
            + '#include "lib/long.glsl"\n'  # 5
            + "#else\n"  # 6
            + "float helper() { return 1.0; }\n"
            + "#endif\n"  # 8
            + "out vec4 colour;\n"  # 9
            + "void main() { colour = vec4(helper() + missing); }\n"  # 10
            + "#endif\n",
            "common/full.glsl": FULLSCREEN,
            "lib/long.glsl": "// padding\n" * 20 + "float helper() { return 2.0; }\n",
        },
    )
    for switch in (0, 1):
        message = compile_error(gl, tmp_path, "main.glsl", {"SWITCH": switch})
        assert error_lines(message, tmp_path / "main.glsl")[:1] == [10], message


def test_an_include_cycle_is_reported_with_its_chain(gl, tmp_path):
    write(
        tmp_path,
        {
            "main.glsl": VERSION + '#include "a.glsl"\n',
            "a.glsl": "// a\n" + '#include "b.glsl"\n',
            "b.glsl": '#include "a.glsl"\n',
        },
    )
    message = compile_error(gl, tmp_path, "main.glsl")
    assert "include cycle: main.glsl -> a.glsl -> b.glsl -> a.glsl" in message
    assert message.startswith(f"{tmp_path / 'b.glsl'}:1: ")


def test_includes_nested_past_the_depth_limit_are_refused(gl, tmp_path):
    files = {f"level{i}.glsl": f'#include "level{i + 1}.glsl"\n' for i in range(12)}
    write(tmp_path, {"main.glsl": VERSION + '#include "level0.glsl"\n', **files})
    message = compile_error(gl, tmp_path, "main.glsl")
    assert "includes nested deeper than 8" in message
    assert "main.glsl -> level0.glsl -> level1.glsl" in message


def test_a_missing_include_names_the_including_line(gl, tmp_path):
    write(tmp_path, {"main.glsl": VERSION + "// x\n" + '#include "nowhere.glsl"\n'})
    message = compile_error(gl, tmp_path, "main.glsl")
    assert message.startswith(f"{tmp_path / 'main.glsl'}:3: cannot read shader ")
    assert "nowhere.glsl" in message


def test_driver_log_formats_are_named_and_others_left_alone():
    paths = ["shaders/dof/composite.glsl", "shaders/dof/gather_library.glsl"]
    log = "\n".join(
        [
            "GLSL Compiler failed",
            "fragment_shader",
            "0:91(12): error: `x' undeclared",  # Mesa, main file
            "0:100097(5): error: `y' undeclared",  # Mesa, semantic: source 0
            "1:100097(5): preprocessor error: #error stop",  # Mesa, preprocessor
            '1(100097) : error C1008: undefined variable "y"',  # NVIDIA
            "ERROR: 1:100097: 'y' : undeclared identifier",  # ANGLE-style
            "0:900001(1): error: no such file index",  # left alone
            "0:0(0): error: linking failed",  # no line: left alone
            "something else entirely",
        ]
    )
    assert _name_files(log, paths).splitlines() == [
        "GLSL Compiler failed",
        "fragment_shader",
        "shaders/dof/composite.glsl:91:12: error: `x' undeclared",
        "shaders/dof/gather_library.glsl:97:5: error: `y' undeclared",
        "shaders/dof/gather_library.glsl:97:5: preprocessor error: #error stop",
        'shaders/dof/gather_library.glsl:97: error C1008: undefined variable "y"',
        "shaders/dof/gather_library.glsl:97: error: 'y' : undeclared identifier",
        "0:900001(1): error: no such file index",
        "0:0(0): error: linking failed",
        "something else entirely",
    ]


def test_every_shipped_shader_expands_with_its_files_numbered():
    library = ShaderLibrary(ctx=None)
    for path in sorted(library.root.rglob("*.glsl")):
        name = path.relative_to(library.root).as_posix()
        text, files = library.expand(name)
        assert files[0] == name
        for index, included in enumerate(files[1:], start=1):
            assert f"#line {index * 100_000 + 1} {index}\n" in text, (name, included)


def test_no_shipped_shader_ends_in_a_line_directive():
    """NVIDIA's compiler rejects a ``#line`` with nothing after it (C0115), which a file
    ending in ``#endif`` after an include would otherwise leave: no program compiled."""
    library = ShaderLibrary(ctx=None)
    for path in sorted(library.root.rglob("*.glsl")):
        text, _ = library.expand(path.relative_to(library.root).as_posix())
        assert not text.rstrip().splitlines()[-1].startswith("#line"), path
