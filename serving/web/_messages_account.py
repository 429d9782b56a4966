"""Strings of the account page: change my password (EN and ID)."""

from __future__ import annotations

__all__ = ["ACCOUNT_PAIRS"]

ACCOUNT_PAIRS: dict[str, tuple[str, str]] = {
    "acct_link": ("Change password", "Ganti kata sandi"),
    "acct_title": ("Change my password", "Ganti kata sandi saya"),
    "acct_intro": (
        "Type your current password, then the new one twice. Your other sessions end;"
        " this one continues.",
        "Ketik kata sandi Anda saat ini, lalu kata sandi baru dua kali. Sesi Anda yang lain"
        " berakhir; sesi ini tetap berjalan.",
    ),
    "acct_current": ("Current password", "Kata sandi saat ini"),
    "acct_new": ("New password", "Kata sandi baru"),
    "acct_confirm": ("New password again", "Ulangi kata sandi baru"),
    "acct_new_hint": (
        "At least {n} characters, not a common password, not containing your username.",
        "Minimal {n} karakter, bukan kata sandi umum, tidak memuat nama pengguna Anda.",
    ),
    "acct_submit": ("Change password", "Ganti kata sandi"),
    "acct_changed": (
        "Your password has been changed. Your other sessions have ended; this one continues.",
        "Kata sandi Anda telah diganti. Sesi Anda yang lain telah berakhir; sesi ini tetap"
        " berjalan.",
    ),
    "acct_errors": (
        "The password was not changed: see the fields marked below.",
        "Kata sandi tidak diganti: lihat kolom yang ditandai di bawah.",
    ),
    "acct_err_required": ("Required.", "Wajib diisi."),
    "acct_err_mismatch": (
        "The two new passwords differ.",
        "Kedua kata sandi baru tidak sama.",
    ),
    "acct_err_wrong": (
        "This is not your current password. It counts as a failed sign-in.",
        "Ini bukan kata sandi Anda saat ini. Ini dihitung sebagai percobaan masuk yang gagal.",
    ),
    "acct_err_locked": (
        "Too many wrong passwords. Try again in {minutes} minutes, or ask a supervisor to"
        " unlock the account.",
        "Terlalu banyak kata sandi salah. Coba lagi dalam {minutes} menit, atau minta penyelia"
        " membuka kunci akun.",
    ),
    "acct_err_short": (
        "Must be at least {n} characters.",
        "Minimal {n} karakter.",
    ),
    "acct_err_long": ("Must be at most {n} characters.", "Maksimal {n} karakter."),
    "acct_err_variety": (
        "Must use at least {n} different characters.",
        "Harus memakai minimal {n} karakter yang berbeda.",
    ),
    "acct_err_username": (
        "Must not contain your username.",
        "Tidak boleh memuat nama pengguna Anda.",
    ),
    "acct_err_common": (
        "Too common: it is on the list of the most used passwords.",
        "Terlalu umum: ada dalam daftar kata sandi yang paling sering dipakai.",
    ),
    "acct_err_same": (
        "Must differ from your current password.",
        "Harus berbeda dari kata sandi Anda saat ini.",
    ),
    "acct_err_policy": ("Refused: {rule}.", "Ditolak: {rule}."),
}
