"""Tone mapping and sRGB encoding: the last pass, after depth of field.

The viewer's debug views (depth, signed CoC) and focus peaking are drawn here too, since
they replace or mark the final image. Each (view, peaking) pair is its own program, made
on first use and kept: a software rasteriser runs every branch of a shader, so a
uniform switch would make every frame pay for the views it does not show.
"""

from __future__ import annotations

import moderngl

from dofviewer.render.gl import passes
from dofviewer.render.gl.fullscreen import PassVariants
from dofviewer.render.gl.shaders import ShaderLibrary
from dofviewer.render.gl.targets import FrameTargets

VIEWS = {"image": 0, "depth": 1, "coc": 2}


class Tonemap:
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        self._variants = PassVariants.for_pass(ctx, shaders, passes.TONEMAP)

    def draw_to(
        self,
        framebuffer,
        linear,
        targets: FrameTargets,
        lens_uniforms: dict,
        exposure_ev: float = 0.0,
        view: str = "image",
        focus_peaking: bool = False,
        focus_distance_m: float = 1.0,
        display_referred: bool = False,
        zone_m: tuple[float, float] = (1.0, 1.0),
    ):
        """``lens_uniforms`` (dofviewer.render.gl.dof.thin_lens_uniforms) give the CoC view and
        focus peaking each pixel's blur; ``zone_m`` (near, far limits of acceptable
        sharpness, dofviewer.shot.dofcalc) is the depth view's green band.
        ``display_referred``: a photo's linear values are encoded to sRGB without the
        filmic curve (clipped at 1), so it comes back as it was where it is in focus."""
        variant = self._variants.get({"VIEW": VIEWS[view], "FOCUS_PEAKING": int(focus_peaking),
                                      "DISPLAY_REFERRED": int(display_referred)})  # fmt: skip
        variant.draw(
            framebuffer,
            {"u_linear": linear, "u_color_invd": targets.color_invd, "u_depth": targets.depth_m},
            u_exposure=2.0**exposure_ev,
            u_focus_distance=min(focus_distance_m, 1e6),
            u_dof_zone=tuple(min(d, 1e6) for d in zone_m),
            u_offset=targets.margin,
            **lens_uniforms,
        )

    def release(self):
        self._variants.release()
