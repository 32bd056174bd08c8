"""Headless rendering through EGL: the Python API behind ``dofviewer render``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dofviewer.content.scene import Scene
from dofviewer.errors import DofError
from dofviewer.render.gl.context import create_headless_context, renderer_name
from dofviewer.render.renderer import FrameSettings, Renderer
from dofviewer.shot.focus import silhouette_focus


@dataclass
class Frame:
    """One rendered frame as numpy arrays (top row first)."""

    image: np.ndarray  # uint8 H×W×3, tone mapped, sRGB
    linear: np.ndarray  # float32 H×W×3, linear HDR after DOF
    depth: np.ndarray  # float32 H×W, view depth in metres (+inf: background)
    coc: np.ndarray  # float32 H×W, signed CoC radius in pixels (clamped)
    object_ids: np.ndarray  # int32 H×W, 0 = background, i + 1 = scene.objects[i]
    settings: FrameSettings


def display_16bit(linear: np.ndarray, exposure_ev: float) -> np.ndarray:
    """The tone map of ``shaders/post/tonemap.glsl`` (exposure, Narkowicz's ACES fit,
    sRGB encoding; the two must agree) on the CPU, to 16 bits: for grading, where the
    display target's 8 bits band. No dither: 16 bits do not band."""
    x = linear.astype(np.float64) * 2.0**exposure_ev
    x = np.clip(x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0)
    encoded = np.where(x < 0.0031308, 12.92 * x, 1.055 * np.power(x, 1.0 / 2.4) - 0.055)
    return np.round(np.clip(encoded, 0.0, 1.0) * 65535.0).astype(np.uint16)


class HeadlessRenderer:
    """Owns a windowless GL context and a :class:`Renderer`; reuse it for many frames."""

    def __init__(self, size: tuple[int, int] = (960, 540), ctx=None, supersample: int = 2,
                 msaa: int | None = None):  # fmt: skip
        self._owns_context = ctx is None
        self.ctx = ctx or create_headless_context()
        self.renderer = Renderer(self.ctx, size, supersample, msaa)

    @property
    def gl_renderer(self) -> str:
        return renderer_name(self.ctx)

    def focus_distance_on(self, scene: Scene, settings: FrameSettings, name: str) -> float:
        """The focus distance that puts the named object's visible centre in focus."""
        try:
            index = scene.index_of(name)
        except KeyError as exc:
            raise DofError(f"--focus-on: {exc.args[0]}") from None
        self.renderer.render(scene, settings.with_(dof=False))
        found = silhouette_focus(
            self.renderer.read_object_ids(), self.renderer.read_depth(), index + 1
        )
        if found is None:
            raise DofError(f"--focus-on: object '{name}' is not visible in the frame")
        return found[0]

    def render(
        self,
        scene: Scene,
        size: tuple[int, int] | None = None,
        *,
        focus_on: str | None = None,
        settings: FrameSettings | None = None,
        reference_samples: int = 0,
        **overrides,
    ) -> Frame:
        """Render ``scene``; ``overrides`` replace FrameSettings fields (lens, dof, ...).

        ``reference_samples`` > 0 renders the accumulation reference instead of the
        real-time gather (ground truth for tests and the quality benchmark).
        """
        if size is not None:
            self.renderer.resize(size)
        settings = (settings or FrameSettings.from_scene(scene)).with_(**overrides)
        if focus_on is not None:
            settings = settings.with_(
                focus_distance_m=self.focus_distance_on(scene, settings, focus_on)
            )
        r = self.renderer
        if reference_samples > 0 and settings.dof:
            r.render_reference(scene, settings, reference_samples)
        else:
            r.render(scene, settings)
        return Frame(
            image=r.read_image(),
            linear=r.read_linear(),
            depth=r.read_depth(),
            coc=r.read_coc(),
            object_ids=r.read_object_ids(),
            settings=settings,
        )

    def release(self):
        self.renderer.release()
        if self._owns_context:
            self.ctx.release()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
