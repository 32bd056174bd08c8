"""``dofviewer check``: render each case of a manifest headless and compare it with its
golden (dofviewer.measurement.compare), or approve the new images with ``--update``.

Offline renders use the best antialiasing: 2×2 supersampling and 4× MSAA on every
renderer, so a golden does not depend on whether the machine has a GPU.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from dofviewer.check.manifest import Case, Manifest
from dofviewer.errors import DofError
from dofviewer.measurement.compare import (
    GoldenInfo,
    Metrics,
    Tolerance,
    metrics,
    read_golden_info,
    tolerance_across,
    write_golden,
)

#: Antialiasing of every check render (see the module docstring).
SUPERSAMPLE, MSAA = 2, 4

PASS, FAIL, NEW, APPROVED = "pass", "fail", "new", "approved"


@dataclass
class Result:
    """One case's outcome; ``images`` holds actual, expected (when there is a golden)."""

    case: Case
    status: str
    actual: np.ndarray
    expected: np.ndarray | None = None
    metrics: Metrics | None = None
    tolerance: Tolerance | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gl_renderer: str = ""
    golden_renderer: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (PASS, APPROVED)

    def summary(self) -> str:
        m = self.metrics
        figures = (
            f"mean {m.mean:.3f}  rms {m.rms:.3f}  failed {m.failed:.3%}  max {m.max:g}  "
            f"ssim {m.ssim:.4f}"
            if m else ""
        )  # fmt: skip
        text = f"{self.status.upper():8} {self.case.name}  {figures}".rstrip()
        if self.status == NEW:
            text += "  (no golden; --update approves it)"
        for line in self.problems:
            text += f"\n         {line}"
        for line in self.warnings:
            text += f"\n         warning: {line}"
        return text


def resolve_scene(manifest: Manifest, case: Case) -> str:
    """A case's scene as load_scene takes it: a file beside the manifest, or a bundled
    name when no such file exists."""
    from dofviewer.content.scene import bundled_scenes

    path = manifest.folder / case.scene
    if not path.exists() and case.scene in bundled_scenes():
        return case.scene
    if not path.exists():
        where = f"{manifest.path}: case '{case.name}'.scene"
        raise DofError(f"{where}: no file '{path}' and no bundled scene of that name")
    return str(path)


def prepare(manifest: Manifest, case: Case):
    """(scene, FrameSettings, focus_on) for a case; loads files, renders nothing, so bad
    input is found before any rendering starts."""
    from dofviewer.content.scene import load_scene
    from dofviewer.render.renderer import FrameSettings

    scene_ref = resolve_scene(manifest, case)
    aspect = case.size[0] / case.size[1]
    if case.time_s is not None:
        from dofviewer.shot.timeline import TimelineSampler, load_timeline_and_scene

        timeline, scene = load_timeline_and_scene(scene_ref, aspect=aspect)
        settings = TimelineSampler(timeline, scene).sample(case.time_s)
    else:
        scene = load_scene(scene_ref, aspect=aspect, camera=case.camera)
        settings = FrameSettings.from_scene(scene)
    changes = {
        key: value
        for key, value in (("f_stop", case.f_stop), ("focal_length_mm", case.focal_length_mm),
                           ("aperture_blades", case.blades))
        if value is not None
    }  # fmt: skip
    settings = settings.with_(lens=settings.lens.with_(**changes), quality=case.quality)
    focus_on = None
    if isinstance(case.focus, str):
        try:
            scene.index_of(case.focus)
        except KeyError as exc:
            raise DofError(f"{manifest.path}: case '{case.name}'.focus: {exc.args[0]}") from None
        focus_on = case.focus
    elif case.focus is not None:
        settings = settings.with_(focus_distance_m=float(case.focus))
    return scene, settings, focus_on


def render_cases(manifest: Manifest, cases: list[Case], renderer=None,
                 prepared: dict | None = None) -> tuple[dict, str]:  # fmt: skip
    """({name: image}, GL renderer) for ``cases``, rendered in this process;
    ``prepared``: prepare()'s results by case name, where the caller has them."""
    from dofviewer.render.headless import HeadlessRenderer

    owned = renderer is None
    renderer = renderer or HeadlessRenderer(cases[0].size, supersample=SUPERSAMPLE, msaa=MSAA)
    try:
        images = {}
        for case in cases:
            found = (prepared or {}).get(case.name) or prepare(manifest, case)
            scene, settings, focus_on = found
            frame = renderer.render(scene, case.size, focus_on=focus_on, settings=settings)
            images[case.name] = frame.image
        return images, renderer.gl_renderer
    finally:
        if owned:
            renderer.release()


def _render_worker(manifest_path: str, names: list[str]):
    """A --jobs worker: its own GL context; DofErrors come back as text (their custom
    constructors do not pickle)."""
    from dofviewer.check.manifest import load_manifest

    manifest = load_manifest(manifest_path)
    cases = [c for c in manifest.cases if c.name in names]
    try:
        return render_cases(manifest, cases)
    except DofError as exc:
        return str(exc), None


def render_all(manifest: Manifest, cases: list[Case], jobs: int = 1, renderer=None,
               prepared: dict | None = None) -> tuple[dict, str]:  # fmt: skip
    if jobs <= 1 or len(cases) <= 1:
        return render_cases(manifest, cases, renderer, prepared)
    import multiprocessing

    jobs = min(jobs, len(cases))
    chunks = [[c.name for c in cases[i::jobs]] for i in range(jobs)]
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        parts = pool.starmap(_render_worker, [(str(manifest.path), chunk) for chunk in chunks])
    images, renderer = {}, ""
    for part, gl_renderer in parts:
        if gl_renderer is None:
            raise DofError(part)
        images.update(part)
        renderer = gl_renderer
    return images, renderer


def compare_case(manifest: Manifest, case: Case, image: np.ndarray, gl_renderer: str,
                 update: bool = False) -> Result:  # fmt: skip
    import imageio.v3 as iio

    from dofviewer import __version__

    golden = manifest.golden_path(case)
    result = Result(case, NEW, image, gl_renderer=gl_renderer)
    if golden.exists():
        result.expected = iio.imread(golden)[..., :3]
        info = read_golden_info(golden)
        result.golden_renderer = info.gl_renderer if info else None
        tolerance, warning = tolerance_across(case.tolerance, result.golden_renderer, gl_renderer)
        result.tolerance = tolerance
        if warning:
            result.warnings.append(warning)
        changed = _changed_settings(info.settings if info else {}, case.settings())
        if changed:
            result.warnings.append(f"settings changed since the golden was approved: {changed}")
        if result.expected.shape != image.shape:
            result.status = FAIL
            result.problems.append(
                f"size {image.shape[1]}x{image.shape[0]}, golden "
                f"{result.expected.shape[1]}x{result.expected.shape[0]}"
            )
        else:
            result.metrics = metrics(image, result.expected, tolerance.threshold)
            result.problems = tolerance.problems(result.metrics)
            result.status = FAIL if result.problems else PASS
    if update:
        write_golden(golden, image, GoldenInfo(gl_renderer, __version__, case.settings()))
        result.status, result.problems = APPROVED, []
    return result


def _changed_settings(approved: dict, now: dict) -> str:
    """``f_stop 2 -> 2.8, blades 6 -> -`` for the settings that differ, or ''."""
    if not approved:
        return ""
    keys = sorted(set(approved) | set(now), key=str)
    return ", ".join(
        f"{k} {approved.get(k, '-')} -> {now.get(k, '-')}"
        for k in keys
        if approved.get(k) != now.get(k)
    )


def check(manifest: Manifest, *, keyword: str | None = None, update: bool = False,
          jobs: int = 1, report_dir: str | Path | None = None, out=None,
          renderer=None) -> int:  # fmt: skip
    """Run the check; prints one block per case, writes the report, returns the exit
    status: 0 all pass (or approved), 1 regressions or new cases.

    ``renderer``: a HeadlessRenderer to render with (made with SUPERSAMPLE and MSAA);
    by default one with its own GL context, released at the end. A process that holds a
    GL context of its own passes one sharing it (``HeadlessRenderer(ctx=...)``): releasing
    a second context leaves none current on this thread.
    """
    out = out or (lambda text: print(text, file=sys.stdout, flush=True))
    cases = manifest.select(keyword)
    if not cases:
        raise DofError(f"-k: {keyword!r} selects none of the {len(manifest.cases)} cases")
    prepared = {case.name: prepare(manifest, case) for case in cases}  # bad input first
    if report_dir is not None and not Path(report_dir).parent.is_dir():
        raise DofError(f"--report: folder '{Path(report_dir).parent}' does not exist")
    images, gl_renderer = render_all(manifest, cases, jobs, renderer, prepared)
    results = [
        compare_case(manifest, case, images[case.name], gl_renderer, update) for case in cases
    ]
    for result in results:
        out(result.summary())
    counts = {s: sum(r.status == s for r in results) for s in (PASS, FAIL, NEW, APPROVED)}
    out(
        f"{len(results)} cases on {gl_renderer}: "
        + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        + (f"; goldens in {manifest.golden_dir}" if update else "")
    )
    if report_dir is not None:
        from dofviewer.check.report import write_report

        page = write_report(results, manifest, Path(report_dir), gl_renderer)
        out(f"report: {page}")
    return 0 if all(r.ok for r in results) else 1
