"""dofviewer: real-time GPU depth of field and rack focus.

The public Python API renders a scene headless and returns numpy arrays::

    from dofviewer import HeadlessRenderer, load_scene
    with HeadlessRenderer(size=(640, 360)) as r:
        frame = r.render(load_scene(), focus_on="ball")
    frame.image      # uint8 H×W×3, tone mapped sRGB
    frame.linear     # float32 H×W×3, linear HDR after DOF
    frame.depth      # float32 H×W, view depth in metres
"""

from dofviewer.content.scene import Scene, load_scene
from dofviewer.errors import DofError

__version__ = "0.1.0"
__all__ = ["DofError", "HeadlessRenderer", "Scene", "load_scene", "__version__"]


def __getattr__(name):
    # The headless renderer imports moderngl; keep `import dofviewer` light for pure-math users.
    if name == "HeadlessRenderer":
        from dofviewer.render.headless import HeadlessRenderer

        return HeadlessRenderer
    raise AttributeError(name)
