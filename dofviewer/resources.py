"""Locate the shaders and assets, installed or in a source checkout.

A wheel carries them inside the package (``dofviewer/shaders``); a source checkout or an
editable install keeps them at the repository root. Looking in both places means
``pip install .`` and ``pip install -e .`` behave the same.
"""

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _find(folder: str) -> Path:
    for candidate in (_PACKAGE_DIR / folder, _PACKAGE_DIR.parent / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"dofviewer installation is broken: no '{folder}' folder found")


def shader_dir() -> Path:
    return _find("shaders")


def asset_dir() -> Path:
    return _find("assets")


def demo_scene_path() -> Path:
    """The bundled scene used whenever the user names none."""
    return asset_dir() / "demo.json"
