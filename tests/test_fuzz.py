"""Seeded fuzzing (issue 16): a few hundred mutated scenes, timelines and option sets,
each refused in one line with exit 2 or loaded cleanly; none a traceback, a hang or an
out-of-range value accepted. tests/fuzzcases.py makes and runs the cases;
scripts/fuzz.py prints the counts."""

import os
import subprocess
import sys
import time

import pytest
from fuzzcases import SUBPROCESS, cases, run_case


def test_fuzzed_inputs_are_refused_in_one_line_or_load(tmp_path):
    started = time.monotonic()
    outcomes = {"rejected": 0, "accepted": 0, "failure": 0}
    failures = []
    for i, case in enumerate(cases(seed=16, scenes=200, timelines=150)):
        outcome, text = run_case(case, tmp_path / str(i))
        outcomes[outcome] += 1
        if outcome == "failure":
            failures.append(f"{case.name[:80]}: {text[:200]}")
    assert not failures, "\n".join(failures)
    assert outcomes["rejected"] > 250 and outcomes["accepted"] > 20, outcomes
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("args", SUBPROCESS, ids=lambda a: " ".join(a)[:40])
def test_special_inputs_are_refused_at_once_in_a_real_process(tmp_path, args):
    fifo = tmp_path / "scene.json"
    os.mkfifo(fifo)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(b'{"format": "dofviewer-timeline", "scene": "d\xe9mo"}')
    names = {"tmp": tmp_path, "fifo": fifo, "latin1": latin1}
    command = [a.format(**names) for a in args]
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "dofviewer", *command], capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dofviewer"), result.stderr
    assert time.monotonic() - started < 60
    assert not (tmp_path / "x.png").exists()
