"""The quality benchmark's table of targets, from a made-up summary: no rendering."""

import copy

from dofviewer.measurement.quality_report import case_lines, checks, format_checks


def edges(count, error):
    return {"count": count, "median_error": error if count else None, "edges": []}


def case(name, psnr_db, baseline_db, **extra):
    return {"case": name, "psnr_db": psnr_db, "baseline_psnr_db": baseline_db, "ssim": 0.99,
            "worst_block": 3.0, "preview_psnr_db": psnr_db - 3, **extra}  # fmt: skip


BOKEH = {
    "coc_px": 30.0, "blades": 6, "rotation_deg": 15.0, "point_polygon_ratio": 0.866,
    "predicted_polygon_ratio": 0.92,
    "realtime": {"energy_ratio": 1.02, "radius_px": 29.8, "flatness": 1.18, "polygon_ratio": 0.93},
    "reference": {"energy_ratio": 1.0, "radius_px": 30.2, "flatness": 1.1, "polygon_ratio": 0.92},
}  # fmt: skip
SUMMARY = {
    "mean_psnr_db": 41.0,
    "min_psnr_db": 36.0,
    "aa": {
        "case": "aa",
        "psnr_db": 43.0,
        "supersample": 2,
        "reference_supersample": 4,
        "msaa": 4,
        "msaa_psnr_db": 44.0,
    },  # fmt: skip
    "cases": [
        case("demo-f1.4-1.2m", 46.0, 30.0),
        case("halo", 42.0, 38.0, edges={"realtime": edges(4, 0.01), "reference": edges(4, 0.02)}),
        case(
            "near-bleed",
            36.0,
            30.0,
            edges={"realtime": edges(3, 0.02), "reference": edges(3, 0.04)},
        ),
        case("bokeh", 40.0, 30.0, bokeh=BOKEH),
    ],
}


def verdicts(summary):
    return {c.name: c.passed for c in checks(summary)}


def test_every_target_is_listed_and_passes_when_met():
    found = verdicts(SUMMARY)
    assert all(found.values())
    assert list(found) == [
        "mean PSNR", "lowest PSNR: near-bleed", "in-focus AA vs 16x SS", "  with --msaa 4",
        "halo: gain over baseline", "near-bleed: gain over baseline", "bokeh: gain over baseline",
        "halo: edge width", "near-bleed: edge width",
        "bokeh: energy vs in focus", "bokeh: centre / mean", "bokeh: radius vs CoC",
        "bokeh: 6-gon flats/corners",
    ]  # fmt: skip
    table = format_checks(checks(SUMMARY))
    assert table[-1].startswith("13 of 13 targets met")
    assert all(line.endswith("yes") for line in table[2:-1])


def test_each_target_fails_when_missed():
    summary = copy.deepcopy(SUMMARY)
    summary["aa"]["psnr_db"] = 37.6
    summary["aa"]["msaa_psnr_db"] = 41.0
    rows = {row["case"]: row for row in summary["cases"]}
    rows["halo"]["baseline_psnr_db"] = 40.0  # a 2 dB gain
    rows["halo"]["edges"]["realtime"] = edges(4, 0.12)
    rows["near-bleed"]["edges"]["realtime"] = edges(0, None)
    rows["bokeh"]["bokeh"]["realtime"].update(
        energy_ratio=1.06, flatness=1.4, radius_px=26.0, polygon_ratio=1.0
    )
    failed = {name for name, passed in verdicts(summary).items() if not passed}
    assert failed == {
        "in-focus AA vs 16x SS", "  with --msaa 4", "halo: gain over baseline", "halo: edge width",
        "near-bleed: edge width", "bokeh: energy vs in focus", "bokeh: centre / mean",
        "bokeh: radius vs CoC", "bokeh: 6-gon flats/corners",
    }  # fmt: skip
    assert any("no edges" in line for line in format_checks(checks(summary)))
    assert any("no edges" in line for line in case_lines(rows["near-bleed"]))


def test_the_silhouette_cases_pass_within_2_percent_of_the_reference():
    summary = copy.deepcopy(SUMMARY)
    figures = {"edge_px": 240, "blur_radius_px": 16.0, "sharp_card": True, "worst": -0.005,
               "worst_at_px": 6, "brightest": 0.001, "darkest": -0.005}  # fmt: skip
    summary["cases"].append(case("occluder", 70.0, 40.0, silhouette=figures))
    assert verdicts(summary)["occluder: by the silhouette"]
    assert any("sharp card, blurred wall" in line for line in case_lines(summary["cases"][-1]))
    figures["worst"] = figures["darkest"] = -0.083  # the fringe before the fix
    assert not verdicts(summary)["occluder: by the silhouette"]
