"""Every string the pages show, in English (``en``) and Bahasa Indonesia (``id``)."""

from __future__ import annotations

from ._messages_account import ACCOUNT_PAIRS
from ._messages_evidence import EVIDENCE_PAIRS
from ._messages_monitor import MONITOR_PAIRS
from ._messages_portal import PORTAL_PAIRS
from ._messages_promises import PROMISES_PAIRS
from ._messages_public import PUBLIC_PAIRS
from ._messages_work import WORK_PAIRS

__all__ = ["MESSAGES"]

_PAIRS: dict[str, tuple[str, str]] = {
    # frame
    "app_name": ("Amanah", "Amanah"),
    "tagline": (
        "Explainable risk triage: flags for human review, never refusals",
        "Triase risiko yang dapat dijelaskan: penandaan untuk ditinjau manusia, bukan penolakan",
    ),
    "skip_to_content": ("Skip to content", "Langsung ke isi"),
    "nav_queue": ("Review queue", "Antrean tinjauan"),
    "nav_supervisor": ("Supervision", "Supervisi"),
    "nav_oversight": ("Oversight", "Pengawasan"),
    "nav_transparency": ("Transparency report", "Laporan transparansi"),
    "nav_complaints": ("Complaints", "Pengaduan"),
    "nav_main": ("Main", "Utama"),
    "signed_in_as": ("Signed in as {user} ({role})", "Masuk sebagai {user} ({role})"),
    "sign_out": ("Sign out", "Keluar"),
    "language": ("Language", "Bahasa"),
    "switch_language": ("Change language", "Ganti bahasa"),
    "footer": (
        "Amanah never refuses an application: only an officer decides, and every step is"
        " recorded in a tamper-evident audit log.",
        "Amanah tidak pernah menolak permohonan: hanya petugas yang memutuskan, dan setiap"
        " langkah dicatat dalam log audit yang tahan rekayasa.",
    ),
    "role_officer": ("officer", "petugas"),
    "role_supervisor": ("supervisor", "penyelia"),
    "role_analyst": ("analyst", "analis"),
    "role_auditor": ("auditor", "auditor"),
    "role_admin": ("administrator", "administrator"),
    # sign in
    "sign_in": ("Sign in", "Masuk"),
    "username": ("Username", "Nama pengguna"),
    "password": ("Password", "Kata sandi"),
    "sign_in_failed": (
        "The username or password is wrong, or the account is inactive.",
        "Nama pengguna atau kata sandi salah, atau akun tidak aktif.",
    ),
    "signed_out": ("You have signed out.", "Anda telah keluar."),
    "sign_in_locked": (
        "Too many failed sign-ins. Try again in {minutes} minutes, or ask a supervisor to"
        " unlock the account.",
        "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit, atau minta"
        " penyelia membuka kunci akun.",
    ),
    "session_ended": (
        "Your session has ended; please sign in again.",
        "Sesi Anda telah berakhir; silakan masuk lagi.",
    ),
    # errors
    "error_title": ("Something is not right", "Ada yang tidak beres"),
    "error_forbidden": (
        "Your role ({role}) may not open this page.",
        "Peran Anda ({role}) tidak boleh membuka halaman ini.",
    ),
    "error_not_found": ("Not found: {what}", "Tidak ditemukan: {what}"),
    "error_csrf": (
        "The form has expired; reload the page and try again.",
        "Formulir sudah kedaluwarsa; muat ulang halaman dan coba lagi.",
    ),
    "back": ("Back", "Kembali"),
    # queue
    "queue_title": ("Cases to review", "Kasus untuk ditinjau"),
    "queue_count": ("{n} cases", "{n} kasus"),
    "filters": ("Filters", "Filter"),
    "filter_band": ("Band", "Tingkat"),
    "filter_status": ("Status", "Status"),
    "filter_assigned": ("Assigned to", "Ditugaskan kepada"),
    "filter_sort": ("Sort by", "Urutkan menurut"),
    "any": ("Any", "Semua"),
    "mine": ("Me", "Saya"),
    "apply": ("Apply", "Terapkan"),
    "sort_risk": ("Risk, then waiting time", "Risiko, lalu waktu tunggu"),
    "sort_waiting": ("Waiting time (longest first)", "Waktu tunggu (terlama dahulu)"),
    "band_high": ("High", "Tinggi"),
    "band_medium": ("Medium", "Sedang"),
    "band_low": ("Low", "Rendah"),
    "band_hidden": ("Hidden (blind sample)", "Disembunyikan (sampel buta)"),
    "status_open": ("Open", "Terbuka"),
    "status_claimed": ("Claimed", "Diambil"),
    "status_decided": ("Decided", "Diputuskan"),
    "col_case": ("Case", "Kasus"),
    "col_application": ("Application", "Permohonan"),
    "col_band": ("Band", "Tingkat"),
    "col_waiting": ("Waiting", "Menunggu"),
    "col_sla": ("Service level", "Tingkat layanan"),
    "col_status": ("Status", "Status"),
    "col_assigned": ("Assigned to", "Ditugaskan kepada"),
    "col_received": ("Received", "Diterima"),
    "days": ("{n} days", "{n} hari"),
    "sla_ok": ("On time", "Tepat waktu"),
    "sla_due_soon": ("Due soon", "Segera jatuh tempo"),
    "sla_breached": ("Overdue", "Terlambat"),
    "unassigned": ("Unassigned", "Belum ditugaskan"),
    "no_cases": ("No cases match.", "Tidak ada kasus yang cocok."),
    "queue_keys": (
        "Keyboard: Tab moves between cases, Enter opens one; j and k move down and up.",
        "Papan ketik: Tab berpindah antar kasus, Enter membukanya; j dan k turun dan naik.",
    ),
    "previous_page": ("Previous", "Sebelumnya"),
    "next_page": ("Next", "Berikutnya"),
    # case screen
    "case_title": ("Case {id}", "Kasus {id}"),
    "flag_notice": (
        "A flag is not a finding. The score says how much this file resembles past"
        " confirmed violations; only your review of the evidence decides the case.",
        "Penandaan bukan temuan. Skor menunjukkan seberapa mirip berkas ini dengan"
        " pelanggaran yang pernah terbukti; hanya tinjauan Anda atas bukti yang memutuskan.",
    ),
    "blind_notice": (
        "Blind sample: this case was chosen at random. Its score and reasons stay hidden,"
        " also after the decision, so that every finding on it stays independent.",
        "Sampel buta: kasus ini dipilih secara acak. Skor dan alasannya tetap disembunyikan,"
        " juga setelah keputusan, agar setiap temuan atasnya tetap independen.",
    ),
    "score_title": ("Risk assessment", "Penilaian risiko"),
    "score_label": ("Calibrated score", "Skor terkalibrasi"),
    "band_label": ("Band", "Tingkat"),
    "threshold_label": ("Review threshold", "Ambang tinjauan"),
    "model_label": ("Model version", "Versi model"),
    "route_label": ("Why it is in the queue", "Mengapa masuk antrean"),
    "route_model_flag": ("Flagged by the model", "Ditandai oleh model"),
    "route_blind_sample": ("Random blind sample", "Sampel buta acak"),
    "route_kill_switch": (
        "Manual review of everything (kill switch)",
        "Tinjauan manual semua (sakelar darurat)",
    ),
    "reasons_title": ("Reasons", "Alasan"),
    "reasons_raised": ("What raised the risk", "Yang menaikkan risiko"),
    "reasons_lowered": ("What lowered the risk", "Yang menurunkan risiko"),
    "reasons_none": ("None", "Tidak ada"),
    "reasons_help": (
        "Each bar is the reason's push on the score (log-odds) compared with the model's"
        " average application. The same value can push up on one case and down on another,"
        " because the model weighs it together with the case's other facts; the typical value"
        " under each reason is what most applications the model was checked on show. Check"
        " every reason against the file.",
        "Setiap batang adalah dorongan alasan terhadap skor (log-odds) dibandingkan dengan"
        " permohonan rata-rata model. Nilai yang sama dapat mendorong naik pada satu kasus dan"
        " turun pada kasus lain, karena model menimbangnya bersama fakta lain dalam kasus itu;"
        " nilai umum di bawah setiap alasan adalah yang ditunjukkan sebagian besar permohonan"
        " yang dipakai untuk memeriksa model. Periksa setiap alasan terhadap berkas.",
    ),
    "reasons_scale": (
        "Bar scale, the same on every case: a full bar is a push of {scale} log-odds.",
        "Skala batang, sama pada setiap kasus: batang penuh berarti dorongan {scale} log-odds.",
    ),
    "reason_beyond_scale": ("(beyond the scale)", "(melebihi skala)"),
    "reason_typical": ("Typical application: {text}", "Permohonan pada umumnya: {text}"),
    "reason_typical_same": (
        "Most applications show the same.",
        "Sebagian besar permohonan menunjukkan hal yang sama.",
    ),
    "hashed_on_file": ("on file (hashed)", "tercatat (di-hash)"),
    "hashed_matches": (
        "the same as on {n} other applications",
        "sama dengan {n} permohonan lain",
    ),
    "hashed_matches_none": (
        "no other application has it",
        "tidak ada permohonan lain yang memakainya",
    ),
    "history_since": ("Since this application", "Sejak permohonan ini"),
    "history_since_help": (
        "Recorded after this application was submitted: not part of the history the score saw.",
        "Dicatat setelah permohonan ini diajukan: bukan bagian riwayat yang dilihat skor.",
    ),
    "history_since_none": ("Nothing recorded since.", "Belum ada catatan sejak itu."),
    "dec_err_outcome": ("Choose an outcome.", "Pilih hasil."),
    "cp_not_recorded": (
        "The complaint was not recorded: see the complaint form below.",
        "Pengaduan tidak dicatat: lihat formulir pengaduan di bawah.",
    ),
    "fb_not_recorded": (
        "The rating was not recorded: see the rating form below.",
        "Penilaian tidak dicatat: lihat formulir penilaian di bawah.",
    ),
    "dec_err_types_needed": (
        "A confirmed violation needs at least one violation type.",
        "Pelanggaran terbukti memerlukan sedikitnya satu jenis pelanggaran.",
    ),
    "dec_err_types_not_allowed": (
        "Violation types go only with a confirmed violation: clear them or choose"
        " \u201cViolation confirmed\u201d.",
        "Jenis pelanggaran hanya untuk pelanggaran terbukti: hapus centangnya atau pilih"
        " \u201cPelanggaran terbukti\u201d.",
    ),
    "dec_err_types_unknown": (
        "Choose violation types from the list.",
        "Pilih jenis pelanggaran dari daftar.",
    ),
    "dec_err_reason": (
        "Write the reason for your finding.",
        "Tuliskan alasan temuan Anda.",
    ),
    "contribution": ("contribution {value}", "kontribusi {value}"),
    "application_title": ("Application", "Permohonan"),
    "documents_title": ("Documents", "Dokumen"),
    "document_n": ("Document {id}", "Dokumen {id}"),
    "doc_checks_title": ("Document checks", "Pemeriksaan dokumen"),
    "check": ("Check", "Pemeriksaan"),
    "result": ("Result", "Hasil"),
    "pass": ("Pass", "Lulus"),
    "fail": ("Fail", "Gagal"),
    "not_applicable": ("Not applicable", "Tidak berlaku"),
    "check_format": ("MRZ layout and characters", "Tata letak dan karakter MRZ"),
    "check_number": ("MRZ check digit: document number", "Digit periksa MRZ: nomor dokumen"),
    "check_birth": ("MRZ check digit: date of birth", "Digit periksa MRZ: tanggal lahir"),
    "check_expiry": ("MRZ check digit: expiry date", "Digit periksa MRZ: tanggal habis berlaku"),
    "check_optional": ("MRZ check digit: personal number", "Digit periksa MRZ: nomor pribadi"),
    "check_composite": ("MRZ composite check digit", "Digit periksa gabungan MRZ"),
    "check_mrz_number": (
        "MRZ vs printed page: document number",
        "MRZ vs halaman cetak: nomor dokumen",
    ),
    "check_mrz_name": ("MRZ vs printed page: name", "MRZ vs halaman cetak: nama"),
    "check_mrz_birth": (
        "MRZ vs printed page: date of birth",
        "MRZ vs halaman cetak: tanggal lahir",
    ),
    "check_mrz_expiry": (
        "MRZ vs printed page: expiry date",
        "MRZ vs halaman cetak: tanggal habis berlaku",
    ),
    "check_validity": (
        "Valid for the intended stay (expires {date})",
        "Berlaku selama masa tinggal yang direncanakan (habis {date})",
    ),
    "check_chip": ("Chip authentication ({value})", "Autentikasi cip ({value})"),
    "check_face": ("Face match (score {value})", "Kecocokan wajah (skor {value})"),
    "check_tamper": (
        "Scanner tamper check (score {value})",
        "Pemeriksaan kerusakan/perubahan oleh pemindai (skor {value})",
    ),
    "history_title": ("Applicant history", "Riwayat pemohon"),
    "history_none": ("No earlier records.", "Tidak ada catatan sebelumnya."),
    "ev_application": ("Application {id} ({visa}) received", "Permohonan {id} ({visa}) diterima"),
    "ev_this_application": (
        "This application ({visa}) received",
        "Permohonan ini ({visa}) diterima",
    ),
    "ev_prior": (
        "Decision: {outcome} ({visa}){reason}",
        "Keputusan: {outcome} ({visa}){reason}",
    ),
    "ev_entry": (
        "Entered ({visa}), authorised until {until}",
        "Masuk ({visa}), diizinkan sampai {until}",
    ),
    "ev_exit": (
        "Left, {days} days after the authorised date",
        "Keluar, {days} hari setelah batas izin",
    ),
    "ev_exit_ok": ("Left within the authorised stay", "Keluar dalam masa izin tinggal"),
    "decisions_title": ("Decisions on this case", "Keputusan atas kasus ini"),
    "decisions_none": ("No decision yet.", "Belum ada keputusan."),
    "decision_by": ("{outcome} by {officer} on {date}", "{outcome} oleh {officer} pada {date}"),
    "complaints_title": ("Complaints", "Pengaduan"),
    "complaints_none": ("No complaints.", "Tidak ada pengaduan."),
    "complaint_line": (
        "{category}, opened {date}: {status}",
        "{category}, dibuka {date}: {status}",
    ),
    # complaints desk, complaint page, satisfaction ratings
    "cat_decision": ("The decision", "Keputusan"),
    "cat_delay": ("Delay", "Keterlambatan"),
    "cat_conduct": ("Staff conduct", "Perilaku petugas"),
    "cat_data_accuracy": ("Accuracy of the data", "Ketepatan data"),
    "cat_discrimination": ("Discrimination", "Diskriminasi"),
    "cat_other": ("Other", "Lainnya"),
    "cstatus_open": ("Open", "Terbuka"),
    "cstatus_in_progress": ("Being handled", "Sedang ditangani"),
    "cstatus_answered": ("Answered", "Dijawab"),
    "cp_title": ("Complaint {id}", "Pengaduan {id}"),
    "cp_desk_title": ("Complaints desk", "Meja pengaduan"),
    "cp_desk_help": (
        "Unanswered complaints come first, nearest deadline first; answered ones follow.",
        "Pengaduan yang belum dijawab tampil lebih dahulu, tenggat terdekat di atas;"
        " yang sudah dijawab menyusul.",
    ),
    "cp_count": ("{n} complaints", "{n} pengaduan"),
    "cp_desk_truncated": (
        "Showing {shown} of {n}: the most urgent unanswered and the latest answered.",
        "Menampilkan {shown} dari {n}: yang belum dijawab paling mendesak dan yang terakhir"
        " dijawab.",
    ),
    "cp_overdue_count": (
        "{n} complaints are past their deadline.",
        "{n} pengaduan telah melewati tenggatnya.",
    ),
    "cp_none_match": ("No complaints match.", "Tidak ada pengaduan yang cocok."),
    "cp_col_complaint": ("Complaint", "Pengaduan"),
    "cp_category": ("Category", "Kategori"),
    "cp_handler": ("Handler", "Penanggung jawab"),
    "cp_opened": ("Opened", "Dibuka"),
    "cp_due": ("Answer due", "Batas waktu jawaban"),
    "cp_sla_met": ("Answered in time", "Dijawab tepat waktu"),
    "cp_sla_missed": ("Answered late", "Dijawab terlambat"),
    "cp_back_to_desk": ("Back to the complaints desk", "Kembali ke meja pengaduan"),
    "cp_details": ("The complaint", "Isi pengaduan"),
    "cp_description": ("What the complainant says", "Keterangan pengadu"),
    "cp_response": ("Response", "Jawaban"),
    "cp_answered_on": ("Answered on {date} by {user}", "Dijawab pada {date} oleh {user}"),
    "cp_response_label": ("Written response (required)", "Jawaban tertulis (wajib)"),
    "cp_response_help": (
        "This answer goes to the complainant and is kept with the complaint.",
        "Jawaban ini disampaikan kepada pengadu dan disimpan bersama pengaduan.",
    ),
    "cp_send_response": ("Record the response", "Catat jawaban"),
    "cp_only_handler": (
        "Only the complaint's handler or a supervisor may answer it.",
        "Hanya penanggung jawab pengaduan atau penyelia yang boleh menjawabnya.",
    ),
    "cp_take": ("Take this complaint", "Ambil pengaduan ini"),
    "cp_done_taken": ("You now handle this complaint.", "Anda kini menangani pengaduan ini."),
    "cp_err_taken": (
        "Complaint {id} is already handled by someone else; a supervisor can reassign it.",
        "Pengaduan {id} sudah ditangani orang lain; penyelia dapat menugaskannya ulang.",
    ),
    "cp_assign_to": ("Give the complaint to", "Serahkan pengaduan kepada"),
    "cp_assign": ("Assign", "Tugaskan"),
    "cp_done_answered": ("The response was recorded.", "Jawaban telah dicatat."),
    "cp_done_assigned": ("The handler was changed.", "Penanggung jawab telah diganti."),
    "cp_record_title": ("Record a complaint on this case", "Catat pengaduan atas kasus ini"),
    "cp_choose_category": ("Choose a category", "Pilih kategori"),
    "cp_description_label": ("Description (required)", "Uraian (wajib)"),
    "cp_description_help": (
        "Write down what the applicant or their representative complains about.",
        "Tuliskan apa yang diadukan oleh pemohon atau kuasanya.",
    ),
    "cp_record": ("Record the complaint", "Catat pengaduan"),
    "cp_saved": ("Complaint {id} was recorded.", "Pengaduan {id} telah dicatat."),
    "cp_open_it": ("Open it", "Buka pengaduan"),
    "cp_err_category": (
        "Choose the complaint's category from the list.",
        "Pilih kategori pengaduan dari daftar.",
    ),
    "cp_err_description": ("A complaint needs a description.", "Pengaduan harus disertai uraian."),
    "cp_err_response": ("A written response is required.", "Jawaban tertulis wajib diisi."),
    "cp_err_too_long": (
        "The text is too long: at most {max} characters.",
        "Teks terlalu panjang: paling banyak {max} karakter.",
    ),
    "cp_err_answered": ("Complaint {id} is already answered.", "Pengaduan {id} sudah dijawab."),
    "cp_err_not_handler": (
        "Complaint {id} is handled by someone else; only its handler or a supervisor may"
        " answer it.",
        "Pengaduan {id} ditangani orang lain; hanya penanggung jawabnya atau penyelia yang"
        " boleh menjawabnya.",
    ),
    "cp_err_no_user": (
        "There is no user called {username}.",
        "Tidak ada pengguna bernama {username}.",
    ),
    "cp_err_not_staff": (
        "{username} is not an officer or supervisor; complaints go to case workers.",
        "{username} bukan petugas atau penyelia; pengaduan hanya diserahkan kepada penangan kasus.",
    ),
    "fb_title": (
        "Applicant satisfaction (recorded by an officer)",
        "Kepuasan pemohon (dicatat petugas)",
    ),
    "fb_none": ("No rating recorded.", "Belum ada penilaian yang dicatat."),
    "fb_line": ("Rated {rating} of 5 on {date}", "Nilai {rating} dari 5 pada {date}"),
    "fb_after_decision": (
        "A satisfaction rating can be recorded once the case has a decision.",
        "Penilaian kepuasan dapat dicatat setelah kasus diputuskan.",
    ),
    "fb_rating": ("Rating given by the applicant", "Nilai yang diberikan pemohon"),
    "fb_rating_1": ("1: very dissatisfied", "1: sangat tidak puas"),
    "fb_rating_2": ("2: dissatisfied", "2: tidak puas"),
    "fb_rating_3": ("3: neither", "3: biasa saja"),
    "fb_rating_4": ("4: satisfied", "4: puas"),
    "fb_rating_5": ("5: very satisfied", "5: sangat puas"),
    "fb_comment": ("Comment (optional)", "Komentar (tidak wajib)"),
    "fb_record": ("Record the rating", "Catat penilaian"),
    "fb_saved": ("The rating was recorded.", "Penilaian telah dicatat."),
    "fb_err_rating": (
        "The rating must be a whole number from 1 to 5.",
        "Nilai harus bilangan bulat dari 1 sampai 5.",
    ),
    "fb_err_comment": (
        "The comment is too long: at most {max} characters.",
        "Komentar terlalu panjang: paling banyak {max} karakter.",
    ),
    "fb_err_undecided": (
        "This case has no decision yet; a satisfaction rating comes after one.",
        "Kasus ini belum diputuskan; penilaian kepuasan dicatat setelah ada keputusan.",
    ),
    "decide_title": ("Record your finding", "Catat temuan Anda"),
    "outcome": ("Outcome", "Hasil"),
    "outcome_violation_confirmed": ("Violation confirmed", "Pelanggaran terbukti"),
    "outcome_no_violation": ("No violation", "Tidak ada pelanggaran"),
    "outcome_insufficient_evidence": ("Insufficient evidence", "Bukti tidak cukup"),
    "violation_types": (
        "Violation types (only for a confirmed violation)",
        "Jenis pelanggaran (hanya untuk pelanggaran terbukti)",
    ),
    "reason_label": ("Written reason (required)", "Alasan tertulis (wajib)"),
    "reason_help": (
        "Say what in the file supports your finding; it is kept with the decision.",
        "Sebutkan bukti dalam berkas yang mendukung temuan Anda; alasan disimpan bersama"
        " keputusan.",
    ),
    "record_decision": ("Record decision", "Catat keputusan"),
    "amend_decision": ("Amend the decision", "Ubah keputusan"),
    "decision_saved": (
        "Decision recorded for case {id}.",
        "Keputusan untuk kasus {id} telah dicatat.",
    ),
    "decision_invalid": (
        "The decision was not recorded: fix the marked fields.",
        "Keputusan tidak dicatat: perbaiki isian yang ditandai.",
    ),
    "case_conflict": ("The case could not be changed: {msg}", "Kasus tidak dapat diubah: {msg}"),
    "claim": ("Claim this case", "Ambil kasus ini"),
    "release": ("Return to the queue", "Kembalikan ke antrean"),
    "claimed_by": ("Claimed by {user}", "Diambil oleh {user}"),
    # application fields
    "f_application_id": ("Application id", "Id permohonan"),
    "f_applicant_id": ("Applicant id", "Id pemohon"),
    "f_submitted_at": ("Submitted", "Diajukan"),
    "f_visa_type": ("Visa type", "Jenis visa"),
    "f_purpose": ("Purpose", "Tujuan"),
    "f_intended_stay_days": ("Intended stay (days)", "Rencana tinggal (hari)"),
    "f_declared_funds_usd": ("Declared funds (USD)", "Dana yang dinyatakan (USD)"),
    "f_sponsor_id": ("Sponsor", "Sponsor"),
    "f_agent_id": ("Agent", "Agen"),
    "f_place_of_application": ("Place of application", "Tempat pengajuan"),
    "f_residence_country": ("Country of residence", "Negara tempat tinggal"),
    "f_residence_city": ("City of residence", "Kota tempat tinggal"),
    "f_occupation": ("Occupation", "Pekerjaan"),
    "f_employment_tenure_months": ("Employment tenure (months)", "Masa kerja (bulan)"),
    "f_phone_hash": ("Phone (hashed)", "Telepon (hash)"),
    "f_email_hash": ("Email (hashed)", "Surel (hash)"),
    "f_address_hash": ("Address (hashed)", "Alamat (hash)"),
    "f_bank_account_hash": ("Bank account (hashed)", "Rekening bank (hash)"),
    "f_document_id": ("Document id", "Id dokumen"),
    "f_document_type": ("Document type", "Jenis dokumen"),
    "f_mrz_format": ("MRZ format", "Format MRZ"),
    "f_printed_surname": ("Surname", "Nama keluarga"),
    "f_printed_given_names": ("Given names", "Nama depan"),
    "f_printed_document_number": ("Document number", "Nomor dokumen"),
    "f_issue_date": ("Issued", "Diterbitkan"),
    "f_expiry_date": ("Expires", "Habis berlaku"),
    "f_document_language": ("Language of the page", "Bahasa halaman"),
    "f_chip_auth_result": ("Chip authentication", "Autentikasi cip"),
    "f_face_match_score": ("Face match score", "Skor kecocokan wajah"),
    "f_image_quality_score": ("Image quality score", "Skor kualitas gambar"),
    "f_tamper_score": ("Tamper score", "Skor kerusakan/perubahan"),
    "not_recorded": ("not recorded", "tidak tercatat"),
}

_PAIRS.update(PORTAL_PAIRS)
_PAIRS.update(PROMISES_PAIRS)
_PAIRS.update(MONITOR_PAIRS)
_PAIRS.update(EVIDENCE_PAIRS)
_PAIRS.update(WORK_PAIRS)
_PAIRS.update(PUBLIC_PAIRS)
_PAIRS.update(ACCOUNT_PAIRS)

MESSAGES: dict[str, dict[str, str]] = {k: {"en": en, "id": id_} for k, (en, id_) in _PAIRS.items()}
