"""Helpers of the fairness tests (a module name unique across the test tree)."""

from __future__ import annotations

import polars as pl


def make_table(cells: dict[str, tuple[int, int, int, int]], column: str = "g") -> pl.DataFrame:
    """A table with exact confusion cells per group: ``{group: (tp, fp, tn, fn)}``."""
    rows: dict[str, list] = {column: [], "label": [], "flag": []}
    for group, (tp, fp, tn, fn) in cells.items():
        for count, y, f in ((tp, 1, 1), (fp, 0, 1), (tn, 0, 0), (fn, 1, 0)):
            rows[column] += [group] * count
            rows["label"] += [y] * count
            rows["flag"] += [f] * count
    return pl.DataFrame(rows)
