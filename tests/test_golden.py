"""Golden screenshots of the demo scene at three focus settings, with a hexagonal
aperture, and at the viewer's preview quality (see golden.py)."""

import pytest
from golden import compare_to_golden, tolerance_for

from dofviewer.scene import load_scene

FOCUS_SETTINGS = {
    "demo-near": {"focus_on": "ball"},
    "demo-mid": {"focus_on": "crate"},
    "demo-far": {"focus_on": "tower"},
    "demo-hexagon": {"focus_on": "ball", "blades": 6},
    # What the viewer draws while focus moves on a slow machine (dofviewer/gl/dof.py).
    "demo-mid-preview": {"focus_on": "crate", "quality": "preview"},
}


@pytest.mark.parametrize("name", FOCUS_SETTINGS)
def test_demo_matches_golden(gl, request, name):
    scene = load_scene()
    options = dict(FOCUS_SETTINGS[name])
    blades = options.pop("blades", None)
    overrides = {"lens": scene.lens.with_(aperture_blades=blades)} if blades else {}
    frame = gl.render(scene, (320, 180), **options, **overrides)
    compare_to_golden(
        name,
        frame.image,
        tolerance_for(gl.gl_renderer),
        request.config.getoption("--regenerate-goldens"),
    )


def test_golden_comparison_can_fail(gl, tmp_path, monkeypatch):
    """The metric must catch a real change: a different focus is not 'close enough'."""
    import golden

    monkeypatch.setattr(golden, "OUTPUT_DIR", tmp_path)
    frame = gl.render(load_scene(), (320, 180), focus_on="tower")
    with pytest.raises(AssertionError, match="mean"):
        compare_to_golden("demo-near", frame.image, tolerance_for(gl.gl_renderer), regenerate=False)
    assert (tmp_path / "demo-near-diff.png").exists()
