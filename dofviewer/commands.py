"""What each ``dofviewer`` sub-command does, once its options are parsed."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from dofviewer.errors import DofError
from dofviewer.fileio import write_npy, write_png
from dofviewer.renderer import FrameSettings
from dofviewer.scene import Scene, load_scene


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
    if settings.focus_distance_m <= lens.focal_length_m:
        raise DofError(
            f"--focus-distance: must be beyond the focal length ({lens.focal_length_m:g} m), "
            f"got {settings.focus_distance_m:g}"
        )
    return settings


def render_command(args) -> int:
    from dofviewer.headless import HeadlessRenderer

    scene = load_scene(args.scene)
    settings = settings_from_options(scene, args)
    for flag, path in (
        ("-o", args.output),
        ("--linear-out", args.linear_out),
        ("--depth-out", args.depth_out),
    ):
        if path is not None and not Path(path).parent.is_dir() and str(Path(path).parent):
            raise DofError(f"{flag}: folder '{Path(path).parent}' does not exist")
    with HeadlessRenderer(args.size) as renderer:
        frame = renderer.render(
            scene, focus_on=args.focus_on, settings=settings, dof=not args.no_dof
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
        f"{'' if s.dof else ', no DOF'})",
        file=sys.stderr,
    )
    return 0


def view_command(args) -> int:
    from dofviewer.viewer.app import run_viewer

    scene, size = getattr(args, "scene", None), getattr(args, "size", (960, 540))
    screenshot_dir = getattr(args, "screenshot_dir", ".")
    if not Path(screenshot_dir).is_dir():
        raise DofError(f"--screenshot-dir: folder '{screenshot_dir}' does not exist")
    return run_viewer(scene, size, getattr(args, "state_file", None), screenshot_dir)
