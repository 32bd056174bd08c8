"""A GLFW window with an OpenGL 3.3 core context; one clear error where none can open."""

from __future__ import annotations

import re

import glfw
import moderngl

from dofviewer.errors import DofError


class NoDisplayError(DofError):
    pass


class Window:
    """Owns the GLFW window and its moderngl context; :meth:`close` ends both."""

    def __init__(self, size: tuple[int, int], title: str):
        glfw.ERROR_REPORTING = "raise"
        try:
            if not glfw.init():
                raise glfw.GLFWError("glfwInit failed")
            glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
            glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
            glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
            glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)  # required on macOS
            self.handle = glfw.create_window(size[0], size[1], title, None, None)
            if not self.handle:
                raise glfw.GLFWError("glfwCreateWindow failed")
        except glfw.GLFWError as exc:
            glfw.terminate()
            # pyGLFW formats errors as "(code) b'text'"; keep the text.
            reason = re.sub(r"^\(\d+\)\s*b?['\"](.*)['\"]$", r"\1", str(exc).strip()).strip()
            raise NoDisplayError(
                f"cannot open a window with OpenGL 3.3 ({reason}); "
                "for images without a display use `dofviewer render`"
            ) from None
        glfw.make_context_current(self.handle)
        glfw.swap_interval(1)  # vsync
        self.ctx = moderngl.create_context(require=330)

    @property
    def framebuffer_size(self) -> tuple[int, int]:
        return glfw.get_framebuffer_size(self.handle)

    @property
    def pixel_scale(self) -> tuple[float, float]:
        """Framebuffer pixels per window coordinate (2 on a Retina display)."""
        fw, fh = glfw.get_framebuffer_size(self.handle)
        ww, wh = glfw.get_window_size(self.handle)
        return (fw / ww if ww else 1.0, fh / wh if wh else 1.0)

    def should_close(self) -> bool:
        return glfw.window_should_close(self.handle)

    def request_close(self):
        glfw.set_window_should_close(self.handle, True)

    def close(self):
        self.ctx.release()
        glfw.destroy_window(self.handle)
        glfw.terminate()
