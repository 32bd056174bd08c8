"""The frame's passes, declared once: what each draws with, reads and writes, and when.

Filament's frame graph is the model (``fg.addPass(name, setup: reads/writes, execute)``):
:data:`FRAME` lists the passes of one frame in the order they run, each with its shaders,
the :class:`~dofviewer.render.gl.targets.FrameTargets` textures it reads and writes, and its
schedule. :data:`UNIFORMS` gives every full-screen program a typed uniform schema, which
:class:`~dofviewer.render.gl.fullscreen.FullscreenPass` enforces. Derived from these, not kept
in step by hand: the timer sections (a pass's name is its section), the benchmark's
``DOF_PASSES`` and ``VIEW_PASSES``, and the README's pass table and ``docs/passes.md``
(``scripts/pass_docs.py`` writes both; ``tests/test_passes.py`` checks them, and checks
a traced frame against :func:`scheduled`).

The renderer decides what runs from each preset's switches (``GatherQuality`` in
``dofviewer/render/gl/dof.py``); this table says what that comes to, and the traced-frame test
holds the two together. Pure data, no GL: it imports in milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

#: The quality presets (keys of dofviewer.render.gl.dof.QUALITY_PRESETS), and depth of field off.
PRESETS = ("final", "preview")
OFF = "off"
#: When a pass runs: every frame, or only when the scene or camera changed since it last
#: ran ("once per view": a rack focus reuses what it made), or outside the frame.
EVERY = {"frame": "every frame", "view": "once per view", "call": "when called"}
#: What a pass's time counts as in the benchmark: the scene, depth of field, or the rest.
PARTS = ("scene", "dof", "post")
#: Inputs that are not FrameTargets textures.
SCENE_INPUT = "scene"


@dataclass(frozen=True)
class Uniforms:
    """A full-screen program's uniforms: name → GLSL type.

    A draw gives every one of them, samplers in its ``textures`` and the rest as
    keywords, except the ``kept`` ones, which are written when they change and which the
    program keeps between draws (the gathers' sample patterns, once per aperture).
    ``"sampler2D|sampler2DMS"`` allows either type (a variant's ``#define`` picks)."""

    types: Mapping[str, str]
    kept: frozenset[str] = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "types", MappingProxyType(dict(self.types)))
        if not self.kept <= self.types.keys():
            raise ValueError(f"kept uniforms {sorted(self.kept - self.types.keys())} undeclared")

    @property
    def samplers(self) -> frozenset[str]:
        return frozenset(n for n, t in self.types.items() if "sampler" in t)

    @property
    def values(self) -> frozenset[str]:
        """What each draw sets by keyword."""
        return frozenset(self.types.keys() - self.samplers - self.kept)


#: shaders/common/thin_lens.glsl's (dofviewer.render.gl.dof.thin_lens_uniforms gives them).
LENS = {"u_coc_coefficients": "vec2", "u_clip_planes": "vec2", "u_max_coc_radius": "float"}
#: What the gathers take besides the lens (dofviewer.render.gl.dof.DepthOfField._gather_uniforms).
GATHER_VALUES = {
    "u_tile_size": "int",
    "u_ring_spacing": "float",
    "u_max_rings": "int",
    "u_fields_scale": "int",
    "u_small_blur": "float",
    "u_aperture_area": "float",
    "u_near_epsilon": "float",
    "u_lod_bias": "float",
}
_GATHER_TEXTURES = {
    "u_color_invd": "sampler2D", "u_layers": "sampler2D", "u_far_color": "sampler2D",
    "u_tiles": "sampler2D",
}
_KERNELS = {"u_kernel": "vec4[]", "u_exact_kernel": "vec4[]"}

#: Every full-screen program's schema, by shader file (under shaders/). A draw that
#: gives a name not here, or leaves one out, raises; so does a program that uses a
#: uniform not here. A name here that a variant's compiler dropped is fine.
UNIFORMS: Mapping[str, Uniforms] = MappingProxyType({
    "scene/background.glsl": Uniforms({"u_background": "vec3"}),
    "scene/resolve.glsl": Uniforms({
        "u_color": "sampler2D|sampler2DMS",
        "u_depth": "sampler2D|sampler2DMS",
        "u_ids": "usampler2D|usampler2DMS",
        "u_scale": "int",
    }),
    # Only view_depth() of thin_lens.glsl: the clip planes, not the focus.
    "dof/prepare.glsl": Uniforms({
        "u_scene_color": "sampler2D", "u_scene_depth": "sampler2D", "u_clip_planes": "vec2",
    }),
    "dof/tiles.glsl": Uniforms({"u_color_invd": "sampler2D", "u_tile_size": "int"}),
    "dof/layers.glsl": Uniforms({
        "u_color_invd": "sampler2D", "u_second_layer": "sampler2D", "u_near_epsilon": "float",
        **LENS,
    }),
    "dof/dilate.glsl": Uniforms({
        "u_tiles": "sampler2D", "u_reach": "int", "u_tile_size": "int", **LENS,
    }),
    "dof/gather.glsl": Uniforms(
        {**_GATHER_TEXTURES, **GATHER_VALUES, **LENS, **_KERNELS}, kept=frozenset(_KERNELS)
    ),
    "dof/resolve_fields.glsl": Uniforms({
        "u_far": "sampler2D", "u_near": "sampler2D", "u_color_invd": "sampler2D",
        "u_tiles": "sampler2D", "u_tile_size": "int", "u_fields_scale": "int",
        "u_ring_spacing": "float", "u_max_rings": "int", "u_lod_bias": "float", **LENS,
    }),
    "dof/preview_far.glsl": Uniforms({
        "u_color_invd": "sampler2D", "u_far": "sampler2D", "u_small_blur": "float",
        "u_fields_scale": "int", **LENS,
    }),
    "dof/composite.glsl": Uniforms(
        {
            **_GATHER_TEXTURES,
            "u_far": "sampler2D",
            "u_near": "sampler2D",
            "u_background": "sampler2D",
            "u_second_layer_depth": "sampler2D",
            "u_preview_far": "sampler2D",
            **GATHER_VALUES,
            **LENS,
            **_KERNELS,
        },
        kept=frozenset(_KERNELS),
    ),
    "dof/baseline.glsl": Uniforms({
        "u_color_invd": "sampler2D", "u_max_rings": "int", "u_ring_spacing": "float",
        "u_lod_bias": "float", **LENS,
    }),
    "post/tonemap.glsl": Uniforms({
        "u_linear": "sampler2D", "u_color_invd": "sampler2D", "u_depth": "sampler2D",
        "u_exposure": "float", "u_focus_distance": "float", "u_dof_zone": "vec2",
        "u_offset": "ivec2", **LENS,
    }),
    "post/accumulate.glsl": Uniforms({
        "u_source": "sampler2D", "u_weight": "float", "u_scale": "int",
    }),
    "post/copy.glsl": Uniforms({"u_source": "sampler2D"}),
    "scene/photo.glsl": Uniforms({
        "u_color": "sampler2D", "u_depth": "sampler2D", "u_ids": "usampler2D",
        "u_background": "sampler2D", "u_background_depth": "sampler2D", "u_scale": "int",
        "u_margin": "ivec2", "u_frame_size": "vec2", "u_clip_planes": "vec2",
    }),
})  # fmt: skip


@dataclass(frozen=True)
class Pass:
    """One pass: its name (also its timer section), the shader files it draws with
    (under shaders/), the textures it reads and writes (FrameTargets attributes), and
    when it runs."""

    name: str
    shaders: tuple[str, ...]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    every: str  # a key of EVERY
    part: str  # one of PARTS
    #: The presets it runs at (PRESETS), and OFF: with depth of field off too.
    presets: tuple[str, ...] = PRESETS
    #: A further condition (ANTIALIASED is the one there is).
    only_if: str = ""
    #: Drawn, and so timed, inside this other pass (it has no timer section of its own).
    timed_in: str = ""
    #: What it makes, for the docs.
    does: str = field(default="", compare=False)

    def __post_init__(self):
        if self.every not in EVERY or self.part not in PARTS:
            raise ValueError(f"{self.name}: every {self.every!r}, part {self.part!r}")
        if not set(self.presets) <= {*PRESETS, OFF}:
            raise ValueError(f"{self.name}: unknown presets {self.presets}")

    @property
    def shader(self) -> str:
        """The one full-screen program of a full-screen pass."""
        if len(self.shaders) != 1 or self.shaders[0] not in UNIFORMS:
            raise ValueError(f"{self.name} is not one full-screen program: {self.shaders}")
        return self.shaders[0]

    @property
    def fullscreen_shaders(self) -> tuple[str, ...]:
        """Its shaders that FullscreenPass draws (those with a uniform schema)."""
        return tuple(s for s in self.shaders if s in UNIFORMS)


#: The scene resolve's condition: FrameTargets makes a resolve_fbo only then.
ANTIALIASED = "supersampled or multisampled"

SCENE = Pass(
    "scene", ("scene/background.glsl", "scene/lit.glsl", "scene/mesh.glsl"),
    (SCENE_INPUT,), ("scene_color", "object_ids", "scene_depth"), "view", "scene",
    presets=(*PRESETS, OFF),
    does="HDR colour (RGBA16F), object id (R32UI), depth (24-bit), at 2×2 samples per "
    "pixel (each with 4 multisamples offline and in the live viewer on a GPU, `--msaa`)",
)  # fmt: skip
SCENE_RESOLVE = Pass(
    "scene resolve", ("scene/resolve.glsl",),
    ("scene_color", "scene_depth", "object_ids"), ("color_source", "depth_source", "ids_source"),
    "view", "scene", presets=(*PRESETS, OFF), only_if=ANTIALIASED, timed_in="scene",
    does="antialiased colour (box average); depth and id of the nearest sample",
)  # fmt: skip
PREPARE = Pass(
    "prepare", ("dof/prepare.glsl",), ("color_source", "depth_source"), ("color_invd", "depth_m"),
    "view", "dof", presets=(*PRESETS, OFF),
    does="colour + inverse depth (mipmapped), depth in metres (picking needs it with DOF off)",
)  # fmt: skip
TILES = Pass(
    "tiles", ("dof/tiles.glsl",), ("color_invd",), ("tiles",), "view", "dof",
    presets=(*PRESETS, OFF),
    does="per 16×16 tile: largest and smallest 1/depth",
)  # fmt: skip
SECOND_LAYER = Pass(
    "second layer", ("scene/lit.glsl", "scene/mesh.glsl"), (SCENE_INPUT, "ids_source"),
    ("second_layer", "second_layer_depth"), "view", "dof", presets=("final",),
    does="at each pixel, the nearest surface of any other object than the one shown there: "
    "the background a foreground hides (colour, depth)",
)  # fmt: skip
LAYERS = Pass(
    "layers", ("dof/layers.glsl",), ("color_invd", "second_layer"),
    ("layers", "background", "far_color"), "frame", "dof", presets=("final",),
    does="near/far layer moments for the current focus; the hidden background: the second "
    "layer inside near-field pixels, the image elsewhere; the far field's colour weighted by "
    "how far each pixel's blur leaves it (all three mipmapped)",
)  # fmt: skip
DILATE = Pass(
    "dilate", ("dof/dilate.glsl",), ("tiles",), ("tiles_dilated",), "frame", "dof",
    does="per tile: nearest and farthest CoC for the current focus, the near CoC spread as "
    "far as it reaches",
)  # fmt: skip
GATHER = Pass(
    "gather", ("dof/gather.glsl",), ("color_invd", "layers", "far_color", "tiles_dilated"),
    ("fields", "interleaved_fields"), "frame", "dof",
    does="at half resolution (a quarter in `preview`, interleaved): far field (premultiplied "
    "by its upsampling weight; 0 where the block is sharp, whose pixels the composite draws "
    "itself), near field (premultiplied by its coverage alpha)",
)  # fmt: skip
RESOLVE = Pass(
    "resolve", ("dof/resolve_fields.glsl",),
    ("interleaved_fields", "color_invd", "tiles_dilated"), ("fields",), "frame",
    "dof", presets=("preview",),
    does="each 2×2 of the interleaved gather's fields averaged, so every texel has read whole "
    "rings; four such averages round it, as far apart as the gather's rings are wider than "
    "the mip texels they read, so a small light's bokeh is a flat disc, not a pattern of dots",
)  # fmt: skip
PREVIEW_FAR = Pass(
    "preview far", ("dof/preview_far.glsl",), ("color_invd", "fields"), ("preview_far",),
    "frame", "dof", presets=("preview",),
    does="at half resolution: the far field with small blurs made from four mip reads",
)  # fmt: skip
COMPOSITE = Pass(
    "composite", ("dof/composite.glsl",),
    ("color_invd", "layers", "far_color", "tiles_dilated", "fields", "background",
     "second_layer_depth", "preview_far"),
    ("linear",), "frame", "dof",
    does="linear HDR at full resolution; `final`: blurs up to 4 px gathered here exactly, "
    "wider ones upsampled bilinearly; `preview`: three reads (the pixel, the preview's far "
    "field, the near field)",
)  # fmt: skip
TONEMAP = Pass(
    "tonemap", ("post/tonemap.glsl",), ("linear", "color_invd", "depth_m"), ("display",),
    "frame", "post", presets=(*PRESETS, OFF),
    does="8-bit sRGB (ACES fit, exposure, tiny fixed dither) into the display target or a "
    "window; with DOF off it reads the scene's colour",
)  # fmt: skip

#: One frame's passes, in the order they run.
FRAME: tuple[Pass, ...] = (
    SCENE, SCENE_RESOLVE, PREPARE, TILES, SECOND_LAYER, LAYERS, DILATE, GATHER, RESOLVE,
    PREVIEW_FAR, COMPOSITE, TONEMAP,
)  # fmt: skip

BASELINE = Pass(
    "baseline", ("dof/baseline.glsl",), ("color_invd",), ("linear",), "call", "dof",
    presets=("final",),
    does="the quality benchmark's naive single-layer gather, drawn instead of layers to "
    "composite (`FrameSettings.baseline_gather`)",
)  # fmt: skip
ACCUMULATE = Pass(
    "accumulate", ("post/accumulate.glsl",), ("color_source",), ("accumulation",), "call",
    "post", does="the reference: adds one aperture sample's scene into a float32 average",
)  # fmt: skip
COPY = Pass(
    "copy", ("post/copy.glsl",), ("color_source",), ("linear",), "call", "post",
    does="a texel-for-pixel copy: the benchmark's yardstick, and the HUD over the window",
)  # fmt: skip
PHOTO = Pass(
    "photo", ("scene/photo.glsl",), (SCENE_INPUT,),
    ("scene_color", "object_ids", "scene_depth", "second_layer", "second_layer_depth"),
    "call", "scene", presets=(*PRESETS, OFF), timed_in="scene",
    does="an RGB-D photo instead of the scene pass (and, at `final`, the second layer): "
    "linear colour, depth layer id, depth; behind near edges the synthesised background",
)  # fmt: skip
#: Full-screen programs outside the real-time frame.
TOOLS: tuple[Pass, ...] = (BASELINE, ACCUMULATE, COPY, PHOTO)

#: Every timer section: the passes that are not drawn inside another.
SECTIONS = frozenset(p.name for p in (*FRAME, *TOOLS) if not p.timed_in)


def names(*, part: str, every: str) -> tuple[str, ...]:
    """The frame's passes of one part and schedule, in order (the bench's sums)."""
    return tuple(p.name for p in FRAME if p.part == part and p.every == every)


def scheduled(preset: str, view_changed: bool, antialiased: bool = True) -> tuple[Pass, ...]:
    """The passes a frame at ``preset`` (or OFF) runs: all of them after the scene or
    camera changed, else only the every-frame ones (a rack focus)."""
    return tuple(
        p
        for p in FRAME
        if preset in p.presets
        and (p.every == "frame" or view_changed)
        and (p.only_if != ANTIALIASED or antialiased)
    )


def pass_for_shader(shader: str) -> Pass | None:
    """The first pass that draws with ``shader`` (to name it in errors)."""
    return next((p for p in (*FRAME, *TOOLS) if shader in p.shaders), None)
