"""Creating OpenGL 3.3 core contexts, with one clear error where that is impossible."""

from __future__ import annotations

import moderngl

from dofviewer.errors import GLUnavailableError

REQUIRED_GL = 330


def create_headless_context() -> moderngl.Context:
    """A windowless context through EGL (Mesa llvmpipe without a GPU, or a GPU driver)."""
    try:
        ctx = moderngl.create_standalone_context(backend="egl", require=REQUIRED_GL)
    except Exception as exc:  # glcontext raises bare Exceptions with driver text
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise GLUnavailableError(
            "cannot create an OpenGL 3.3 core context through EGL "
            f"({reason}); install Mesa's EGL drivers (Debian: libegl1 libgl1-mesa-dri)"
        ) from None
    return ctx


def renderer_name(ctx: moderngl.Context) -> str:
    info = ctx.info
    return f"{info['GL_RENDERER']} ({info['GL_VERSION']})"


#: GL_RENDERER names of software rasterisers, where every sample is paid for on the CPU.
SOFTWARE_RENDERERS = ("llvmpipe", "softpipe", "swrast", "swiftshader", "software rasterizer")


def is_software_renderer(ctx: moderngl.Context) -> bool:
    renderer = ctx.info["GL_RENDERER"].lower()
    return any(name in renderer for name in SOFTWARE_RENDERERS)


#: Multisamples per scene sample for offline output (renders, exports, the quality
#: benchmark, viewer screenshots): the best antialiasing on every rasteriser, since
#: offline output has no frame budget. README "Antialiasing" must agree.
OFFLINE_MSAA = 4


def default_msaa(ctx: moderngl.Context, live: bool = False) -> int:
    """Offline (``live`` False): :data:`OFFLINE_MSAA` on every rasteriser. The live
    viewer adapts to speed: 4× on a GPU, where it costs little, none on a software
    rasteriser, where it doubles the scene pass's cost."""
    if not live:
        return OFFLINE_MSAA
    return 0 if is_software_renderer(ctx) else OFFLINE_MSAA
