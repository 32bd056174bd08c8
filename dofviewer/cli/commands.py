"""What each ``dofviewer`` sub-command does, once its options are parsed."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from dofviewer.content.scene import Scene, bundled_scenes, load_scene
from dofviewer.errors import DofError
from dofviewer.fileio import (
    IMAGE_SUFFIXES,
    atomic_write_bytes,
    check_output,
    exr_writer_problem,
    image_bytes,
    npy_bytes,
    writes_directly,
)
from dofviewer.render.renderer import FrameSettings
from dofviewer.shot.easing import MIN_FOCUS_DISTANCE_M
from dofviewer.shot.lens import range_problem


def settings_from_options(scene: Scene, args) -> FrameSettings:
    """The scene's own camera, with the lens and focus options the user gave applied."""
    settings = FrameSettings.from_scene(scene)
    lens_changes = {
        field: value
        for field, value in (
            ("f_stop", args.f_stop),
            ("focal_length_mm", args.focal_length),
            ("aperture_blades", args.blades),
        )
        if value is not None
    }
    lens = settings.lens.with_(**lens_changes)
    settings = settings.with_(lens=lens)
    if getattr(args, "exposure", None) is not None:
        if not math.isfinite(args.exposure):
            raise DofError("--exposure: must be finite")
        settings = settings.with_(exposure_ev=args.exposure)
    if args.focus_distance is not None:
        settings = settings.with_(focus_distance_m=args.focus_distance)
    check_focus_distance("--focus-distance", settings.focus_distance_m)
    return settings


def check_focus_distance(flag: str, distance_m: float):
    """Focus may be as close as the viewer's closest focus (5 mm), inside the focal length
    too: the lens model keeps the framing fixed (see dofviewer.shot.lens), as a model's
    authored cameras need (the toy car's stand 1 cm from it with a 29 mm lens)."""
    if not distance_m >= MIN_FOCUS_DISTANCE_M:
        raise DofError(
            f"{flag}: must be at least {MIN_FOCUS_DISTANCE_M:g} m (the closest focus), "
            f"got {distance_m:g}"
        )
    problem = range_problem("focus_distance_m", distance_m)  # and at most 10 km, or inf
    if problem:
        raise DofError(f"{flag}: {problem}")


def render_command(args) -> int:
    from dofviewer.render.headless import HeadlessRenderer, display_16bit

    check_render_outputs(args)
    scene = load_scene(args.scene, aspect=args.size[0] / args.size[1], camera=args.camera)
    settings = settings_from_options(scene, args)
    with HeadlessRenderer(args.size, supersample=args.supersample, msaa=args.msaa) as renderer:
        frame = renderer.render(
            scene,
            focus_on=args.focus_on,
            settings=settings,
            dof=not args.no_dof,
            reference_samples=args.samples if args.reference else 0,
        )
    suffix = Path(args.output).suffix.lower() or ".png"
    if suffix == ".exr":
        image = frame.linear
    elif args.bit_depth == 16:
        image = display_16bit(frame.linear, frame.settings.exposure_ev)
    else:
        image = frame.image
    # Everything encoded before anything is written: a failure leaves no output half-made.
    data = {args.output: image_bytes(image, suffix)}
    if args.linear_out:
        data[args.linear_out] = npy_bytes(frame.linear)
    if args.depth_out:
        data[args.depth_out] = npy_bytes(frame.depth)
    for path, payload in data.items():
        atomic_write_bytes(path, payload)
    s = frame.settings
    print(
        f"wrote {args.output} ({args.size[0]}x{args.size[1]}, focus {s.focus_distance_m:.3f} m, "
        f"{s.lens.focal_length_mm:g} mm f/{s.lens.f_stop:g}"
        f"{'' if s.dof else ', no DOF'}"
        f"{f', reference {args.samples} samples' if args.reference else ''})",
        file=sys.stderr,
    )
    return 0


def check_render_outputs(args) -> None:
    """Every file ``render`` will write, checked before anything is rendered: its folder,
    its format, the overwrite policy, and that no two are the same file."""
    suffix = Path(args.output).suffix.lower()
    if not suffix and writes_directly(args.output):
        suffix = ".png"  # /dev/stdout, a FIFO: PNG, written in place
    if suffix not in IMAGE_SUFFIXES:
        raise DofError(f"-o: {args.output}: expected {', '.join(IMAGE_SUFFIXES)}")
    if args.bit_depth == 16 and suffix != ".png":
        raise DofError(f"--bit-depth 16: only for .png, not {suffix}")
    if suffix == ".exr" and (problem := exr_writer_problem()):
        raise DofError(f"-o: {problem}")
    outputs = [("-o", args.output), ("--linear-out", args.linear_out),
               ("--depth-out", args.depth_out)]  # fmt: skip
    seen = {}
    for flag, path in outputs:
        if path is None:
            continue
        check_output(path, flag, args.overwrite)
        key = os.path.abspath(path)
        if key in seen:
            raise DofError(f"{flag}: {path} is also {seen[key]}'s file")
        seen[key] = flag


def view_command(args) -> int:
    from dofviewer.viewer.app import run_viewer

    if not Path(args.screenshot_dir).is_dir():
        raise DofError(f"--screenshot-dir: folder '{args.screenshot_dir}' does not exist")
    record_file = args.record_file
    if record_file and not Path(record_file).resolve().parent.is_dir():
        raise DofError(f"--record-file: folder '{Path(record_file).parent}' does not exist")
    return run_viewer(args.scene, args.size, args.state_file, args.screenshot_dir, record_file,
                      args.record, args.supersample, not args.no_preview, args.msaa,
                      args.camera)  # fmt: skip


def quality_command(args) -> int:
    from dofviewer.measurement import quality

    if args.samples < 1:
        raise DofError(f"--samples: must be >= 1, got {args.samples}")
    quality.run(args.size, args.samples, args.out, args.json)
    return 0


def bench_command(args) -> int:
    from dofviewer.measurement import bench

    if args.frames < 1 or args.warmup < 0:
        raise DofError("--frames must be >= 1 and --warmup >= 0")
    bench.run(args.sizes, args.frames, args.warmup, args.timing, args.json,
              qualities=args.quality, scene_path=args.scene)  # fmt: skip
    return 0


def _scene_reference(scene_arg: str | None, output: Path) -> str:
    """How a timeline names its scene: a bundled name ('demo', 'toycar'), or a path
    relative to the timeline's folder."""
    if scene_arg is None:
        return "demo"
    if not Path(scene_arg).exists() and scene_arg in bundled_scenes():
        return scene_arg
    scene_path = Path(scene_arg).resolve()
    try:
        return os.path.relpath(scene_path, output.resolve().parent)
    except ValueError:  # another drive on Windows
        return str(scene_path)


def pull_command(args) -> int:
    from dofviewer.render.headless import HeadlessRenderer
    from dofviewer.shot.timeline import pull_timeline, save_timeline

    output = Path(args.output)
    check_output(output, "-o", args.overwrite)
    scene = load_scene(args.scene, camera=args.camera)
    marks = [("--from", args.start)] + [("--to", stop) for stop in args.stops]
    for flag, value in marks:  # every mark checked before a GL context is made
        if _as_distance(value) is None:
            try:
                scene.index_of(value)
            except KeyError as exc:
                raise DofError(f"{flag}: {exc.args[0]}") from None
        else:
            check_focus_distance(flag, _as_distance(value))
    stops = []
    needs_render = any(_as_distance(value) is None for _, value in marks)
    renderer = HeadlessRenderer((640, 360)) if needs_render else None
    try:
        settings = FrameSettings.from_scene(scene)
        for flag, value in marks:
            distance = _as_distance(value)
            if distance is not None:
                check_focus_distance(flag, distance)
                stops.append((None, distance))
                continue
            try:
                scene.index_of(value)
            except KeyError as exc:
                raise DofError(f"{flag}: {exc.args[0]}") from None
            stops.append((value, renderer.focus_distance_on(scene, settings, value)))
    finally:
        if renderer is not None:
            renderer.release()
    timeline = pull_timeline(
        _scene_reference(args.scene, output), stops, duration_s=args.duration,
        easing=args.easing, hold_s=args.hold, f_stop=args.f_stop, camera=args.camera,
    )  # fmt: skip
    save_timeline(timeline, output)
    path = " -> ".join(f"{name or 'point'} {distance:.2f} m" for name, distance in stops)
    print(f"wrote {output}: {path}, {timeline.duration_s:g} s", file=sys.stderr)
    return 0


def _as_distance(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) or value == math.inf else None


def export_command(args) -> int:
    from dofviewer.cli.export import export

    result = export(args.timeline, args.output, args.fps, args.size, args.overwrite)
    print(
        f"wrote {args.output}: {result['frames']} frames at {result['fps']:g} fps "
        f"({result['render_fps']:.1f} frames rendered per second)",
        file=sys.stderr,
    )
    return 0


def plot_command(args) -> int:
    from dofviewer.cli.plot import plot_timeline
    from dofviewer.shot.timeline import load_timeline_and_scene

    if Path(args.output).suffix.lower() != ".png":
        raise DofError(f"-o: {args.output}: expected a .png")
    check_output(args.output, "-o", args.overwrite)
    timeline, scene = load_timeline_and_scene(args.timeline)
    plot_timeline(timeline, scene, args.output, title=f"{Path(args.timeline).name}")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def play_command(args) -> int:
    from dofviewer.shot.timeline import load_timeline_and_scene
    from dofviewer.viewer.app import run_player

    timeline, scene = load_timeline_and_scene(args.timeline, aspect=args.size[0] / args.size[1])
    return run_player(timeline, scene, args.size, args.state_file)
