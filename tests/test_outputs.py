"""Outputs are written whole or not at all (issue 16): every fault leaves the old file as
it was and no partial new one, and Ctrl+C or SIGTERM during an export stops at once.

The fault matrix: render PNG, export MP4 / GIF / PNG folder, plot, pull × an existing
output without --overwrite, a folder where a file goes, a missing or unwritable folder, a
full disk (RLIMIT_FSIZE), an encoder that fails, SIGINT and SIGTERM part way.
"""

import os
import resource
import signal
import subprocess
import sys
import time

import imageio.v3 as iio
import numpy as np
import pytest

from dofviewer.cli import main
from dofviewer.fileio import TEMP_MARK, atomic_file, atomic_folder, png16_bytes

FAST = ["--size", "64x36"]


def dofviewer(*args, cwd=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "dofviewer", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd,
                          **kwargs)  # fmt: skip


def run(capsys, *args) -> tuple[int, str]:
    """The command line in-process (the same code path as the subprocess), for what fails
    before a GL context is made: conftest's session context is the only one a test
    process may make (a second one leaves the session's no longer current)."""
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def rendered(*args) -> tuple[int, str]:
    """The command line in a subprocess, for what renders."""
    result = dofviewer(*args)
    return result.returncode, result.stderr


def one_line_exit_2(code, err):
    """Exit 2 and one message line (after export's progress bar, if any)."""
    assert code == 2, err
    lines = [line for line in err.strip().splitlines() if not line.startswith("export [")]
    assert len(lines) == 1 and lines[0].startswith("dofviewer"), err
    assert "Traceback" not in err


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*") if TEMP_MARK in p.name)


@pytest.fixture(scope="module")
def pull_json(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pull")
    code = main(["pull", "--from", "2", "--to", "8", "--duration", "0.4", "--hold", "0.1",
                 "-o", str(folder / "pull.json")])  # fmt: skip
    assert code == 0
    return folder / "pull.json"


# -- render ------------------------------------------------------------------------------


def test_render_refuses_to_overwrite_without_the_flag(tmp_path, capsys, headless):
    out = tmp_path / "x.png"
    out.write_bytes(b"old")
    one_line_exit_2(*run(capsys, "render", "-o", out, *FAST))
    assert out.read_bytes() == b"old"
    assert rendered("render", "-o", out, *FAST, "--overwrite")[0] == 0
    assert iio.imread(out).shape == (36, 64, 3)
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("flag", ["-o", "--linear-out", "--depth-out"])
def test_render_checks_every_output_before_writing_any(tmp_path, capsys, flag):
    (tmp_path / "dir.npy").mkdir()
    (tmp_path / "dir.png").mkdir()
    paths = {"-o": tmp_path / "x.png", "--linear-out": tmp_path / "l.npy",
             "--depth-out": tmp_path / "d.npy"}  # fmt: skip
    paths[flag] = tmp_path / ("dir.png" if flag == "-o" else "dir.npy")
    args = [a for f, p in paths.items() for a in (f, p)]
    code, err = run(capsys, "render", *args, *FAST)
    one_line_exit_2(code, err)
    assert "is a folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.npy", "dir.png"]


def test_render_format_follows_the_extension(tmp_path, capsys, headless):
    assert rendered("render", "-o", tmp_path / "x.jpg", *FAST)[0] == 0
    assert (tmp_path / "x.jpg").read_bytes()[:3] == b"\xff\xd8\xff"  # JPEG, not PNG
    assert rendered("render", "-o", tmp_path / "x16.png", "--bit-depth", "16", *FAST)[0] == 0
    data = (tmp_path / "x16.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[24] == 16  # bit depth in IHDR
    code, err = run(capsys, "render", "-o", tmp_path / "x.tiff", *FAST)
    one_line_exit_2(code, err)
    code, err = run(capsys, "render", "-o", tmp_path / "x.jpg", "--bit-depth", "16", *FAST)
    one_line_exit_2(code, err)


def test_exr_is_written_by_a_real_writer_or_refused(tmp_path, capsys, headless):
    code, err = rendered("render", "-o", tmp_path / "x.exr", *FAST)
    if code == 0:
        assert iio.imread(tmp_path / "x.exr").dtype == np.float32
    else:
        one_line_exit_2(code, err)
        assert "EXR" in err and not (tmp_path / "x.exr").exists()


def test_png16_round_trips():
    image = (np.arange(2 * 3 * 3).reshape(2, 3, 3) * 3000).astype(np.uint16)
    import struct
    import zlib

    data = png16_bytes(image)
    start = data.index(b"IDAT")
    size = struct.unpack(">I", data[start - 4 : start])[0]
    raw = np.frombuffer(zlib.decompress(data[start + 4 : start + 4 + size]), np.uint8)
    rows = raw.reshape(2, 1 + 18)[:, 1:].copy().view(">u2").reshape(2, 3, 3)
    assert np.array_equal(rows, image)


def test_a_device_is_written_in_place_never_replaced(capsys, headless):
    assert rendered("render", "-o", os.devnull, *FAST)[0] == 0
    assert os.path.exists(os.devnull) and not os.path.isfile(os.devnull)


def test_a_fifo_nobody_reads_is_refused_without_waiting(tmp_path, capsys, headless):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    started = time.monotonic()
    one_line_exit_2(*rendered("render", "-o", fifo, *FAST))
    assert time.monotonic() - started < 30


# -- the helpers' faults -----------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_file(out) as tmp:  # noqa: PT012
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert out.read_bytes() == b"old" and not leftovers(tmp_path)


def test_a_folder_is_replaced_only_once_complete(tmp_path):
    out = tmp_path / "frames"
    out.mkdir()
    (out / "frame_00000.png").write_bytes(b"old")
    with pytest.raises(KeyboardInterrupt), atomic_folder(out) as tmp:  # noqa: PT012
        (tmp / "frame_00000.png").write_bytes(b"new")
        raise KeyboardInterrupt
    assert [p.read_bytes() for p in out.iterdir()] == [b"old"] and not leftovers(tmp_path)
    with atomic_folder(out) as tmp:
        (tmp / "frame_00000.png").write_bytes(b"new")
    assert [p.read_bytes() for p in out.iterdir()] == [b"new"] and not leftovers(tmp_path)


def test_a_folder_with_other_files_keeps_them(tmp_path):
    out = tmp_path / "frames"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    for k in range(3):
        (out / f"frame_{k:05d}.png").write_bytes(b"old")
    with atomic_folder(out) as tmp:
        (tmp / "frame_00000.png").write_bytes(b"new")
    assert sorted(p.name for p in out.iterdir()) == ["frame_00000.png", "notes.txt"]
    assert (out / "frame_00000.png").read_bytes() == b"new"


# -- export, plot, pull ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.mp4", "out.gif"])
def test_export_refuses_a_folder_named_as_a_video(pull_json, tmp_path, capsys, name):
    (tmp_path / name).mkdir()
    code, err = run(capsys, "export", pull_json, "-o", tmp_path / name, *FAST, "--overwrite")
    one_line_exit_2(code, err)
    assert "is a folder" in err and not any((tmp_path / name).iterdir())


def old_output(tmp_path, name: str):
    """An export's earlier output: a file, or (``frames``) a folder with one frame."""
    out = tmp_path / name
    if name == "frames":
        out.mkdir()
        (out / "frame_00000.png").write_bytes(b"old")
    else:
        out.write_bytes(b"old")
    return out


def assert_old_output_kept(out, tmp_path):
    old = out / "frame_00000.png" if out.is_dir() else out
    assert old.read_bytes() == b"old" and not leftovers(tmp_path)


@pytest.mark.parametrize("name", ["out.mp4", "out.gif", "frames"])
def test_export_without_overwrite_keeps_the_old_output(pull_json, tmp_path, capsys, name):
    out = old_output(tmp_path, name)
    one_line_exit_2(*run(capsys, "export", pull_json, "-o", out, *FAST))
    assert_old_output_kept(out, tmp_path)


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize("name", ["out.mp4", "out.gif", "frames"])
def test_a_full_disk_fails_in_one_line_and_keeps_the_old_output(pull_json, tmp_path, name):
    """RLIMIT_FSIZE stands in for a full disk: writes past 4 KB fail (EFBIG)."""
    out = old_output(tmp_path, name)
    result = dofviewer("export", pull_json, "-o", out, "--size", "128x72", "--overwrite",
                       preexec_fn=_limit_file_size)  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("dofviewer: error:"), result.stderr
    assert "Traceback" not in result.stderr and "wrote" not in result.stderr
    assert_old_output_kept(out, tmp_path)
    if name == "frames":
        assert [p.name for p in out.iterdir()] == ["frame_00000.png"]


FAILING_FFMPEG = """
import subprocess, sys
from dofviewer.cli import export, main
real = subprocess.Popen
def failing(command, **kwargs):  # an option ffmpeg rejects, as it did --fps 1e-7
    return real([*command[:-1], "-crf", "nonsense", command[-1]], **kwargs)
export.subprocess.Popen = failing
sys.exit(main(sys.argv[1:]))
"""


def test_mp4_that_ffmpeg_refuses_is_an_error_not_a_file(pull_json, tmp_path):
    out = tmp_path / "out.mp4"
    out.write_bytes(b"old")
    result = subprocess.run([sys.executable, "-c", FAILING_FFMPEG, "export", str(pull_json),
                             "-o", str(out), *FAST, "--overwrite"],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    one_line_exit_2(result.returncode, result.stderr)
    assert "ffmpeg failed" in result.stderr and "wrote" not in result.stderr
    assert out.read_bytes() == b"old" and not leftovers(tmp_path)


@pytest.mark.parametrize("command", ["plot", "pull"])
def test_plot_and_pull_refuse_a_folder_and_keep_files(pull_json, tmp_path, capsys, command):
    args = (["plot", pull_json] if command == "plot"
            else ["pull", "--from", "2", "--to", "3"])  # fmt: skip
    target = tmp_path / ("curve.png" if command == "plot" else "p.json")
    target.mkdir()
    one_line_exit_2(*run(capsys, *args, "-o", target))
    target.rmdir()
    target.write_bytes(b"old")
    one_line_exit_2(*run(capsys, *args, "-o", target))
    assert target.read_bytes() == b"old"
    assert run(capsys, *args, "-o", target, "--overwrite")[0] == 0
    assert target.read_bytes() != b"old" and not leftovers(tmp_path)


# -- interrupts --------------------------------------------------------------------------


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("name", ["out.mp4", "frames"])
def test_interrupt_stops_within_a_second_and_leaves_nothing(tmp_path, signum, status, name,
                                                            headless):  # fmt: skip
    long_pull = tmp_path / "long.json"
    assert main(["pull", "--from", "2", "--to", "8", "--duration", "60", "--hold", "1",
                 "-o", str(long_pull)]) == 0  # fmt: skip
    out = old_output(tmp_path, name)
    process = subprocess.Popen(
        [sys.executable, "-m", "dofviewer", "export", str(long_pull), "-o", str(out),
         "--size", "64x36", "--overwrite"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Wait until frames are being rendered (the progress bar has started).
    deadline = time.monotonic() + 120
    seen = ""
    while "frames" not in seen and time.monotonic() < deadline:
        seen += process.stderr.read(1)
    sent = time.monotonic()
    process.send_signal(signum)
    rest = process.communicate(timeout=60)[1]
    took = time.monotonic() - sent
    assert process.returncode == status, seen + rest
    assert took < 1.0, took
    last = rest.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("dofviewer: interrupted by"), rest
    assert "Traceback" not in rest
    assert_old_output_kept(out, tmp_path)
    if name == "frames":
        assert [p.name for p in out.iterdir()] == ["frame_00000.png"]
