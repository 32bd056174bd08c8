"""A short run of scripts/soak.py (issue 16): memory and live GL objects flat over three
cycles of size changes during a rack focus, and the viewer alive and drawing after a
storm of resizes, one beyond what the GL's targets hold. The full run is
``python scripts/soak.py`` (5,000 frames, 200 resizes)."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import soak  # noqa: E402


def test_memory_and_gl_objects_stay_flat_through_size_changes(tmp_path):
    # In its own process: conftest's GL context is the only one this one may make.
    out = tmp_path / "soak.json"
    result = subprocess.run([sys.executable, str(SCRIPTS / "soak.py"), "--frames", "150",
                             "--every", "10", "--resizes", "0", "--json", str(out)],
                            capture_output=True, text=True, timeout=600)  # fmt: skip
    figures = json.loads(out.read_text())["headless"]
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert figures["gl_growth"] == 0, figures
    assert figures["rss_growth"] < soak.LIMIT, figures


def test_viewer_survives_a_resize_storm_during_a_pull(xvfb):
    result = soak.window_soak(resizes=30, display=xvfb)
    assert result["alive"] and result["exit_status"] == 0, result
