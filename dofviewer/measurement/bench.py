"""``dofviewer bench``: how much the depth of field costs, honestly measured.

Renders the demo (or ``--scene``, a scene or model) headless for a fixed number of
frames per size while focus sweeps between the near ball and the far tower (for another
scene: the 5th and 95th percentiles of its depth), so the CoC changes every frame, after
a warm-up. Reports per-pass times (median and p95), wall-clock fps, the DOF cost in units
of one full-screen texture copy at the same size measured in the same run (a figure
that carries across machines), and the GPU memory of the DOF targets.

"DOF" is what every frame of a rack focus costs (DOF_PASSES). What depth of field
needs of the scene once per view (VIEW_PASSES: colour with inverse depth and its mips,
depth tiles, the second layer) runs again only when the camera or the scene moves;
the benchmark redraws the scene every frame to time it, and reports it apart. Both lists
come from the pass table (dofviewer/render/gl/passes.py).

Timing uses GL timer queries where they work and falls back to ``finish()`` plus the
wall clock where they do not (Mesa llvmpipe), and says which it used. Either way each
pass starts on an idle pipeline (a software rasteriser would otherwise bill one pass for
the tail of the one before), and the copies figure is the median of each frame's own
ratio, so the machine's drift during a run cancels out.
"""

from __future__ import annotations

import json
import math
import statistics
import time

import numpy as np

from dofviewer.content.scene import load_scene
from dofviewer.fileio import atomic_write_text
from dofviewer.render.gl import passes
from dofviewer.render.gl.fullscreen import FullscreenPass
from dofviewer.render.gl.timing import PassTimer
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.render.renderer import FrameSettings

#: Depth-of-field work done every frame of a rack focus.
DOF_PASSES = passes.names(part="dof", every="frame")
#: Depth-of-field work done once per view, not per frame of a rack focus.
VIEW_PASSES = passes.names(part="dof", every="view")
#: The table's columns: every timed pass of a frame, in order, and the yardstick.
COLUMNS = (*(p.name for p in passes.FRAME if not p.timed_in), passes.COPY.name)
NEAR_M, FAR_M = 1.2, 13.0
#: The issue's reference setting: the demo at f/2 (its own lens is f/1.4).
BENCH_F_STOP = 2.0


def _focus_at(frame: int, frames: int, focus_range=(NEAR_M, FAR_M)) -> float:
    """Focus sweeping near→far→near in dioptres, a different value every frame."""
    near, far = focus_range
    phase = 0.5 - 0.5 * math.cos(2 * math.pi * frame / max(frames, 2))
    d = 1 / near + phase * (1 / far - 1 / near)
    return 1 / d


def focus_range_of(renderer: HeadlessRenderer, scene) -> tuple[float, float]:
    """The 5th and 95th percentiles of what the scene's camera sees, in metres."""
    depth = renderer.render(scene, (160, 90), dof=False).depth
    seen = depth[np.isfinite(depth)]
    if seen.size == 0:
        return NEAR_M, FAR_M
    return float(np.quantile(seen, 0.05)), float(np.quantile(seen, 0.95))


def _percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_size(
    renderer: HeadlessRenderer, size, frames: int, warmup: int, method: str, quality="final",
    scene=None, focus_range=(NEAR_M, FAR_M), f_stop=BENCH_F_STOP, focal_length_mm=None,
) -> dict:  # fmt: skip
    ctx = renderer.ctx
    r = renderer.renderer
    r.resize(size)
    scene = scene or load_scene()
    base = FrameSettings.from_scene(scene)
    lens = base.lens.with_(f_stop=f_stop)
    if focal_length_mm is not None:
        lens = lens.with_(focal_length_mm=focal_length_mm)
    base = base.with_(lens=lens, quality=quality)
    copy = FullscreenPass.for_pass(ctx, r.shaders, passes.COPY)
    timer = PassTimer(ctx, method, isolate=True)
    r.set_timer(timer)
    samples: dict[str, list[float]] = {}
    wall, copies = [], []
    try:
        for i in range(warmup + frames):
            settings = base.with_(focus_distance_m=_focus_at(i, frames, focus_range))
            start = time.perf_counter()
            r.invalidate_scene()  # time the scene pass too, though the camera is still
            r.render(scene, settings)
            with timer.section(passes.COPY.name):
                # Scene colour into the linear target: same size and format as the DOF's
                # output, which the benchmark does not read back.
                copy.draw(r.targets.linear_fbo, {"u_source": r.targets.color_source})
            ctx.finish()
            elapsed = time.perf_counter() - start
            if i >= warmup:
                wall.append(elapsed)
                frame = timer.frame_results()
                for name, ms in frame.items():
                    samples.setdefault(name, []).append(ms)
                # The ratio per frame, so the machine's drift during the run cancels out.
                if frame[passes.COPY.name] > 0:
                    dof = sum(frame.get(p, 0.0) for p in DOF_PASSES)
                    copies.append(dof / frame[passes.COPY.name])
        valid = method == "wall" or timer.queries_look_valid()
    finally:
        r.set_timer_off()
        timer.release()
        copy.release()
    timings = {
        name: {"median_ms": statistics.median(v), "p95_ms": _percentile(v, 0.95)}
        for name, v in samples.items()
    }
    dof_ms = sum(timings[p]["median_ms"] for p in DOF_PASSES if p in timings)
    view_ms = sum(timings[p]["median_ms"] for p in VIEW_PASSES if p in timings)
    return {
        "size": list(size),
        "quality": quality,
        "frames": frames,
        "timing": method if valid else f"{method} (invalid values)",
        "passes": timings,
        "dof_ms": dof_ms,
        "frame_ms_wall": statistics.median(wall) * 1e3,
        "fps_wall": 1.0 / statistics.median(wall),
        "dof_in_screen_copies": statistics.median(copies) if copies else math.inf,
        "view_change_ms": view_ms,
        "dof_memory_mib": r.targets.dof_memory_bytes() / 2**20,
    }


def choose_method(renderer: HeadlessRenderer, requested: str) -> str:
    """'auto' picks timer queries unless they return the known-bogus values."""
    if requested != "auto":
        return requested
    probe = bench_size(renderer, (64, 36), frames=3, warmup=1, method="query")
    return "query" if "invalid" not in probe["timing"] else "wall"


def run(sizes, frames=30, warmup=5, method="auto", json_path=None, out=print,
        qualities=("final", "preview"), scene_path=None, f_stop=None,
        focal_length_mm=None) -> dict:  # fmt: skip
    """Each size at each quality preset (dofviewer.render.gl.dof.QUALITY_PRESETS): ``final`` is
    what renders and exports use, ``preview`` what a slow machine's viewer draws while
    focus moves. ``scene_path``: a scene or model instead of the demo (its load time is
    reported too). ``f_stop`` (BENCH_F_STOP by default) and ``focal_length_mm`` (the
    scene's) set the lens: a longer lens or a wider stop blurs more, which costs more
    gather rings and coarser mip reads."""
    f_stop = BENCH_F_STOP if f_stop is None else f_stop
    started = time.perf_counter()
    scene = load_scene(scene_path, aspect=sizes[0][0] / sizes[0][1])
    load_s = time.perf_counter() - started
    with HeadlessRenderer(sizes[0]) as renderer:
        chosen = choose_method(renderer, method)
        focus_range = focus_range_of(renderer, scene) if scene_path else (NEAR_M, FAR_M)
        results = {
            "gl_renderer": renderer.gl_renderer,
            "timing_method": chosen,
            "f_stop": f_stop,
            "focal_length_mm": focal_length_mm or scene.lens.focal_length_mm,
            "scene": scene.source,
            "load_s": load_s,
            "focus_range_m": list(focus_range),
            "sizes": [
                bench_size(renderer, s, frames, warmup, chosen, quality, scene, focus_range,
                           f_stop, focal_length_mm)  # fmt: skip
                for s in sizes
                for quality in qualities
            ],
        }
    out(format_table(results))
    if json_path:
        atomic_write_text(json_path, json.dumps(results, indent=2))
    return results


def format_table(results: dict) -> str:
    lines = [
        f"GL renderer: {results['gl_renderer']}",
        f"timing: {results['timing_method']} (median ms per pass, p95 in brackets); "
        f"{results['scene']} (loaded in {results['load_s']:.2f} s) at "
        f"{results['focal_length_mm']:g} mm f/{results['f_stop']:g}, "
        f"focus sweeping {results['focus_range_m'][0]:.3g} to {results['focus_range_m'][1]:.3g} m",
        f"DOF ms = {' + '.join(DOF_PASSES)}, every frame of a rack focus; copies = DOF ms "
        "over one full-screen copy in the same frame (median); "
        f"+view ms = {' + '.join(VIEW_PASSES)}, only when the camera or scene moves",
        "",
    ]
    header = (
        f"{'size':>10} {'quality':>8} "
        + " ".join(f"{n:>15}" for n in COLUMNS)
        + f" {'DOF ms':>8} {'copies':>7} {'+view ms':>8} {'fps':>6} {'MiB':>6}"
    )
    lines.append(header)
    for row in results["sizes"]:
        cells = []
        for n in COLUMNS:
            p = row["passes"].get(n)
            cells.append(f"{p['median_ms']:7.2f} [{p['p95_ms']:5.2f}]" if p else f"{'-':>15}")
        lines.append(
            f"{row['size'][0]:>4}x{row['size'][1]:<5} {row['quality']:>8} "
            + " ".join(f"{c:>15}" for c in cells)
            + f" {row['dof_ms']:8.2f} {row['dof_in_screen_copies']:7.1f}"
            f" {row['view_change_ms']:8.2f} {row['fps_wall']:6.1f} {row['dof_memory_mib']:6.1f}"
        )  # fmt: skip
    return "\n".join(lines)
