"""Focus-pull easing: endpoints, no overshoot, C1 retargets, diopter interpolation."""

from __future__ import annotations

import math

import pytest

from dofviewer.shot.easing import (
    DEFAULT_EASING,
    EASINGS,
    MAX_DIOPTERS,
    MIN_FOCUS_DISTANCE_M,
    SPRING_SETTLE_FRACTION,
    FocusPuller,
    diopters,
    distance_from_diopters,
    ease,
    ease_derivative,
)

ALL = ["ease-in-out-cubic", "smoothstep", "linear", "spring"]
CURVES = ["ease-in-out-cubic", "smoothstep", "linear"]
N = 2000


def _times(t0: float, t1: float, n: int = N) -> list[float]:
    return [t0 + (t1 - t0) * i / n for i in range(n + 1)]


def test_registry_and_default():
    assert set(ALL) <= set(EASINGS)
    assert DEFAULT_EASING == "ease-in-out-cubic"
    assert FocusPuller(2.0).easing == DEFAULT_EASING


@pytest.mark.parametrize("name", CURVES)
def test_curve_endpoints_and_clamping(name):
    assert ease(name, 0.0) == 0.0
    assert ease(name, 1.0) == 1.0
    assert ease(name, -3.0) == 0.0
    assert ease(name, 7.0) == 1.0
    assert ease_derivative(name, -0.5) == 0.0
    assert ease_derivative(name, 1.5) == 0.0


@pytest.mark.parametrize("name", CURVES)
def test_curve_derivative_matches_finite_difference(name):
    h = 1e-6
    for t in _times(0.01, 0.99, 97):
        numeric = (ease(name, t + h) - ease(name, t - h)) / (2 * h)
        assert ease_derivative(name, t) == pytest.approx(numeric, abs=1e-5)


@pytest.mark.parametrize("name", ["ease-in-out-cubic", "smoothstep"])
def test_eases_start_and_end_at_rest(name):
    assert ease_derivative(name, 0.0) == 0.0
    assert ease_derivative(name, 1.0) == 0.0


def test_spring_curve_is_unit_step_response():
    assert ease("spring", 0.0) == 0.0
    assert 1.0 - ease("spring", 1.0) == pytest.approx(SPRING_SETTLE_FRACTION, rel=1e-9)


@pytest.mark.parametrize("name", CURVES)
# 1/(1/3.7) != 3.7 in floating point: the pull must still end on exactly 3.7.
@pytest.mark.parametrize(("start", "end"), [(1.0, 3.7), (4.0, 0.3), (0.5, math.inf)])
def test_pull_ends_exactly_on_target(name, start, end):
    p = FocusPuller(start, easing=name, duration_s=0.8)
    p.retarget(end, now_s=10.0)
    assert p.target_m == end
    assert p.is_moving(10.4)
    assert p.distance_m(10.8) == end
    assert p.velocity(10.8) == 0.0
    assert not p.is_moving(10.8)
    assert p.distance_m(50.0) == end


def test_spring_settles_within_a_tenth_of_a_percent_in_duration():
    p = FocusPuller(1.0, easing="spring", duration_s=0.8)
    p.retarget(4.0, now_s=0.0)
    step = diopters(1.0) - diopters(4.0)
    remaining = abs(p.diopters(0.8) - diopters(4.0))
    assert remaining <= 1e-3 * step * (1 + 1e-9)
    assert remaining > 0.5e-3 * step  # "about" the duration, not much sooner
    assert p.is_moving(0.8)
    assert not p.is_moving(5.0)
    assert p.distance_m(5.0) == pytest.approx(4.0, rel=1e-6)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(("start", "end"), [(1.0, 4.0), (4.0, 0.2), (0.3, math.inf)])
def test_no_overshoot_and_monotonic_from_rest(name, start, end):
    p = FocusPuller(start, easing=name, duration_s=1.0)
    p.retarget(end, now_s=0.0)
    lo, hi = sorted((diopters(start), diopters(end)))
    values = [p.diopters(t) for t in _times(0.0, 3.0)]
    assert all(lo <= v <= hi for v in values)
    sign = 1.0 if diopters(end) > diopters(start) else -1.0
    steps = [sign * (b - a) for a, b in zip(values, values[1:], strict=False)]
    assert all(s >= 0.0 for s in steps)


@pytest.mark.parametrize("name", ALL)
def test_reported_velocity_matches_finite_difference(name):
    p = FocusPuller(0.7, easing=name, duration_s=1.2)
    p.retarget(3.0, now_s=0.0)
    p.retarget(0.4, now_s=0.5)  # a segment with a carried initial velocity
    h = 1e-6
    for t in _times(0.51, 1.65, 57):
        numeric = (p.diopters(t + h) - p.diopters(t - h)) / (2 * h)
        assert p.velocity(t) == pytest.approx(numeric, rel=1e-4, abs=1e-4)
        assert p.sample(t)[1] == p.velocity(t)


C1_CURVES = ["ease-in-out-cubic", "smoothstep", "spring"]


def _retarget_mid_pull(first, second, new_target, h=1e-6, t_r=0.4):
    """Diopters at t_r − 2h, t_r − h (old pull) and t_r + h, t_r + 2h (new pull), and the
    velocity at t_r before the retarget."""
    p = FocusPuller(0.5, easing=first, duration_s=1.0)
    p.retarget(3.0, now_s=0.0)
    before = [p.diopters(t_r - 2 * h), p.diopters(t_r - h)]
    v_before = p.velocity(t_r)
    assert abs(v_before) > 0.1  # really mid-pull, carrying velocity
    p.retarget(new_target, now_s=t_r, easing=second, duration_s=0.7)
    after = [p.diopters(t_r + h), p.diopters(t_r + 2 * h)]
    # No jump: values 2h apart differ by about 2h·(the larger) velocity.
    speed = max(abs(v_before), abs(p.velocity(t_r + h)))
    assert abs(after[0] - before[1]) < 4 * h * speed + 1e-9
    assert p.distance_m(t_r + 5.0) == new_target
    assert not p.is_moving(t_r + 5.0)
    return p, before, after, v_before


@pytest.mark.parametrize("second", C1_CURVES)
@pytest.mark.parametrize("first", ALL)
@pytest.mark.parametrize("new_target", [5.0, 0.25, math.inf])
def test_retarget_mid_pull_is_c1(first, second, new_target):
    h, t_r = 1e-6, 0.4
    p, before, after, v_before = _retarget_mid_pull(first, second, new_target, h, t_r)
    # No kink: one-sided finite differences and the reported velocities agree.
    fd_before = (before[1] - before[0]) / h
    fd_after = (after[1] - after[0]) / h
    assert fd_after == pytest.approx(fd_before, rel=1e-3, abs=1e-3)
    assert p.velocity(t_r) == pytest.approx(v_before, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("first", ALL)
def test_retarget_into_linear_is_continuous_at_constant_speed(first):
    h, t_r = 1e-6, 0.4
    p, before, after, _ = _retarget_mid_pull(first, "linear", 5.0, h, t_r)
    speed = (diopters(5.0) - before[1]) / 0.7
    assert p.velocity(t_r + 0.1) == pytest.approx(speed, rel=1e-5)
    assert p.velocity(t_r + 0.6) == pytest.approx(speed, rel=1e-5)


def test_spring_snaps_onto_target_with_a_tiny_step_and_stays():
    p = FocusPuller(0.3, easing="spring", duration_s=0.5)
    p.retarget(2.0, now_s=0.0)
    p.retarget(0.8, now_s=0.2)  # carried velocity away from the new target
    times = _times(0.2, 4.0, 20000)
    moving = [p.is_moving(t) for t in times]
    settled_at = moving.index(False)
    assert not any(moving[settled_at:])  # once finished, it stays finished
    assert p.distance_m(times[settled_at]) == 0.8
    last = p.diopters(times[settled_at - 1])
    assert abs(last - diopters(0.8)) < 1e-5
    assert times[settled_at] > 0.2 + 0.5


def test_interpolation_is_in_diopters():
    p = FocusPuller(1.0, easing="linear", duration_s=1.0)
    p.retarget(4.0, now_s=0.0)
    assert p.distance_m(0.5) == pytest.approx(1.0 / ((1.0 + 0.25) / 2.0), rel=1e-12)
    assert p.distance_m(0.5) == pytest.approx(1.6)
    assert p.velocity(0.5) == pytest.approx(0.25 - 1.0)


def test_focus_at_infinity():
    assert diopters(math.inf) == 0.0
    assert distance_from_diopters(0.0) == math.inf
    assert distance_from_diopters(diopters(2.5)) == pytest.approx(2.5)
    p = FocusPuller(math.inf)
    assert p.distance_m(0.0) == math.inf
    p.retarget(2.0, now_s=1.0)
    assert p.distance_m(1.0) == math.inf
    assert p.distance_m(2.0) == 2.0


def test_zero_duration_jumps():
    for name in ALL:
        p = FocusPuller(1.0, easing=name)
        p.retarget(3.0, now_s=0.0)
        p.retarget(5.0, now_s=0.3, duration_s=0.0)
        assert p.sample(0.3) == (5.0, 0.0)
        assert not p.is_moving(0.3)
    p = FocusPuller(1.0, duration_s=0.0)
    p.retarget(2.0, now_s=1.0)
    assert p.sample(1.0) == (2.0, 0.0)


def test_set_immediately_stops_the_pull():
    p = FocusPuller(1.0)
    p.retarget(3.0, now_s=0.0)
    p.set_immediately(0.6)
    assert p.sample(0.5) == (0.6, 0.0)
    assert not p.is_moving(0.5)
    assert p.target_m == 0.6


def test_nudge_moves_target_and_clamps():
    p = FocusPuller(2.0, easing="smoothstep", duration_s=0.5)
    p.retarget(1.0, now_s=0.0)
    p.nudge(0.5, now_s=0.2)  # relative to the target (1 D), not the current value
    assert p.target_m == pytest.approx(1.0 / 1.5)
    assert p.diopters(0.7) == pytest.approx(1.5)
    p.nudge(-100.0, now_s=1.0)
    assert p.target_m == math.inf
    p.nudge(1000.0, now_s=2.0)
    assert p.target_m == pytest.approx(MIN_FOCUS_DISTANCE_M)
    assert p.diopters(3.0) == pytest.approx(MAX_DIOPTERS)


def test_too_close_distance_is_clamped():
    p = FocusPuller(MIN_FOCUS_DISTANCE_M / 5)
    assert p.distance_m(0.0) == pytest.approx(MIN_FOCUS_DISTANCE_M)
    p.retarget(MIN_FOCUS_DISTANCE_M / 50, now_s=0.0)
    assert p.target_m == pytest.approx(MIN_FOCUS_DISTANCE_M)


def test_carried_velocity_stops_at_infinity():
    p = FocusPuller(1.0, easing="linear", duration_s=0.2)
    p.retarget(100.0, now_s=0.0)  # fast towards infinity
    p.retarget(math.inf, now_s=0.19, easing="smoothstep", duration_s=2.0)
    for t in _times(0.19, 3.0, 500):
        d, _ = p.sample(t)
        assert d > 0.0
        assert p.diopters(t) >= 0.0


@pytest.mark.parametrize("bad", [-1.0, 0.0, math.nan, -math.inf])
def test_bad_distances_raise(bad):
    with pytest.raises(ValueError, match="distance"):
        FocusPuller(bad)
    p = FocusPuller(1.0)
    with pytest.raises(ValueError, match="distance"):
        p.retarget(bad, now_s=0.0)
    with pytest.raises(ValueError, match="distance"):
        p.set_immediately(bad)
    with pytest.raises(ValueError, match="distance"):
        diopters(bad)


def test_unknown_easing_lists_valid_names():
    with pytest.raises(ValueError, match="smoothstep") as info:
        ease("bounce", 0.5)
    assert "ease-in-out-cubic" in str(info.value)
    with pytest.raises(ValueError, match="bounce"):
        ease_derivative("bounce", 0.5)
    with pytest.raises(ValueError, match="valid easings"):
        FocusPuller(1.0, easing="bounce")
    with pytest.raises(ValueError, match="valid easings"):
        FocusPuller(1.0).retarget(2.0, now_s=0.0, easing="bounce")


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf])
def test_bad_durations_raise(bad):
    with pytest.raises(ValueError, match="duration_s"):
        FocusPuller(1.0, duration_s=bad)
    with pytest.raises(ValueError, match="duration_s"):
        FocusPuller(1.0).retarget(2.0, now_s=0.0, duration_s=bad)


def test_other_bad_inputs_raise():
    p = FocusPuller(1.0)
    with pytest.raises(ValueError, match="now_s"):
        p.retarget(2.0, now_s=math.nan)
    with pytest.raises(ValueError, match="now_s"):
        p.sample(math.inf)
    with pytest.raises(ValueError, match="delta_diopters"):
        p.nudge(math.nan, now_s=0.0)
    with pytest.raises(ValueError, match="diopters"):
        distance_from_diopters(-1.0)
    with pytest.raises(ValueError, match="t must be finite"):
        ease("linear", math.nan)
