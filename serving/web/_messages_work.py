"""Strings of the work-flow screens (EN and ID): error pages, counted nouns, queue, admin.

Counted nouns: a key ending in ``_one`` is the singular form of the key without it, and
:func:`serving.web.translate` uses it when the count (``n`` or ``k``) is exactly 1, so
English never says "1 cases".  Indonesian does not inflect nouns for number: both forms
of a pair are the same there.
"""

from __future__ import annotations

from ._messages_admin import ADMIN_PAIRS
from ._messages_queue import QUEUE_PAIRS

__all__ = ["WORK_PAIRS"]

_ERRORS: dict[str, tuple[str, str]] = {
    "error_bad_value": (
        "This address is not valid: {field} must be {expected}, and “{value}” is not.",
        "Alamat ini tidak sah: {field} harus {expected}, dan “{value}” tidak.",
    ),
    "error_bad_query": (
        "This list cannot be shown: {problem}.",
        "Daftar ini tidak dapat ditampilkan: {problem}.",
    ),
    "error_expected_int": ("a whole number", "bilangan bulat"),
    "error_expected_valid": ("a valid value", "nilai yang sah"),
    "error_no_page": (
        "Not found: there is no page at {path}",
        "Tidak ditemukan: tidak ada halaman di {path}",
    ),
    "error_field_case_id": ("the case number", "nomor kasus"),
    "error_field_complaint_id": ("the complaint number", "nomor pengaduan"),
    "error_field_page": ("the page number", "nomor halaman"),
    "error_field_user_id": ("the user number", "nomor pengguna"),
    "error_field_token_id": ("the token number", "nomor token"),
}

# Singular forms of counted messages kept elsewhere in the catalogue.
_ONE: dict[str, tuple[str, str]] = {
    "queue_count_one": ("{n} case", "{n} kasus"),
    "cp_count_one": ("{n} complaint", "{n} pengaduan"),
    "tr_small_groups_one": ("{k} small group", "{k} kelompok kecil"),
}

WORK_PAIRS: dict[str, tuple[str, str]] = {**_ERRORS, **_ONE, **QUEUE_PAIRS, **ADMIN_PAIRS}
