"""Check data files against the contract (:mod:`risk.contract`) and report every breach.

Validation reads, checks and reports; it never drops, fixes or returns data.  Each
breach is a :class:`Problem` naming the table, file, row (1-based data row; a CSV
header is not a row), key, column, value and rule.  Problems are sampled (at most
``max_per_rule`` per table, column and rule) but always counted in full, so a
million bad rows cost a count, not a million objects.

Rules: missing files; missing, unexpected and (Parquet) mistyped columns; cells that
do not parse (CSV); nulls where not allowed; values outside ``allowed``, below
``min``, above ``max`` or not matching ``pattern``; duplicate keys (every duplicate
row); foreign keys (``documents.application_id``, ``outcomes.application_id``,
``applications.sponsor_id``); and across columns: ``decided_at >= applied_at``,
``exit_date >= entry_date``, ``authorised_until >= entry_date``,
``expiry_date > issue_date``, MRZ line lengths per ``mrz_format`` with ``mrz_line3``
present exactly for TD1, ``violation_types`` set exactly when ``violation_confirmed``
is true, and ``violation_confirmed``/``known_at`` empty when not investigated.
"""

from __future__ import annotations

from risk._validation._engine import ValidationReport, validate_dir, validate_frame
from risk._validation._problem import Problem

__all__ = ["Problem", "ValidationReport", "validate_dir", "validate_frame"]
