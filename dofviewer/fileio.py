"""Atomic file writes: a crash or Ctrl+C mid-write never leaves a half-written file.

Each writer writes a temporary file beside the target, flushes it to disk, then renames
it over the target (rename is atomic on POSIX and Windows).
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from pathlib import Path

import imageio.v3 as iio
import numpy as np

from dofviewer.errors import DofError


def read_text_file(path: str | Path, what: str, error=None) -> str:
    """A UTF-8 text file of at most ``MAX_FILE_BYTES`` (64 MB), read as a regular file
    only: a FIFO, a device (/dev/zero), a folder or a non-UTF-8 file raises
    :class:`DofError` in one line instead of hanging, filling memory or a traceback.
    ``error(source, field, problem)`` makes the error (a SceneError, a TimelineError)."""
    from dofviewer.shot.lens import MAX_FILE_BYTES

    source = _short(str(path))

    def fail(problem):
        return error(source, "", problem) if error else DofError(f"{source}: {problem}")

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise fail(f"cannot read {what} ({kind})")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(f"{what} is larger than the {MAX_FILE_BYTES >> 20} MB limit")
        # O_NONBLOCK: should it have become a FIFO since the stat, open does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise fail(f"cannot read {what} ({exc.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"{what} is larger than the {MAX_FILE_BYTES >> 20} MB limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = f"{what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise fail(problem) from None


def _short(text: str, limit: int = 120) -> str:
    """A path for a one-line message: a 5,000-character name is cut in the middle."""
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 :]}"


def exists(path: str | Path) -> bool:
    """``Path.exists`` that is False, not an OSError, for a name too long to exist."""
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


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
