"""Content loading: 3D models (glTF 2.0, OBJ) into plain numpy data. No GL here.

:mod:`dofviewer.content.model` holds the data types every loader returns;
:func:`dofviewer.content.load_model` picks the loader by file extension and caches
each file, so a model placed many times in a scene is read once.
"""

from dofviewer.content.loading import MODEL_EXTENSIONS, is_model_path, load_model
from dofviewer.content.model import Model

__all__ = ["MODEL_EXTENSIONS", "Model", "is_model_path", "load_model"]
