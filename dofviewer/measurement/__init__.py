"""Measurement tools: image measures, the quality benchmark against the reference, the
speed benchmark, and the crafted scenes both use."""
