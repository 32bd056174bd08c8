"""The ``dofviewer`` command line.

User mistakes (bad scene files, bad options, no OpenGL) print one line and exit with
status 2; no traceback. With no sub-command, ``dofviewer`` opens the viewer.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading

from dofviewer.errors import EXIT_USAGE, DofError, Interrupted

MSAA_HELP = (
    "multisamples per scene sample, 0 for none; 4 sharpens in-focus edges (default: 4 for "
    "renders, exports and screenshots on every rasteriser; the live viewer uses 4 on a GPU "
    "and 0 on a software rasteriser, where it doubles the scene pass)"
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (it prints usage too by default)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT like 960x540, got '{text}'"
        ) from None
    if not (1 <= w <= 16384 and 1 <= h <= 16384):
        raise argparse.ArgumentTypeError(f"width and height must be 1..16384, got '{text}'")
    return w, h


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text[:40]}'") from None


def positive_float(text: str) -> float:
    value = _number(text)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got '{text}'")
    return value


def non_negative_float(text: str) -> float:
    value = _number(text)
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got '{text}'")
    return value


def in_range(rule: str):
    """An option's type: a number within ``lens.LIMITS[rule]``, the range scene files and
    timelines are held to."""

    def convert(text: str) -> float:
        from dofviewer.shot.lens import range_problem

        value = _number(text)
        problem = range_problem(rule, value)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    convert.__name__ = rule  # argparse names the type in its messages
    return convert


def sample_count(text: str) -> int:
    from dofviewer.shot.lens import MAX_SAMPLES

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got '{text[:40]}'") from None
    if not 1 <= value <= MAX_SAMPLES:
        raise argparse.ArgumentTypeError(f"must be 1..{MAX_SAMPLES}, got {text[:40]}")
    return value


def easing_names() -> list[str]:
    from dofviewer.shot.easing import EASINGS

    return list(EASINGS)


def blade_count(text: str) -> int:
    from dofviewer.shot.lens import blade_count_problem

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got '{text}'") from None
    problem = blade_count_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def add_lens_options(parser: argparse.ArgumentParser):
    focus = parser.add_mutually_exclusive_group()
    focus.add_argument("--focus-on", metavar="NAME", help="focus on this object's visible centre")
    focus.add_argument(
        "--focus-distance", metavar="M", type=in_range("focus_distance_m"),
        help="focus distance in metres",
    )  # fmt: skip
    parser.add_argument(
        "--f-stop", metavar="N", type=in_range("f_stop"), help="f-number (default: the scene's)"
    )
    focus.add_argument("--focus-at", metavar="X,Y", type=parse_point,
                       help="focus on what this pixel shows (top-left origin)")  # fmt: skip
    parser.add_argument(
        "--focal-length", metavar="MM", type=in_range("focal_length_mm"), help="focal length in mm"
    )
    parser.add_argument(
        "--blades", metavar="N", type=blade_count, help="aperture blades: 0 = round, or 3..16"
    )
    parser.add_argument("--lens", metavar="NAME",
                        help="a real prime (cooke-s4-50; see `dofviewer lens --help`)")  # fmt: skip
    parser.add_argument("--sensor", metavar="NAME",
                        help="a named sensor (super35, full-frame, ...)")  # fmt: skip


SCENE_HELP = (
    "scene JSON, model (.gltf, .glb, .obj), photo (.png, .jpg, .tif, with --depth) "
    "or bundled name (default: the demo)"
)


def parse_point(text: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected X,Y in pixels like 320,240, got '{text}'"
        ) from None
    return x, y


def add_photo_options(parser: argparse.ArgumentParser):
    """How a photo's depth map and camera are read (dofviewer.content.photo)."""
    group = parser.add_argument_group("photos (RGB-D)")
    group.add_argument("--depth", metavar="DEPTH", help="the photo's depth map (.png, .tif, .npy)")
    group.add_argument("--depth-scale", metavar="M", type=positive_float,
                       help="metres per stored unit (default 0.001 for integer maps, 1 for "
                       "float; TUM Kinect: 0.0002)")  # fmt: skip
    group.add_argument("--depth-kind", choices=("depth", "inverse", "disparity"), default="depth",
                       help="what the map stores (depth)")  # fmt: skip
    group.add_argument(
        "--near",
        metavar="M",
        type=positive_float,
        help="a normalised map's nearest depth (with --far; 8-bit maps need both)",
    )
    group.add_argument("--far", metavar="M", type=positive_float,
                       help="a normalised map's farthest depth")  # fmt: skip
    group.add_argument("--depth-invalid", metavar="V", type=float, default=0.0,
                       help="stored value meaning no data (0)")  # fmt: skip
    group.add_argument("--resize-depth", action="store_true",
                       help="scale a depth map of another size to the photo's")  # fmt: skip
    intrinsics = group.add_mutually_exclusive_group()
    intrinsics.add_argument("--fx", metavar="PX", type=positive_float,
                            help="focal length in pixels (TUM, Redwood: 525)")  # fmt: skip
    intrinsics.add_argument("--hfov", metavar="DEG", type=positive_float,
                            help="horizontal field of view (default 60 degrees)")  # fmt: skip
    group.add_argument("--no-highlight-boost", action="store_true",
                       help="leave clipped highlights at 1.0 (by default they are expanded so "
                       "they bloom into bokeh)")  # fmt: skip


CAMERA_HELP = "for a model: which of its cameras frames the shot, by name or index (its first)"


def build_parser() -> argparse.ArgumentParser:
    from dofviewer.content.scene import bundled_scenes

    bundled = ", ".join(f"{name} ({path.name})" for name, path in bundled_scenes().items())
    parser = _Parser(
        prog="dofviewer",
        description="Real-time depth of field and rack focus.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "With no command, dofviewer opens the viewer (the same as `dofviewer view`):\n"
            "  dofviewer                      the demo scene\n"
            "  dofviewer demo                 a bundled scene by name\n"
            "  dofviewer SCENE.json           your scene file, or a .gltf/.glb/.obj model\n"
            "  dofviewer --size 800x450       any `view` option works here too\n"
            f"Bundled scenes (by name, with or without the suffix): {bundled}.\n"
            "In the viewer, press H for the keys. `dofviewer COMMAND --help` for each command."
        ),
    )
    from dofviewer import __version__

    parser.add_argument("--version", action="version", version=f"dofviewer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_render(commands)
    _add_view(commands)
    _add_pull(commands)
    _add_export(commands)
    _add_plot(commands)
    _add_play(commands)
    _add_quality(commands)
    _add_bench(commands)
    _add_check(commands)
    _add_lens(commands)
    parser.command_names = tuple(commands.choices)  # each runs commands.<name>_command
    return parser


def _add_render(commands):
    render = commands.add_parser("render", help="render one frame headless (no window) to PNG")
    render.add_argument("scene", nargs="?", metavar="SCENE", help=SCENE_HELP)
    render.add_argument("--camera", metavar="NAME|INDEX", help=CAMERA_HELP)
    render.add_argument("-o", "--output", metavar="OUT.png", required=True,
                        help="image to write: .png, .jpg, or .exr (linear HDR, where imageio "
                        "has an EXR writer)")  # fmt: skip
    render.add_argument("--bit-depth", type=int, choices=(8, 16), default=8,
                        help="PNG bits per channel (8); 16 for grading")  # fmt: skip
    render.add_argument("--overwrite", action="store_true", help="replace existing files")
    render.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                        help="default 960x540; a photo's own size")  # fmt: skip
    add_photo_options(render)
    add_lens_options(render)
    render.add_argument(
        "--exposure",
        metavar="EV",
        type=in_range("exposure_ev"),
        help="exposure compensation in stops",  # fmt: skip
    )
    render.add_argument("--no-dof", action="store_true", help="render all in focus")
    render.add_argument(
        "--reference",
        action="store_true",
        help="ground truth by accumulation over the aperture (slow) instead of the gather",
    )
    render.add_argument("--supersample", type=int, choices=(1, 2, 3, 4), default=None,
                        metavar="N", help="scene samples per pixel per axis, for "
                        "antialiasing (2; up to 4 below 960 px, the scene at least 1920 "
                        "samples across)")  # fmt: skip
    render.add_argument("--msaa", type=int, choices=(0, 2, 4, 8), default=None, metavar="K",
                        help=MSAA_HELP)  # fmt: skip
    render.add_argument("--samples", type=sample_count, default=256, metavar="N",
                        help="aperture samples for --reference (256)")  # fmt: skip
    render.add_argument(
        "--linear-out", metavar="OUT.npy", help="linear HDR RGB after DOF (float32 H×W×3)"
    )
    render.add_argument("--depth-out", metavar="OUT.npy", help="view depth in metres (float32 H×W)")


def _add_view(commands):
    view = commands.add_parser(
        "view", help="open the interactive viewer (the default)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Open a scene in a window and pull focus by hand.",
        epilog=(
            "Keys (H in the window shows them all, grouped):\n"
            "  click        pull focus to what is under the cursor (the sky: infinity)\n"
            "  Tab          next object, near to far      1-9 / Ctrl+1-9  recall / store marks\n"
            "  wheel, [ ]   nudge focus                   F      track the target as it moves\n"
            "  . ,          f-stop                        = -    focal length\n"
            "  D            depth / CoC views             Space  pause the scene's animation\n"
            "  R            record the pull               P      screenshot    Esc  quit\n"
            "  drag the focus ring at the bottom (or the wheel over it) to turn focus by hand"
        ),
    )  # fmt: skip
    view.add_argument("scene", nargs="?", metavar="SCENE", help=SCENE_HELP)
    view.add_argument("--camera", metavar="NAME|INDEX", help=CAMERA_HELP)
    view.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                      help="window size (960x540; a photo's own size)")  # fmt: skip
    add_photo_options(view)
    view.add_argument("--screenshot-dir", metavar="DIR", default=".", help="where P saves PNGs")
    view.add_argument(
        "--state-file",
        metavar="FILE.json",
        help="keep the viewer's state (focus, target, marks, lens) here, for scripts and tests",
    )
    view.add_argument("--record-file", metavar="PULL.json",
                      help="where R records to (default: a new pull-NNNN.json here)")  # fmt: skip
    view.add_argument("--record", action="store_true", help="start recording at once")
    view.add_argument("--supersample", type=int, choices=(1, 2, 3, 4), default=2, metavar="N",
                      help="scene samples per pixel per axis (2); 1 is faster")  # fmt: skip
    view.add_argument("--msaa", type=int, choices=(0, 2, 4, 8), default=None, metavar="K",
                      help=MSAA_HELP)  # fmt: skip
    view.add_argument("--no-preview", action="store_true",
                      help="draw every frame at full quality, even where that is slow")  # fmt: skip


def _add_pull(commands):
    pull = commands.add_parser("pull", help="write a rack-focus timeline between marks")
    pull.add_argument("scene", nargs="?", metavar="SCENE", help=SCENE_HELP)
    pull.add_argument("--camera", metavar="NAME|INDEX", help=CAMERA_HELP)
    pull.add_argument("--from", dest="start", required=True, metavar="A",
                      help="where focus starts: object name or metres")  # fmt: skip
    pull.add_argument("--to", dest="stops", required=True, action="append", metavar="B",
                      help="a mark to pull to (object or metres); repeatable")  # fmt: skip
    pull.add_argument("--duration", type=in_range("time_s"), default=1.0, metavar="S",
                      help="seconds per pull (1.0)")  # fmt: skip
    pull.add_argument("--easing", default="ease-in-out-cubic", choices=easing_names(),
                      help="pull curve (ease-in-out-cubic)")  # fmt: skip
    pull.add_argument("--hold", type=in_range("time_s"), default=1.0, metavar="S",
                      help="seconds to hold on each mark (1.0)")  # fmt: skip
    pull.add_argument(
        "--f-stop", type=in_range("f_stop"), metavar="N", help="f-number for the shot"
    )
    pull.add_argument(
        "-o", "--output", required=True, metavar="PULL.json", help="timeline to write"
    )
    pull.add_argument("--overwrite", action="store_true", help="replace an existing file")
    add_photo_options(pull)


def _add_export(commands):
    export = commands.add_parser("export", help="render a timeline headless to MP4, GIF or PNGs")
    export.add_argument("timeline", metavar="PULL.json")
    export.add_argument("-o", "--output", required=True, metavar="OUT.mp4|OUT.gif|DIR/")
    export.add_argument("--fps", type=in_range("fps"), default=30.0,
                        help="frames per second (30)")  # fmt: skip
    export.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                        help="default 640x360; a photo's own size")  # fmt: skip
    export.add_argument("--overwrite", action="store_true", help="replace an existing output")


def _add_plot(commands):
    plot = commands.add_parser("plot", help="draw a timeline's focus and f-stop over time")
    plot.add_argument("timeline", metavar="PULL.json")
    plot.add_argument("-o", "--output", required=True, metavar="curve.png")
    plot.add_argument("--overwrite", action="store_true", help="replace an existing file")


def _add_play(commands):
    play = commands.add_parser("play", help="replay a timeline in the viewer window")
    play.add_argument("timeline", metavar="PULL.json")
    play.add_argument("--size", type=parse_size, default=None, metavar="WxH",
                      help="window size (960x540; a photo's own size)")  # fmt: skip
    play.add_argument("--state-file", metavar="FILE.json", help="as for view: state for scripts")


def _add_quality(commands):
    quality = commands.add_parser(
        "quality", help="compare the gather with the ground-truth reference"
    )
    quality.add_argument("--size", type=parse_size, default=(480, 270), metavar="WxH")
    quality.add_argument(
        "--samples", type=sample_count, default=256, metavar="N", help="reference samples (256)"
    )
    quality.add_argument("--out", metavar="DIR", help="write side-by-side PNGs here")
    quality.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")
    quality.add_argument("--photos", action="store_true",
                         help="refocus the demo rendered as an RGB-D photo, against the scene's "
                         "own depth of field (docs/photos.md)")  # fmt: skip


def _add_bench(commands):
    bench = commands.add_parser("bench", help="measure the cost of the DOF passes headless")
    bench.add_argument("--sizes", type=parse_sizes, default=[(640, 360), (1280, 720), (1920, 1080)],
                       metavar="WxH,...", help="default 640x360,1280x720,1920x1080")  # fmt: skip
    bench.add_argument("--frames", type=int, default=30, help="measured frames per size (30)")
    bench.add_argument(
        "--warmup", type=int, default=5, help="frames rendered first, unmeasured (5)"
    )
    bench.add_argument(
        "--timing",
        choices=("auto", "query", "wall"),
        default="auto",
        help="GL timer queries, or finish() and the wall clock; auto tests the queries",
    )
    bench.add_argument(
        "--quality",
        type=parse_qualities,
        default=("final", "preview"),
        metavar="NAME,...",
        help="quality presets to measure: final, preview (both)",
    )
    bench.add_argument("--scene", metavar="SCENE", help="a scene or model instead of the demo")
    bench.add_argument("--f-stop", metavar="N", type=in_range("f_stop"),
                       help="f-number (2: the issue's reference setting)")  # fmt: skip
    bench.add_argument("--focal-length", metavar="MM", type=in_range("focal_length_mm"),
                       help="focal length in mm (the scene's)")  # fmt: skip
    bench.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")


def _add_check(commands):
    check = commands.add_parser(
        "check", help="render a manifest's cases headless and compare them with their goldens"
    )
    check.add_argument("manifest", metavar="MANIFEST.toml", help="the cases (see README)")
    check.add_argument("--update", action="store_true",
                       help="approve the new images: write them as the goldens")  # fmt: skip
    check.add_argument("-k", dest="keyword", metavar="EXPR",
                       help="cases whose name or tags match: words, and, or, not")  # fmt: skip
    check.add_argument("--report", metavar="DIR",
                       help="write DIR/index.html (the images) and DIR/junit.xml")  # fmt: skip
    check.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="render in N processes (1)")  # fmt: skip


def _add_lens(commands):
    from dofviewer.shot.presets import LENS_SETS, SENSORS

    lens = commands.add_parser(
        "lens", help="depth-of-field calculator: hyperfocal, near and far limits (no GL)",
        description="The zone of acceptable sharpness by the standard formulas (DOFMaster's): "
        "H = f^2/(N c) + f, near = s(H-f)/(H+s-2f), far = s(H-f)/(H-s). The CoC limit c "
        "defaults to the sensor diagonal / 1500.",
        epilog="sensors: " + ", ".join(SENSORS) + ". lenses: SET-FOCAL, sets "
        + "; ".join(f"{k} ({t})" for k, (t, _) in LENS_SETS.items())
        + ". Example: dofviewer lens --lens cooke-s4-50 --focus-distance 3 --sensor super35",
    )  # fmt: skip
    lens.add_argument("--lens", metavar="NAME",
                      help="a real prime (cooke-s4-50): its focal length, widest stop")  # fmt: skip
    lens.add_argument("--focal-length", metavar="MM", type=positive_float,
                      help="focal length in mm (50, or the --lens's)")  # fmt: skip
    lens.add_argument("--f-stop", metavar="N", type=positive_float,
                      help="f-number (2.8, or the --lens's widest)")  # fmt: skip
    lens.add_argument("--focus-distance", metavar="M", type=positive_float, required=True,
                      help="focus distance in metres")  # fmt: skip
    sensor = lens.add_mutually_exclusive_group()
    sensor.add_argument("--sensor", metavar="NAME", help="a named sensor (default full-frame)")
    sensor.add_argument("--sensor-width", metavar="MM", type=positive_float,
                        help="sensor width in mm (3:2 frame for the CoC limit)")  # fmt: skip
    lens.add_argument("--coc-limit", metavar="MM", type=positive_float,
                      help="CoC limit in mm (default: sensor diagonal / 1500)")  # fmt: skip
    lens.add_argument("--json", action="store_true", help="print one JSON object")


def parse_sizes(text: str) -> list[tuple[int, int]]:
    return [parse_size(part) for part in text.split(",") if part]


def parse_qualities(text: str) -> tuple[str, ...]:
    from dofviewer.render.gl.dof import QUALITY_PRESETS

    names = tuple(part for part in text.split(",") if part)
    unknown = [n for n in names if n not in QUALITY_PRESETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown quality {unknown[0] if unknown else text!r}; choose from "
            + ", ".join(QUALITY_PRESETS)
        )
    return names


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # Anything but a command opens the viewer with it: `dofviewer`, `dofviewer demo`,
    # `dofviewer chair.glb --size 800x450` are `dofviewer view ...`.
    if not argv or argv[0] not in (*parser.command_names, "-h", "--help", "--version"):
        argv = ["view", *argv]
    args = parser.parse_args(argv)
    previous = _on_sigterm_raise()
    try:
        from dofviewer.cli import commands

        return getattr(commands, f"{args.command}_command")(args)
    except DofError as exc:
        print(f"dofviewer: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        name = signal.Signals(signum).name
        print(f"dofviewer: interrupted by {name}; no partial output left", file=sys.stderr)
        return 128 + signum
    except (OSError, MemoryError, RecursionError) as exc:
        # Left by the machine, not the code: a file system that refuses, memory that
        # runs out. One line as for any user error, never a traceback.
        print(f"dofviewer: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _on_sigterm_raise():
    """SIGTERM unwinds like Ctrl+C (see errors.Interrupted); returns the handler it
    replaced, or None off the main thread (where Python cannot set one)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, _frame):
        raise Interrupted(signum)

    return signal.signal(signal.SIGTERM, handler)


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        name = str(exc.filename or "")
        name = name if len(name) <= 120 else f"{name[:60]}...{name[-60:]}"
        return f"{name}: {exc.strerror}" if name else exc.strerror
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, RecursionError):
        return "input nested too deeply"
    return " ".join(str(exc).split())[:300] or type(exc).__name__
