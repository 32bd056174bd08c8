"""The tests and the command line they start run the same code: the source tree the
tests sit in, not an installed copy (see conftest.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

import dofviewer
from dofviewer.resources import shader_dir

REPO_ROOT = Path(__file__).resolve().parent.parent

#: What ``python -m dofviewer`` runs: runpy finds the package as find_spec does.
WHERE = (
    "import importlib.util, dofviewer, dofviewer.resources as r; "
    "print(importlib.util.find_spec('dofviewer').origin); print(dofviewer.__file__); "
    "print(r.shader_dir())"
)


def test_the_tests_import_the_source_tree():
    assert Path(dofviewer.__file__).resolve() == REPO_ROOT / "dofviewer" / "__init__.py"
    assert shader_dir().resolve() == REPO_ROOT / "shaders"


@pytest.mark.parametrize("where", ["repository root", "elsewhere"])
def test_python_m_dofviewer_runs_the_code_the_tests_import(tmp_path, where):
    cwd = REPO_ROOT if where == "repository root" else tmp_path
    result = subprocess.run([sys.executable, "-c", WHERE], cwd=cwd, capture_output=True,
                            text=True, timeout=60, check=True)  # fmt: skip
    spec, module, shaders = (Path(line).resolve() for line in result.stdout.split("\n")[:3])
    assert spec == module == Path(dofviewer.__file__).resolve()
    assert shaders == shader_dir().resolve()
    version = subprocess.run([sys.executable, "-m", "dofviewer", "--version"], cwd=cwd,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.stdout.strip() == f"dofviewer {dofviewer.__version__}", version.stderr
