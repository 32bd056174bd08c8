"""The interactive viewer: a GLFW window around the shared renderer.

Pure parts (key bindings, viewer state, orbit camera) import no GL and test without a
window; ``app`` owns the window, the GL context and the frame loop.
"""
