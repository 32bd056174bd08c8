"""User-facing errors.

Anything the user can cause (a bad scene file, an unknown object name, a machine without
OpenGL 3.3) raises :class:`DofError`. The command line prints its message as one line and
exits with status 2; it never shows a traceback for these.
"""

EXIT_USAGE = 2


class DofError(Exception):
    """An error the user can fix; its message is one self-contained line."""


class SceneError(DofError):
    """A scene file is malformed; the message names the file, the field and the problem."""

    def __init__(self, source: str, field: str, problem: str):
        self.source, self.field, self.problem = source, field, problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


class GLUnavailableError(DofError):
    """No OpenGL 3.3 core context could be created on this machine."""


class ModelError(DofError):
    """A model file (glTF, OBJ) cannot be used; the message names the file and the problem."""

    def __init__(self, source: str, problem: str):
        self.source, self.problem = source, problem
        super().__init__(f"{source}: {problem}")


class Interrupted(KeyboardInterrupt):
    """SIGTERM (or SIGINT) arrived: unwinds like Ctrl+C, so every temporary file is
    removed on the way out; the command line exits with 128 + the signal's number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
