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

    def number(self, table, key, where, default=REQUIRED, *, above=None, at_least=None):
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        here = join(where, key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(here, f"must be a number, got {kind_of(value)}")
        if not math.isfinite(value):
            self.fail(here, f"must be finite, got {value}")
        if above is not None and not value > above:
            self.fail(here, f"must be > {above:g}, got {value:g}")
        if at_least is not None and not value >= at_least:
            self.fail(here, f"must be >= {at_least:g}, got {value:g}")
        return float(value)

    def vector(self, table, key, where, default=REQUIRED, *, length=3, above=None, at_least=None):
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        here = join(where, key)
        if not isinstance(value, list) or len(value) != length:
            self.fail(here, f"must be a list of {length} numbers, got {kind_of(value)}")
        items = {str(i): v for i, v in enumerate(value)}
        return tuple(
            self.number(items, str(i), here, above=above, at_least=at_least) for i in range(length)
        )

    def choice(self, table, key, where, options, default=REQUIRED) -> str:
        value, missing = self.get(table, key, where, default)
        if missing:
            return default
        if value not in options:
            self.fail(
                join(where, key), f"must be one of {', '.join(options)}; got {json.dumps(value)}"
            )
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
    return {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), repr(value)
    )
