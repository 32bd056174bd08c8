"""``dofviewer plot``: a picture of a pull, focus distance and f-stop over time.

Drawn with matplotlib (headless Agg backend): the focus curve on a dioptre scale (so an
even pull looks even, as the blur changes), labelled in metres, keyframes marked.
"""

from __future__ import annotations

import io
import math

import numpy as np

from dofviewer.content.scene import Scene
from dofviewer.fileio import atomic_write_bytes
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

    fig, (ax, ax_stop) = plt.subplots(2, 1, figsize=(9, 5.2), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})  # fmt: skip
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
        if isinstance(key, FocusKey) and key.target:
            ax.annotate(
                key.target,
                (key.time_s, y),
                textcoords="offset points",
                xytext=(6, 6),
                fontsize=8,
            )
    top = max(float(dioptres.max()) * 1.1, 0.1)
    ax.set_ylim(0, top)
    distances = (math.inf, 20, 10, 5, 3, 2, 1.5, 1.2, 1, 0.75, 0.5, 0.3, 0.2, 0.1)
    ticks = [d for d in (1 / m for m in distances) if d <= top]
    ax.set_yticks(ticks, ["inf" if d == 0 else f"{1 / d:g} m" for d in ticks])
    ax.set_ylabel("focus distance (dioptre scale)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or f"Focus pull on {timeline.scene}")
    ax_stop.step(times, f_stops, where="post", color="#30638e")
    ax_stop.set_ylabel("f-stop")
    ax_stop.set_xlabel("time (s)")
    ax_stop.grid(alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    atomic_write_bytes(output, buffer.getvalue())
