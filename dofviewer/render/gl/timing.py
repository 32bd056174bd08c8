"""Per-pass GPU timing for the benchmark and the HUD.

Two ways to time a pass:
* ``query``: GL timer queries (``GL_TIME_ELAPSED``), one query object per pass, created
  once and reused. Real GPU time, no CPU stall inside the frame unless ``isolate``:
  then the work queued before each pass finishes before its query begins. A software
  rasteriser runs queued work when it next flushes, which can fall inside the next
  pass's query: on llvmpipe the first DOF pass of a frame measured 3 ms at 1280×720
  where it takes 0.6, most of it the tail of the work before it.
* ``wall``: ``ctx.finish()`` before and after the pass and the wall clock between. Mesa
  llvmpipe has been seen to return nonsense from timer queries (exactly 2^32 ns), so
  this is the fallback there; it stalls the pipeline, which only a benchmark may do.

The default :class:`NullTimer` does nothing, so normal frames pay nothing. Section names
are the passes' names in dofviewer/render/gl/passes.py; :class:`PassTimer` refuses any other, so
a misspelt section cannot drop out of the benchmark's sums unseen.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import moderngl

from dofviewer.render.gl.passes import SECTIONS

SUSPICIOUS_NS = 2**32


class NullTimer:
    @contextmanager
    def section(self, name: str):
        yield

    def frame_results(self) -> dict[str, float]:
        return {}


class PassTimer:
    """Times named sections; :meth:`frame_results` returns milliseconds per section."""

    def __init__(self, ctx: moderngl.Context, method: str = "wall", isolate: bool = False):
        if method not in ("wall", "query"):
            raise ValueError(f"unknown timing method {method!r}")
        self.ctx = ctx
        self.method = method
        self.isolate = isolate
        self._queries: dict[str, moderngl.Query] = {}
        self._wall: dict[str, float] = {}
        self._timed: list[str] = []  # sections timed since the last frame_results()

    @contextmanager
    def section(self, name: str):
        if name not in SECTIONS:
            raise ValueError(f"no pass named {name!r} in dofviewer/render/gl/passes.py")
        if name not in self._timed:
            self._timed.append(name)
        if self.method == "query":
            query = self._queries.get(name)
            if query is None:
                query = self._queries[name] = self.ctx.query(time=True)
            if self.isolate:
                self.ctx.finish()
            with query:
                yield
        else:
            self.ctx.finish()
            start = time.perf_counter()
            yield
            self.ctx.finish()
            self._wall[name] = (time.perf_counter() - start) * 1e3

    def frame_results(self) -> dict[str, float]:
        """The sections timed since the last call (a pass a frame skipped is left out)."""
        timed, self._timed = self._timed, []
        if self.method == "query":
            return {name: self._queries[name].elapsed / 1e6 for name in timed}
        return {name: self._wall[name] for name in timed}

    def queries_look_valid(self) -> bool:
        """False when a driver returned the known-bogus 2^32 ns (or nothing)."""
        values = [q.elapsed for q in self._queries.values()]
        return bool(values) and all(0 < v and v % SUSPICIOUS_NS != 0 for v in values)

    def release(self):
        # moderngl 5 queries cannot be freed one by one; they live as long as the context,
        # which is one more reason to create them once per pass and reuse them.
        self._queries.clear()
