"""Disclosure control: which published figures may be shown, so that none reveals a few people.

One function, :func:`protect`, decides for every table the service publishes (live
fairness by group, overall and per month; the transparency report and its downloads;
the KPIs by month), and :func:`safe_rate` for single figures:

1. **Small groups are never named.**  A group with fewer than ``k`` applications goes
   into one "other (suppressed)" line.  If that line would hold a single group, or fewer
   than ``k`` applications, the smallest named groups join it until it holds at least
   two groups and ``k`` applications (otherwise the line, or the total minus the named
   lines, would be that one group).
2. **A rate is shown only when its counts are large enough**: the flag rate when the
   line has at least ``k`` applications and ``k`` flags; the hit rate when at least ``k``
   flagged cases were decided and ``k`` were confirmed.
3. **Complementary suppression.**  The table's totals are published, so a single hidden
   rate could be recovered by subtracting the shown lines from the total, and several
   hidden rates whose counts add up to less than ``k`` (to zero, say) give each other
   away.  Lines with the next smallest numerators hide the rate too, until the hidden
   lines number at least two and hold at least ``k`` between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Counts", "PublishedRow", "PublishedTable", "protect", "safe_rate"]


@dataclass(frozen=True)
class Counts:
    """The counts behind one line: applications scored, flagged, decided (of the flagged)
    and confirmed (of the decided)."""

    scored: int
    flagged: int = 0
    decided: int = 0
    confirmed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.scored + other.scored,
            self.flagged + other.flagged,
            self.decided + other.decided,
            self.confirmed + other.confirmed,
        )


@dataclass(frozen=True)
class PublishedRow:
    """One published line.  ``group`` is ``None`` on the "other (suppressed)" line; a rate is
    ``None`` when it is suppressed (or has no denominator)."""

    group: str | None
    scored: int
    flag_rate: float | None
    hit_rate: float | None

    @property
    def other(self) -> bool:
        """Whether this is the line collecting the small groups."""
        return self.group is None


@dataclass(frozen=True)
class PublishedTable:
    """The lines of one table (named groups by name, then the "other" line) and its total."""

    rows: list[PublishedRow]
    total: PublishedRow
    #: Groups behind the "other" line (never published; kept for tests and counts).
    pooled: tuple[str, ...] = ()


def safe_rate(numerator: int, denominator: int, k: int) -> float | None:
    """``numerator / denominator``, or ``None`` when either count is below ``k`` (or zero)."""
    if denominator <= 0 or denominator < k or numerator < k:
        return None
    return numerator / denominator


def _pool(cells: Mapping[str, Counts], k: int) -> tuple[list[str], list[str]]:
    """(named groups, pooled groups) after rule 1."""
    by_size = sorted(cells, key=lambda g: (cells[g].scored, g))
    pooled = [g for g in by_size if cells[g].scored < k]
    named = [g for g in by_size if cells[g].scored >= k]
    while pooled and named and (len(pooled) < 2 or sum(cells[g].scored for g in pooled) < k):
        pooled.append(named.pop(0))
    return sorted(named), pooled


def _complement(lines: list[Counts], shown: list[bool], numerator: str, k: int) -> list[bool]:
    """Rule 3 for one rate: the hidden lines number none or at least two and hold at least
    ``k`` of the numerator between them (else total minus shown pins them down)."""
    shown = list(shown)

    def exposed() -> bool:
        hidden = [getattr(c, numerator) for c, s in zip(lines, shown, strict=True) if not s]
        return bool(hidden) and (len(hidden) < 2 or sum(hidden) < k)

    while exposed() and any(shown):
        candidates = [i for i, s in enumerate(shown) if s]
        nxt = min(candidates, key=lambda i: (getattr(lines[i], numerator), lines[i].scored, i))
        shown[nxt] = False
    return shown


def protect(cells: Mapping[str, Counts], k: int, *, pool: bool = True) -> PublishedTable:
    """The publishable form of one table (one attribute in one period, or months).

    Parameters
    ----------
    cells
        Counts per group.
    k
        The threshold (``settings.fairness.min_group_size``).
    pool
        Collect small groups into one "other" line (rule 1).  ``False`` for tables whose
        lines must all be listed (months); rules 2 and 3 still apply.
    """
    named, pooled = _pool(cells, k) if pool else (sorted(cells), [])
    lines = [cells[g] for g in named]
    labels: list[str | None] = list(named)
    if pooled:
        other = Counts(0)
        for g in pooled:
            other = other + cells[g]
        lines.append(other)
        labels.append(None)
    flag = [safe_rate(c.flagged, c.scored, k) is not None for c in lines]
    hit = [safe_rate(c.confirmed, c.decided, k) is not None for c in lines]
    flag = _complement(lines, flag, "flagged", k)
    hit = _complement(lines, hit, "confirmed", k)
    rows = [
        PublishedRow(
            group,
            c.scored,
            c.flagged / c.scored if show_f else None,
            c.confirmed / c.decided if show_h else None,
        )
        for group, c, show_f, show_h in zip(labels, lines, flag, hit, strict=True)
    ]
    total = Counts(0)
    for c in cells.values():
        total = total + c
    summary = PublishedRow(
        "all",
        total.scored,
        safe_rate(total.flagged, total.scored, k),
        safe_rate(total.confirmed, total.decided, k),
    )
    return PublishedTable(rows, summary, tuple(sorted(pooled)))
