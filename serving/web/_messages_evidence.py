"""Strings of the evidence panels: shadow scoring and the latest comparison (EN and ID)."""

from __future__ import annotations

__all__ = ["EVIDENCE_PAIRS"]

EVIDENCE_PAIRS: dict[str, tuple[str, str]] = {
    "ev_shadow": ("Shadow scoring", "Penilaian bayangan"),
    "ev_shadow_on": (
        "On: challenger {name} scores every new application in shadow. Officers never see"
        " its scores; it never changes a flag, the queue or the blind sample.",
        "Aktif: penantang {name} menilai setiap permohonan baru secara bayangan. Petugas tidak"
        " pernah melihat skornya; ia tidak pernah mengubah tanda, antrean, atau sampel buta.",
    ),
    "ev_shadow_off": (
        "Off: the challenger does not score live applications.",
        "Nonaktif: penantang tidak menilai permohonan yang masuk.",
    ),
    "ev_shadow_none": (
        "No challenger is registered, so nothing is scored in shadow.",
        "Tidak ada penantang terdaftar, jadi tidak ada yang dinilai secara bayangan.",
    ),
    "ev_shadow_counts": (
        "Since the service started: {scored} scored, {failed} failed, {dropped} dropped"
        " (queue full), {skipped} skipped (switched off).",
        "Sejak layanan dimulai: {scored} dinilai, {failed} gagal, {dropped} dibuang (antrean"
        " penuh), {skipped} dilewati (dimatikan).",
    ),
    "ev_comparison": ("Latest comparison", "Perbandingan terakhir"),
    "ev_comparison_none": (
        "No comparison of the challenger over a live period yet (risk compare).",
        "Belum ada perbandingan penantang pada periode berjalan (risk compare).",
    ),
    "ev_comparison_of": (
        "Challenger {challenger} against champion {champion}, applications from {start} to"
        " {end} ({n}).",
        "Penantang {challenger} terhadap juara {champion}, permohonan dari {start} sampai"
        " {end} ({n}).",
    ),
    "ev_verdict": ("Verdict: {verdict}", "Kesimpulan: {verdict}"),
    "ev_verdict_better": ("better", "lebih baik"),
    "ev_verdict_worse": ("worse", "lebih buruk"),
    "ev_verdict_inconclusive": ("inconclusive", "belum dapat disimpulkan"),
    "ev_verdict_not estimable": ("not estimable", "tidak dapat diperkirakan"),
    "ev_verdict_information": ("for information", "sebagai informasi"),
    "ev_line": (
        "Estimated {what}, challenger minus champion: {value} (95% interval {low} to {high}):"
        " {verdict}.",
        "Perkiraan {what}, penantang dikurangi juara: {value} (interval 95% {low} sampai"
        " {high}): {verdict}.",
    ),
    "ev_line_missing": (
        "Estimated {what}: not estimable (no review could stand for the applications only one"
        " model flags).",
        "Perkiraan {what}: tidak dapat diperkirakan (tidak ada tinjauan yang dapat mewakili"
        " permohonan yang hanya ditandai satu model).",
    ),
    "ev_precision": ("precision at capacity", "presisi pada kapasitas"),
    "ev_recall": ("recall at capacity", "recall pada kapasitas"),
    "ev_difference": ("challenger minus champion", "penantang dikurangi juara"),
    "ev_estimates_title": (
        "Estimated from the reviews (95% intervals)",
        "Perkiraan dari tinjauan (interval 95%)",
    ),
    "ev_difference_title": (
        "Paired difference, challenger minus champion (95% intervals)",
        "Selisih berpasangan, penantang dikurangi juara (interval 95%)",
    ),
    "ev_both": ("both flag", "keduanya menandai"),
    "ev_champion_only": ("only the champion", "hanya juara"),
    "ev_challenger_only": ("only the challenger", "hanya penantang"),
    "ev_flags": ("flags", "tanda"),
    "ev_overlap_title": (
        "Who is flagged at the same capacity",
        "Siapa ditandai pada kapasitas sama",
    ),
    "ev_champion": ("champion", "juara"),
    "ev_challenger": ("challenger", "penantang"),
    "ev_evidence": ("Evidence", "Bukti"),
    "ev_evidence_test": ("test split", "data uji"),
    "ev_evidence_live": (
        "test split and live comparison {start} to {end}",
        "data uji dan perbandingan berjalan {start} sampai {end}",
    ),
}
