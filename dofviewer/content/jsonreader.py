"""Reading hand-written JSON files field by field, with one-line errors.

Scene files and timelines are both edited by hand, so every check names the file, the
field (``objects[2].radius``) and the problem. :class:`JsonReader` holds the checks both
formats share; each format subclasses it with its own sections and error class.
"""

from __future__ import annotations

import difflib
import json
import math

from dofviewer.errors import DofError
from dofviewer.shot.lens import range_problem

#: Marks a field as required (``None`` can be a legitimate default).
REQUIRED = object()


class JsonReader:
    """Converts and checks values where they are found; ``fail`` raises ``error``."""

    error: type[DofError] = DofError  # subclasses name theirs: (source, field, problem)
    object_kind = "a JSON object"  # what a table is called in the format (TOML: "a table")

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str):
        raise self.error(self.source, where, problem)

    def table(self, value, where: str, known: tuple[str, ...], what: str = "") -> dict:
        if not isinstance(value, dict):
            self.fail(where or "top level", f"must be {self.object_kind}, got {kind_of(value)}")
        for key in value:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.fail(join(where, key), f"unknown field{what}{extra}")
        return value

    def get(self, table, key, where, default):
        """(value, missing); fails if a required field is missing."""
        if key not in table:
            if default is REQUIRED:
                self.fail(join(where, key), "is required")
            return None, True
        return table[key], False

    def number(self, table, key, where, default=REQUIRED, *, above=None, at_least=None,
               rule=None):  # fmt: skip
        """A finite number; ``rule`` names its physical range in lens.LIMITS."""
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        here = join(where, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(here, f"must be a number, got {kind_of(value)}")
        if rule is not None:
            problem = range_problem(rule, value)
            if problem:
                self.fail(here, problem)
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any float
            self.fail(here, f"must be a finite number, got an integer of {len(str(abs(value)))} "
                      "digits")  # fmt: skip
        if not math.isfinite(value):
            self.fail(here, f"must be finite, got {value}")
        if above is not None and not value > above:
            self.fail(here, f"must be > {above:g}, got {value:g}")
        if at_least is not None and not value >= at_least:
            self.fail(here, f"must be >= {at_least:g}, got {value:g}")
        return value

    def vector(self, table, key, where, default=REQUIRED, *, length=3, above=None, at_least=None,
               rule=None):  # fmt: skip
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        here = join(where, key)
        if not isinstance(value, list) or len(value) != length:
            self.fail(here, f"must be a list of {length} numbers, got {kind_of(value)}")
        items = {str(i): v for i, v in enumerate(value)}
        return tuple(
            self.number(items, str(i), here, above=above, at_least=at_least, rule=rule)
            for i in range(length)
        )

    def count(self, items: list, where: str, most: int, what: str):
        """A list no longer than ``most`` (a bound on the time and memory it costs)."""
        if len(items) > most:
            self.fail(where, f"at most {most} {what}, got {len(items)}")

    def choice(self, table, key, where, options, default=REQUIRED) -> str:
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        if not isinstance(value, str) or value not in options:
            self.fail(join(where, key), f"must be one of {', '.join(options)}; got "
                      f"{short_json(value)}")  # fmt: skip
        return value


def json_distance(distance_m: float) -> float | None:
    """A focus distance for a JSON file: JSON has no Infinity, so infinity is null (the
    readers turn null back into infinity)."""
    return None if math.isinf(distance_m) else float(distance_m)


def join(where: str, key: str) -> str:
    """The path of a field: ``objects[2].radius``."""
    if not where:
        return key
    return f"{where}[{key}]" if key.isdigit() else f"{where}.{key}"


def kind_of(value) -> str:
    if value is None:
        return "null"
    if type(value) is int and not -1e300 < value < 1e300:
        return f"an integer of {len(str(abs(value)))} digits"
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), repr(value)
    )


def short_json(value, limit: int = 60) -> str:
    """``value`` as JSON for a one-line message: shortened, never raising."""
    try:
        text = json.dumps(value)
    except (ValueError, TypeError, RecursionError):
        text = kind_of(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def loads(text: str, error, source: str):
    """``json.loads`` with its failures as ``error(source, where, problem)``: invalid JSON,
    and nesting too deep for the parser (a RecursionError)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise error(source, where, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise error(source, "", "invalid JSON: nested too deeply") from None
