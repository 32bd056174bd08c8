"""Eased focus pulls between marks, as a pure state object. No GL.

A focus puller racks focus from one mark to the next with a smooth ease. We interpolate
in diopters (1/distance in metres), not metres, because the circle of confusion is
linear in 1/distance (see ``lens.py``): equal steps in diopters look like equal changes
of blur, and focus at infinity is just the finite value 0.

A retarget in the middle of a pull starts from the current value *and* velocity, so the
focus never jumps or kinks (C1). The eases model a segment from value v0 with initial
velocity u0 to target v1 over duration T as

    x(τ) = v0 + (v1 − v0)·e(τ/T) + u0·T·h(τ/T),    h(s) = s·(1 − s)²

where e is the normalized ease curve (e'(0) = e'(1) = 0) and h carries the initial
velocity and fades out (h(0) = 0, h'(0) = 1, h(1) = h'(1) = 0); they end on the target
at rest. The spring is a critically damped second-order system solved in closed form.

"linear" is the exception, by its nature: a constant-speed rack starts and stops dead,
so its velocity steps at both ends. It is C0 only: it starts from the current value but
drops the current velocity (carrying it would make the speed non-constant).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_EASING = "ease-in-out-cubic"
DEFAULT_DURATION_S = 1.0
#: Closest focus; diopters are clamped to [0, 1/MIN_FOCUS_DISTANCE_M]. Macro distances:
#: a toy car's authored cameras stand 3 cm from it.
MIN_FOCUS_DISTANCE_M = 0.005
MAX_DIOPTERS = 1.0 / MIN_FOCUS_DISTANCE_M
#: A spring pull closer than this to its target (diopters, and diopters/s) is finished
#: and snaps onto it: the tail is infinite, and a finished pull lets the viewer stop.
SPRING_SETTLED_EPS = 1e-6
#: The spring settles to this fraction of its step in ``duration_s`` when started at rest.
SPRING_SETTLE_FRACTION = 1e-3


def _spring_settle_y(fraction: float) -> float:
    """Solve (1 + y)·e^(−y) = fraction for y = ω·T (Newton on the log; ≈ 9.23 for 1e-3)."""
    y = 10.0
    for _ in range(50):
        f = math.log1p(y) - y - math.log(fraction)
        y -= f / (1.0 / (1.0 + y) - 1.0)
    return y


_SPRING_Y = _spring_settle_y(SPRING_SETTLE_FRACTION)


def spring_omega(duration_s: float) -> float:
    """The natural frequency ω (1/s) of a spring pull that settles in ``duration_s``."""
    return _SPRING_Y / duration_s


def spring_lag_s(duration_s: float) -> float:
    """How far a critically damped spring trails a steady ramp it follows: 2/ω."""
    return 2.0 / spring_omega(duration_s)


#: Tracking follows its target through a critically damped spring this fast, in the
#: viewer and in timeline playback alike.
TRACKING_DURATION_S = 0.3


def _cubic(s: float) -> float:
    return 4.0 * s**3 if s < 0.5 else 1.0 - (2.0 - 2.0 * s) ** 3 / 2.0


def _cubic_d(s: float) -> float:
    return 12.0 * s * s if s < 0.5 else 3.0 * (2.0 - 2.0 * s) ** 2


@dataclass(frozen=True)
class Easing:
    """A normalized curve on [0, 1] and its derivative. ``spring`` pulls ignore the curve
    for motion (they are solved in closed form); it is their unit step response, which
    reaches ``1 − SPRING_SETTLE_FRACTION`` (not 1) at t = 1."""

    curve: Callable[[float], float]
    derivative: Callable[[float], float]
    spring: bool = False
    carries_velocity: bool = True


EASINGS: dict[str, Easing] = {
    "ease-in-out-cubic": Easing(_cubic, _cubic_d),
    "smoothstep": Easing(lambda s: s * s * (3.0 - 2.0 * s), lambda s: 6.0 * s * (1.0 - s)),
    "linear": Easing(lambda s: s, lambda s: 1.0, carries_velocity=False),
    "spring": Easing(
        lambda s: 1.0 - (1.0 + _SPRING_Y * s) * math.exp(-_SPRING_Y * s),
        lambda s: _SPRING_Y**2 * s * math.exp(-_SPRING_Y * s),
        spring=True,
    ),
}


def _easing(name: str) -> Easing:
    try:
        return EASINGS[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(EASINGS))
        raise ValueError(f"unknown easing {name!r}; valid easings: {valid}") from None


def _finite(value: float, what: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return value


def _duration(duration_s: float) -> float:
    duration_s = _finite(duration_s, "duration_s")
    if duration_s < 0.0:
        raise ValueError(f"duration_s must be >= 0, got {duration_s!r}")
    return duration_s


def ease(name: str, t: float) -> float:
    """Normalized curve value at t, clamped to [0, 1] (so e(0) = 0 and e(1) = 1)."""
    return _easing(name).curve(min(max(_finite(t, "t"), 0.0), 1.0))


def ease_derivative(name: str, t: float) -> float:
    """de/dt at t; 0 outside [0, 1], where the clamped curve is constant."""
    curve, t = _easing(name), _finite(t, "t")
    return curve.derivative(t) if 0.0 <= t <= 1.0 else 0.0


def diopters(distance_m: float) -> float:
    """1/distance; infinity (focus at infinity) maps to 0. Distance must be > 0."""
    distance_m = float(distance_m)
    if math.isnan(distance_m) or distance_m <= 0.0:
        raise ValueError(f"focus distance must be > 0 metres (or inf), got {distance_m!r}")
    return 0.0 if math.isinf(distance_m) else 1.0 / distance_m


def distance_from_diopters(d: float) -> float:
    """Inverse of :func:`diopters`: 0 diopters is infinity; negative is beyond it (error)."""
    d = _finite(d, "diopters")
    if d < 0.0:
        raise ValueError(f"diopters must be >= 0, got {d!r}")
    return math.inf if d == 0.0 else 1.0 / d


def _clamp_d(d: float) -> float:
    return min(max(d, 0.0), MAX_DIOPTERS)


def _target(distance_m: float) -> tuple[float, float]:
    """(clamped diopters, metres); the caller's metres are kept unless clamped, so a pull
    ends on exactly the distance asked for."""
    d = diopters(distance_m)
    clamped = _clamp_d(d)
    return clamped, (float(distance_m) if clamped == d else distance_from_diopters(clamped))


def _decay_time(a: float, b: float, omega: float, eps: float) -> float:
    """Time after which (a + b·τ)·e^(−ωτ), a, b ≥ 0, stays <= eps. It rises to one peak
    at τ = 1/ω − a/b and falls after, so bisect on the falling side."""
    peak = max(0.0, 1.0 / omega - a / b) if b > 0.0 else 0.0

    def above(t: float) -> bool:
        return (a + b * t) * math.exp(-omega * t) > eps

    if not above(peak):
        return 0.0
    lo, hi = peak, peak + 1.0 / omega
    while above(hi):
        lo, hi = hi, hi + 2.0 * (hi - lo)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if above(mid) else (lo, mid)
    return hi


class FocusPuller:
    """Focus distance over time, eased between marks in diopters, C1 across retargets
    (C0 into a "linear" pull, which moves at constant speed).

    State is one segment (start time, start value v0 and velocity u0, target v1, easing,
    duration); :meth:`sample` is a pure function of it and time, so it can be called any
    number of times, in any order. Velocities are in diopters per second.
    """

    def __init__(
        self,
        distance_m: float,
        easing: str = DEFAULT_EASING,
        duration_s: float = DEFAULT_DURATION_S,
    ):
        _easing(easing)
        self.easing = easing
        self.duration_s = _duration(duration_s)
        self.set_immediately(distance_m)

    def set_immediately(self, distance_m: float) -> None:
        """Jump to ``distance_m`` at rest (e.g. a cut); clamped to the focus range."""
        d, self._target_m = _target(distance_m)
        self._start_s, self._v0, self._u0, self._v1 = 0.0, d, 0.0, d
        self._curve, self._T, self._settle = EASINGS[self.easing], 0.0, 0.0

    def retarget(
        self,
        distance_m: float,
        now_s: float,
        easing: str | None = None,
        duration_s: float | None = None,
    ) -> None:
        """Pull to ``distance_m`` starting at ``now_s`` from the current value and velocity.

        ``easing`` and ``duration_s`` override the puller's defaults for this pull only;
        a zero duration jumps (and stops).
        """
        curve = _easing(self.easing if easing is None else easing)
        duration = self.duration_s if duration_s is None else _duration(duration_s)
        target, target_m = _target(distance_m)
        now_s = _finite(now_s, "now_s")
        v0, u0 = self._sample_d(now_s)
        if not curve.carries_velocity:
            u0 = 0.0
        self._start_s, self._v0, self._u0, self._v1 = now_s, v0, u0, target
        self._target_m = target_m
        self._curve, self._T = curve, duration
        # How long after now_s the motion lasts; past it we return the target exactly.
        if duration == 0.0 or (v0 == target and u0 == 0.0):
            self._settle = 0.0
        elif curve.spring:
            omega = spring_omega(duration)
            a, b = abs(v0 - target), abs(u0 + omega * (v0 - target))
            self._settle = max(
                _decay_time(a, b, omega, SPRING_SETTLED_EPS),
                _decay_time(abs(u0), omega * b, omega, SPRING_SETTLED_EPS),
            )
        else:
            self._settle = duration

    @property
    def is_spring(self) -> bool:
        """Whether the current segment is a spring (which retargets every frame cleanly)."""
        return self._curve.spring

    def nudge(self, delta_diopters: float, now_s: float, duration_s: float | None = None) -> None:
        """Move the current *target* by ``delta_diopters`` (clamped), pulling from now on
        (over ``duration_s``, default the puller's)."""
        d = _clamp_d(self._v1 + _finite(delta_diopters, "delta_diopters"))
        self.retarget(distance_from_diopters(d), now_s, duration_s=duration_s)

    def _sample_d(self, now_s: float) -> tuple[float, float]:
        """(diopters, diopters/s) at now_s; before the segment start it holds the start."""
        T, v0, u0, v1 = self._T, self._v0, self._u0, self._v1
        tau = max(now_s - self._start_s, 0.0)
        if tau >= self._settle:
            return v1, 0.0
        if self._curve.spring:
            omega = spring_omega(T)
            a = v0 - v1
            b = u0 + omega * a
            decay = math.exp(-omega * tau)
            x, v = v1 + (a + b * tau) * decay, (u0 - omega * b * tau) * decay
        else:
            s = tau / T
            x = v0 + (v1 - v0) * self._curve.curve(s) + u0 * T * s * (1.0 - s) ** 2
            v = (v1 - v0) * self._curve.derivative(s) / T + u0 * (1.0 - s) * (1.0 - 3.0 * s)
        # A carried velocity can push past the focus stops; the lens rests against them.
        if x < 0.0 or x > MAX_DIOPTERS:
            return _clamp_d(x), 0.0
        return x, v

    def sample(self, now_s: float) -> tuple[float, float]:
        """(distance in metres, velocity in diopters/s) at ``now_s``."""
        d, v = self._sample_d(_finite(now_s, "now_s"))
        if d == self._v1:
            return self._target_m, v
        return distance_from_diopters(d), v

    def distance_m(self, now_s: float) -> float:
        return self.sample(now_s)[0]

    def diopters(self, now_s: float) -> float:
        return self._sample_d(_finite(now_s, "now_s"))[0]

    def velocity(self, now_s: float) -> float:
        """Rate of change of focus in diopters per second."""
        return self._sample_d(_finite(now_s, "now_s"))[1]

    @property
    def target_m(self) -> float:
        return self._target_m

    def is_moving(self, now_s: float) -> bool:
        """True until the pull ends (spring: until within ``SPRING_SETTLED_EPS``); a
        viewer can stop redrawing once it is False."""
        return _finite(now_s, "now_s") - self._start_s < self._settle
