"""``dofviewer plot``: a picture of a pull, focus distance and f-stop over time.

Drawn with matplotlib (headless Agg backend): the focus curve on a dioptre scale (so an
even pull looks even, as the blur changes), labelled in metres, keyframes marked; round
it the depth of field (near and far limits, dofviewer.shot.dofcalc) as a band, the
subjects' distances as horizontal lines, each pull labelled where it lands. The legend
sits outside the axes, so it never covers the curve.
"""

from __future__ import annotations

import io
import math

import numpy as np

from dofviewer.content.scene import Scene
from dofviewer.fileio import atomic_write_bytes
from dofviewer.shot.dofcalc import distance_text, for_lens
from dofviewer.shot.timeline import (
    CameraKey,
    FocusKey,
    LensKey,
    Timeline,
    TimelineSampler,
    TrackingKey,
)

SAMPLES_PER_SECOND = 120
#: A long timeline is sampled more sparsely: the curve has no more points than this (an
#: hour at 120 per second would take minutes and the picture shows no more).
MAX_SAMPLES = 20_000


def plot_timeline(timeline: Timeline, scene: Scene, output, title: str = ""):
    from matplotlib import pyplot as plt

    fig, _ = build_figure(timeline, scene, title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(output, buffer.getvalue())


def build_figure(timeline: Timeline, scene: Scene, title: str = ""):
    """The figure and its focus axes (tests read where things went)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    sampler = TimelineSampler(timeline, scene)
    count = min(MAX_SAMPLES, max(2, int(timeline.duration_s * SAMPLES_PER_SECOND)))
    times = np.linspace(0.0, timeline.duration_s, count)
    settings = [sampler.sample(float(t)) for t in times]
    dioptres = np.array(
        [0.0 if math.isinf(s.focus_distance_m) else 1.0 / s.focus_distance_m for s in settings]
    )
    f_stops = np.array([s.lens.f_stop for s in settings])
    zones = [for_lens(s.lens, s.focus_distance_m) for s in settings]
    near_d = np.array([1.0 / z.near_limit_m for z in zones])
    far_d = np.array([0.0 if math.isinf(z.far_limit_m) else 1.0 / z.far_limit_m for z in zones])

    fig, (ax, ax_stop) = plt.subplots(2, 1, figsize=(10, 5.6), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})  # fmt: skip
    ax.fill_between(times, far_d, near_d, color="#66a182", alpha=0.28, linewidth=0,
                    label="depth of field (near-far)")  # fmt: skip
    top = max(float(dioptres.max()) * 1.1, 0.1)
    _subject_lines(ax, timeline, top)
    ax.plot(times, dioptres, color="#d1495b", linewidth=2, label="focus")
    marks = {
        FocusKey: ("o", "#00798c", "focus key"),
        LensKey: ("s", "#edae49", "lens key"),
        TrackingKey: ("^", "#66a182", "tracking key"),
        CameraKey: ("|", "#8d96a3", "camera key"),
    }
    shown = set()
    for key in timeline.keyframes:
        marker, color, label = marks[type(key)]
        y = float(np.interp(key.time_s, times, dioptres))
        ax.plot([key.time_s], [y], marker=marker, color=color, markersize=8, linestyle="none",
                label=None if label in shown else label)  # fmt: skip
        shown.add(label)
        if isinstance(key, FocusKey) and key.duration_s > 0:
            end = key.time_s + key.duration_s
            ax.plot([end], [float(np.interp(end, times, dioptres))], marker="o", markersize=5,
                    markerfacecolor="white", color=color, linestyle="none")  # fmt: skip
        if isinstance(key, FocusKey):
            # The label sits where the pull lands: its end, at its distance.
            end = min(key.time_s + key.duration_s, timeline.duration_s)
            landing = float(np.interp(end, times, dioptres))
            name = key.target or "point"
            ax.annotate(f"to {name}", (end, landing),
                        textcoords="offset points", xytext=(4, 7), fontsize=8,
                        color="#222222", bbox={"boxstyle": "round,pad=0.15", "fc": "white",
                                               "ec": "none", "alpha": 0.75})  # fmt: skip
    ax.set_ylim(0, top)
    distances = (math.inf, 20, 10, 5, 3, 2, 1.5, 1.2, 1, 0.75, 0.5, 0.3, 0.2, 0.1)
    ticks = [d for d in (1 / m for m in distances) if d <= top]
    ax.set_yticks(ticks, ["inf" if d == 0 else f"{1 / d:g} m" for d in ticks])
    ax.set_ylabel("focus distance (dioptre scale)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0)
    ax.set_title(title or f"Focus pull on {timeline.scene}")
    ax_stop.step(times, f_stops, where="post", color="#30638e")
    ax_stop.set_ylabel("f-stop")
    ax_stop.set_xlabel("time (s)")
    ax_stop.grid(alpha=0.3)
    fig.tight_layout()
    return fig, ax


def _subject_lines(ax, timeline: Timeline, top: float):
    """The distance of each subject the pull focuses on (its focus keys' targets), as a
    dashed line named at the right: the marks a focus puller would have measured."""
    subjects = {}
    start = timeline.start.focus_distance_m
    if start is not None and math.isfinite(start):
        subjects["start"] = start
    for key in timeline.keyframes:
        if isinstance(key, FocusKey) and key.target and math.isfinite(key.distance_m):
            subjects.setdefault(key.target, key.distance_m)
    for name, distance in subjects.items():
        if 1.0 / distance > top:
            continue
        ax.axhline(1.0 / distance, color="#8d96a3", linewidth=0.8, linestyle="--", zorder=1)
        ax.annotate(f"{name} {distance_text(distance)}", (1.0, 1.0 / distance),
                    xycoords=("axes fraction", "data"), xytext=(-3, 2),
                    textcoords="offset points", ha="right", fontsize=7,
                    color="#5a6270")  # fmt: skip
