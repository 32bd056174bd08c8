"""Write docs/dof-passes.md's pass table and docs/passes.md from the pass table.

    python scripts/pass_docs.py          # rewrite both
    python scripts/pass_docs.py --check  # exit 1 if either is out of date

The table is dofviewer/render/gl/passes.py; edit it there, never the generated text.
docs/dof-passes.md (the design notes the README links) gets a table between its
``<!-- passes:begin -->`` and ``<!-- passes:end -->`` markers;
docs/passes.md is generated whole: a Mermaid flowchart of textures and passes, the same
table, and each full-screen program's uniform schema. tests/test_passes.py fails when
either file differs from what this writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dofviewer.render.gl import passes
from dofviewer.render.gl.passes import FRAME, OFF, PRESETS, SCENE_INPUT, TOOLS, UNIFORMS, Pass

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "docs" / "dof-passes.md"  # the notes that carry the table
DOC = ROOT / "docs" / "passes.md"
BEGIN, END = "<!-- passes:begin -->", "<!-- passes:end -->"
NOTICE = (
    "<!-- Generated from dofviewer/render/gl/passes.py by scripts/pass_docs.py: "
    "edit the table there. -->"
)


def _code(names) -> str:
    return ", ".join("the scene" if n == SCENE_INPUT else f"`{n}`" for n in names)


def _presets(p: Pass) -> str:
    """'' for every preset, else which."""
    shown = [name for name in PRESETS if name in p.presets]
    return "" if shown == list(PRESETS) else " and ".join(f"`{n}`" for n in shown) + " only"


def runs(p: Pass) -> str:
    """When ``p`` runs, in words."""
    parts = [passes.EVERY[p.every]]
    if p.every != "call":
        parts += [_presets(p), "also with DOF off" if OFF in p.presets else ""]
    parts += [f"if {p.only_if}" if p.only_if else ""]
    parts += [f"drawn inside {p.timed_in}" if p.timed_in else ""]
    return ", ".join(part for part in parts if part)


def table(rows=FRAME) -> str:
    lines = ["| pass | runs | shaders | reads | writes | what it makes |", "|" + "---|" * 6]
    for p in rows:
        cells = (p.name, runs(p), ", ".join(f"`{s}`" for s in p.shaders), _code(p.reads),
                 _code(p.writes), p.does)  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def readme_block() -> str:
    return "\n".join([
        BEGIN,
        NOTICE,
        table(),
        "",
        "In this order; *once per view* passes run again only when the scene or the camera "
        "moves. The textures are `FrameTargets`' (`dofviewer/render/gl/targets.py`). "
        "[passes.md](passes.md) draws them as a diagram and lists each pass's "
        "uniforms.",
        END,
    ])  # fmt: skip


def updated_readme(text: str) -> str:
    """``text`` (the README) with its generated block replaced."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not (begin and end):
        raise SystemExit(f"docs/dof-passes.md: no {BEGIN} ... {END} block")
    return head + readme_block() + tail


def _node(p: Pass) -> str:
    return "p_" + p.name.replace(" ", "_")


def mermaid() -> str:
    """Textures (rounded) and passes (boxes), grouped by schedule, arrows as data flows."""
    lines = ["```mermaid", "flowchart TD"]
    textures = dict.fromkeys(n for p in FRAME for n in (*p.reads, *p.writes))
    for name in textures:
        shape = '[/"the scene"/]' if name == SCENE_INPUT else f'(["{name}"])'
        lines.append(f"    t_{name}{shape}")
    for every in ("view", "frame"):
        lines.append(f'    subgraph {every}["{passes.EVERY[every]}"]')
        for p in (p for p in FRAME if p.every == every):
            notes = (_presets(p).replace("`", ""), f"if {p.only_if}" if p.only_if else "")
            note = ", ".join(n for n in notes if n)
            label = p.name + (f"<br/><i>{note}</i>" if note else "")
            lines.append(f'        {_node(p)}["{label}"]')
        lines.append("    end")
    for p in FRAME:
        lines += [f"    t_{name} --> {_node(p)}" for name in p.reads]
        lines += [f"    {_node(p)} --> t_{name}" for name in p.writes]
    lines.append("```")
    return "\n".join(lines)


def uniforms_section() -> str:
    lines = []
    for shader, schema in UNIFORMS.items():
        users = [p.name for p in (*FRAME, *TOOLS) if shader in p.shaders]
        lines += [f"### `{shader}` ({', '.join(users)})", "", "| uniform | type | given |",
                  "|---|---|---|"]  # fmt: skip
        for name, glsl_type in schema.types.items():
            if name in schema.kept:
                given = "written when it changes, kept"
            elif name in schema.samplers:
                given = "every draw (texture)"
            else:
                given = "every draw"
            types = " or ".join(f"`{t}`" for t in glsl_type.split("|"))
            lines.append(f"| `{name}` | {types} | {given} |")
        lines.append("")
    return "\n".join(lines)


def doc() -> str:
    return "\n".join([
        "# The passes",
        "",
        NOTICE,
        "",
        "One frame, as declared in `dofviewer/render/gl/passes.py`: each pass, the shader files it "
        "draws with, the textures it reads and writes, and when it runs. A pass's name is "
        "also its timer section (`dofviewer bench` reports each).",
        "",
        "## Textures and passes",
        "",
        mermaid(),
        "",
        "## The table",
        "",
        table(),
        "",
        "Outside the frame:",
        "",
        table(TOOLS),
        "",
        "## Uniforms",
        "",
        "Each full-screen program's schema (`UNIFORMS`). `FullscreenPass` enforces it on "
        "every draw: a name not here raises, naming the pass and the nearest name; so does "
        "leaving one out; and a program that uses a uniform not here fails when it is "
        "made. A uniform that a variant's compiler dropped is fine.",
        "",
        uniforms_section(),
    ])  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether they are current")
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    wanted = {README: updated_readme(readme), DOC: doc()}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text("utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run python scripts/pass_docs.py")
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
