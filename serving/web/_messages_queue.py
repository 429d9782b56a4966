"""Strings of the officer's queue, its history and the supervisor's tables (EN and ID)."""

from __future__ import annotations

__all__ = ["QUEUE_PAIRS"]

QUEUE_PAIRS: dict[str, tuple[str, str]] = {
    "q_view_open": ("To review", "Untuk ditinjau"),
    "q_view_decided": ("My decided cases", "Kasus yang saya putuskan"),
    "q_views": ("Lists", "Daftar"),
    "q_decided_title": ("My decided cases", "Kasus yang saya putuskan"),
    "q_search": ("Application, applicant or document id", "ID permohonan, pemohon, atau dokumen"),
    "q_search_button": ("Search", "Cari"),
    "q_search_hint": (
        "An exact id, for example A0001234; leave empty to list every case.",
        "ID yang persis, misalnya A0001234; kosongkan untuk menampilkan semua kasus.",
    ),
    "q_searching": ("Cases matching “{term}”", "Kasus yang cocok dengan “{term}”"),
    "q_clear": ("Clear the search and filters", "Hapus pencarian dan filter"),
    "q_band_standard": ("Standard", "Standar"),
    "q_band_note": (
        "Band as shown in lists: High, or Standard for every other case (a blind-sample case"
        " looks like any other). The case screen shows what it may.",
        "Tingkat seperti ditampilkan dalam daftar: Tinggi, atau Standar untuk kasus lainnya"
        " (kasus sampel buta tampak sama seperti kasus lain). Layar kasus menampilkan apa yang"
        " boleh ditampilkan.",
    ),
    "q_filter_visa": ("Visa type", "Jenis visa"),
    "q_assigned_unassigned": ("Nobody", "Belum ada"),
    "q_sort_priority": ("Band, then waiting time", "Tingkat, lalu waktu tunggu"),
    "q_sort_waiting": ("Waiting time (longest first)", "Waktu tunggu (terlama dahulu)"),
    "q_sort_newest": ("Newest first", "Terbaru dahulu"),
    "q_col_application": ("Application", "Permohonan"),
    "q_col_visa": ("Visa type", "Jenis visa"),
    "q_col_submitted": ("Submitted", "Diajukan"),
    "q_col_decided": ("Decided", "Diputuskan"),
    "q_col_outcome": ("Finding", "Temuan"),
    "q_page_of": ("Page {page} of {pages}", "Halaman {page} dari {pages}"),
    "q_past_end": (
        "There is no page {page} of this list: its last page is {pages}.",
        "Tidak ada halaman {page} dalam daftar ini: halaman terakhirnya {pages}.",
    ),
    "q_last_page": ("Go to the last page ({pages})", "Ke halaman terakhir ({pages})"),
    "q_first_page": ("First", "Pertama"),
    "q_no_decided": (
        "You have not decided any case yet.",
        "Anda belum memutuskan kasus apa pun.",
    ),
    "sup_choose": ("choose an officer", "pilih petugas"),
    "sup_choose_required": (
        "Choose the officer who should take case {id}.",
        "Pilih petugas yang akan menangani kasus {id}.",
    ),
    "sup_team_filter": ("Team", "Tim"),
    "sup_all_teams": ("All teams", "Semua tim"),
    "sup_team_col": ("Team", "Tim"),
    "sup_no_team": ("no team", "tanpa tim"),
    "sup_show": ("Show", "Tampilkan"),
    "sup_team_queue": (
        "Cases held by the members of team {team}.",
        "Kasus yang dipegang anggota tim {team}.",
    ),
}
