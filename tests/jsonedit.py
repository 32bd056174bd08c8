"""Editing a JSON test fixture one field at a time, for the bad-input tables."""

from __future__ import annotations

import json

#: Pass as the value to delete the field instead.
REMOVE = object()


def edited_json(data: dict, path: tuple, value) -> str:
    """JSON text of a deep copy of ``data`` with the field at ``path`` set (or removed)."""
    copy = json.loads(json.dumps(data))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if value is REMOVE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return json.dumps(copy)
