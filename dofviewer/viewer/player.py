"""The playback clock of `dofviewer play`: play, pause, scrub a timeline. No GL."""

from __future__ import annotations

from dofviewer.shot.timeline import Timeline, TimelineSampler


class Player:
    """Playback clock over a timeline; holds on the last frame."""

    def __init__(self, sampler: TimelineSampler, timeline: Timeline):
        self.sampler, self.timeline = sampler, timeline
        self.time_s = 0.0
        self.paused = False

    def advance(self, dt: float):
        if not self.paused:
            self.time_s = min(self.time_s + dt, self.timeline.duration_s)

    def scrub(self, seconds: float):
        self.time_s = min(max(self.time_s + seconds, 0.0), self.timeline.duration_s)

    def status(self) -> str:
        key = self.sampler.next_keyframe(self.time_s)
        upcoming = f"next: {key.kind} at {key.time_s:.2f} s" if key else "next: end"
        state = "paused" if self.paused else "playing"
        return f"{state} {self.time_s:5.2f} / {self.timeline.duration_s:.2f} s   {upcoming}"
