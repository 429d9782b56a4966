"""How big a polars frame is, for Dask's memory accounting.

Dask decides when a worker spills results to disk, and which worker a task runs on, from
``dask.sizeof.sizeof`` of every result a worker holds.  It knows pandas, numpy and arrow
but not polars: a polars ``DataFrame`` of any size counts as 56 bytes, so a worker
holding gigabytes of shuffled frames believes it holds nothing, never spills, and is
restarted by its nanny at the memory limit.  Dask reads the registration below from the
``dask.sizeof`` entry point in every process that imports it, workers included.
"""

from __future__ import annotations

from typing import Any

__all__ = ["register"]


def register(sizeof: Any) -> None:
    """Teach ``sizeof`` (Dask's dispatcher) the size of polars frames and series.

    The size is polars' own ``estimated_size()`` (the buffers' bytes), registered lazily:
    polars is imported only when a polars object is first measured.
    """

    @sizeof.register_lazy("polars")
    def _polars() -> None:
        import polars as pl

        @sizeof.register(pl.DataFrame)
        @sizeof.register(pl.Series)
        def _frame(obj: pl.DataFrame | pl.Series) -> int:
            return int(obj.estimated_size())
