"""Strings of the public's channel: /status, applicants' complaints and survey (EN and ID)."""

from __future__ import annotations

__all__ = ["PUBLIC_PAIRS"]

PUBLIC_PAIRS: dict[str, tuple[str, str]] = {
    "st_title": ("Your application", "Permohonan Anda"),
    "st_open_title": ("Follow your application", "Pantau permohonan Anda"),
    "st_open_intro": (
        "Enter the reference and the access code you were given when you applied.",
        "Masukkan nomor referensi dan kode akses yang Anda terima saat mengajukan permohonan.",
    ),
    "st_reference": ("Reference", "Nomor referensi"),
    "st_reference_hint": ("For example AM-7K3M-9QX2", "Contoh: AM-7K3M-9QX2"),
    "st_code": ("Access code", "Kode akses"),
    "st_code_hint": (
        "16 letters and digits; spaces and dashes do not matter.",
        "16 huruf dan angka; spasi dan tanda hubung tidak berpengaruh.",
    ),
    "st_open": ("Show my application", "Tampilkan permohonan saya"),
    "st_failed": (
        "The reference and access code do not match any application. Check both and try again.",
        "Nomor referensi dan kode akses tidak cocok dengan permohonan mana pun. Periksa"
        " keduanya lalu coba lagi.",
    ),
    "st_locked": (
        "Too many attempts. Try again in {minutes} minutes.",
        "Terlalu banyak percobaan. Coba lagi dalam {minutes} menit.",
    ),
    "st_lost_code": (
        "Lost your code? Ask the office where you applied for a new one; the old one then"
        " stops working.",
        "Kehilangan kode? Mintalah kode baru ke kantor tempat Anda mengajukan permohonan;"
        " kode lama kemudian tidak berlaku lagi.",
    ),
    "st_notice_title": ("How applications are checked", "Cara permohonan diperiksa"),
    "st_notice": (
        "This service uses a risk-triage tool that may select applications for an"
        " additional review by an officer. The tool never refuses anyone: only an officer"
        " decides, and every decision has a written reason. Being selected for review says"
        " nothing about the outcome.",
        "Layanan ini menggunakan alat pemilahan risiko yang dapat memilih permohonan untuk"
        " diperiksa tambahan oleh petugas. Alat ini tidak pernah menolak siapa pun: hanya"
        " petugas yang memutuskan, dan setiap keputusan disertai alasan tertulis. Terpilih"
        " untuk diperiksa tidak menentukan hasilnya.",
    ),
    "st_stage": ("Where your application is", "Posisi permohonan Anda"),
    "st_stage_received": ("Received", "Diterima"),
    "st_stage_under_review": ("Under review by an officer", "Sedang diperiksa petugas"),
    "st_stage_decided": ("Decided", "Sudah diputuskan"),
    "st_text_received": (
        "We received your application on {date}. It is waiting to be processed.",
        "Kami menerima permohonan Anda pada {date}. Permohonan sedang menunggu diproses.",
    ),
    "st_text_under_review": (
        "We received your application on {date}. An officer has been reviewing it since {since}.",
        "Kami menerima permohonan Anda pada {date}. Seorang petugas memeriksanya sejak {since}.",
    ),
    "st_text_decided": (
        "We received your application on {date}. An officer decided on it on {decided}."
        " The decision is sent to you by the office where you applied.",
        "Kami menerima permohonan Anda pada {date}. Seorang petugas memutuskannya pada"
        " {decided}. Keputusan dikirimkan kepada Anda oleh kantor tempat Anda mengajukan"
        " permohonan.",
    ),
    "st_steps": ("Stages", "Tahapan"),
    "st_leave": ("Close my application", "Tutup permohonan saya"),
    "st_complaints": ("Your complaints and questions", "Pengaduan dan pertanyaan Anda"),
    "st_no_complaints": ("You have not sent any.", "Anda belum mengirim apa pun."),
    "st_complaint_n": ("Complaint {id}: {category}", "Pengaduan {id}: {category}"),
    "st_complaint_sent": ("Sent on {date}", "Dikirim pada {date}"),
    "st_complaint_due": (
        "We answer by {date} at the latest.",
        "Kami menjawab paling lambat {date}.",
    ),
    "st_complaint_late": (
        "Our answer is late: it was due on {date}. We are sorry.",
        "Jawaban kami terlambat: batasnya {date}. Mohon maaf.",
    ),
    "st_followup": ("What we have done", "Yang sudah kami lakukan"),
    "st_response": ("Our answer ({date})", "Jawaban kami ({date})"),
    "st_new_complaint": ("Complain or ask for an explanation", "Mengadu atau meminta penjelasan"),
    "st_category": ("What is it about?", "Tentang apa?"),
    "pcat_explanation_request": (
        "Explain how my application was handled",
        "Jelaskan bagaimana permohonan saya ditangani",
    ),
    "pcat_delay": ("It is taking too long", "Terlalu lama"),
    "pcat_conduct": ("How I was treated", "Cara saya diperlakukan"),
    "pcat_data_accuracy": ("Wrong information about me", "Informasi yang salah tentang saya"),
    "pcat_other": ("Something else", "Hal lain"),
    "st_explanation_hint": (
        "An officer who did not decide your application answers in writing how it was handled.",
        "Petugas yang tidak memutuskan permohonan Anda menjawab secara tertulis bagaimana"
        " permohonan itu ditangani.",
    ),
    "st_description": ("Tell us what happened", "Ceritakan apa yang terjadi"),
    "st_description_hint": (
        "At most {max} characters. Do not write your access code.",
        "Paling banyak {max} karakter. Jangan menuliskan kode akses Anda.",
    ),
    "st_contact": ("How should we contact you?", "Bagaimana kami menghubungi Anda?"),
    "contact_none": ("Only on this page", "Hanya di halaman ini"),
    "contact_email": (
        "By email (the address in my application)",
        "Lewat surel (alamat dalam permohonan saya)",
    ),
    "contact_phone": (
        "By phone (the number in my application)",
        "Lewat telepon (nomor dalam permohonan saya)",
    ),
    "contact_post": ("By post", "Lewat pos"),
    "st_send": ("Send", "Kirim"),
    "st_done_complaint": (
        "Thank you. We received your message and will answer by {date}.",
        "Terima kasih. Pesan Anda sudah kami terima dan akan kami jawab paling lambat {date}.",
    ),
    "st_done_survey": (
        "Thank you for rating our service.",
        "Terima kasih telah menilai layanan kami.",
    ),
    "st_survey": ("Rate our service", "Nilai layanan kami"),
    "st_survey_closed": (
        "You can rate our service once your application is decided.",
        "Anda dapat menilai layanan kami setelah permohonan Anda diputuskan.",
    ),
    "st_survey_given": (
        "You rated our service {rating} out of 5. Thank you.",
        "Anda memberi nilai {rating} dari 5. Terima kasih.",
    ),
    "st_rating": (
        "How satisfied are you with how we handled your application?",
        "Seberapa puas Anda dengan penanganan permohonan Anda?",
    ),
    "st_rating_1": ("1 - very dissatisfied", "1 - sangat tidak puas"),
    "st_rating_2": ("2", "2"),
    "st_rating_3": ("3", "3"),
    "st_rating_4": ("4", "4"),
    "st_rating_5": ("5 - very satisfied", "5 - sangat puas"),
    "st_comment": ("Comment (optional)", "Komentar (opsional)"),
    "st_comment_hint": (
        "A comment is read by a supervisor before it is shown anywhere. Once only.",
        "Komentar dibaca penyelia sebelum ditampilkan di mana pun. Hanya satu kali.",
    ),
    "st_err_expired": (
        "Your page was closed (it stays open for {minutes} minutes). Enter your reference"
        " and code again.",
        "Halaman Anda sudah ditutup (terbuka selama {minutes} menit). Masukkan kembali nomor"
        " referensi dan kode Anda.",
    ),
    "st_err_invalid": ("Please check: {problem}", "Mohon periksa: {problem}"),
    "st_err_rule": ("{rule}", "{rule}"),
    # the complaints desk and the moderation page
    "cat_explanation_request": ("Explanation request", "Permintaan penjelasan"),
    "cp_source_applicant": (
        "Sent by the applicant on the status page",
        "Dikirim pemohon lewat halaman status",
    ),
    "cp_contact": ("Contact", "Kontak"),
    "cp_explanation_rule": (
        "The applicant asks how their application was handled: answer in writing, in"
        " words they can follow; the answer is shown to them as written.",
        "Pemohon bertanya bagaimana permohonannya ditangani: jawablah secara tertulis,"
        " dengan kata-kata yang dapat dipahami; jawaban ditampilkan kepadanya apa adanya.",
    ),
    "cp_steps": ("Follow-up shown to the complainant", "Tindak lanjut yang dilihat pengadu"),
    "cp_no_steps": ("None recorded yet.", "Belum ada yang dicatat."),
    "cp_step_label": ("Record a follow-up step", "Catat langkah tindak lanjut"),
    "cp_step_help": (
        "The complainant reads it on their status page.",
        "Pengadu membacanya di halaman status mereka.",
    ),
    "cp_add_step": ("Record step", "Catat langkah"),
    "cp_done_step": ("Follow-up step recorded.", "Langkah tindak lanjut dicatat."),
    "nav_surveys": ("Survey comments", "Komentar survei"),
    "sv_title": ("Survey comments waiting for moderation", "Komentar survei menunggu moderasi"),
    "sv_intro": (
        "Applicants' comments are shown nowhere until approved here. Reject a comment that"
        " names a person, holds personal data or abuse; the rating counts either way.",
        "Komentar pemohon tidak ditampilkan di mana pun sebelum disetujui di sini. Tolak"
        " komentar yang menyebut nama orang, memuat data pribadi atau kata kasar; nilainya"
        " tetap dihitung.",
    ),
    "sv_none": ("No comment is waiting.", "Tidak ada komentar yang menunggu."),
    "sv_col_rating": ("Rating", "Nilai"),
    "sv_col_comment": ("Comment", "Komentar"),
    "sv_col_received": ("Received", "Diterima"),
    "sv_approve": ("Approve", "Setujui"),
    "sv_reject": ("Reject", "Tolak"),
    "sv_done_approved": ("Comment approved.", "Komentar disetujui."),
    "sv_done_rejected": ("Comment rejected.", "Komentar ditolak."),
    # the transparency report: the public's channel and the changelog
    "tr_channel_title": ("What applicants told us", "Yang disampaikan pemohon"),
    "tr_channel_help": (
        "Applicants rate the service once per decided application, with their access code."
        " Ratings officers recorded on an applicant's behalf are counted apart. A rate or"
        " average of fewer than {n} answers is not shown.",
        "Pemohon menilai layanan satu kali untuk setiap permohonan yang sudah diputuskan,"
        " dengan kode aksesnya. Penilaian yang dicatat petugas atas nama pemohon dihitung"
        " terpisah. Persentase atau rata-rata dari kurang dari {n} jawaban tidak ditampilkan.",
    ),
    "tr_survey_eligible": (
        "Decided applications that could rate",
        "Permohonan diputuskan yang dapat menilai",
    ),
    "tr_survey_responses": (
        "Applicants who rated (one per application)",
        "Pemohon yang menilai (satu per permohonan)",
    ),
    "tr_survey_response_rate": ("Share who rated", "Bagian yang menilai"),
    "tr_survey_mean": ("Applicants' average rating (1-5)", "Rata-rata nilai pemohon (1-5)"),
    "tr_officer_ratings": ("Ratings recorded by officers", "Penilaian yang dicatat petugas"),
    "tr_applicant_complaints": ("Complaints sent by applicants", "Pengaduan yang dikirim pemohon"),
    "tr_applicant_answered": ("Applicants' complaints answered", "Pengaduan pemohon yang dijawab"),
    "tr_applicant_sla": (
        "Applicants' complaints answered in time",
        "Pengaduan pemohon dijawab tepat waktu",
    ),
    "tr_explanations": ("Requests for an explanation", "Permintaan penjelasan"),
    "tr_comments": (
        "Comments approved for publication",
        "Komentar yang disetujui untuk diterbitkan",
    ),
    "tr_changes_title": ("Changes to the service", "Perubahan pada layanan"),
    "tr_changes_help": (
        "Every new model and every change in how many applications go to an officer. A"
        " waiver means the release gate found a problem and a second person accepted it;"
        " the role that approved it is shown, not the person.",
        "Setiap model baru dan setiap perubahan jumlah permohonan yang diteruskan ke petugas."
        " Pengecualian berarti gerbang rilis menemukan masalah dan orang kedua menerimanya;"
        " yang ditampilkan adalah peran penyetujunya, bukan orangnya.",
    ),
    "tr_changes_none": ("No change recorded yet.", "Belum ada perubahan yang tercatat."),
    "chg_col_date": ("Date", "Tanggal"),
    "chg_col_change": ("What changed", "Yang berubah"),
    "chg_col_fairness": ("Fairness check of the new model", "Pemeriksaan keadilan model baru"),
    "chg_col_waiver": ("Waiver", "Pengecualian"),
    "chg_model": (
        "A new model, {name}, started selecting applications for review.",
        "Model baru, {name}, mulai memilih permohonan untuk diperiksa.",
    ),
    "chg_threshold": (
        "The score above which an application goes to an officer changed from {old} to {new}"
        " (role: {role}).",
        "Batas skor yang membuat permohonan diteruskan ke petugas berubah dari {old} menjadi"
        " {new} (peran: {role}).",
    ),
    "chg_threshold_model": (
        "The score above which an application goes to an officer returned to the model's own"
        " (role: {role}).",
        "Batas skor yang membuat permohonan diteruskan ke petugas kembali ke batas model"
        " (peran: {role}).",
    ),
    "chg_blind_sample_rate": (
        "The share of other applications an officer checks at random changed from {old} to"
        " {new} (role: {role}).",
        "Bagian permohonan lain yang diperiksa petugas secara acak berubah dari {old} menjadi"
        " {new} (peran: {role}).",
    ),
    "chg_kill_switch_on": (
        "Every application was sent to an officer; the model stopped selecting (role: {role}).",
        "Semua permohonan diteruskan ke petugas; model berhenti memilih (peran: {role}).",
    ),
    "chg_kill_switch_off": (
        "The model resumed selecting applications for review (role: {role}).",
        "Model kembali memilih permohonan untuk diperiksa (peran: {role}).",
    ),
    "chg_model_own": ("the model's own", "batas model sendiri"),
    "chg_default": ("the configured default", "nilai bawaan konfigurasi"),
    "chg_fair_pass": ("within tolerance", "dalam batas toleransi"),
    "chg_fair_fail": ("outside tolerance", "di luar batas toleransi"),
    "chg_fair_other": ("not measured", "tidak diukur"),
    "chg_waiver_none": ("none", "tidak ada"),
    "chg_waiver": (
        "approved by a second person ({role}); the gate found: {found}",
        "disetujui orang kedua ({role}); gerbang menemukan: {found}",
    ),
    "chg_check_fairness": ("fairness outside tolerance", "keadilan di luar batas toleransi"),
    "chg_check_quality": (
        "lower quality than the model before",
        "kualitas lebih rendah dari model sebelumnya",
    ),
}
