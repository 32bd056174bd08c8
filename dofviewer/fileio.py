"""Atomic file writes: a crash or Ctrl+C mid-write never leaves a half-written file.

Each writer writes a temporary file beside the target, flushes it to disk, then renames
it over the target (rename is atomic on POSIX and Windows).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import stat
import struct
import tempfile
import warnings
import zlib
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


#: Every temporary file and folder carries this in its name (``.out.png.dofviewer-tmp-x1y2``),
#: so one left by a SIGKILL is recognisable and never mistaken for output.
TEMP_MARK = ".dofviewer-tmp-"


def _temp_prefix(path: Path) -> str:
    return f".{path.name[:100]}{TEMP_MARK}"


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def writes_directly(path: Path) -> bool:
    """True for an existing character device or FIFO (/dev/null, a pipe to another
    program): written in place, never replaced by a rename. Anything else that is not a
    regular file (a block device, a socket) is refused by :func:`check_output`."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def check_output(path: str | Path, flag: str = "-o", overwrite: bool = True) -> None:
    """Refuse, in one line, an output that cannot be written or must not be replaced:
    run before any rendering, so nothing is half-done when it fails. ``overwrite``: an
    existing regular file may be replaced (once the new one is complete)."""
    path = Path(path)
    name = _short(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise DofError(f"{flag}: {name}: cannot write there ({exc.strerror})") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise DofError(f"{flag}: {name} is a folder; name a file")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
            return  # written directly
        if not stat.S_ISREG(info.st_mode):
            raise DofError(f"{flag}: {name} is not a regular file")
        if not overwrite:
            raise DofError(f"{flag}: {name} exists; use --overwrite to replace it")
    folder = _folder(path)
    if not folder.is_dir():
        raise DofError(f"{flag}: folder '{_short(str(folder))}' does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DofError(f"{flag}: folder '{_short(str(folder))}' is not writable")


def atomic_write_bytes(path: str | Path, data: bytes):
    """Write ``data`` to ``path`` whole or not at all: a temporary file beside it, fsync,
    rename. A character device or FIFO is written directly; every failure is one line."""
    path = Path(path)
    if writes_directly(path):
        _write_directly(path, data)
        return
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def _write_directly(path: Path, data: bytes):
    try:
        # O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of waiting.
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NONBLOCK", 0))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except OSError as exc:
        problem = "no program reads it" if exc.errno == errno.ENXIO else exc.strerror
        raise DofError(f"{_short(str(path))}: cannot write ({problem})") from None


@contextlib.contextmanager
def atomic_file(path: str | Path):
    """Yields a temporary path beside ``path`` to write; when the block ends without an
    error it is flushed to disk and renamed over ``path`` (atomic on POSIX), else
    removed. An OSError (disk full, read-only) becomes one line; the old file is intact."""
    path = Path(path)
    folder = _folder(path)
    if not folder.is_dir():
        raise DofError(f"{_short(str(path))}: folder '{_short(str(folder))}' does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), dir=folder)
    except OSError as exc:
        raise DofError(f"{_short(str(path))}: cannot write ({exc.strerror})") from None
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        yield Path(tmp)
        _fsync_path(tmp)
        os.replace(tmp, path)
        _fsync_path(folder)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DofError(f"{_short(str(path))}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(path: str | Path, pattern: str = "frame_*.png"):
    """Yields a temporary folder beside ``path`` to fill; when the block ends without an
    error it takes the place of ``path``. An old folder holding only ``pattern`` files is
    set aside, replaced and then deleted (so the old frames go only once the new set is
    complete); an old folder holding other files too keeps them, and gets the new files
    each renamed in, then loses the old ``pattern`` files not among the new."""
    path = Path(path)
    folder = _folder(path)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=folder))
    except OSError as exc:
        raise DofError(f"{_short(str(path))}: cannot write ({exc.strerror})") from None
    try:
        yield tmp
        for item in tmp.iterdir():
            _fsync_path(item)
        os.chmod(tmp, 0o777 & ~_umask())
        if not path.exists():
            os.replace(tmp, path)
        elif all(p.match(pattern) for p in path.iterdir()):
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=folder))
            os.replace(path, old / "old")
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            new = {item.name for item in tmp.iterdir()}
            for item in sorted(tmp.iterdir()):
                os.replace(item, path / item.name)
            for stale in path.glob(pattern):
                if stale.name not in new:
                    stale.unlink()
            tmp.rmdir()
        _fsync_path(folder)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DofError(f"{_short(str(path))}: cannot write ({exc.strerror})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fsync_path(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.EBADF):  # folders on some file systems
            raise
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | Path, text: str):
    atomic_write_bytes(path, text.encode("utf-8"))


#: Image formats by extension; ``.exr`` holds linear HDR (float32) where a writer exists.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".exr")


def image_bytes(image: np.ndarray, suffix: str) -> bytes:
    """``image`` encoded for ``suffix``: PNG (8- or 16-bit), JPEG, or EXR (float32)."""
    suffix = suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise DofError(f"cannot write {suffix or 'a file without extension'} images; "
                       f"use {', '.join(IMAGE_SUFFIXES)}")  # fmt: skip
    if suffix == ".png" and image.dtype == np.uint16:
        return png16_bytes(image)
    if suffix == ".exr":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return iio.imwrite("<bytes>", image.astype(np.float32), extension=".exr")
        except Exception as exc:  # imageio raises many kinds where no plugin can
            problem = f"no EXR writer is available here ({type(exc).__name__})"
            raise DofError(f"{problem}; write .png, or --linear-out OUT.npy") from None
    return iio.imwrite("<bytes>", image, extension=suffix)


def png16_bytes(image: np.ndarray) -> bytes:
    """A 16-bit RGB PNG (Pillow writes 16 bits for grey only): rows unfiltered, zlib."""
    height, width, _ = image.shape
    rows = np.ascontiguousarray(image.astype(">u2")).reshape(height, width * 3)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows.view(np.uint8)], 1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6)) + chunk(b"IEND", b""))  # fmt: skip


def exr_writer_problem() -> str | None:
    """Why .exr cannot be written here, or None where it can (tried on a 1×1 image)."""
    try:
        image_bytes(np.zeros((1, 1, 3), np.float32), ".exr")
    except DofError as exc:
        return str(exc)
    return None


def write_image(path: str | Path, image: np.ndarray):
    atomic_write_bytes(path, image_bytes(image, Path(path).suffix))


def write_png(path: str | Path, image: np.ndarray):
    atomic_write_bytes(path, image_bytes(image, ".png"))


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def write_npy(path: str | Path, array: np.ndarray):
    atomic_write_bytes(path, npy_bytes(array))


def unused_path(folder: str | Path, stem: str, suffix: str) -> Path:
    """``stem-0001.suffix`` with the first number not taken: screenshots never overwrite."""
    folder = Path(folder)
    n = 1
    while (candidate := folder / f"{stem}-{n:04d}{suffix}").exists():
        n += 1
    return candidate
