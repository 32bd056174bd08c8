"""What each ``dofviewer`` sub-command does, once its options are parsed."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

from dofviewer.content.scene import Scene, bundled_name, load_scene
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


def named_preset(flag: str, lookup, name: str | None):
    """A lens or sensor named on the command line (dofviewer.shot.presets), None where
    none is; an unknown name is a one-line error naming the option."""
    if not name:
        return None
    try:
        return lookup(name)
    except ValueError as exc:
        raise DofError(f"{flag}: {exc}") from None


def settings_from_options(scene: Scene, args) -> FrameSettings:
    """The scene's own camera, with the lens and focus options the user gave applied."""
    from dofviewer.shot.presets import prime_named, sensor_named

    settings = FrameSettings.from_scene(scene)
    lens_changes = {}
    prime = named_preset("--lens", prime_named, getattr(args, "lens", None))
    if prime:
        lens_changes.update(focal_length_mm=prime.focal_length_mm, f_stop=prime.max_f_stop)
    sensor = named_preset("--sensor", sensor_named, getattr(args, "sensor", None))
    if sensor:
        lens_changes.update(sensor_width_mm=sensor.width_mm, sensor_height_mm=sensor.height_mm)
    lens_changes |= {
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


def photo_options(args):
    """The photo options given (dofviewer.content.photo.PhotoOptions), or None."""
    from dofviewer.content.photo import PhotoOptions

    if not hasattr(args, "depth"):
        return None
    return PhotoOptions(
        depth=args.depth, depth_scale=args.depth_scale, depth_kind=args.depth_kind,
        near=args.near, far=args.far, depth_invalid=args.depth_invalid, fx=args.fx,
        hfov=args.hfov, resize_depth=args.resize_depth,
        highlight_boost=not args.no_highlight_boost,
    )  # fmt: skip


DEFAULT_SIZE = (960, 540)


def load_sized_scene(args) -> tuple[Scene, tuple[int, int]]:
    """The scene the arguments name and the frame size: ``--size``, else a photo's own
    size, else 960x540."""
    size = args.size or DEFAULT_SIZE
    scene = load_scene(args.scene, aspect=size[0] / size[1], camera=args.camera,
                       photo=photo_options(args))  # fmt: skip
    if args.size is None and scene.photo is not None:
        size = scene.photo.size
    return scene, size


def focus_at_pixel(renderer, scene: Scene, settings: FrameSettings, point, size) -> float:
    """``--focus-at X,Y``: the depth the frame shows at that pixel."""
    x, y = point
    if not (0 <= x < size[0] and 0 <= y < size[1]):
        raise DofError(f"--focus-at: {x:g},{y:g} lies outside the {size[0]}x{size[1]} frame")
    renderer.render(scene, settings=settings, dof=False)
    depth = float(renderer.renderer.read_depth()[int(y), int(x)])
    if not math.isfinite(depth):
        raise DofError(f"--focus-at: nothing lies at {x:g},{y:g} (the background)")
    return depth


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
    from dofviewer.render.gl.targets import offline_supersample
    from dofviewer.render.headless import HeadlessRenderer, display_16bit

    check_render_outputs(args)
    scene, size = load_sized_scene(args)
    settings = settings_from_options(scene, args)
    supersample = args.supersample
    if supersample is None:  # the reference integrates each pixel itself: 2 is plenty
        supersample = 2 if args.reference else offline_supersample(size)
    with HeadlessRenderer(size, supersample=supersample, msaa=args.msaa) as renderer:
        if args.focus_at is not None:
            distance = focus_at_pixel(renderer, scene, settings, args.focus_at, size)
            settings = settings.with_(focus_distance_m=distance)
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
        f"wrote {args.output} ({size[0]}x{size[1]}, focus {s.focus_distance_m:.3f} m, "
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
    size = args.size
    if size is None:
        from dofviewer.content.photo import is_photo_path

        size = DEFAULT_SIZE
        if args.scene is not None and is_photo_path(args.scene) and Path(args.scene).is_file():
            from dofviewer.content.photo import read_image

            shape = read_image(args.scene, "image").shape
            size = (shape[1], shape[0])
    return run_viewer(args.scene, size, args.state_file, args.screenshot_dir, record_file,
                      args.record, args.supersample, not args.no_preview, args.msaa,
                      args.camera, photo=photo_options(args))  # fmt: skip


def quality_command(args) -> int:
    from dofviewer.measurement import quality

    if args.samples < 1:
        raise DofError(f"--samples: must be >= 1, got {args.samples}")
    if args.photos:
        from dofviewer.measurement import photo_quality

        photo_quality.run(args.size, args.out, args.json)
        return 0
    quality.run(args.size, args.samples, args.out, args.json)
    return 0


def bench_command(args) -> int:
    from dofviewer.measurement import bench

    if args.frames < 1 or args.warmup < 0:
        raise DofError("--frames must be >= 1 and --warmup >= 0")
    bench.run(args.sizes, args.frames, args.warmup, args.timing, args.json,
              qualities=args.quality, scene_path=args.scene, f_stop=args.f_stop,
              focal_length_mm=args.focal_length)  # fmt: skip
    return 0


def _scene_reference(scene_arg: str | None, output: Path, scene: Scene | None = None,
                     options=None):  # fmt: skip
    """How a timeline names its scene: a bundled name ('demo', 'toycar'), or a path
    relative to the timeline's folder; a photo as {"photo", "depth", options}."""
    if scene is not None and scene.photo is not None:
        from dataclasses import replace

        from dofviewer.content.photo import PhotoScene

        depth = _scene_reference(options.depth, output)
        return PhotoScene(_scene_reference(scene_arg, output), replace(options, depth=depth))
    if scene_arg is None:
        return "demo"
    if bundled_name(scene_arg):
        return bundled_name(scene_arg)
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
    scene = load_scene(args.scene, camera=args.camera, photo=photo_options(args))
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
    size = scene.photo.size if scene.photo is not None else (640, 360)
    renderer = HeadlessRenderer(size) if needs_render else None
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
    reference = _scene_reference(args.scene, output, scene, photo_options(args))
    timeline = pull_timeline(
        reference, stops, duration_s=args.duration,
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

    size = args.size or DEFAULT_SIZE
    timeline, scene = load_timeline_and_scene(args.timeline, aspect=size[0] / size[1])
    if args.size is None and scene.photo is not None:
        size = scene.photo.size
    return run_player(timeline, scene, size, args.state_file)


def check_command(args) -> int:
    from dofviewer.check.manifest import load_manifest
    from dofviewer.check.run import check

    if args.jobs < 1:
        raise DofError(f"--jobs: must be >= 1, got {args.jobs}")
    manifest = load_manifest(args.manifest)
    return check(manifest, keyword=args.keyword, update=args.update, jobs=args.jobs,
                 report_dir=args.report)  # fmt: skip


def lens_command(args) -> int:
    """``dofviewer lens``: the depth-of-field calculator, pure Python."""
    import json

    from dofviewer.shot.dofcalc import depth_of_field, distance_text
    from dofviewer.shot.presets import prime_named, sensor_named

    prime = named_preset("--lens", prime_named, args.lens)
    sensor = named_preset("--sensor", sensor_named, args.sensor)
    focal = args.focal_length or (prime.focal_length_mm if prime else 50.0)
    f_stop = args.f_stop or (prime.max_f_stop if prime else 2.8)
    if args.sensor_width:
        width, height = args.sensor_width, None
    else:
        sensor = sensor or sensor_named("full-frame")
        width, height = sensor.width_mm, sensor.height_mm
    try:
        dof = depth_of_field(focal, f_stop, args.focus_distance, width, height, args.coc_limit)
    except ValueError as exc:
        raise DofError(f"--focus-distance: {exc}") from None
    if args.json:
        print(json.dumps(dof.as_json()))
        return 0
    name = f"{prime.name}: " if prime else ""
    where = sensor.title if sensor else f"{width:g} mm wide sensor"
    infinite = math.isinf(dof.far_limit_m)
    rows = (
        ("lens", f"{name}{focal:g} mm at f/{f_stop:g} on {where}"),
        ("CoC limit", f"{dof.coc_limit_mm:.4f} mm" + ("" if args.coc_limit else
                                                     " (sensor diagonal / 1500)")),
        ("focus", distance_text(dof.focus_distance_m)),
        ("near limit", distance_text(dof.near_limit_m)
         + f"   ({distance_text(dof.in_front_m)} in front)"),
        ("far limit", distance_text(dof.far_limit_m)
         + ("" if infinite else f"   ({distance_text(dof.behind_m)} behind)")),
        ("depth of field", distance_text(dof.depth_of_field_m)),
        ("hyperfocal", distance_text(dof.hyperfocal_m)
         + f"   (focus there: sharp from {distance_text(dof.hyperfocal_m / 2)} to infinity)"),
    )  # fmt: skip
    for label, value in rows:
        print(f"{label:>15}  {value}")
    return 0
