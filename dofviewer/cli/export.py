"""``dofviewer export``: a timeline rendered headless to MP4, GIF or numbered PNGs.

Frame k shows the timeline sampled at exactly k / fps, so the same timeline gives the
same frames (bit-identical PNGs on the same machine). Files are written to a temporary
name and renamed when complete; an existing output is never overwritten unless asked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

from dofviewer import fileio
from dofviewer.cli.gif import write_gif
from dofviewer.errors import DofError
from dofviewer.render.gl.targets import offline_supersample
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.shot.lens import MAX_EXPORT_FRAMES
from dofviewer.shot.timeline import TimelineSampler, load_timeline_and_scene

VIDEO_SUFFIXES = (".mp4", ".gif")


def output_kind(output: str) -> str:
    path = Path(output)
    if fileio.writes_directly(path) and path.suffix.lower() not in VIDEO_SUFFIXES:
        raise DofError(f"-o: {output} is not a regular file; name an .mp4, a .gif or a folder")
    if path.suffix.lower() in VIDEO_SUFFIXES and path.is_dir():
        raise DofError(f"-o: {output} is a folder; name a file (or a folder without "
                       f"{path.suffix} for PNG frames)")  # fmt: skip
    if output.endswith(("/", os.sep)) or path.is_dir() or not path.suffix:
        return "frames"
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise DofError(f"-o: {output}: expected .mp4, .gif or a folder for PNG frames")
    return path.suffix.lower()[1:]


def frame_count(duration_s: float, fps: float) -> int:
    """Frames at 0, 1/fps, ... up to and including the timeline's end."""
    return int(duration_s * fps + 1e-9) + 1


def check_output(output: str, kind: str, size, overwrite: bool):
    """Refuse, before anything is rendered, an output that cannot be written or must not
    be replaced."""
    path = Path(output)
    if kind == "frames":
        if path.exists() and not path.is_dir():
            raise DofError(f"-o: {output} is not a folder")
        if path.is_dir() and any(path.glob("frame_*.png")) and not overwrite:
            raise DofError(f"-o: {output} already holds frames; use --overwrite to replace them")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise DofError(f"-o: folder '{folder}' does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise DofError(f"-o: folder '{folder}' is not writable")
        return
    fileio.check_output(path, "-o", overwrite)
    if kind == "mp4" and (size[0] % 2 or size[1] % 2):
        raise DofError(
            f"--size: H.264 in yuv420p needs an even width and height, got {size[0]}x{size[1]}"
        )


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, stream=None, width=30):
        # sys.stderr looked up now, not at import: it may have been replaced since
        self.total, self.stream, self.width = total, stream or sys.stderr, width
        self.start = time.perf_counter()

    def update(self, done: int):
        filled = int(self.width * done / self.total)
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rexport [{bar}] {done}/{self.total} frames, {rate:.1f} fps")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()
        self.done = done

    def end_line(self):
        if 0 < getattr(self, "done", 0) < self.total:
            self.stream.write("\n")
            self.stream.flush()


def export(timeline_path, output: str, fps: float = 30.0, size=None, overwrite=False,
           progress=True) -> dict:  # fmt: skip
    """``size`` None: 640x360, or a photo's own size."""
    width, height = size or (16, 9)
    timeline, scene = load_timeline_and_scene(timeline_path, aspect=width / height)
    if size is None:
        size = scene.photo.size if scene.photo is not None else (640, 360)
    kind = output_kind(output)
    check_output(output, kind, size, overwrite)
    total = frame_count(timeline.duration_s, fps)
    if total > MAX_EXPORT_FRAMES:
        raise DofError(f"{timeline.duration_s:g} s at {fps:g} fps is {total} frames; one export "
                       f"writes at most {MAX_EXPORT_FRAMES} (lower --fps)")  # fmt: skip
    sampler = TimelineSampler(timeline, scene)
    bar = Progress(total) if progress else None
    started = time.perf_counter()
    with HeadlessRenderer(size, supersample=offline_supersample(size)) as renderer:

        def frames():
            for k in range(total):
                frame = renderer.render(scene, settings=sampler.sample(k / fps))
                if bar:
                    bar.update(k + 1)
                yield frame.image

        try:
            if kind == "frames":
                _write_frames(Path(output), frames())
                kept = total
            else:
                kept = _write_video(Path(output), kind, frames(), fps)
        except BaseException:
            if bar:
                bar.end_line()  # the error or interrupt message then has its own line
            raise
    elapsed = time.perf_counter() - started
    return {"frames": total, "kept": kept, "fps": fps, "seconds": elapsed,
            "render_fps": total / elapsed, "size": size}  # fmt: skip


def _write_frames(folder: Path, frames):
    """Into a temporary folder beside ``folder``, which replaces it once complete."""
    with fileio.atomic_folder(folder) as tmp:
        for k, image in enumerate(frames):
            (tmp / f"frame_{k:05d}.png").write_bytes(fileio.image_bytes(image, ".png"))


def _write_video(path: Path, kind: str, frames, fps: float) -> int:
    """A temporary file beside ``path``, renamed over it only once the encoder has
    finished cleanly (a character device or FIFO, such as /dev/null, is written
    directly). Returns the frames the file holds (a GIF merges identical ones)."""
    if fileio.writes_directly(path):
        return _encode(path, kind, frames, fps)
    with fileio.atomic_file(path) as tmp:
        return _encode(tmp, kind, frames, fps)


def _encode(target: Path, kind: str, frames, fps: float) -> int:
    if kind == "gif":
        return write_gif(target, frames, fps)
    return _write_mp4(target, frames, fps)


def _write_mp4(target: Path, frames, fps: float) -> int:
    """H.264 through imageio-ffmpeg's ffmpeg, driven here so its exit status and messages
    are checked: a full disk or a rate ffmpeg refuses is an error, never a truncated file
    reported as written. ffmpeg runs in its own session, so Ctrl+C reaches only us, and
    we stop it."""
    import imageio_ffmpeg

    process, broken, written = None, False, 0
    try:
        for image in frames:
            if process is None:
                height, width = image.shape[:2]
                command = [
                    imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error",
                    "-f", "rawvideo", "-vcodec", "rawvideo", "-s", f"{width}x{height}",
                    "-pix_fmt", "rgb24", "-r", str(Fraction(fps).limit_denominator(1001)),
                    "-i", "-", "-an", "-vcodec", "libx264", "-pix_fmt", "yuv420p",
                    "-crf", "10", "-f", "mp4", str(target),
                ]  # fmt: skip
                process = subprocess.Popen(command, stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                           start_new_session=True)  # fmt: skip
            try:
                process.stdin.write(image.tobytes())
                written += 1
            except BrokenPipeError:
                broken = True  # ffmpeg has stopped: its status and message say why
                break
        if process is None:
            raise DofError("export: no frames to encode")
        try:
            process.stdin.close()
        except BrokenPipeError:
            broken = True
        message = process.stderr.read().decode("utf-8", "replace")
        status = process.wait()
    except BaseException:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        raise
    problem = " ".join(message.split())[:200]
    if status != 0 or broken:
        how = (f"killed by {signal.Signals(-status).name}" if status < 0
               else f"exit status {status}")  # fmt: skip
        raise DofError(f"-o: ffmpeg failed ({how}): {problem or 'no message'}")
    if not fileio.writes_directly(target) and not _has_movie_box(target):
        raise DofError(f"-o: ffmpeg wrote an incomplete MP4 ({problem or 'no moov box'})")
    return written


def _has_movie_box(path: Path) -> bool:
    """Whether an MP4 holds its index (the moov box): a truncated one does not play."""
    with open(path, "rb") as f:
        while header := f.read(8):
            if len(header) < 8:
                return False
            size, box = int.from_bytes(header[:4], "big"), header[4:]
            if box == b"moov":
                return True
            if size == 1:
                size = int.from_bytes(f.read(8), "big") - 8
            elif size == 0:
                return False
            f.seek(size - 8, os.SEEK_CUR)
    return False
