"""The workflow's rules, worded once in both languages, and the refusals that name them.

A refusal is an ordinary error of the :mod:`risk.errors` tree (403 or 409) whose
message is the rule in English; it also carries the rule's key and values, so the
screens and the API can say the same rule in Bahasa Indonesia.
"""

from __future__ import annotations

from typing import Any, TypeVar

from risk.errors import AmanahError

from ._rules_people import PEOPLE_RULES
from ._rules_public import PUBLIC_RULES

__all__ = ["RULES", "refuse", "rule_text"]

E = TypeVar("E", bound=AmanahError)

#: rule key -> (English, Bahasa Indonesia), templates over the refusal's values.
RULES: dict[str, tuple[str, str]] = {
    "case_decide_holder": (
        "only the officer who claimed case {case} or a supervisor may decide it",
        "hanya petugas yang mengambil kasus {case} atau penyelia yang boleh memutuskannya",
    ),
    "case_amend_holder": (
        "only the officer who claimed case {case} or a supervisor may amend its decision",
        "hanya petugas yang mengambil kasus {case} atau penyelia yang boleh mengubah keputusannya",
    ),
    "case_claim_first": (
        "claim case {case} before deciding it",
        "ambil kasus {case} sebelum memutuskannya",
    ),
    "case_claimed_by_other": (
        "case {case} is claimed by someone else",
        "kasus {case} sudah diambil orang lain",
    ),
    "case_release_holder": (
        "only the officer who claimed case {case} or a supervisor may release it",
        "hanya petugas yang mengambil kasus {case} atau penyelia yang boleh melepaskannya",
    ),
    "case_decided": ("case {case} is already decided", "kasus {case} sudah diputuskan"),
    "case_not_claimed": (
        "case {case} is not claimed (status {status!r})",
        "kasus {case} tidak sedang diambil (status {status!r})",
    ),
    "case_amend_current": (
        "decision {amends} is not the current decision of case {case}",
        "keputusan {amends} bukan keputusan yang berlaku untuk kasus {case}",
    ),
    "case_already_decided_amend": (
        "case {case} is already decided (decision {decision}); amend it by sending 'amends'"
        " with that decision's id",
        "kasus {case} sudah diputuskan (keputusan {decision}); ubahlah dengan mengirim"
        " 'amends' berisi nomor keputusan itu",
    ),
    "complaint_independent": (
        "complaint {complaint} is about case {case}, which {username} decided or amended;"
        " an officer who did not decide the case must handle it (a supervisor may override"
        " with a recorded reason)",
        "pengaduan {complaint} menyangkut kasus {case}, yang diputuskan atau diubah oleh"
        " {username}; pengaduan harus ditangani petugas yang tidak memutuskan kasus itu"
        " (penyelia dapat mengecualikannya dengan alasan yang dicatat)",
    ),
    "complaint_handler_only": (
        "only the handler of complaint {complaint} or a supervisor may answer it",
        "hanya penangan pengaduan {complaint} atau penyelia yang boleh menjawabnya",
    ),
    "complaint_taken": (
        "complaint {complaint} is already handled by someone else; a supervisor can reassign it",
        "pengaduan {complaint} sudah ditangani orang lain; penyelia dapat mengalihkannya",
    ),
    "complaint_answered": (
        "complaint {complaint} is already answered",
        "pengaduan {complaint} sudah dijawab",
    ),
    "rating_once": (
        "case {case} already has its satisfaction rating; each decided case is rated once",
        "kasus {case} sudah memiliki penilaian kepuasan; setiap kasus yang diputuskan dinilai"
        " satu kali",
    ),
    "waiver_inactive": (
        "{username} is not an active user, so they may not act on a model waiver",
        "{username} bukan pengguna aktif, sehingga tidak boleh menangani pengecualian model",
    ),
    "waiver_request_role": (
        "only a user with the role {roles} may request a waiver; {username} is {role}",
        "hanya pengguna dengan peran {roles} yang boleh meminta pengecualian; {username}"
        " adalah {role}",
    ),
    "waiver_approve_role": (
        "only a user with the role {roles} may approve a waiver; {username} is {role}",
        "hanya pengguna dengan peran {roles} yang boleh menyetujui pengecualian; {username}"
        " adalah {role}",
    ),
    "waiver_self": (
        "waiver refused: {username} requested this waiver; a second person must approve it",
        "pengecualian ditolak: {username} yang memintanya; orang kedua harus menyetujuinya",
    ),
    "waiver_trainer": (
        "waiver refused: approver {username} trained this model",
        "pengecualian ditolak: penyetuju {username} melatih model ini",
    ),
    "rating_after_decision": (
        "case {case} has no decision yet; feedback comes after one",
        "kasus {case} belum diputuskan; penilaian diberikan setelah keputusan",
    ),
}

RULES.update(PUBLIC_RULES)
RULES.update(PEOPLE_RULES)


def refuse(kind: type[E], rule: str, **values: Any) -> E:
    """An error of ``kind`` whose message states ``rule`` (English) with ``values``.

    The error keeps ``rule`` and ``values`` as attributes for :func:`rule_text`.
    """
    exc = kind(RULES[rule][0].format(**values))
    exc.rule, exc.values = rule, values  # type: ignore[attr-defined]
    return exc


def rule_text(exc: AmanahError, lang: str) -> str:
    """The refusal's message in ``lang`` (``"en"`` or ``"id"``); others say their message."""
    rule = getattr(exc, "rule", None)
    if rule is None:
        return exc.message
    return RULES[rule][1 if lang == "id" else 0].format(**exc.values)  # type: ignore[attr-defined]
