"""Screenshot-test manifests: TOML → validated cases. Pure Python, no GL.

A manifest (documented in README.md, "Screenshot tests") has an optional top-level
``golden_dir``, a ``[defaults]`` table and one ``[[case]]`` table per case::

    golden_dir = "goldens"          # beside the manifest (the default)

    [defaults]
    scene = "shot.json"             # relative to the manifest, or a bundled name
    size = "320x180"
    tolerance = { mean = 0.25, failed = 0.001, ssim = 0.995 }

    [[case]]
    name = "near"
    focus = "ball"                  # an object name, or metres
    f_stop = 2.8
    tags = ["portrait"]

Every problem raises a :class:`ManifestError` naming the file and the field
(``case[2].f_stop``), which the command line prints as one line before exiting with 2.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dofviewer.content.jsonreader import REQUIRED, JsonReader, join, kind_of
from dofviewer.errors import SceneError
from dofviewer.measurement.compare import SAME_RENDERER, Tolerance
from dofviewer.shot.lens import blade_count_problem

#: Fields a case may have; [defaults] takes the same, but ``name``.
CASE_FIELDS = ("name", "scene", "camera", "focus", "time_s", "f_stop", "focal_length_mm",
               "blades", "size", "quality", "tolerance", "tags")  # fmt: skip
TOLERANCE_FIELDS = ("mean", "rms", "failed", "max", "ssim", "threshold")
TOP_FIELDS = ("golden_dir", "defaults", "case")
DEFAULT_SIZE = (320, 180)
QUALITIES = ("final", "preview")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ManifestError(SceneError):
    """A manifest is malformed: the file, the field and the problem, in one line."""


@dataclass(frozen=True)
class Case:
    """One screenshot: what to render and how closely it must match its golden."""

    name: str
    scene: str  # as written: a path relative to the manifest, or a bundled name
    focus: str | float | None = None  # an object name or metres; None: the scene's own
    time_s: float | None = None  # set: ``scene`` is a timeline, sampled at this time
    camera: str | None = None  # a model's camera, by name
    f_stop: float | None = None
    focal_length_mm: float | None = None
    blades: int | None = None
    size: tuple[int, int] = DEFAULT_SIZE
    quality: str = "final"
    tolerance: Tolerance = SAME_RENDERER
    tags: tuple[str, ...] = ()

    def settings(self) -> dict:
        """What decides the image, for the golden's sidecar and the report."""
        out = {"scene": self.scene, "size": f"{self.size[0]}x{self.size[1]}",
               "quality": self.quality}  # fmt: skip
        for key in ("focus", "time_s", "camera", "f_stop", "focal_length_mm", "blades"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class Manifest:
    path: Path
    golden_dir: Path
    cases: tuple[Case, ...] = field(default_factory=tuple)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def golden_path(self, case: Case) -> Path:
        return self.golden_dir / f"{case.name}.png"

    def select(self, expression: str | None) -> list[Case]:
        """The cases ``-k EXPR`` selects (all when None); see :func:`keyword_matcher`."""
        if not expression:
            return list(self.cases)
        matches = keyword_matcher(expression)
        return [case for case in self.cases if matches(case)]


def load_manifest(path: str | Path) -> Manifest:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(str(path), "", f"cannot read manifest ({exc.strerror})") from None
    return parse_manifest(text, path)


def parse_manifest(text: str, path: Path) -> Manifest:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(str(path), "", f"not valid TOML: {exc}") from None
    return _Reader(str(path)).manifest(data, Path(path))


class _Reader(JsonReader):
    error = ManifestError
    object_kind = "a table"

    def manifest(self, data: dict, path: Path) -> Manifest:
        self.table(data, "", TOP_FIELDS)
        golden_dir = self.string(data, "golden_dir", "", default="goldens")
        defaults = self.table(data.get("defaults", {}), "defaults", CASE_FIELDS[1:])
        base = self.fields(defaults, "defaults", SAME_RENDERER)
        items = data.get("case", [])
        if not isinstance(items, list) or not items:
            self.fail("case", "needs at least one [[case]] table")
        cases, seen = [], set()
        for i, item in enumerate(items):
            where = f"case[{i}]"
            item = self.table(item, where, CASE_FIELDS)
            name = self.string(item, "name", where)
            if not NAME_PATTERN.match(name):
                self.fail(join(where, "name"), f"must be letters, digits, '.', '-', '_' "
                          f"(it names the golden file), got '{name}'")  # fmt: skip
            if name in seen:
                self.fail(join(where, "name"), f"'{name}' is used by an earlier case")
            seen.add(name)
            values = {**base, **self.fields(item, where, base["tolerance"])}
            if "scene" not in values:
                self.fail(join(where, "scene"), "is required (here or in [defaults])")
            if values.get("time_s") is not None and values.get("focus") is not None:
                self.fail(join(where, "focus"), "a timeline case (time_s) takes its focus "
                          "from the timeline")  # fmt: skip
            cases.append(Case(name=name, **values))
        return Manifest(path, path.parent / golden_dir, tuple(cases))

    def fields(self, table: dict, where: str, tolerance: Tolerance) -> dict:
        """The case fields ``table`` sets (defaults and cases share them)."""
        out = {}
        if "scene" in table:
            out["scene"] = self.string(table, "scene", where)
        if "camera" in table:
            out["camera"] = self.string(table, "camera", where)
        if "focus" in table:
            value = table["focus"]
            if isinstance(value, str) and value:
                out["focus"] = value
            else:
                out["focus"] = self.number(table, "focus", where, above=0)
        for key in ("f_stop", "focal_length_mm"):
            if key in table:
                out[key] = self.number(table, key, where, above=0)
        if "time_s" in table:
            out["time_s"] = self.number(table, "time_s", where, at_least=0)
        if "blades" in table:
            problem = blade_count_problem(table["blades"])
            if problem:
                self.fail(join(where, "blades"), problem)
            out["blades"] = table["blades"]
        if "size" in table:
            out["size"] = self.size(table, where)
        if "quality" in table:
            out["quality"] = self.choice(table, "quality", where, QUALITIES)
        if "tags" in table:
            tags = table["tags"]
            if not isinstance(tags, list) or not all(
                isinstance(t, str) and NAME_PATTERN.match(t) for t in tags
            ):
                self.fail(join(where, "tags"), f"must be a list of words, got {kind_of(tags)}")
            out["tags"] = tuple(tags)
        out["tolerance"] = self.tolerance(table, where, tolerance)
        return out

    def string(self, table, key, where, default=REQUIRED) -> str:
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        if not isinstance(value, str) or not value:
            self.fail(join(where, key), f"must be a non-empty string, got {kind_of(value)}")
        return value

    def size(self, table, where) -> tuple[int, int]:
        value = table["size"]
        match = re.fullmatch(r"(\d+)x(\d+)", value) if isinstance(value, str) else None
        w, h = (int(v) for v in match.groups()) if match else (0, 0)
        if not (1 <= w <= 16384 and 1 <= h <= 16384):
            self.fail(join(where, "size"), f'must be WIDTHxHEIGHT like "320x180", got {value!r}')
        return w, h

    def tolerance(self, table, where, base: Tolerance) -> Tolerance:
        if "tolerance" not in table:
            return base
        here = join(where, "tolerance")
        limits = self.table(table["tolerance"], here, TOLERANCE_FIELDS)
        changes = {key: self.number(limits, key, here, at_least=0) for key in limits}
        if changes.get("failed", 0) > 1 or changes.get("ssim", 0) > 1:
            key = "failed" if changes.get("failed", 0) > 1 else "ssim"
            self.fail(join(here, key), f"must be 0..1, got {changes[key]:g}")
        if "threshold" in changes:
            changes["threshold"] = int(changes["threshold"])
        return base.with_(**changes)


def manifest_to_toml(manifest: Manifest) -> str:
    """The manifest as TOML, every case written out in full (defaults applied); parsing
    it again gives the same cases."""
    lines = [f"golden_dir = {_toml(_relative(manifest.golden_dir, manifest.folder))}", ""]
    for case in manifest.cases:
        lines.append("[[case]]")
        lines.append(f"name = {_toml(case.name)}")
        for key in CASE_FIELDS[1:]:
            value = getattr(case, key)
            if key == "size":
                value = f"{value[0]}x{value[1]}"
            elif key == "tolerance":
                value = value.to_dict()
            elif key == "tags":
                value = list(value)
            if value is not None:
                lines.append(f"{key} = {_toml(value)}")
        lines.append("")
    return "\n".join(lines)


def _relative(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


# -- -k EXPR ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z0-9._-]+)")


def keyword_matcher(expression: str):
    """A predicate on cases for ``-k EXPR``, as pytest's: words joined by ``and``, ``or``,
    ``not`` and parentheses. A word matches a case whose name contains it or that has it
    as a tag. Raises DofError on a malformed expression."""
    from dofviewer.errors import DofError

    tokens, pos = [], 0
    while pos < len(expression.rstrip()):
        found = _TOKEN.match(expression, pos)
        if not found:
            raise DofError(f"-k: cannot read {expression[pos:].strip()!r} in {expression!r}")
        tokens.append(found.group(1))
        pos = found.end()

    def parse_or(i):
        node, i = parse_and(i)
        while i < len(tokens) and tokens[i] == "or":
            right, i = parse_and(i + 1)
            node = (lambda a, b: lambda c: a(c) or b(c))(node, right)
        return node, i

    def parse_and(i):
        node, i = parse_not(i)
        while i < len(tokens) and tokens[i] == "and":
            right, i = parse_not(i + 1)
            node = (lambda a, b: lambda c: a(c) and b(c))(node, right)
        return node, i

    def parse_not(i):
        if i < len(tokens) and tokens[i] == "not":
            inner, i = parse_not(i + 1)
            return (lambda c: not inner(c)), i
        if i < len(tokens) and tokens[i] == "(":
            inner, i = parse_or(i + 1)
            if i >= len(tokens) or tokens[i] != ")":
                raise DofError(f"-k: missing ')' in {expression!r}")
            return inner, i + 1
        if i >= len(tokens) or tokens[i] in ("and", "or", ")"):
            raise DofError(f"-k: expected a word in {expression!r}")
        word = tokens[i]
        return (lambda c: word in c.name or word in c.tags), i + 1

    predicate, end = parse_or(0)
    if end != len(tokens):
        raise DofError(f"-k: unexpected {tokens[end]!r} in {expression!r}")
    return predicate
