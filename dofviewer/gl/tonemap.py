"""Tone mapping and sRGB encoding: the last pass, after depth of field.

The viewer's debug views (depth, signed CoC) and focus peaking are drawn here too, since
they replace or mark the final image.
"""

from __future__ import annotations

import moderngl

from dofviewer.gl.fullscreen import FullscreenPass
from dofviewer.gl.shaders import ShaderLibrary
from dofviewer.gl.targets import FrameTargets
from dofviewer.lens import MAX_COC_RADIUS_PX

VIEWS = {"image": 0, "depth": 1, "coc": 2}


class Tonemap(FullscreenPass):
    def __init__(self, ctx: moderngl.Context, shaders: ShaderLibrary):
        super().__init__(ctx, shaders, "post/tonemap.glsl")

    def draw_to(
        self,
        framebuffer,
        linear,
        targets: FrameTargets,
        exposure_ev: float = 0.0,
        view: str = "image",
        focus_peaking: bool = False,
        focus_distance_m: float = 1.0,
    ):
        self.draw(
            framebuffer,
            {"u_linear": linear, "u_color_coc": targets.color_coc, "u_depth": targets.depth_m},
            u_exposure=2.0**exposure_ev,
            u_view=VIEWS[view],
            u_focus_peaking=focus_peaking,
            u_max_coc=MAX_COC_RADIUS_PX,
            u_focus_distance=min(focus_distance_m, 1e6),
            u_offset=(targets.margin, targets.margin),
        )
