"""The public channel's rules (applicants' surveys, complaint follow-up), in both languages."""

from __future__ import annotations

__all__ = ["PUBLIC_RULES"]

PUBLIC_RULES: dict[str, tuple[str, str]] = {
    "complaint_step_handler": (
        "only the handler of complaint {complaint} or a supervisor may record its follow-up",
        "hanya penangan pengaduan {complaint} atau penyelia yang boleh mencatat tindak lanjutnya",
    ),
    "complaint_open_limit": (
        "this application already has {limit} complaints waiting for an answer; we answer"
        " those first",
        "permohonan ini sudah memiliki {limit} pengaduan yang menunggu jawaban; kami"
        " menjawabnya terlebih dahulu",
    ),
    "survey_after_decision": (
        "the survey opens once the application has a decision",
        "survei dibuka setelah permohonan diputuskan",
    ),
    "survey_once": (
        "this application's survey has already been answered; each application answers once",
        "survei permohonan ini sudah dijawab; setiap permohonan menjawab satu kali",
    ),
    "survey_moderated": (
        "the comment of survey {survey} is already moderated",
        "komentar survei {survey} sudah dimoderasi",
    ),
    "survey_no_comment": (
        "survey {survey} has no comment to moderate",
        "survei {survey} tidak memiliki komentar untuk dimoderasi",
    ),
}
