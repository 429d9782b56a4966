"""Strings of the monitoring page and the alert panels (EN and ID)."""

from __future__ import annotations

__all__ = ["MONITOR_PAIRS"]

MONITOR_PAIRS: dict[str, tuple[str, str]] = {
    "ov_monitoring": ("Monitoring", "Pemantauan"),
    "mon_title": ("Watching the model in production", "Memantau model dalam produksi"),
    "mon_none": (
        "No monitoring run yet. It runs on a schedule, or on demand (POST /v1/monitoring/run).",
        "Belum ada pemantauan. Pemantauan berjalan terjadwal, atau atas permintaan"
        " (POST /v1/monitoring/run).",
    ),
    "mon_latest": (
        "Latest run {at} ({trigger}) of model {model}: applications from {start} to {end}.",
        "Pemantauan terakhir {at} ({trigger}) atas model {model}: permohonan dari {start}"
        " sampai {end}.",
    ),
    "mon_trigger_schedule": ("scheduled", "terjadwal"),
    "mon_trigger_on demand": ("on demand", "atas permintaan"),
    "mon_rule": (
        "Drift rule: above {rows} reference rows, normalised Wasserstein (numeric) and"
        " Jensen-Shannon distance (categorical) at {distance}; otherwise KS or chi-square at"
        " p < {p}. Chunks under {min} rows are not tested.",
        "Aturan pergeseran: di atas {rows} baris acuan, jarak Wasserstein ternormalisasi"
        " (numerik) dan jarak Jensen-Shannon (kategorikal) pada {distance}; selain itu KS"
        " atau khi-kuadrat pada p < {p}. Periode di bawah {min} baris tidak diuji.",
    ),
    "mon_chunks": ("Chunks", "Periode"),
    "mon_col_chunk": ("Chunk", "Periode"),
    "mon_col_rows": ("Applications", "Permohonan"),
    "mon_col_drift_share": ("Drifted features", "Fitur bergeser"),
    "mon_col_score_psi": ("Score PSI", "PSI skor"),
    "mon_col_margin_shift": ("Mean margin shift", "Pergeseran rata-rata margin"),
    "mon_too_few": ("too few to test", "terlalu sedikit untuk diuji"),
    "mon_heatmap": ("Drifted features per chunk", "Fitur yang bergeser per periode"),
    "mon_heatmap_help": (
        "Red: the feature's distribution moved. Hover a cell for PSI, Jensen-Shannon,"
        " Wasserstein and the p-value.",
        "Merah: sebaran fitur bergeser. Arahkan ke sel untuk PSI, Jensen-Shannon,"
        " Wasserstein, dan nilai p.",
    ),
    "mon_attribution": ("What moved the scores ({chunk})", "Apa yang menggeser skor ({chunk})"),
    "mon_attr_raised": (
        "{feature} raised the mean risk margin by {value} log-odds",
        "{feature} menaikkan rata-rata margin risiko sebesar {value} log-odds",
    ),
    "mon_attr_lowered": (
        "{feature} lowered the mean risk margin by {value} log-odds",
        "{feature} menurunkan rata-rata margin risiko sebesar {value} log-odds",
    ),
    "mon_estimate": ("Estimated and realised performance", "Kinerja perkiraan dan nyata"),
    "mon_estimate_help": (
        "Estimated from calibrated probabilities, without labels; realised from decided"
        " cases and the blind sample, where there are enough.",
        "Diperkirakan dari probabilitas terkalibrasi, tanpa label; nyata dari kasus yang"
        " diputuskan dan sampel buta, bila cukup.",
    ),
    "mon_fairness": ("Live fairness ({chunk})", "Keadilan langsung ({chunk})"),
    "mon_col_flag_ratio": (
        "Flag-rate ratio (95% interval)",
        "Rasio tingkat penandaan (interval 95%)",
    ),
    "mon_col_hit": ("Estimated hit rate", "Perkiraan tingkat temuan"),
    "mon_col_hit_ratio": ("Hit-rate ratio (95% interval)", "Rasio tingkat temuan (interval 95%)"),
    "mon_suppressed": ("suppressed (small group)", "disembunyikan (kelompok kecil)"),
    "mon_reference": ("reference", "acuan"),
    "mon_alerts": ("Monitoring alerts", "Peringatan pemantauan"),
    "mon_no_alerts": ("No alerts.", "Tidak ada peringatan."),
    "mon_col_when": ("When", "Waktu"),
    "mon_col_rule": ("Rule", "Aturan"),
    "mon_col_what": ("What", "Apa"),
    "mon_suspended": ("Switched to manual review", "Dialihkan ke tinjauan manual"),
    "mon_kind_drift_share": ("Dataset drift", "Pergeseran data"),
    "mon_kind_score_psi": ("Score shift", "Pergeseran skor"),
    "mon_kind_feature": ("Feature {feature} drifted", "Fitur {feature} bergeser"),
    "mon_kind_divergence": (
        "Estimated and realised performance disagree",
        "Kinerja perkiraan dan nyata berbeda",
    ),
    "mon_kind_fairness": (
        "Fairness ratio outside tolerance",
        "Rasio keadilan di luar toleransi",
    ),
    "mon_summary": (
        "{alerts} alert(s); latest run {at}.",
        "{alerts} peringatan; pemantauan terakhir {at}.",
    ),
    "mon_open": ("Open the monitoring page", "Buka halaman pemantauan"),
    "mon_lbl_chunk": ("chunk", "periode"),
    "mon_lbl_feature": ("feature", "fitur"),
    "mon_lbl_drifted": ("drifted", "bergeser"),
    "mon_lbl_attribution": (
        "Change in mean contribution (log-odds)",
        "Perubahan rata-rata kontribusi (log-odds)",
    ),
    "mon_lbl_estimated": ("estimated", "perkiraan"),
    "mon_lbl_realised": ("realised", "nyata"),
    "mon_lbl_precision": ("precision at capacity", "presisi pada kapasitas"),
    "mon_lbl_recall": ("recall at capacity", "recall pada kapasitas"),
    "chart_mon_heatmap": ("Drifted features per chunk", "Fitur yang bergeser per periode"),
    "chart_mon_attribution": ("Score shift by feature", "Pergeseran skor menurut fitur"),
    "chart_mon_estimate": ("Estimated and realised performance", "Kinerja perkiraan dan nyata"),
}
