"""The ``dofviewer`` command line.

User mistakes (bad scene files, bad options, no OpenGL) print one line and exit with
status 2; no traceback. With no sub-command, ``dofviewer`` opens the viewer.
"""

from __future__ import annotations

import argparse
import math
import sys

from dofviewer.errors import EXIT_USAGE, DofError

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


def f_number(text: str) -> float:
    """An f-number: a finite number >= 0.5 (no lens in air is faster)."""
    value = positive_float(text)
    if value < 0.5:
        raise argparse.ArgumentTypeError(
            f"must be >= 0.5 (no lens in air is faster than f/0.5), got '{text}'"
        )
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got '{text}'")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got '{text}'")
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
        "--focus-distance", metavar="M", type=positive_float, help="focus distance in metres"
    )
    parser.add_argument(
        "--f-stop", metavar="N", type=f_number, help="f-number (default: the scene's)"
    )
    parser.add_argument(
        "--focal-length", metavar="MM", type=positive_float, help="focal length in mm"
    )
    parser.add_argument(
        "--blades", metavar="N", type=blade_count, help="aperture blades: 0 = round, or 3..16"
    )


SCENE_HELP = "scene JSON, model (.gltf, .glb, .obj) or bundled name (default: the demo)"
CAMERA_HELP = "for a model: which of its cameras frames the shot, by name or index (its first)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dofviewer", description="Real-time depth of field and rack focus.")
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
    parser.command_names = tuple(commands.choices)  # each runs commands.<name>_command
    return parser


def _add_render(commands):
    render = commands.add_parser("render", help="render one frame headless (no window) to PNG")
    render.add_argument("scene", nargs="?", metavar="SCENE", help=SCENE_HELP)
    render.add_argument("--camera", metavar="NAME|INDEX", help=CAMERA_HELP)
    render.add_argument("-o", "--output", metavar="OUT.png", required=True, help="PNG to write")
    render.add_argument(
        "--size", type=parse_size, default=(960, 540), metavar="WxH", help="default 960x540"
    )
    add_lens_options(render)
    render.add_argument(
        "--exposure", metavar="EV", type=float, help="exposure compensation in stops"
    )
    render.add_argument("--no-dof", action="store_true", help="render all in focus")
    render.add_argument(
        "--reference",
        action="store_true",
        help="ground truth by accumulation over the aperture (slow) instead of the gather",
    )
    render.add_argument("--supersample", type=int, choices=(1, 2, 3, 4), default=2, metavar="N",
                        help="scene samples per pixel per axis, for antialiasing (2)")  # fmt: skip
    render.add_argument("--msaa", type=int, choices=(0, 2, 4, 8), default=None, metavar="K",
                        help=MSAA_HELP)  # fmt: skip
    render.add_argument("--samples", type=int, default=256, metavar="N",
                        help="aperture samples for --reference (256)")  # fmt: skip
    render.add_argument(
        "--linear-out", metavar="OUT.npy", help="linear HDR RGB after DOF (float32 H×W×3)"
    )
    render.add_argument("--depth-out", metavar="OUT.npy", help="view depth in metres (float32 H×W)")


def _add_view(commands):
    view = commands.add_parser("view", help="open the interactive viewer (the default)")
    view.add_argument("scene", nargs="?", metavar="SCENE", help=SCENE_HELP)
    view.add_argument("--camera", metavar="NAME|INDEX", help=CAMERA_HELP)
    view.add_argument(
        "--size", type=parse_size, default=(960, 540), metavar="WxH", help="window size"
    )
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
    pull.add_argument("--duration", type=non_negative_float, default=1.0, metavar="S",
                      help="seconds per pull (1.0)")  # fmt: skip
    pull.add_argument("--easing", default="ease-in-out-cubic", choices=easing_names(),
                      help="pull curve (ease-in-out-cubic)")  # fmt: skip
    pull.add_argument("--hold", type=non_negative_float, default=1.0, metavar="S",
                      help="seconds to hold on each mark (1.0)")  # fmt: skip
    pull.add_argument("--f-stop", type=f_number, metavar="N", help="f-number for the shot")
    pull.add_argument(
        "-o", "--output", required=True, metavar="PULL.json", help="timeline to write"
    )
    pull.add_argument("--overwrite", action="store_true", help="replace an existing file")


def _add_export(commands):
    export = commands.add_parser("export", help="render a timeline headless to MP4, GIF or PNGs")
    export.add_argument("timeline", metavar="PULL.json")
    export.add_argument("-o", "--output", required=True, metavar="OUT.mp4|OUT.gif|DIR/")
    export.add_argument("--fps", type=positive_float, default=30.0, help="frames per second (30)")
    export.add_argument("--size", type=parse_size, default=(640, 360), metavar="WxH",
                        help="default 640x360")  # fmt: skip
    export.add_argument("--overwrite", action="store_true", help="replace an existing output")


def _add_plot(commands):
    plot = commands.add_parser("plot", help="draw a timeline's focus and f-stop over time")
    plot.add_argument("timeline", metavar="PULL.json")
    plot.add_argument("-o", "--output", required=True, metavar="curve.png")


def _add_play(commands):
    play = commands.add_parser("play", help="replay a timeline in the viewer window")
    play.add_argument("timeline", metavar="PULL.json")
    play.add_argument("--size", type=parse_size, default=(960, 540), metavar="WxH")
    play.add_argument("--state-file", metavar="FILE.json", help="as for view: state for scripts")


def _add_quality(commands):
    quality = commands.add_parser(
        "quality", help="compare the gather with the ground-truth reference"
    )
    quality.add_argument("--size", type=parse_size, default=(480, 270), metavar="WxH")
    quality.add_argument(
        "--samples", type=int, default=256, metavar="N", help="reference samples (256)"
    )
    quality.add_argument("--out", metavar="DIR", help="write side-by-side PNGs here")
    quality.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")


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
    bench.add_argument("--json", metavar="OUT.json", help="also write the results as JSON")


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
    try:
        from dofviewer.cli import commands

        return getattr(commands, f"{args.command}_command")(args)
    except DofError as exc:
        print(f"dofviewer: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
