"""What each ``dofviewer`` sub-command does, once its options are parsed."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from dofviewer.content.scene import Scene, bundled_scenes, load_scene
from dofviewer.errors import DofError
from dofviewer.fileio import write_npy, write_png
from dofviewer.render.renderer import FrameSettings
from dofviewer.shot.easing import MIN_FOCUS_DISTANCE_M


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


def render_command(args) -> int:
    from dofviewer.render.headless import HeadlessRenderer

    scene = load_scene(args.scene, aspect=args.size[0] / args.size[1], camera=args.camera)
    settings = settings_from_options(scene, args)
    for flag, path in (
        ("-o", args.output),
        ("--linear-out", args.linear_out),
        ("--depth-out", args.depth_out),
    ):
        if path is not None and not Path(path).parent.is_dir() and str(Path(path).parent):
            raise DofError(f"{flag}: folder '{Path(path).parent}' does not exist")
    if args.samples < 1:
        raise DofError(f"--samples: must be >= 1, got {args.samples}")
    with HeadlessRenderer(args.size, supersample=args.supersample, msaa=args.msaa) as renderer:
        frame = renderer.render(
            scene,
            focus_on=args.focus_on,
            settings=settings,
            dof=not args.no_dof,
            reference_samples=args.samples if args.reference else 0,
        )
    write_png(args.output, frame.image)
    if args.linear_out:
        write_npy(args.linear_out, frame.linear)
    if args.depth_out:
        write_npy(args.depth_out, frame.depth)
    s = frame.settings
    print(
        f"wrote {args.output} ({args.size[0]}x{args.size[1]}, focus {s.focus_distance_m:.3f} m, "
        f"{s.lens.focal_length_mm:g} mm f/{s.lens.f_stop:g}"
        f"{'' if s.dof else ', no DOF'}"
        f"{f', reference {args.samples} samples' if args.reference else ''})",
        file=sys.stderr,
    )
    return 0


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
    if output.exists() and not args.overwrite:
        raise DofError(f"-o: {output} exists; use --overwrite to replace it")
    if not output.parent.is_dir():
        raise DofError(f"-o: folder '{output.parent}' does not exist")
    scene = load_scene(args.scene, camera=args.camera)
    marks = [("--from", args.start)] + [("--to", stop) for stop in args.stops]
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
    merged = result["frames"] - result["kept"]
    kept = (
        f"; the GIF keeps {result['kept']} ({merged} identical frames merged into the one "
        "before, same running time)" if merged else ""
    )
    print(
        f"wrote {args.output}: rendered {result['frames']} frames at {result['fps']:g} fps "
        f"({result['render_fps']:.1f} frames rendered per second){kept}",
        file=sys.stderr,
    )
    return 0


def plot_command(args) -> int:
    from dofviewer.cli.plot import plot_timeline
    from dofviewer.shot.timeline import load_timeline_and_scene

    timeline, scene = load_timeline_and_scene(args.timeline)
    if not Path(args.output).parent.is_dir() and str(Path(args.output).parent):
        raise DofError(f"-o: folder '{Path(args.output).parent}' does not exist")
    plot_timeline(timeline, scene, args.output, title=f"{Path(args.timeline).name}")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def play_command(args) -> int:
    from dofviewer.shot.timeline import load_timeline_and_scene
    from dofviewer.viewer.app import run_player

    timeline, scene = load_timeline_and_scene(args.timeline, aspect=args.size[0] / args.size[1])
    return run_player(timeline, scene, args.size, args.state_file)
