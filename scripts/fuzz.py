"""Run the seeded fuzzer (tests/fuzzcases.py) and print its counts; ``-v`` lists failures.

    python scripts/fuzz.py [--seed 16] [--scenes 200] [--timelines 150] [-v] [--tree DIR]

``--tree`` measures another source tree (another commit, checked out) with the same
cases; by default this one.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
_tree = sys.argv[sys.argv.index("--tree") + 1] if "--tree" in sys.argv else str(ROOT)
sys.path.insert(0, _tree)  # before the installed dofviewer

import fuzzcases as fuzz  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--scenes", type=int, default=200)
    parser.add_argument("--timelines", type=int, default=150)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--tree", help="the source tree to measure (this one)")
    args = parser.parse_args()
    counts = collections.Counter()
    failures = []
    import dofviewer

    print(f"dofviewer from {Path(dofviewer.__file__).parent}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(fuzz.cases(args.seed, args.scenes, args.timelines)):
            outcome, text = fuzz.run_case(case, Path(tmp) / str(i))
            counts[case.kind, outcome] += 1
            if outcome == "failure":
                failures.append((case.name, text))
    total = sum(counts.values())
    print(f"{total} cases in {time.perf_counter() - started:.1f} s")
    for kind in ("scene", "timeline", "options"):
        row = {o: counts[kind, o] for o in ("rejected", "accepted", "failure")}
        print(f"  {kind:9s} " + ", ".join(f"{v} {k}" for k, v in row.items()))
    print("  all       " + ", ".join(
        f"{sum(counts[k, o] for k in ('scene', 'timeline', 'options'))} {o}"
        for o in ("rejected", "accepted", "failure")))  # fmt: skip
    kinds = collections.Counter(text.split(":")[0][:40] for _, text in failures)
    for kind, n in kinds.most_common():
        print(f"  failure class {kind}: {n}")
    if args.verbose:
        for name, text in failures:
            print(f"FAIL {name[:80]}: {text[:300]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
