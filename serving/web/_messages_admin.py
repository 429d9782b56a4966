"""Strings of the admin console: users, roles, teams, tokens and sign-in locks (EN and ID)."""

from __future__ import annotations

__all__ = ["ADMIN_PAIRS"]

ADMIN_PAIRS: dict[str, tuple[str, str]] = {
    "nav_admin": ("Administration", "Administrasi"),
    "adm_title": ("Administration", "Administrasi"),
    "adm_people": ("People", "Pengguna"),
    "adm_username": ("Username", "Nama pengguna"),
    "adm_role": ("Role", "Peran"),
    "adm_team": ("Team", "Tim"),
    "adm_no_team": ("No team", "Tanpa tim"),
    "adm_state": ("State", "Keadaan"),
    "adm_active": ("Active", "Aktif"),
    "adm_inactive": ("Deactivated", "Dinonaktifkan"),
    "adm_locked": ("Sign-in locked", "Masuk dikunci"),
    "adm_tokens_live": ("Live tokens", "Token aktif"),
    "adm_created": ("Created", "Dibuat"),
    "adm_actions": ("Actions", "Tindakan"),
    "adm_add": ("Add a person", "Tambah pengguna"),
    "adm_add_button": (
        "Add, and show their first password",
        "Tambah, dan tampilkan kata sandi pertamanya",
    ),
    "adm_add_hint": (
        "A password is generated and shown once, here; give it to the person in person."
        " They can be given a new one at any time.",
        "Kata sandi dibuat otomatis dan ditampilkan sekali, di sini; serahkan langsung kepada"
        " orangnya. Kata sandi baru dapat dibuat kapan saja.",
    ),
    "adm_shown_once": (
        "The password of {username} is shown once and is not stored in clear:",
        "Kata sandi {username} ditampilkan sekali dan tidak disimpan dalam bentuk terbaca:",
    ),
    "adm_shown_once_after": (
        "Copy it now. Leaving this page forgets it; their earlier sessions have ended.",
        "Salin sekarang. Meninggalkan halaman ini akan melupakannya; sesi sebelumnya telah"
        " diakhiri.",
    ),
    "adm_reset": ("New password", "Kata sandi baru"),
    "adm_reset_for": ("New password for {username}", "Kata sandi baru untuk {username}"),
    "adm_deactivate": ("Deactivate", "Nonaktifkan"),
    "adm_deactivate_for": ("Deactivate {username}", "Nonaktifkan {username}"),
    "adm_activate": ("Reactivate", "Aktifkan kembali"),
    "adm_activate_for": ("Reactivate {username}", "Aktifkan kembali {username}"),
    "adm_unlock": ("Lift the lock", "Buka kunci"),
    "adm_unlock_for": ("Lift the lock on {username}'s sign-in", "Buka kunci masuk {username}"),
    "adm_role_for": ("Role of {username}", "Peran {username}"),
    "adm_team_for": ("Team of {username}", "Tim {username}"),
    "adm_save": ("Save", "Simpan"),
    "adm_teams": ("Teams", "Tim"),
    "adm_team_members": ("Active members", "Anggota aktif"),
    "adm_team_name": ("Name of the new team", "Nama tim baru"),
    "adm_team_add": ("Add the team", "Tambah tim"),
    "adm_no_teams": ("No team yet.", "Belum ada tim."),
    "adm_tokens": ("API tokens", "Token API"),
    "adm_tokens_hint": (
        "Only a hash of each token is kept: a token cannot be shown again, only revoked."
        " Create one with: risk tokens create USERNAME --label WHAT-FOR",
        "Hanya hash setiap token yang disimpan: token tidak dapat ditampilkan lagi, hanya"
        " dicabut. Buat token dengan: risk tokens create USERNAME --label UNTUK-APA",
    ),
    "adm_token_id": ("Token", "Token"),
    "adm_token_user": ("Person", "Pengguna"),
    "adm_token_label": ("What for", "Untuk apa"),
    "adm_token_revoked": ("Revoked", "Dicabut"),
    "adm_token_live": ("Live", "Aktif"),
    "adm_revoke": ("Revoke", "Cabut"),
    "adm_revoke_for": ("Revoke token {id}", "Cabut token {id}"),
    "adm_no_tokens": ("No API token yet.", "Belum ada token API."),
    "adm_done_deactivated": (
        "Deactivated: their sessions ended and their tokens stopped working.",
        "Dinonaktifkan: sesinya diakhiri dan tokennya berhenti berfungsi.",
    ),
    "adm_done_activated": ("Reactivated.", "Diaktifkan kembali."),
    "adm_done_role": ("Role changed.", "Peran diubah."),
    "adm_done_team": ("Team changed.", "Tim diubah."),
    "adm_done_team_created": ("Team added.", "Tim ditambahkan."),
    "adm_done_revoked": ("Token revoked.", "Token dicabut."),
    "adm_done_unlocked": ("Sign-in lock lifted.", "Kunci masuk dibuka."),
    "adm_audited": (
        "Every change here is recorded in the audit log under your name.",
        "Setiap perubahan di sini dicatat dalam log audit atas nama Anda.",
    ),
}
