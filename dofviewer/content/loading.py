"""Pick a model loader by extension and load each file once.

A scene may place the same model many times, and the viewer reloads nothing on a redraw:
loaded models are kept by resolved path, size and modification time, so an edited file
is read again and an unchanged one is not.
"""

from __future__ import annotations

import stat as stat_module
import sys
from pathlib import Path

from dofviewer.content.model import Model
from dofviewer.errors import ModelError

MODEL_EXTENSIONS = (".gltf", ".glb", ".obj")

_loaded: dict[tuple, Model] = {}


def is_model_path(path) -> bool:
    return Path(str(path)).suffix.lower() in MODEL_EXTENSIONS


def load_model(path, *, quiet: bool = False) -> Model:
    """Load a .gltf, .glb or .obj file; warnings are printed once, on first load."""
    path = Path(path)
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in MODEL_EXTENSIONS:
        raise ModelError(source, f"not a model file (expected {', '.join(MODEL_EXTENSIONS)})")
    try:
        stat = path.stat()
    except OSError as exc:
        raise ModelError(source, f"cannot read model ({exc.strerror})") from None
    if not stat_module.S_ISREG(stat.st_mode):  # a FIFO would hang, /dev/zero fill memory
        raise ModelError(source, "cannot read model (not a regular file)")
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _loaded:
        return _loaded[key]
    if suffix == ".obj":
        from dofviewer.content.obj import load_obj

        model = load_obj(path)
    else:
        from dofviewer.content.gltf import load_gltf

        model = load_gltf(path)
    if not quiet:
        for warning in model.warnings:
            print(f"dofviewer: warning: {warning}", file=sys.stderr)
    _loaded[key] = model
    return model
