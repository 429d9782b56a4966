"""The admin console's rules (accounts, roles), in both languages."""

from __future__ import annotations

__all__ = ["PEOPLE_RULES"]

PEOPLE_RULES: dict[str, tuple[str, str]] = {
    "last_admin": (
        "{user} is the last active admin; make another admin first, so that someone can"
        " still manage the service",
        "{user} adalah admin aktif terakhir; jadikan orang lain admin terlebih dahulu, agar"
        " masih ada yang dapat mengelola layanan",
    ),
}
