"""Strings of the supervision, oversight and transparency pages (EN and ID)."""

from __future__ import annotations

__all__ = ["PORTAL_PAIRS"]

PORTAL_PAIRS: dict[str, tuple[str, str]] = {
    # supervision
    "sup_title": ("Supervision", "Supervisi"),
    "sup_team": ("Team queues", "Antrean tim"),
    "sup_officer": ("Officer", "Petugas"),
    "sup_open_cases": ("Cases held", "Kasus dipegang"),
    "sup_breached": ("Past the service level", "Melewati tingkat layanan"),
    "sup_case_breaches": (
        "Cases waiting over {days} days",
        "Kasus menunggu lebih dari {days} hari",
    ),
    "sup_cases": ("Undecided cases", "Kasus belum diputuskan"),
    "sup_reassign": ("Reassign", "Alihkan"),
    "sup_reassign_to": ("Reassign case {id} to", "Alihkan kasus {id} kepada"),
    "sup_done_reassigned": ("The case was reassigned.", "Kasus telah dialihkan."),
    "sup_done_kill_on": (
        "Manual review of every application is now on.",
        "Tinjauan manual untuk semua permohonan kini aktif.",
    ),
    "sup_done_kill_off": (
        "Manual review of every application is now off; the model routes cases again.",
        "Tinjauan manual untuk semua permohonan kini nonaktif; model kembali mengarahkan kasus.",
    ),
    "kill_title": ("Kill switch", "Sakelar darurat"),
    "kill_on": (
        "ON: every application goes to manual review; model flags are not used.",
        "AKTIF: semua permohonan masuk tinjauan manual; penandaan model tidak dipakai.",
    ),
    "kill_off": ("OFF: the model routes applications.", "NONAKTIF: model mengarahkan permohonan."),
    "kill_help": (
        "Use it when the model may be wrong or unfair; the change and your reason are audited.",
        "Gunakan jika model mungkin keliru atau tidak adil; perubahan dan alasan Anda diaudit.",
    ),
    "kill_reason": ("Reason (required)", "Alasan (wajib)"),
    "kill_confirm": (
        "I confirm this changes how every new application is routed",
        "Saya mengonfirmasi bahwa ini mengubah pengarahan semua permohonan baru",
    ),
    "kill_confirm_dialog": ("Change the kill switch now?", "Ubah sakelar darurat sekarang?"),
    "kill_turn_on": ("Switch to manual review", "Beralih ke tinjauan manual"),
    "kill_turn_off": ("Return to model routing", "Kembali ke pengarahan model"),
    "kill_confirm_required": ("Tick the confirmation box.", "Centang kotak konfirmasi."),
    "kill_reason_required": ("Give a reason.", "Berikan alasan."),
    "kill_bad_value": (
        "The kill switch can only be on or off.",
        "Sakelar darurat hanya aktif atau nonaktif.",
    ),
    # KPIs and charts
    "kpi_scored": ("Applications screened", "Permohonan disaring"),
    "kpi_flagged": ("Flagged", "Ditandai"),
    "kpi_decided": ("Cases decided", "Kasus diputuskan"),
    "kpi_flag_rate": ("Flag rate", "Tingkat penandaan"),
    "kpi_hit_rate": ("Flags confirmed (hit rate)", "Penandaan terbukti (tingkat temuan)"),
    "kpi_hit_rate_blind": ("Hit rate of the blind sample", "Tingkat temuan sampel buta"),
    "kpi_backlog": ("Backlog (undecided cases)", "Tunggakan (kasus belum diputuskan)"),
    "kpi_processing_p50": ("Median processing time (days)", "Median waktu proses (hari)"),
    "kpi_complaints": ("Complaints", "Pengaduan"),
    "kpi_within_sla": ("Answered within the service level", "Dijawab dalam tingkat layanan"),
    "kpi_complaints_sla": ("Complaints answered in time", "Pengaduan dijawab tepat waktu"),
    "kpi_complaints_overdue": ("Complaints overdue", "Pengaduan terlambat"),
    "kpi_satisfaction": (
        "Satisfaction recorded by officers (1-5)",
        "Kepuasan yang dicatat petugas (1-5)",
    ),
    "chart_volumes": (
        "Screened, flagged and decided per month",
        "Disaring, ditandai, dan diputuskan per bulan",
    ),
    "chart_rates": ("Flag and hit rates per month", "Tingkat penandaan dan temuan per bulan"),
    "chart_processing": ("Median processing time (days)", "Median waktu proses (hari)"),
    "chart_complaints": ("Complaints per month", "Pengaduan per bulan"),
    "chart_satisfaction": ("Satisfaction per month", "Kepuasan per bulan"),
    "chart_fairness": ("Flag rate by group per month", "Tingkat penandaan per kelompok per bulan"),
    "ov_report_own_page": (
        "The report opens as its own page at your window's width (one file, readable offline).",
        "Laporan terbuka sebagai halaman tersendiri selebar jendela Anda (satu berkas, dapat"
        " dibaca tanpa jaringan).",
    ),
    "chart_no_data": (
        "No data yet: the chart appears once there is something to draw.",
        "Belum ada data: grafik muncul setelah ada yang dapat digambar.",
    ),
    # oversight
    "ov_kpis": ("Key figures", "Angka utama"),
    "ov_fairness": ("Fairness in production", "Keadilan dalam produksi"),
    "ov_model": ("Model, card and promotions", "Model, kartu model, dan promosi"),
    "ov_features": ("Feature catalogue", "Katalog fitur"),
    "ov_drift": ("Input drift", "Pergeseran masukan"),
    "not_available_yet": ("Not available yet.", "Belum tersedia."),
    "ov_aggregates_only": (
        "Aggregates only: no page of the oversight portal shows a person's data.",
        "Hanya agregat: tidak ada halaman portal pengawasan yang menampilkan data pribadi.",
    ),
    "ov_by_month": ("By month", "Per bulan"),
    "ov_month": ("Month", "Bulan"),
    "ov_attribute": ("Group by", "Kelompokkan menurut"),
    "ov_group": ("Group", "Kelompok"),
    "ov_live_fairness": ("Live decisions by {attribute}", "Keputusan nyata menurut {attribute}"),
    "ov_fairness_help": (
        "Flag rate: share of screened applications the model flagged. Hit rate: share of"
        " decided flagged cases with a confirmed violation. Groups under {n} applications"
        ' are counted together as "other (suppressed)", a rate over fewer than {n} cases'
        " is not shown, and another rate is hidden with it when the totals would give it"
        " away.",
        "Tingkat penandaan: bagian permohonan yang ditandai model. Tingkat temuan: bagian"
        " kasus bertanda yang diputuskan dengan pelanggaran terbukti. Kelompok di bawah {n}"
        ' permohonan dihitung bersama sebagai "lainnya (disembunyikan)", tingkat dari'
        " kurang dari {n} kasus tidak ditampilkan, dan tingkat lain ikut disembunyikan bila"
        " jumlah totalnya akan membukanya.",
    ),
    "ov_small_group": ("Small group", "Kelompok kecil"),
    "ov_suppressed": ("Suppressed (fewer than {n})", "Disembunyikan (kurang dari {n})"),
    "ov_model_fairness_link": (
        "The champion model's fairness report is part of its oversight report.",
        "Laporan keadilan model juara adalah bagian dari laporan pengawasannya.",
    ),
    "ov_champion": ("Champion model", "Model juara"),
    "ov_champion_is": ("The champion is {version}.", "Model juara adalah {version}."),
    "ov_no_champion": (
        "No version holds the champion alias yet.",
        "Belum ada versi yang menjadi juara.",
    ),
    "ov_open_report": (
        "Open the report (model card, explanations, fairness)",
        "Buka laporan (kartu model, penjelasan, keadilan)",
    ),
    "ov_report_title": ("Oversight report of the champion", "Laporan pengawasan model juara"),
    "ov_versions": ("Registered versions", "Versi terdaftar"),
    "ov_version": ("Version", "Versi"),
    "ov_aliases": ("Aliases", "Alias"),
    "ov_report": ("Report", "Laporan"),
    "ov_promotions": ("Promotion history", "Riwayat promosi"),
    "ov_when": ("When", "Kapan"),
    "ov_by": ("By", "Oleh"),
    "ov_result": ("Result", "Hasil"),
    "ov_failed_checks": ("Failed checks", "Pemeriksaan gagal"),
    "ov_waiver": ("Waiver", "Pengecualian"),
    "ov_approved_by": ("approved by {who}", "disetujui oleh {who}"),
    "ov_requested_by": ("requested by {who}", "diminta oleh {who}"),
    "ov_pending": ("Waivers waiting for a second person", "Pengecualian menunggu orang kedua"),
    "ov_pending_help": (
        "A version that failed the release gate is promoted only when a second person, a"
        " supervisor other than the one who asked and the one who trained it, approves the"
        " waiver signed in as themselves.",
        "Versi yang gagal dalam gerbang rilis hanya dipromosikan bila orang kedua, seorang"
        " penyelia selain yang meminta dan yang melatihnya, menyetujui pengecualian itu"
        " dengan masuk sebagai dirinya sendiri.",
    ),
    "ov_no_pending": ("No waiver is waiting.", "Tidak ada pengecualian yang menunggu."),
    "ov_reason": ("Reason", "Alasan"),
    "ov_approve_as": ("Approve as {who}", "Setujui sebagai {who}"),
    "ov_approver_only": (
        "Only a supervisor can approve, signed in as themselves.",
        "Hanya penyelia yang dapat menyetujui, dengan masuk sebagai dirinya sendiri.",
    ),
    "ov_done_approved": (
        "Waiver approved: version {version} is now the champion.",
        "Pengecualian disetujui: versi {version} kini menjadi model juara.",
    ),
    "ov_waiver_self": (
        "You requested this waiver; a second person must approve it.",
        "Anda yang meminta pengecualian ini; orang kedua harus menyetujuinya.",
    ),
    "ov_waiver_trainer": (
        "You trained this model; someone else must approve its waiver.",
        "Anda yang melatih model ini; orang lain harus menyetujui pengecualiannya.",
    ),
    "ov_waiver_none": (
        "Version {version} has no waiver request waiting for approval.",
        "Versi {version} tidak memiliki permintaan pengecualian yang menunggu persetujuan.",
    ),
    "ov_waiver_champion": (
        "Version {version} is already the champion.",
        "Versi {version} sudah menjadi model juara.",
    ),
    "ov_no_promotions": ("No promotion attempts yet.", "Belum ada upaya promosi."),
    "ov_features_help": (
        "{n} signals, each declared once with what it measures and why. Catalogue hash:",
        "{n} sinyal, masing-masing dideklarasikan sekali beserta apa yang diukur dan alasannya."
        " Hash katalog:",
    ),
    "ov_feature": ("Feature", "Fitur"),
    "ov_description": ("What it measures", "Apa yang diukur"),
    "ov_purpose": ("Why it is a signal", "Mengapa menjadi sinyal"),
    "ov_reason_wording": ("How a reason reads", "Bunyi alasan"),
    "ov_reason_example_typical": (
        "Reasons are shown as they read at the typical value of the served model's reference"
        " applications; yes/no signals show both sentences.",
        "Alasan ditampilkan sebagaimana terbaca pada nilai umum permohonan acuan model yang"
        " dipakai; sinyal ya/tidak menampilkan kedua kalimat.",
    ),
    "ov_reason_example_plain": (
        "Reasons are shown as they read at an example value (no model is loaded);"
        " yes/no signals show both sentences.",
        "Alasan ditampilkan sebagaimana terbaca pada nilai contoh (belum ada model yang"
        " dimuat); sinyal ya/tidak menampilkan kedua kalimat.",
    ),
    "ov_inputs": ("Inputs", "Masukan"),
    "attr_nationality": ("Nationality", "Kewarganegaraan"),
    "attr_sex": ("Sex", "Jenis kelamin"),
    "attr_age_band": ("Age band", "Kelompok usia"),
    "attr_marital_status": ("Marital status", "Status perkawinan"),
    # transparency
    "tr_title": ("Amanah transparency report", "Laporan transparansi Amanah"),
    "tr_intro": (
        "Amanah helps immigration officers decide which visa and residence applications to"
        " examine more closely. This report publishes what it did, in aggregate.",
        "Amanah membantu petugas imigrasi memilih permohonan visa dan izin tinggal yang perlu"
        " diperiksa lebih teliti. Laporan ini menerbitkan apa yang dilakukannya, secara agregat.",
    ),
    "tr_audit_title": ("The audit log's published head", "Kepala log audit yang diterbitkan"),
    "tr_audit_text": (
        "On {at} (UTC) the audit log held {count} entries; the last one's hash is below."
        " Anyone who keeps this line can later check that the log was not rewritten,"
        " shortened or wiped since.",
        "Pada {at} (UTC) log audit memuat {count} entri; hash entri terakhir ada di bawah."
        " Siapa pun yang menyimpan baris ini dapat memeriksa kemudian bahwa log tidak ditulis"
        " ulang, dipotong, atau dihapus sejak itu.",
    ),
    "tr_audit_check": (
        "An auditor checks it with: risk audit-log verify --against HASH:COUNT",
        "Auditor memeriksanya dengan: risk audit-log verify --against HASH:COUNT",
    ),
    "tr_audit_none": (
        "No head of the audit log has been published yet.",
        "Belum ada kepala log audit yang diterbitkan.",
    ),
    "tr_does": ("What the system does", "Apa yang dilakukan sistem"),
    "tr_does_1": (
        "Scores each application for signs of overstay, document fraud or misrepresentation.",
        "Memberi skor setiap permohonan atas tanda tinggal melebihi izin, pemalsuan dokumen,"
        " atau keterangan palsu.",
    ),
    "tr_does_2": (
        "Sends the highest-scoring applications, and a random sample of the others, to an officer.",
        "Mengirim permohonan dengan skor tertinggi, dan sampel acak lainnya, kepada petugas.",
    ),
    "tr_does_3": (
        "Explains every flag in plain language, with what raised and what lowered the risk.",
        "Menjelaskan setiap penandaan dengan bahasa sederhana, termasuk yang menaikkan dan"
        " menurunkan risiko.",
    ),
    "tr_does_4": (
        "Records every score, decision and model change in a tamper-evident log.",
        "Mencatat setiap skor, keputusan, dan perubahan model dalam log yang tahan rekayasa.",
    ),
    "tr_does_not": ("What the system does not do", "Apa yang tidak dilakukan sistem"),
    "tr_does_not_1": (
        "It never refuses an application: only an officer decides.",
        "Sistem tidak pernah menolak permohonan: hanya petugas yang memutuskan.",
    ),
    "tr_does_not_2": (
        "It does not use nationality, sex, age or marital status as signals; they are kept"
        " only to measure fairness.",
        "Sistem tidak memakai kewarganegaraan, jenis kelamin, usia, atau status perkawinan"
        " sebagai sinyal; data itu hanya disimpan untuk mengukur keadilan.",
    ),
    "tr_does_not_3": (
        "A flag is not a finding: most flagged applications are found in order.",
        "Penandaan bukan temuan: sebagian besar permohonan bertanda ternyata sesuai aturan.",
    ),
    "tr_figures": ("In figures", "Dalam angka"),
    "tr_totals": ("Totals", "Jumlah"),
    "tr_screened": ("Applications screened", "Permohonan disaring"),
    "tr_flag_rate": ("Share flagged for review", "Bagian yang ditandai untuk ditinjau"),
    "tr_reviewed": ("Cases reviewed and decided", "Kasus ditinjau dan diputuskan"),
    "tr_confirmed_rate": ("Flags confirmed by an officer", "Penandaan yang dibenarkan petugas"),
    "tr_blind_rate": (
        "Violations found in the random sample",
        "Pelanggaran yang ditemukan dalam sampel acak",
    ),
    "tr_override_rate": ("Flags where no violation was found", "Penandaan tanpa pelanggaran"),
    "tr_processing_p50": ("Median days to a decision", "Median hari hingga keputusan"),
    "tr_processing_p90": (
        "Days to a decision, 90th percentile",
        "Hari hingga keputusan, persentil ke-90",
    ),
    "tr_backlog": ("Cases waiting", "Kasus menunggu"),
    "tr_complaints": ("Complaints received", "Pengaduan diterima"),
    "tr_complaints_answered": ("Complaints answered", "Pengaduan dijawab"),
    "tr_complaints_sla": ("Complaints answered in time", "Pengaduan dijawab tepat waktu"),
    "tr_satisfaction": (
        "Average satisfaction recorded by officers (1-5)",
        "Rata-rata kepuasan yang dicatat petugas (1-5)",
    ),
    "tr_fairness": ("Fairness by group", "Keadilan per kelompok"),
    "tr_fairness_help": (
        'Groups with fewer than {n} applications are counted together as "other'
        ' (suppressed)" and never named; a rate over fewer than {n} cases is not shown, and'
        " another is hidden with it when the totals would give it away, so that nobody can be"
        " singled out.",
        'Kelompok dengan kurang dari {n} permohonan dihitung bersama sebagai "lainnya'
        ' (disembunyikan)" dan tidak pernah disebut; tingkat dari kurang dari {n} kasus tidak'
        " ditampilkan, dan tingkat lain ikut disembunyikan bila jumlah totalnya akan"
        " membukanya, agar tidak ada orang yang dapat dikenali.",
    ),
    "tr_other_groups": ("other (suppressed)", "lainnya (disembunyikan)"),
    "tr_small_groups": ("{k} small groups", "{k} kelompok kecil"),
    "tr_suppressed_cell": ("suppressed", "disembunyikan"),
    "tr_complaints_title": (
        "Complaints and how they were answered",
        "Pengaduan dan cara menjawabnya",
    ),
    "tr_complaints_text": (
        "{opened} complaints were received and {answered} answered, {within} of them within"
        " the service level.",
        "{opened} pengaduan diterima dan {answered} dijawab, {within} di antaranya dalam"
        " tingkat layanan.",
    ),
    "tr_as_of": ("Figures as of {date}.", "Angka per {date}."),
    "tr_download_html": ("Download (HTML)", "Unduh (HTML)"),
    "tr_download_csv": ("Download (CSV)", "Unduh (CSV)"),
    "tr_other_language": ("Baca dalam Bahasa Indonesia", "Read in English"),
    "csv_section": ("section", "bagian"),
    "csv_measure": ("measure", "ukuran"),
    "csv_group": ("group", "kelompok"),
    "csv_value": ("value", "nilai"),
    "est_title": ("Estimated from the blind sample", "Diperkirakan dari sampel buta"),
    "est_hint": (
        "Model {model}. Only reviewed cases have a finding; each counts for the"
        " applications it stands for (one over its chance of review), so a blind-sample case"
        " counts far more than a flag. 95% intervals in brackets.",
        "Model {model}. Hanya kasus yang ditinjau yang memiliki temuan; masing-masing"
        " mewakili permohonan sebanyak satu dibagi peluang peninjauannya, sehingga kasus"
        " sampel buta jauh lebih berbobot daripada penandaan. Interval 95% dalam kurung.",
    ),
    "est_none": (
        "No score of the served model yet: nothing to estimate.",
        "Belum ada skor dari model yang dilayani: tidak ada yang dapat diperkirakan.",
    ),
    "est_period": ("Period", "Periode"),
    "est_overall": ("All months", "Semua bulan"),
    "est_prevalence": (
        "Violations among all applications",
        "Pelanggaran di antara semua permohonan",
    ),
    "est_precision": ("Flags that are violations", "Penandaan yang merupakan pelanggaran"),
    "est_recall": ("Violations the flags catch", "Pelanggaran yang tertangkap penandaan"),
    "est_miss": (
        "Violations among unflagged applications",
        "Pelanggaran di antara permohonan yang tidak ditandai",
    ),
    "est_reviewed": ("Reviewed (blind sample)", "Ditinjau (sampel buta)"),
}
