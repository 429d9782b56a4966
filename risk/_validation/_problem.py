"""One breach of the data contract, and a collector that caps what it keeps."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One breach of the data contract.

    Parameters
    ----------
    table
        Contract table name (``applications``, ...).
    file
        The file read, as a path string (None for an in-memory frame).
    row
        1-based data row in the file (the CSV header is not a row); None for
        problems of the whole file or column.
    key
        The row's key value(s), ``/``-joined, when it could be read.
    column
        The column concerned; None for problems of the whole file.
    value
        The offending value as text (None for a missing value or a file problem).
    rule
        The rule broken, in words (``"not a date (YYYY-MM-DD)"``).
    """

    table: str
    file: str | None
    row: int | None
    key: str | None
    column: str | None
    value: str | None
    rule: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict."""
        return asdict(self)

    def __str__(self) -> str:
        where = self.file or self.table
        if self.row is not None:
            where += f", row {self.row}"
        if self.key is not None:
            where += f" (key {self.key})"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f": {self.value!r}"
        return f"{where}{value}: {self.rule}"


@dataclass
class Collector:
    """Keeps up to ``cap`` problems per (table, column, rule) and counts them all."""

    cap: int = 20
    problems: list[Problem] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def add(self, problem: Problem, count: int = 1) -> None:
        """Count ``count`` occurrences of ``problem``'s rule and keep ``problem`` if room."""
        group = (problem.table, problem.column, problem.rule)
        if self.counts[group] < self.cap:
            self.problems.append(problem)
        self.counts[group] += count

    def add_many(self, problems: list[Problem], total: int) -> None:
        """Record a sample of one rule's problems and the rule's total count."""
        if not problems:
            return
        group = (problems[0].table, problems[0].column, problems[0].rule)
        room = max(self.cap - self.counts[group], 0)
        self.problems.extend(problems[:room])
        self.counts[group] += total
