"""Atomic file writes: a crash or Ctrl+C mid-write never leaves a half-written file.

Each writer writes a temporary file beside the target, flushes it to disk, then renames
it over the target (rename is atomic on POSIX and Windows).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import imageio.v3 as iio
import numpy as np

from dofviewer.errors import DofError


def atomic_write_bytes(path: str | Path, data: bytes):
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise DofError(f"{path}: folder '{folder}' does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str):
    atomic_write_bytes(path, text.encode("utf-8"))


def write_png(path: str | Path, image: np.ndarray):
    atomic_write_bytes(path, iio.imwrite("<bytes>", image, extension=".png"))


def write_npy(path: str | Path, array: np.ndarray):
    buffer = io.BytesIO()
    np.save(buffer, array)
    atomic_write_bytes(path, buffer.getvalue())


def unused_path(folder: str | Path, stem: str, suffix: str) -> Path:
    """``stem-0001.suffix`` with the first number not taken: screenshots never overwrite."""
    folder = Path(folder)
    n = 1
    while (candidate := folder / f"{stem}-{n:04d}{suffix}").exists():
        n += 1
    return candidate
