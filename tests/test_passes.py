"""The pass table (dofviewer/render/gl/passes.py) against the docs made from it and against what
a frame really does; and the uniform schemas, which must fail loudly."""

import importlib.util
import re
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from dofviewer.content.scene import load_scene
from dofviewer.measurement import bench
from dofviewer.render.gl import fullscreen, passes
from dofviewer.render.gl.dof import (
    FINAL,
    PREVIEW,
    QUALITY_PRESETS,
    DepthOfField,
    thin_lens_uniforms,
)
from dofviewer.render.gl.fullscreen import FullscreenPass, UniformError
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.timing import PassTimer
from dofviewer.render.renderer import FrameSettings
from dofviewer.resources import shader_dir
from dofviewer.shot.lens import ThinLens

ROOT = Path(__file__).resolve().parents[1]
_UNIFORM = re.compile(r"^\s*uniform\s+(\w+)\s+(\w+)\s*(\[[^\]]*\])?\s*;", re.MULTILINE)


def _pass_docs():
    spec = importlib.util.spec_from_file_location("pass_docs", ROOT / "scripts" / "pass_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the table and what is made from it -----------------------------------------------


def test_readme_and_docs_are_generated_from_the_pass_table():
    docs = _pass_docs()
    readme = (ROOT / "docs" / "dof-passes.md").read_text(encoding="utf-8")
    hint = "out of date: run python scripts/pass_docs.py"
    assert docs.updated_readme(readme) == readme, f"docs/dof-passes.md's pass table is {hint}"
    doc = ROOT / "docs" / "passes.md"
    assert doc.read_text(encoding="utf-8") == docs.doc(), f"docs/passes.md is {hint}"


def test_the_bench_sums_the_tables_dof_passes():
    assert bench.DOF_PASSES == ("layers", "dilate", "gather", "resolve", "preview far",
                                "composite")  # fmt: skip
    assert bench.VIEW_PASSES == ("prepare", "tiles", "second layer")


def test_every_declared_shader_exists():
    declared = {s for p in (*passes.FRAME, *passes.TOOLS) for s in p.shaders}
    missing = sorted(s for s in declared | set(passes.UNIFORMS) if not (shader_dir() / s).is_file())
    assert not missing


def test_the_table_names_the_presets_there_are():
    assert passes.PRESETS == tuple(QUALITY_PRESETS)


def test_reads_and_writes_are_frame_targets(gl):
    targets = gl.renderer.targets
    named = {n for p in passes.FRAME for n in (*p.reads, *p.writes)} - {passes.SCENE_INPUT}
    assert not sorted(n for n in named if not hasattr(targets, n))


def test_each_schema_matches_its_shader_source():
    """Every schema name is declared in its file (in some variant) with the schema's type:
    a misspelt schema entry cannot pass as a uniform the compiler dropped."""
    library = ShaderLibrary(None)
    for shader, schema in passes.UNIFORMS.items():
        declared = {}
        for glsl_type, name, array in _UNIFORM.findall(library.source(shader)):
            declared.setdefault(name, set()).add(glsl_type + ("[]" if array else ""))
        for name, glsl_type in schema.types.items():
            assert name in declared, f"{shader}: {name} is not declared"
            assert declared[name] <= set(glsl_type.split("|")), (shader, name, declared[name])


def test_the_python_helpers_give_what_the_schemas_declare():
    lens = ThinLens()
    assert thin_lens_uniforms(lens, 2.0, 320).keys() == passes.LENS.keys()
    for quality in (FINAL, PREVIEW):
        assert DepthOfField._gather_uniforms(lens, quality).keys() == passes.GATHER_VALUES.keys()


# -- a traced frame runs what the table schedules --------------------------------------


class _Trace:
    """A timer that records its sections; with :meth:`draws`, every full-screen draw."""

    def __init__(self):
        self.sections, self.shaders = [], []

    @contextmanager
    def section(self, name):
        self.sections.append(name)
        yield

    def clear(self):
        self.sections.clear()
        self.shaders.clear()


@pytest.fixture
def trace(gl, monkeypatch):
    log = _Trace()
    draw = FullscreenPass.draw

    def traced(self, *args, **kwargs):
        log.shaders.append(self.name)
        return draw(self, *args, **kwargs)

    monkeypatch.setattr(FullscreenPass, "draw", traced)
    gl.renderer.set_timer(log)
    yield log
    gl.renderer.set_timer_off()


@pytest.mark.parametrize("preset", [*passes.PRESETS, passes.OFF])
def test_a_traced_frame_runs_what_the_table_schedules(gl, trace, preset):
    """Sections and full-screen draws, in order, for a focus-only change (the scene and
    what is made once per view are reused) and for a camera move."""
    scene, r = load_scene(), gl.renderer
    r.resize((160, 90))
    settings = FrameSettings.from_scene(scene)
    if preset == passes.OFF:
        settings = settings.with_(dof=False)
    else:
        settings = settings.with_(quality=preset)
    antialiased = r.targets.resolve_fbo is not None
    r.render(scene, settings)
    moved = replace(settings.pose, position=(0.25, 1.35, 6.0))
    for change, view_changed in (({"focus_distance_m": 9.0}, False), ({"pose": moved}, True)):
        trace.clear()
        r.render(scene, settings.with_(**change))
        expected = passes.scheduled(preset, view_changed, antialiased)
        assert trace.sections == [p.name for p in expected if not p.timed_in], change
        assert trace.shaders == [s for p in expected for s in p.fullscreen_shaders], change


def test_the_timer_takes_only_the_tables_names(gl):
    timer = PassTimer(gl.ctx)
    with pytest.raises(ValueError, match="preview_far"), timer.section("preview_far"):
        pass
    with timer.section(passes.PREVIEW_FAR.name):
        pass


# -- uniform schemas --------------------------------------------------------------------


def test_a_misspelt_uniform_raises_naming_the_pass_and_the_name(gl, monkeypatch):
    """The bug the schemas exist for: u_lod_bias misspelt once showed only as a slightly
    worse image."""
    gather_uniforms = DepthOfField._gather_uniforms

    def misspelt(lens, quality):
        uniforms = gather_uniforms(lens, quality)
        uniforms["u_lod_biass"] = uniforms.pop("u_lod_bias")
        return uniforms

    monkeypatch.setattr(DepthOfField, "_gather_uniforms", staticmethod(misspelt))
    scene = load_scene()
    gl.renderer.resize((160, 90))
    with pytest.raises(UniformError, match=r"^gather .*'u_lod_biass'.*did you mean 'u_lod_bias'"):
        gl.renderer.render(scene, FrameSettings.from_scene(scene))
    gl.renderer.invalidate_scene()


def test_an_unset_declared_uniform_raises(gl):
    r = gl.renderer
    t, lens = r.targets, thin_lens_uniforms(ThinLens(), 2.0, r.size[0])
    textures = {"u_color_invd": t.color_invd, "u_second_layer": t.second_layer}
    with pytest.raises(UniformError, match=r"^layers .*'u_near_epsilon' \(value\) was not given"):
        r.dof.layers.draw(t.layers_fbo, textures, **lens)


def test_a_kept_uniform_must_be_written_before_a_draw(gl):
    r = gl.renderer
    gather = FullscreenPass.for_pass(gl.ctx, r.shaders, passes.GATHER, FINAL.gather_defines)
    try:
        with pytest.raises(UniformError, match="kept 'u_kernel' was never written"):
            gather.draw(r.targets.fields[2].fbo, {}, u_tile_size=16)
        with pytest.raises(UniformError, match="'u_kernal' is not in its uniform schema"):
            gather.uses("u_kernal")
    finally:
        gather.release()


def test_a_uniform_the_compiler_dropped_is_fine(gl):
    """The preview's composite reads the preview far field, not u_far; it is declared
    (the final variant reads it), given every draw, and skipped."""
    scene, r = load_scene(), gl.renderer
    r.resize((160, 90))
    r.render(scene, FrameSettings.from_scene(scene).with_(quality="preview"))
    variant = r.dof.composites.get(PREVIEW.composite_defines)
    assert not variant.uses("u_far") and variant.uses("u_preview_far")


def test_a_program_and_its_schema_must_agree(gl, monkeypatch):
    shaders = gl.renderer.shaders
    schemas = dict(passes.UNIFORMS)
    monkeypatch.setattr(fullscreen, "UNIFORMS", schemas)
    schemas["dof/tiles.glsl"] = passes.Uniforms({"u_color_invd": "sampler2D"})
    with pytest.raises(UniformError, match=r"^tiles .*uses uniform 'u_tile_size'.*lacks"):
        FullscreenPass.for_pass(gl.ctx, shaders, passes.TILES)
    schemas["dof/tiles.glsl"] = passes.Uniforms({"u_color_invd": "sampler2D",
                                                 "u_tile_size": "float"})  # fmt: skip
    with pytest.raises(UniformError, match="'u_tile_size' is int, but its schema says float"):
        FullscreenPass.for_pass(gl.ctx, shaders, passes.TILES)


@pytest.mark.parametrize("defines", [{}, {"MULTISAMPLE": 4}])
def test_the_scene_resolve_takes_plain_or_multisampled_textures(gl, defines):
    resolve = FullscreenPass(gl.ctx, gl.renderer.shaders, "scene/resolve.glsl", defines)
    assert resolve.label == "scene resolve (shaders/scene/resolve.glsl)"
    resolve.release()


def test_the_baseline_takes_ring_spacing_and_lod_bias_from_python(gl):
    """They were literals in baseline.glsl; now dofviewer/render/gl/dof.py is their one home."""
    baseline = gl.renderer.dof.baseline
    assert baseline.uses("u_ring_spacing") and baseline.uses("u_lod_bias")
