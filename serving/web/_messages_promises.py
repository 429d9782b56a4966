"""Strings of the workflow's promises: the kill-switch banner and history, amendments,
independent complaints, one rating per case, and what a band's score means."""

from __future__ import annotations

from serving.services import RULES

__all__ = ["PROMISES_PAIRS"]

PROMISES_PAIRS: dict[str, tuple[str, str]] = {
    # every refusal of the workflow, named by its rule
    **{f"rule_{key}": pair for key, pair in RULES.items()},
    "refused": ("Refused: {msg}.", "Ditolak: {msg}."),
    # kill switch
    "kill_banner": (
        "Manual review of everything is ON since {when}, switched on by {user}: {reason}."
        " Every application comes to an officer without the model's routing.",
        "Tinjauan manual untuk semua permohonan AKTIF sejak {when}, diaktifkan oleh {user}:"
        " {reason}. Setiap permohonan sampai ke petugas tanpa pengarahan model.",
    ),
    "kill_reason_too_long": (
        "The reason is too long (at most 500 characters).",
        "Alasannya terlalu panjang (paling banyak 500 karakter).",
    ),
    "kill_reason_invalid": (
        "The reason holds characters that cannot be shown safely (control characters or"
        " text-direction overrides).",
        "Alasannya memuat karakter yang tidak dapat ditampilkan dengan aman (karakter kontrol"
        " atau pembalik arah teks).",
    ),
    "kill_no_reason": ("no reason recorded", "tidak ada alasan yang dicatat"),
    "kill_history": ("Switch history", "Riwayat sakelar"),
    "kill_history_none": ("The switch has never been changed.", "Sakelar belum pernah diubah."),
    "kill_history_line": (
        "{when}: {state} by {user}: {reason}",
        "{when}: {state} oleh {user}: {reason}",
    ),
    "kill_state_on": ("switched on", "diaktifkan"),
    "kill_state_off": ("switched off", "dinonaktifkan"),
    # decisions
    "decision_amended_by": (
        "Amended by {officer} on {date} to {outcome}, because: {reason}",
        "Diubah oleh {officer} pada {date} menjadi {outcome}, karena: {reason}",
    ),
    "decision_current": ("current", "berlaku"),
    # complaints
    "cp_override_reason": (
        "Reason to let the officer who decided the case handle it (supervisors only)",
        "Alasan agar petugas yang memutuskan kasus boleh menanganinya (khusus penyelia)",
    ),
    "cp_override_help": (
        "Leave empty unless you choose, on purpose, the officer who decided or amended the"
        " case; the reason is recorded.",
        "Kosongkan kecuali Anda sengaja memilih petugas yang memutuskan atau mengubah kasus"
        " itu; alasannya dicatat.",
    ),
    "cp_override_line": (
        "Handled by the officer who decided the case, allowed by {user} because: {reason}",
        "Ditangani oleh petugas yang memutuskan kasus, diizinkan oleh {user} karena: {reason}",
    ),
    "cp_deciders": (
        "Decided or amended by: {names}. They may not handle this complaint.",
        "Diputuskan atau diubah oleh: {names}. Mereka tidak boleh menangani pengaduan ini.",
    ),
    "fb_already": (
        "This case has its rating; each decided case is rated once.",
        "Kasus ini sudah dinilai; setiap kasus yang diputuskan dinilai satu kali.",
    ),
    # the honest score
    "evidence_title": ("What this band means", "Arti tingkat ini"),
    "evidence_rate": (
        "About {per100} in 100 cases in this band were confirmed as violations"
        " (95% interval {low} to {high} in 100; {confirmed} of {cases} cases).",
        "Sekitar {per100} dari 100 kasus pada tingkat ini terbukti melanggar"
        " (interval 95% {low} sampai {high} dari 100; {confirmed} dari {cases} kasus).",
    ),
    "evidence_relative": (
        "That is {times} times the average over all bands ({avg} in 100).",
        "Itu {times} kali rata-rata semua tingkat ({avg} dari 100).",
    ),
    "evidence_sources": (
        "Evidence (cases): {validation} from the model's validation, {live} decided here.",
        "Bukti (kasus): {validation} dari validasi model, {live} diputuskan di sini.",
    ),
    "evidence_none": (
        "No case in this band has an outcome on record yet, so the band cannot be read as a rate.",
        "Belum ada kasus pada tingkat ini yang hasilnya tercatat, jadi tingkat ini belum dapat"
        " dibaca sebagai angka.",
    ),
    "evidence_note": (
        "This is not the chance that this applicant broke the rules. It says how often"
        " officers confirmed a violation in cases the model placed in the same band. Decide"
        " on the file: a flag is not a finding.",
        "Ini bukan peluang bahwa pemohon ini melanggar aturan. Ini menunjukkan seberapa sering"
        " petugas memastikan pelanggaran pada kasus yang ditempatkan model di tingkat yang"
        " sama. Putuskan berdasarkan berkas: penandaan bukanlah temuan.",
    ),
}
