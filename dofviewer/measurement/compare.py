"""Image comparison for screenshot regression tests: metrics, tolerances, golden metadata.

One implementation serves ``dofviewer check``, the pytest plugin (``dof_snapshot``) and
the project's own golden tests (tests/golden.py).

Metrics, over two uint8 RGB images of one size, per channel value in 8-bit steps:

* ``mean``: mean absolute difference;
* ``rms``: root mean square difference;
* ``failed``: the fraction of pixels whose largest channel difference exceeds
  ``Tolerance.threshold`` (16 by default);
* ``max``: the largest difference of any value (0..255);
* ``ssim``: mean structural similarity of the luma (1.0 for identical images; see
  dofviewer.measurement.quality.ssim).

Several criteria, as vispy's image tests use, because one RMS value confuses a one-pixel
shift of an edge (many small differences) with a broken region (few large ones).

Goldens record where they were made in a sidecar JSON beside the PNG (``NAME.json`` next
to ``NAME.png``): the GL renderer and version, the dofviewer version and the settings of
the case. A sidecar rather than a PNG text chunk, so that a review shows it in the diff
and any tool reads it. A golden is compared with its own tolerance on the GL renderer that
made it. On another renderer (a GPU against llvmpipe goldens), :func:`tolerance_across`
gives the looser :data:`ACROSS_RENDERERS` tolerance and the result carries a warning that
every report prints: it never passes silently on a different machine.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from dofviewer.errors import DofError

#: A pixel fails when one of its channels differs by more than this (8-bit steps).
DEFAULT_THRESHOLD = 16


@dataclass(frozen=True)
class Tolerance:
    """Limits on each metric; None leaves that metric unchecked.

    Parameters
    ----------
    mean, rms, max : float | None
        Largest mean absolute, root mean square and maximum difference, in 8-bit steps.
    failed : float | None
        Largest fraction (0..1) of pixels with a channel off by more than ``threshold``.
    ssim : float | None
        Smallest mean SSIM (0..1).
    threshold : int
        What "off" means for ``failed``.
    """

    mean: float | None = None
    rms: float | None = None
    failed: float | None = None
    max: float | None = None
    ssim: float | None = None
    threshold: int = DEFAULT_THRESHOLD

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and not (
                isinstance(value, int | float) and not isinstance(value, bool)
                and math.isfinite(value) and value >= 0
            ):  # fmt: skip
                raise ValueError(f"tolerance {f.name}: must be a finite number >= 0, got {value!r}")
        if self.ssim is not None and self.ssim > 1:
            raise ValueError(f"tolerance ssim: must be 0..1, got {self.ssim}")
        if self.failed is not None and self.failed > 1:
            raise ValueError(f"tolerance failed: a fraction 0..1, got {self.failed}")

    def with_(self, **changes) -> Tolerance:
        return replace(self, **changes)

    def problems(self, metrics: Metrics) -> list[str]:
        """One phrase per metric over its limit; empty when the images match."""
        out = []
        for name in ("mean", "rms", "max"):
            limit, value = getattr(self, name), getattr(metrics, name)
            if limit is not None and value > limit:
                out.append(f"{name} {value:.3f} > {limit:g}")
        if self.failed is not None and metrics.failed > self.failed:
            out.append(
                f"{metrics.failed:.3%} of pixels off by > {self.threshold} (max {self.failed:.3%})"
            )
        if self.ssim is not None and metrics.ssim < self.ssim:
            out.append(f"ssim {metrics.ssim:.4f} < {self.ssim:g}")
        return out

    def accepts(self, metrics: Metrics) -> bool:
        return not self.problems(metrics)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


#: The default for a golden on the renderer that made it. Software rasterisers (Mesa's
#: llvmpipe) render bit-identically run to run and a GPU driver repeats itself, so the
#: limits are tight: the project's own goldens show them telling a round aperture from a
#: hexagonal one at the same focus (tests/test_golden.py).
SAME_RENDERER = Tolerance(mean=0.25, failed=0.001, ssim=0.995)

#: Used instead when the golden was made on another GL renderer, with a warning.
#: Rasterisation and filtering differ between drivers by more than small bugs do, so this
#: catches a moved object or a different f-stop on the demo but not a subtle change:
#: approve goldens per renderer (a golden_dir per machine) for those.
#: TODO: measure llvmpipe goldens on a GPU and fit these limits to the figures.
ACROSS_RENDERERS = Tolerance(mean=2.0, failed=0.02, ssim=0.97)


@dataclass(frozen=True)
class Metrics:
    mean: float
    rms: float
    failed: float
    max: float
    ssim: float

    def to_dict(self) -> dict:
        return asdict(self)


def metrics(actual: np.ndarray, expected: np.ndarray,
            threshold: int = DEFAULT_THRESHOLD) -> Metrics:  # fmt: skip
    """The metrics of two uint8 H×W×3 images of one shape."""
    from dofviewer.measurement.quality import ssim

    if actual.shape != expected.shape:
        raise ValueError(f"image size {actual.shape} differs from the golden's {expected.shape}")
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    return Metrics(
        mean=float(diff.mean()),
        rms=float(np.sqrt(np.mean(diff.astype(np.float64) ** 2))),
        failed=float((diff.max(axis=2) > threshold).mean()),
        max=float(diff.max()),
        ssim=1.0 if not diff.any() else ssim(actual[..., :3], expected[..., :3]),
    )


def diff_image(actual: np.ndarray, expected: np.ndarray, gain: int = 8) -> np.ndarray:
    """|actual − expected| amplified ``gain`` times, as a uint8 image to look at."""
    diff = np.abs(actual.astype(np.int16) - expected.astype(np.int16))
    return np.clip(diff * gain, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class GoldenInfo:
    """Where a golden was made (the sidecar JSON)."""

    gl_renderer: str
    dofviewer_version: str
    settings: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def sidecar_path(golden: Path) -> Path:
    return Path(golden).with_suffix(".json")


def read_golden_info(golden: Path) -> GoldenInfo | None:
    """The golden's sidecar, or None when it has none (made before sidecars existed)."""
    path = sidecar_path(golden)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return GoldenInfo(str(data["gl_renderer"]), str(data["dofviewer_version"]),
                          dict(data.get("settings", {})))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DofError(f"{path}: not a golden sidecar ({exc})") from None


def write_golden(golden: Path, image: np.ndarray, info: GoldenInfo):
    """Approve ``image``: the PNG and its sidecar, each written atomically."""
    from dofviewer.fileio import atomic_write_text, write_png

    Path(golden).parent.mkdir(parents=True, exist_ok=True)
    write_png(golden, image)
    atomic_write_text(sidecar_path(golden), info.to_json())


def same_renderer(a: str, b: str) -> bool:
    """Whether two GL_RENDERER strings (with their versions) name one renderer: the name
    before the parenthesised details, so an llvmpipe golden matches llvmpipe with another
    LLVM build, but not a GPU."""
    return a.split("(")[0].strip().lower() == b.split("(")[0].strip().lower()


def tolerance_across(tolerance: Tolerance, golden_renderer: str | None,
                     gl_renderer: str) -> tuple[Tolerance, str | None]:  # fmt: skip
    """(the tolerance to compare with, a warning or None) for a golden made on
    ``golden_renderer`` and compared on ``gl_renderer``."""
    if golden_renderer is None:
        return tolerance, "the golden records no renderer (no sidecar JSON); approve it again"
    if same_renderer(golden_renderer, gl_renderer):
        return tolerance, None
    loose = Tolerance(**{
        name: _looser(getattr(tolerance, name), getattr(ACROSS_RENDERERS, name), name)
        for name in ("mean", "rms", "failed", "max", "ssim")
    }, threshold=tolerance.threshold)  # fmt: skip
    return loose, (
        f"golden made on {golden_renderer}, compared on {gl_renderer}: the looser "
        f"cross-renderer tolerance applies ({_describe(loose)})"
    )


def _looser(a, b, name):
    if a is None or b is None:  # a metric the case leaves unchecked stays unchecked
        return a
    return min(a, b) if name == "ssim" else max(a, b)


def _describe(tolerance: Tolerance) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in tolerance.to_dict().items() if k != "threshold")
