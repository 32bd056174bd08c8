"""The quality benchmark's printed report: one or more lines per case, then the targets.

Everything here reads only the summary dict that ``dofviewer.measurement.quality.run`` returns
(and writes as JSON).
"""

from __future__ import annotations

from dataclasses import dataclass

from dofviewer.measurement.crafted import CRAFTED

# The quality targets (README "Benchmark"). The gather passes or fails each; the
# reference is measured too.
MEAN_PSNR_DB, MIN_PSNR_DB = 40.0, 35.0  # over all cases
AA_PSNR_DB = 42.0  # in-focus edges against 16× supersampling
GAIN_DB = 3.0  # each crafted case over the single-layer baseline gather
EDGE_TOLERANCE = 0.10  # median |10–90 % width / (0.687·D) − 1|
ENERGY_TOLERANCE = 0.05  # bokeh disc light over the in-focus lamp's
FLATNESS_TOLERANCE = 0.25  # the disc's centre over its mean
RADIUS_TOLERANCE = 0.10  # the disc's half-level radius over the CoC
#: Flats-to-corners ratio, about the thin-lens prediction for the lamp, which is a few
#: pixels wide: a disc gives 1.0 and a hexagon turned by half a segment 1.09 there.
POLYGON_TOLERANCE = 0.03
#: Beside a wide card's silhouette, the profile's worst deviation from the reference as a
#: share of the wall's value (no dark fringe, no bright rim).
SILHOUETTE_TOLERANCE = 0.02

_INDENT = " " * 20


def _edge_text(figures: dict) -> str:
    if not figures["count"]:
        return "no edges"
    return f"{figures['median_error']:.1%} ({figures['count']})"


def case_lines(row: dict) -> list[str]:
    """What the benchmark prints for one case as it goes."""
    if row["case"] == "aa":
        n, m = row["supersample"], row["reference_supersample"]
        default = f"{n}x{n}" + (
            f" + {row['default_msaa']}x MSAA" if row.get("default_msaa", 1) > 1 else ""
        )
        return [
            f"{'aa':>18}  PSNR {row['psnr_db']:6.2f} dB  (in focus, {default} against {m}x{m}); "
            f"with {row['msaa']}x MSAA {row['msaa_psnr_db']:6.2f} dB"
        ]
    lines = [
        f"{row['case']:>18}  PSNR {row['psnr_db']:6.2f} dB  SSIM {row['ssim']:.4f}  "
        f"worst 8x8 {row['worst_block']:5.1f}  baseline {row['baseline_psnr_db']:6.2f} dB  "
        f"preview {row['preview_psnr_db']:6.2f} dB"
    ]
    if "edges" in row:
        rt, ref = row["edges"]["realtime"], row["edges"]["reference"]
        lines.append(
            f"{_INDENT}edge width vs 0.687 D, median error (edges): {_edge_text(rt)}, "
            f"reference {_edge_text(ref)}"
        )
    if "silhouette" in row:
        s = row["silhouette"]
        kind = "sharp card, blurred wall" if s["sharp_card"] else "blurred card, sharp wall"
        lines.append(
            f"{_INDENT}{kind} (CoC {s['blur_radius_px']:.1f} px): against the reference, "
            f"{s['darkest']:+.1%} to {s['brightest']:+.1%} of the wall beside the edge"
        )
    if "bokeh" in row:
        b = row["bokeh"]
        rt, ref = b["realtime"], b["reference"]
        lines.append(
            f"{_INDENT}energy {rt['energy_ratio']:.3f} (reference {ref['energy_ratio']:.3f}), "
            f"centre/mean {rt['flatness']:.2f} ({ref['flatness']:.2f}), "
            f"radius {rt['radius_px']:.1f} px ({ref['radius_px']:.1f}; CoC {b['coc_px']:.1f})"
        )
        lines.append(
            f"{_INDENT}{b['blades']} blades at {b['rotation_deg']:g}°: flats/corners "
            f"{rt['polygon_ratio']:.3f} ({ref['polygon_ratio']:.3f}; thin lens "
            f"{b['predicted_polygon_ratio']:.3f} for this lamp, "
            f"{b['point_polygon_ratio']:.3f} for a point)"
        )
    return lines


@dataclass(frozen=True)
class Check:
    """One target: the gather's figure passes or fails it; the reference's figure, where
    there is one, shows what the same measurement gives on ground truth."""

    name: str
    target: str
    realtime: str
    reference: str
    passed: bool


def checks(summary: dict) -> list[Check]:
    """The quality targets, in the order the table shows them."""
    cases = summary["cases"]
    lowest = min(cases, key=lambda row: row["psnr_db"])
    found = [
        _at_least("mean PSNR", MEAN_PSNR_DB, summary["mean_psnr_db"]),
        _at_least(f"lowest PSNR: {lowest['case']}", MIN_PSNR_DB, lowest["psnr_db"]),
        _at_least("in-focus AA vs 16x SS", AA_PSNR_DB, summary["aa"]["psnr_db"]),
        _at_least(
            f"  with --msaa {summary['aa']['msaa']}", AA_PSNR_DB, summary["aa"]["msaa_psnr_db"]
        ),
    ]
    crafted = [row for row in cases if row["case"] in CRAFTED]
    for row in crafted:
        gain = row["psnr_db"] - row["baseline_psnr_db"]
        found.append(_at_least(f"{row['case']}: gain over baseline", GAIN_DB, gain))
    for row in crafted:
        if "edges" in row:
            found.append(_edge_check(row["case"], row["edges"]))
    for row in crafted:
        if "silhouette" in row:
            s = row["silhouette"]
            found.append(Check(
                f"{row['case']}: by the silhouette", f"within {SILHOUETTE_TOLERANCE:.0%} of ref.",
                f"{s['worst']:+.1%} at {s['worst_at_px']:+d} px", "",
                abs(s["worst"]) <= SILHOUETTE_TOLERANCE,
            ))  # fmt: skip
    for row in crafted:
        if "bokeh" in row:
            found.extend(_bokeh_checks(row["case"], row["bokeh"]))
    return found


def _at_least(name: str, floor_db: float, value_db: float) -> Check:
    return Check(name, f">= {floor_db:g} dB", f"{value_db:.2f} dB", "", value_db >= floor_db)


def _edge_check(name: str, edges: dict) -> Check:
    rt, ref = edges["realtime"], edges["reference"]
    passed = rt["count"] > 0 and rt["median_error"] <= EDGE_TOLERANCE
    target = f"median within {EDGE_TOLERANCE:.0%}"
    return Check(f"{name}: edge width", target, _edge_text(rt), _edge_text(ref), passed)


def _bokeh_checks(name: str, b: dict) -> list[Check]:
    rt, ref = b["realtime"], b["reference"]
    lamp = b["predicted_polygon_ratio"]
    return [
        Check(
            f"{name}: energy vs in focus",
            f"within {ENERGY_TOLERANCE:.0%}",
            f"{rt['energy_ratio'] - 1:+.1%}",
            f"{ref['energy_ratio'] - 1:+.1%}",
            abs(rt["energy_ratio"] - 1) <= ENERGY_TOLERANCE,
        ),
        Check(
            f"{name}: centre / mean",
            f"1 within {FLATNESS_TOLERANCE:.0%}",
            f"{rt['flatness']:.2f}",
            f"{ref['flatness']:.2f}",
            abs(rt["flatness"] - 1) <= FLATNESS_TOLERANCE,
        ),
        Check(
            f"{name}: radius vs CoC",
            f"{b['coc_px']:.1f} px within {RADIUS_TOLERANCE:.0%}",
            f"{rt['radius_px']:.1f} px",
            f"{ref['radius_px']:.1f} px",
            abs(rt["radius_px"] / b["coc_px"] - 1) <= RADIUS_TOLERANCE,
        ),
        Check(
            f"{name}: {b['blades']}-gon flats/corners",
            f"{lamp:.3f} ± {POLYGON_TOLERANCE:g} (point {b['point_polygon_ratio']:.3f})",
            f"{rt['polygon_ratio']:.3f}",
            f"{ref['polygon_ratio']:.3f}",
            abs(rt["polygon_ratio"] - lamp) <= POLYGON_TOLERANCE,
        ),
    ]


def format_checks(found: list[Check]) -> list[str]:
    """The targets as a table: target, wanted, real-time, reference, pass."""
    header = f"{'target':<30} {'wanted':<30} {'real-time':<18} {'reference':<12} pass"
    lines = [header, "-" * len(header)]
    for c in found:
        lines.append(
            f"{c.name:<30} {c.target:<30} {c.realtime:<18} {c.reference:<12} "
            f"{'yes' if c.passed else 'NO'}"
        )
    passed = sum(c.passed for c in found)
    lines.append(f"{passed} of {len(found)} targets met (each passes on the real-time figure)")
    return lines
