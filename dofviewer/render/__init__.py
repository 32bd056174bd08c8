"""Rendering: the renderer every surface drives, its headless front, the gather's sample
patterns, and the GL resources (gl/)."""
