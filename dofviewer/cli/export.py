"""``dofviewer export``: a timeline rendered headless to MP4, GIF or numbered PNGs.

Frame k shows the timeline sampled at exactly k / fps, so the same timeline gives the
same frames (bit-identical PNGs on the same machine). Files are written to a temporary
name and renamed when complete; an existing output is never overwritten unless asked.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import imageio.v2 as imageio_v2

from dofviewer.cli.gif import write_gif
from dofviewer.errors import DofError
from dofviewer.fileio import write_png
from dofviewer.render.headless import HeadlessRenderer
from dofviewer.shot.timeline import TimelineSampler, load_timeline_and_scene

VIDEO_SUFFIXES = (".mp4", ".gif")


def output_kind(output: str) -> str:
    path = Path(output)
    if output.endswith(("/", os.sep)) or path.is_dir() or not path.suffix:
        return "frames"
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise DofError(f"-o: {output}: expected .mp4, .gif or a folder for PNG frames")
    return path.suffix.lower()[1:]


def frame_count(duration_s: float, fps: float) -> int:
    """Frames at 0, 1/fps, ... up to and including the timeline's end."""
    return int(duration_s * fps + 1e-9) + 1


def check_output(output: str, kind: str, size, overwrite: bool):
    path = Path(output)
    if kind == "frames":
        if path.exists() and any(path.glob("frame_*.png")) and not overwrite:
            raise DofError(f"-o: {output} already holds frames; use --overwrite to replace them")
        if not path.parent.is_dir():
            raise DofError(f"-o: folder '{path.parent}' does not exist")
        return
    if path.exists() and not overwrite:
        raise DofError(f"-o: {output} exists; use --overwrite to replace it")
    if not path.parent.is_dir():
        raise DofError(f"-o: folder '{path.parent}' does not exist")
    if kind == "mp4" and (size[0] % 2 or size[1] % 2):
        raise DofError(
            f"--size: H.264 in yuv420p needs an even width and height, got {size[0]}x{size[1]}"
        )


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, total: int, stream=sys.stderr, width=30):
        self.total, self.stream, self.width = total, stream, width
        self.start = time.perf_counter()

    def update(self, done: int):
        filled = int(self.width * done / self.total)
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\rexport [{bar}] {done}/{self.total} frames, {rate:.1f} fps")
        if done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def export(timeline_path, output: str, fps: float = 30.0, size=(640, 360), overwrite=False,
           progress=True) -> dict:  # fmt: skip
    timeline, scene = load_timeline_and_scene(timeline_path, aspect=size[0] / size[1])
    kind = output_kind(output)
    check_output(output, kind, size, overwrite)
    total = frame_count(timeline.duration_s, fps)
    sampler = TimelineSampler(timeline, scene)
    bar = Progress(total) if progress else None
    started = time.perf_counter()
    with HeadlessRenderer(size) as renderer:

        def frames():
            for k in range(total):
                frame = renderer.render(scene, settings=sampler.sample(k / fps))
                if bar:
                    bar.update(k + 1)
                yield frame.image

        if kind == "frames":
            _write_frames(Path(output), frames())
            kept = total
        else:
            kept = _write_video(Path(output), kind, frames(), fps)
    elapsed = time.perf_counter() - started
    return {"frames": total, "kept": kept, "fps": fps, "seconds": elapsed,
            "render_fps": total / elapsed}  # fmt: skip


def _write_frames(folder: Path, frames):
    folder.mkdir(exist_ok=True)
    for old in folder.glob("frame_*.png"):
        old.unlink()
    for k, image in enumerate(frames):
        write_png(folder / f"frame_{k:05d}.png", image)


def _write_video(path: Path, kind: str, frames, fps: float) -> int:
    """Write an MP4 or GIF; returns the frames the file holds (a GIF merges holds)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.fchmod(fd, 0o644)
    os.close(fd)
    try:
        if kind == "mp4":
            writer = imageio_v2.get_writer(
                tmp, format="FFMPEG", mode="I", fps=fps, codec="libx264",
                pixelformat="yuv420p", quality=8, macro_block_size=2,
                ffmpeg_log_level="error",
            )  # fmt: skip
            kept = 0
            with writer:
                for image in frames:
                    writer.append_data(image)
                    kept += 1
        else:
            kept = write_gif(tmp, frames, fps)
        os.replace(tmp, path)
        return kept
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
