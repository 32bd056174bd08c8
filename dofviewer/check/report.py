"""The report of a ``dofviewer check``: an HTML page to look at and a JUnit XML file for
CI systems, in one folder::

    report/index.html   failures first; per case the golden, the new image, their
                        difference amplified 8×, a slider and a flicker view, the metrics
    report/junit.xml    one <testcase> per case; failures and new cases are <failure>s
    report/images/      NAME-golden.png, NAME-new.png, NAME-diff.png

The page is self-contained apart from the images beside it (no network, no scripts from
elsewhere), so a CI system can keep the folder as an artifact and anyone can open it.
"""

from __future__ import annotations

import html
from pathlib import Path
from xml.etree import ElementTree

from dofviewer.check.run import APPROVED, FAIL, NEW, PASS, Result
from dofviewer.fileio import atomic_write_text, write_png
from dofviewer.measurement.compare import diff_image

#: The difference image shows |new − golden| multiplied by this.
DIFF_GAIN = 8
#: Order of the cases on the page: what needs a person's eyes first.
ORDER = {FAIL: 0, NEW: 1, PASS: 2, APPROVED: 3}

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; background: #f6f6f4; color: #222 }
h1 { font-size: 1.4em; margin: 0 0 .2em }
.summary { margin-bottom: 1.2em }
.case { background: #fff; border-left: 6px solid #999; padding: .8em 1em; margin: 0 0 1.2em;
        box-shadow: 0 1px 3px #0002 }
.case.fail { border-color: #c62828 } .case.new { border-color: #ef6c00 }
.case.pass { border-color: #2e7d32 } .case.approved { border-color: #1565c0 }
.case h2 { font-size: 1.1em; margin: 0 0 .4em }
.badge { display: inline-block; padding: 0 .5em; border-radius: 3px; color: #fff;
         font-size: .8em; vertical-align: middle; margin-right: .4em }
.fail .badge { background: #c62828 } .new .badge { background: #ef6c00 }
.pass .badge { background: #2e7d32 } .approved .badge { background: #1565c0 }
.images { display: flex; flex-wrap: wrap; gap: .8em; align-items: flex-start }
figure { margin: 0 } figcaption { font-size: .85em; color: #555 }
img { display: block; image-rendering: pixelated }
.compare { position: relative; display: inline-block }
.compare .over { position: absolute; inset: 0; clip-path: inset(0 50% 0 0) }
.compare input { width: 100% }
table { border-collapse: collapse; margin: .5em 0 } td, th { padding: .1em .8em .1em 0;
        text-align: left } td.bad { color: #c62828; font-weight: bold }
.problems { color: #c62828 } .warnings { color: #8d5a00 }
.settings { color: #555; font-size: .85em; font-family: monospace }
"""

SCRIPT = """
for (const box of document.querySelectorAll('.compare')) {
  const over = box.querySelector('.over'), range = box.querySelector('input');
  range.addEventListener('input', () => {
    over.style.clipPath = `inset(0 ${100 - range.value}% 0 0)`;
  });
}
for (const img of document.querySelectorAll('img.flicker')) {
  const a = img.dataset.a, b = img.dataset.b;
  let showing = 0;
  setInterval(() => { showing ^= 1; img.src = showing ? b : a;
    img.nextElementSibling.textContent = showing ? 'flicker: new' : 'flicker: golden'; }, 700);
}
"""


def write_report(results: list[Result], manifest, folder: Path, gl_renderer: str) -> Path:
    """Write index.html, junit.xml and images/ into ``folder``; returns the page."""
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    ordered = sorted(results, key=lambda r: ORDER[r.status])
    for result in ordered:
        name = result.case.name
        write_png(images / f"{name}-new.png", result.actual)
        if result.expected is not None:
            write_png(images / f"{name}-golden.png", result.expected)
            if result.expected.shape == result.actual.shape:
                write_png(images / f"{name}-diff.png",
                          diff_image(result.actual, result.expected, DIFF_GAIN))  # fmt: skip
    page = folder / "index.html"
    atomic_write_text(page, render_html(ordered, manifest, gl_renderer))
    atomic_write_text(folder / "junit.xml", render_junit(results, manifest, gl_renderer))
    return page


def render_html(results: list[Result], manifest, gl_renderer: str) -> str:
    counts = {s: sum(r.status == s for r in results) for s in ORDER}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    body = "\n".join(_case_html(r) for r in results)
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>dofviewer check: {e(summary)}</title>
<style>{STYLE}</style></head>
<body>
<h1>dofviewer check: {e(manifest.path.name)}</h1>
<div class="summary">{len(results)} cases: <b>{e(summary)}</b> &middot; rendered on
{e(gl_renderer)} &middot; goldens in {e(str(manifest.golden_dir))}</div>
{body}
<script>{SCRIPT}</script>
</body></html>
"""


def _case_html(result: Result) -> str:
    e = html.escape
    name = result.case.name
    new, golden, diff = (f"images/{e(name)}-{kind}.png" for kind in ("new", "golden", "diff"))
    h, w = result.actual.shape[:2]
    figures = [f'<figure><img src="{new}" width="{w}" height="{h}" alt="new">'
               "<figcaption>new</figcaption></figure>"]  # fmt: skip
    if result.expected is not None:
        figures.insert(0, f'<figure><img src="{golden}" width="{w}" height="{h}" alt="golden">'
                          "<figcaption>golden</figcaption></figure>")  # fmt: skip
    if result.metrics is not None:
        figures.append(
            f'<figure><img src="{diff}" width="{w}" height="{h}" alt="difference">'
            f"<figcaption>|new − golden| × {DIFF_GAIN}</figcaption></figure>"
        )
        figures.append(
            f'<figure><div class="compare"><img src="{golden}" width="{w}" height="{h}" '
            f'alt="golden (slider)"><img class="over" src="{new}" width="{w}" height="{h}" '
            f'alt="new (slider)"><input type="range" min="0" max="100" value="50" '
            f'aria-label="slider"></div><figcaption>slider: new left, golden right'
            "</figcaption></figure>"
        )
        figures.append(
            f'<figure><img class="flicker" src="{golden}" data-a="{golden}" data-b="{new}" '
            f'width="{w}" height="{h}" alt="flicker"><figcaption>flicker: golden'
            "</figcaption></figure>"
        )
    parts = [
        f'<section class="case {result.status}" id="case-{e(name)}">',
        f'<h2><span class="badge">{result.status.upper()}</span>{e(name)}</h2>',
        f'<div class="images">{"".join(figures)}</div>',
    ]
    if result.metrics is not None:
        parts.append(_metrics_table(result))
    if result.status == NEW:
        parts.append('<p class="problems">No golden yet: <code>dofviewer check --update</code> '
                     "approves this image.</p>")  # fmt: skip
    if result.problems:
        items = "".join(f"<li>{e(p)}</li>" for p in result.problems)
        parts.append(f'<ul class="problems">{items}</ul>')
    if result.warnings:
        items = "".join(f"<li>warning: {e(w)}</li>" for w in result.warnings)
        parts.append(f'<ul class="warnings">{items}</ul>')
    settings = ", ".join(f"{k}={v}" for k, v in result.case.settings().items())
    parts.append(f'<div class="settings">{e(settings)}</div></section>')
    return "\n".join(parts)


def _metrics_table(result: Result) -> str:
    m, t = result.metrics, result.tolerance
    rows = [
        ("mean |diff|", f"{m.mean:.3f}", t.mean, "≤", t.mean is not None and m.mean > t.mean),
        ("RMS", f"{m.rms:.3f}", t.rms, "≤", t.rms is not None and m.rms > t.rms),
        (f"pixels off by > {t.threshold}", f"{m.failed:.3%}",
         None if t.failed is None else f"{t.failed:.3%}", "≤",
         t.failed is not None and m.failed > t.failed),
        ("max |diff|", f"{m.max:g}", t.max, "≤", t.max is not None and m.max > t.max),
        ("SSIM", f"{m.ssim:.4f}", t.ssim, "≥", t.ssim is not None and m.ssim < t.ssim),
    ]  # fmt: skip
    cells = "".join(
        f"<tr><th>{name}</th><td{' class=bad' if bad else ''}>{value}</td>"
        f"<td>{'' if limit is None else f'{sign} {limit}'}</td></tr>"
        for name, value, limit, sign, bad in rows
    )
    head = "<tr><th>metric</th><th>value</th><th>limit</th></tr>"
    return f'<table class="metrics">{head}{cells}</table>'


def render_junit(results: list[Result], manifest, gl_renderer: str) -> str:
    failures = sum(not r.ok for r in results)
    suite = ElementTree.Element(
        "testsuite", name=f"dofviewer check {manifest.path.name}", tests=str(len(results)),
        failures=str(failures), errors="0", skipped="0",
    )  # fmt: skip
    properties = ElementTree.SubElement(suite, "properties")
    ElementTree.SubElement(properties, "property", name="gl_renderer", value=gl_renderer)
    for result in results:
        case = ElementTree.SubElement(
            suite, "testcase", classname=manifest.path.stem, name=result.case.name, time="0"
        )
        details = "\n".join(result.problems + [f"warning: {w}" for w in result.warnings])
        if result.status == FAIL:
            failure = ElementTree.SubElement(case, "failure", message="; ".join(result.problems))
            failure.text = result.summary()
        elif result.status == NEW:
            failure = ElementTree.SubElement(
                case, "failure", message="no golden yet (dofviewer check --update approves it)"
            )
            failure.text = result.summary()
        if result.warnings:
            ElementTree.SubElement(case, "system-out").text = details
    ElementTree.indent(suite)
    xml = ElementTree.tostring(suite, "unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{xml}\n'
