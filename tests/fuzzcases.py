"""A seeded, structure-aware fuzzer for scene files, timelines and options (issue 16).

Each case is a file (or an option list) made from a valid one by a mutation that knows
the format: a field removed, added or given the wrong type, an extreme number (1e308,
5e-324, an integer of 400 digits, NaN), a long list, deep nesting, or bad bytes (Latin-1,
UTF-16, a flipped byte, a cut-off file). Each runs through the command line's own code
path, ``dofviewer.cli.main``, in-process:

* a scene through ``pull SCENE --from 2 --to 3`` (loads and checks it, renders nothing);
* a timeline through ``export TIMELINE -o EXISTING.mp4``: a timeline that loads reaches
  the output check and is refused there (``-o: ... exists``), so nothing renders;
* options through ``pull`` and ``export`` the same way.

The outcome of each is ``accepted`` (exit 0, or for a timeline the output check's
refusal), ``rejected`` (exit 2 and one line), or ``failure`` (a traceback, another exit
status, more than one line). ``tests/test_fuzz.py`` asserts there are no failures;
``scripts/fuzz.py`` prints the counts.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXTREMES = [1e308, -1e308, 5e-324, -5e-324, 0, -0.0, 1e-300, 10**400, -(10**400), 1e20, -1,
            2**63, 0.5, 64.5, 1e6 + 1, "NaN", "Infinity", "-Infinity"]  # fmt: skip
WRONG_TYPES = ["text", "", [], [1, 2], {}, {"x": 1}, None, True, False]
#: Beyond every physical range (README "Limits"): a file holding one of these in place
#: of a number must be refused; accepting it is the "garbage or NaN, no message" failure.
NEVER_VALID = (1e308, -1e308, 10**400, -(10**400), 1e20, 2**63, "NaN", "-Infinity")

TIMELINE = {
    "format": "dofviewer-timeline",
    "version": 1,
    "scene": "demo",
    "duration_s": 3.0,
    "start": {"focus_distance_m": 2.0, "f_stop": 2.8},
    "keyframes": [
        {"time_s": 0.5, "kind": "focus", "distance_m": 6.0, "easing": "smoothstep",
         "duration_s": 0.5},
        {"time_s": 1.0, "kind": "lens", "f_stop": 4.0, "aperture_blades": 6},
        {"time_s": 1.2, "kind": "tracking", "on": True, "target": "ball",
         "offset": [0, 0, 0]},
        {"time_s": 1.5, "kind": "tracking", "on": False},
        {"time_s": 2.0, "kind": "camera", "position": [0, 1.2, 4], "look_at": [0, 1, 0]},
        {"time_s": 2.5, "kind": "focus", "distance_m": None},
    ],
}  # fmt: skip


@dataclass
class Case:
    name: str
    kind: str  # "scene", "timeline" or "options"
    data: bytes = b""
    args: tuple = ()
    must_reject: bool = False


def _paths(value, here=()):
    """Every position in a JSON tree, as key paths."""
    yield here
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*here, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*here, i))


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _set(tree, path, value):
    _get(tree, path[:-1])[path[-1]] = value


def _dumps(tree) -> bytes:
    """JSON with NaN and Infinity where the mutation asked for them (as Python writes)."""
    text = json.dumps(tree)
    for word in ("NaN", "Infinity", "-Infinity"):
        text = text.replace(f'"{word}"', word)
    return text.encode()


def _mutate_raw(rng: random.Random, base) -> tuple:
    tree = copy.deepcopy(base)
    paths = [p for p in _paths(tree) if p]
    path = rng.choice(paths)
    how = rng.choice(["number", "number", "number", "type", "remove", "extra", "bytes",
                      "long", "deep", "valid"])  # fmt: skip
    where = ".".join(map(str, path))
    if how == "number":
        value = rng.choice(EXTREMES)
        was = _get(tree, path)
        _set(tree, path, value)
        number = isinstance(was, int | float) and not isinstance(was, bool)
        return f"{where}={str(value)[:12]}", _dumps(tree), number and value in NEVER_VALID
    if how == "type":
        value = rng.choice(WRONG_TYPES)
        _set(tree, path, value)
        return f"{where}:{type(value).__name__}", _dumps(tree)
    if how == "remove":
        del _get(tree, path[:-1])[path[-1]]
        return f"-{where}", _dumps(tree)
    if how == "extra":
        parent = _get(tree, path[:-1])
        if isinstance(parent, dict):
            parent[rng.choice(["colour", "extra", "f_stops", "Name"])] = 1
        else:
            parent.append(rng.choice(EXTREMES + WRONG_TYPES))
        return f"+{where}", _dumps(tree)
    if how == "long":
        parent = _get(tree, path[:-1])
        if isinstance(parent, list) and parent:
            parent.extend([parent[-1]] * rng.choice([1_000, 20_000]))
            return f"long {where}", _dumps(tree)
        _set(tree, path, [0.0] * 100_000)
        return f"long {where}", _dumps(tree)
    if how == "deep":
        depth = rng.choice([100, 5_000, 100_000])
        return f"deep {depth}", b'{"objects": ' + b"[" * depth + b"]" * depth + b"}"
    if how == "bytes":
        data = bytearray(_dumps(tree))
        which = rng.choice(["latin1", "utf16", "flip", "cut", "random", "nul"])
        if which == "latin1":
            return "latin-1", json.dumps(tree).replace('"', '"\u00e9', 1).encode("latin-1")
        if which == "utf16":
            return "utf-16", json.dumps(tree).encode("utf-16")
        if which == "flip":
            i = rng.randrange(len(data))
            data[i] ^= 0x80 | (1 << rng.randrange(7))
            return f"flip byte {i}", bytes(data)
        if which == "cut":
            return "cut", bytes(data[: rng.randrange(len(data))])
        if which == "nul":
            return "nul", bytes(data[:10]) + b"\0" + bytes(data[10:])
        return "random", rng.randbytes(rng.randrange(1, 4000))
    # "valid": a number nudged within any sane range (still a valid file, most often)
    value = _get(tree, path)
    if isinstance(value, float | int) and not isinstance(value, bool):
        _set(tree, path, value * rng.uniform(0.9, 1.1))
    return f"nudge {where}", _dumps(tree)


def _mutate(rng: random.Random, base) -> tuple[str, bytes, bool]:
    """(name, file, whether it must be refused)."""
    name, data, *must = _mutate_raw(rng, base)
    return name, data, bool(must and must[0])


def cases(seed: int = 16, scenes: int = 200, timelines: int = 150) -> list[Case]:
    rng = random.Random(seed)
    scene_bases = [json.loads((ROOT / "assets" / f"{name}.json").read_text())
                   for name in ("demo", "tracking")]  # fmt: skip
    found = [Case("demo as is", "scene", _dumps(scene_bases[0])),
             Case("timeline as is", "timeline", _dumps(TIMELINE))]  # fmt: skip
    for i in range(scenes):
        name, data, must = _mutate(rng, rng.choice(scene_bases))
        found.append(Case(f"scene {i}: {name}", "scene", data, must_reject=must))
    for i in range(timelines):
        name, data, must = _mutate(rng, TIMELINE)
        found.append(Case(f"timeline {i}: {name}", "timeline", data, must_reject=must))
    found += [Case(f"options: {' '.join(a)}", "options", args=a) for a in OPTIONS]
    return found


OPTIONS = [
    ("pull", "--from", "2", "--to", "3", "--duration", "1e308"),
    ("pull", "--from", "2", "--to", "3", "--duration", "nan"),
    ("pull", "--from", "2", "--to", "3", "--hold", "-1"),
    ("pull", "--from", "2", "--to", "3", "--f-stop", "1e308"),
    ("pull", "--from", "2", "--to", "3", "--f-stop", "1e-300"),
    ("pull", "--from", "2", "--to", "1e308"),
    ("pull", "--from", "0", "--to", "3"),
    ("pull", "--from", "nan", "--to", "3"),
    ("pull", "--from", "2", "--to", "3", "--easing", "bouncy"),
    ("pull", "--from", "2", "--to", "3", "--camera", "7"),
    ("pull", "--from", "2", "--to", "3"),
    ("export", "TIMELINE", "--fps", "1e308"),
    ("export", "TIMELINE", "--fps", "0.001"),
    ("export", "TIMELINE", "--fps", "-3"),
    ("export", "TIMELINE", "--size", "100000x100000"),
    ("export", "TIMELINE", "--size", "0x0"),
    ("export", "TIMELINE", "--size", "99999999999999999999x2"),
    ("render", "--samples", "0"),
    ("render", "--exposure", "1e308"),
    ("render", "--exposure", "inf"),
    ("render", "--focal-length", "1e-300"),
    ("render", "--focus-distance", "1e308"),
    ("render", "--blades", "2"),
    ("render", "--supersample", "9"),
    ("render", "NO/SUCH/FILE.json"),
    ("render", "x" * 5000 + ".json"),
    ("bench", "--frames", "0"),
    ("render", "--supersample", "2", "--msaa", "3"),
]

#: Run as real subprocesses (``tests/test_fuzz.py``), with a timeout: the special files
#: hang or fill memory where they are not refused at once, and the sample counts render
#: without bound.
SUBPROCESS = [
    ("render", "/dev/zero", "-o", "{tmp}/x.png"),
    ("render", "{fifo}", "-o", "{tmp}/x.png"),
    ("render", "{tmp}", "-o", "{tmp}/x.png"),
    ("export", "{latin1}", "-o", "{tmp}/x.mp4"),
    ("plot", "/dev/urandom", "-o", "{tmp}/x.png"),
    ("render", "--samples", "1000000000", "-o", "{tmp}/x.png"),
    ("quality", "--samples", "1000000000"),
    ("render", "--size", "8300x200", "-o", "{tmp}/x.png"),
]


def run_case(case: Case, folder: Path) -> tuple[str, str]:
    """(outcome, what was printed) for one case, through ``dofviewer.cli.main``."""
    from dofviewer.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    existing = folder / "existing.mp4"
    existing.write_bytes(b"old")
    if case.kind == "scene":
        source = folder / "scene.json"
        source.write_bytes(case.data)
        args = ["pull", str(source), "--from", "2", "--to", "3", "-o", str(folder / "p.json"),
                "--overwrite"]  # fmt: skip
    elif case.kind == "timeline":
        source = folder / "timeline.json"
        source.write_bytes(case.data)
        args = ["export", str(source), "-o", str(existing), "--size", "64x36"]
    else:
        timeline = folder / "timeline.json"
        timeline.write_bytes(_dumps(TIMELINE))
        args = [str(timeline) if a == "TIMELINE" else a for a in case.args]
        if args[0] in ("pull", "render"):
            args += ["-o", str(folder / ("p.json" if args[0] == "pull" else "x.png"))]
        if args[0] == "pull":
            args.append("--overwrite")
        if args[0] == "export":
            args += ["-o", str(existing)]
        if args[0] == "render":  # stop before GL: an existing output, no --overwrite
            (folder / "x.png").write_bytes(b"old")
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
    except SystemExit as exc:  # argparse
        code = exc.code
    except BaseException as exc:  # noqa: BLE001 - the failure being counted
        return "failure", f"{type(exc).__name__}: {str(exc)[:200]}"
    text = err.getvalue().strip()
    lines = [line for line in text.splitlines() if line]
    if code == 0 or (code == 2 and case.kind != "scene" and "-o: " in text
                     and "exists" in text):  # fmt: skip
        if case.must_reject:
            return "failure", f"accepted out of range: {text[-150:]}"
        return "accepted", text[-200:]
    if code == 2 and len(lines) == 1 and "Traceback" not in text:
        return "rejected", text[:200]
    return "failure", f"exit {code}: {text[:300]}"
