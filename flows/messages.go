package flows

// The message catalogue: every text a citizen or a staff member reads, in one place, in short
// polite Bahasa Indonesia. Code elsewhere in flows composes these; it never spells out a
// sentence of its own.

const (
	msgWelcome = "Selamat datang di *Lapor Bansos* %s.\nLaporkan warga yang membutuhkan bantuan sosial, atau cek status bantuan."
	msgMenu    = "Silakan pilih layanan (ketik angka atau kata):"

	msgPrivacy = "ℹ️ Data yang Anda kirim hanya dipakai %s untuk verifikasi kelayakan bantuan sosial, dilihat petugas yang berwenang, dan disimpan %s.\nKetik PRIVASI untuk membaca ini lagi."

	msgHelp = "*Bantuan Lapor Bansos*\n" +
		"• LAPOR — laporkan diri sendiri atau tetangga yang membutuhkan bantuan.\n" +
		"• CEK — cek status bantuan dengan NIK atau nomor laporan.\n" +
		"• SANGGAH — sampaikan bahwa penerima bantuan sudah tidak layak.\n" +
		"Kapan saja: BATAL membatalkan, KEMBALI ke langkah sebelumnya, MENU ke menu utama, PRIVASI tentang data Anda."
	msgHelpContinue = "Lanjutkan dengan menjawab pertanyaan terakhir:"

	msgCancelled    = "Baik, dibatalkan. Tidak ada data yang dikirim."
	msgExpired      = "Sesi Anda berakhir karena tidak ada balasan lebih dari %s. Data yang belum dikirim sudah dihapus. Silakan mulai lagi."
	msgNotText      = "Maaf, saya hanya bisa membaca pesan teks (bukan %s)."
	msgEmpty        = "Pesan Anda kosong."
	msgTooLongInput = "Pesan terlalu panjang (maksimal %d karakter)."
	msgUnknownMenu  = "Maaf, pilihan tidak dikenali."
	msgPickChoice   = "Maaf, jawaban tidak sesuai pilihan. Ketik angka 1–%d atau nama pilihannya."
	msgStaleButton  = "Tombol itu sudah tidak berlaku."
	msgLookupDown   = "Maaf, pemeriksaan data sedang gangguan. Silakan coba lagi sebentar lagi."
	msgTryAgain     = "Maaf, terjadi gangguan. Silakan coba lagi."
	msgNotStored    = "Maaf, data belum tersimpan karena gangguan. Silakan pilih Kirim lagi."
	msgForSelf      = "diri sendiri"
	msgForOther     = "orang lain"

	// Lapor.
	msgAskWho          = "Siapa yang ingin Anda laporkan?"
	msgOtherNotice     = "Catatan: warga yang Anda laporkan dapat dikunjungi petugas untuk verifikasi."
	msgAskNIK          = "Ketik NIK (16 angka) warga yang dilaporkan, sesuai KTP/KK."
	msgAskNIKSelf      = "Ketik NIK (16 angka) Anda, sesuai KTP/KK."
	msgAskName         = "Ketik nama lengkap sesuai KTP."
	msgAskAddress      = "Ketik alamat lengkap: jalan/dusun, RT/RW.\nContoh: Dusun Krajan RT 02 RW 03"
	msgAskKecamatan    = "Pilih kecamatan tempat tinggal (%s):"
	msgAskDesa         = "Pilih desa/kelurahan di Kec. %s:"
	msgAskReason       = "Apa alasan utama membutuhkan bantuan?"
	msgAskReasonText   = "Ceritakan singkat keadaannya (maksimal %d karakter)."
	msgAskPhone        = "Ketik nomor HP yang bisa dihubungi petugas (contoh 081234567890)."
	msgAskPhoneContact = "Anda juga bisa menekan tombol \"Kirim nomor saya\"."
	msgAskReporter     = "Ketik nama Anda sebagai pelapor."
	msgAskRelation     = "Apa hubungan Anda dengan warga tersebut? (contoh: tetangga, saudara, ketua RT)"
	msgSummaryHead     = "Periksa kembali laporan Anda:"
	msgSummaryAsk      = "Kirim laporan ini?"
	msgAskEditField    = "Bagian mana yang ingin diubah?"
	msgAccepted        = "✅ Laporan diterima dengan nomor *%s*.\nPetugas %s akan memverifikasi paling lambat %s (sebelum %s). Jika layak, paket sembako disalurkan paling lambat %s setelahnya. Anda akan diberi kabar di chat ini.\nSimpan nomor laporan untuk CEK status."
	msgAutoRejected    = "NIK %s sudah terdaftar sebagai penerima bantuan:\n%s\nKarena sudah menerima bantuan, laporan otomatis tidak diteruskan (nomor %s). Jika data ini keliru, hubungi kantor %s."
	msgDuplicate       = "NIK ini sudah dilaporkan dengan nomor *%s* (%s, %s). Laporan yang sama tidak perlu dikirim lagi; ketik CEK untuk memantau statusnya."
	msgNotInArea       = "Layanan ini hanya untuk warga %s."

	// NIK errors.
	msgNIKEmpty     = "NIK belum diisi."
	msgNIKNotDigits = "NIK hanya boleh berisi angka (ada tanda \"%s\")."
	msgNIKTooShort  = "NIK harus 16 angka, yang Anda ketik baru %d angka."
	msgNIKTooLong   = "NIK harus 16 angka, yang Anda ketik %d angka."
	msgNIKProvince  = "Dua angka pertama NIK (%s) bukan kode provinsi yang dikenal."
	msgNIKBirthDay  = "Angka ke-7 sampai 8 NIK (tanggal lahir) tidak sah."
	msgNIKMonth     = "Angka ke-9 sampai 10 NIK (bulan lahir) harus 01–12."
	msgNIKSerial    = "Empat angka terakhir NIK tidak boleh 0000."
	msgNIKInvalid   = "NIK tidak sah."
	msgNIKRetry     = "Periksa kembali KTP/KK lalu ketik ulang NIK."

	// Field errors.
	msgTooLong      = "Terlalu panjang: maksimal %d karakter. Silakan ketik lebih singkat."
	msgTooShort     = "Terlalu pendek. Silakan ketik lebih lengkap."
	msgNameInvalid  = "Nama hanya boleh berisi huruf, spasi, titik, koma, petik, dan tanda hubung."
	msgPhoneInvalid = "Nomor HP tidak sah. Ketik nomor Indonesia, misalnya 081234567890 atau +6281234567890."
	msgDesaUnknown  = "Desa/kelurahan \"%s\" tidak ada di Kec. %s."
	msgKecUnknown   = "Kecamatan \"%s\" tidak ada di %s."

	// Cek.
	msgAskCek         = "Ketik NIK (16 angka) atau nomor laporan (contoh LB-2611-0042)."
	msgCekLimit       = "Maaf, batas cek adalah %d kali per jam. Silakan coba lagi setelah pukul %s WIB."
	msgCekRecipient   = "NIK %s (%s) terdaftar sebagai penerima:"
	msgCekNotRecip    = "NIK %s tidak terdaftar sebagai penerima bantuan."
	msgCekNoReport    = "Belum ada laporan untuk NIK ini."
	msgCekReportsHead = "Laporan untuk NIK ini:"
	msgCekNoNumber    = "Nomor laporan %s tidak ditemukan. Periksa kembali nomornya."
	msgCekBadInput    = "Itu bukan NIK atau nomor laporan yang sah."
	msgCekAgain       = "Ketik NIK/nomor lain untuk cek lagi, atau MENU."

	// Sanggah.
	msgAskSgNIK       = "Ketik NIK (16 angka) penerima bantuan yang menurut Anda sudah tidak layak."
	msgSgNotRecipient = "NIK %s tidak terdaftar sebagai penerima bantuan, jadi tidak bisa disanggah. Periksa kembali NIK-nya."
	msgSgConfirm      = "Penerima dengan NIK %s: %s (%s). Benar ini orangnya?"
	msgSgAskReason    = "Apa alasan sanggahan Anda?"
	msgSgAskText      = "Jelaskan singkat (maksimal %d karakter), misalnya sejak kapan."
	msgSgAskName      = "Ketik nama Anda sebagai penyanggah."
	msgSgAskPhone     = "Ketik nomor HP Anda yang bisa dihubungi petugas."
	msgSgSummaryHead  = "Periksa kembali sanggahan Anda:"
	msgSgAccepted     = "✅ Sanggahan diterima dengan nomor *%s*. Petugas %s akan memeriksanya; hasilnya dipakai pada pembaruan data berikutnya. Anda akan diberi kabar di chat ini."
	msgSgDuplicate    = "Sudah ada sanggahan untuk NIK ini (nomor *%s*, %s). Terima kasih, tidak perlu dikirim lagi."
	msgSgWrongPerson  = "Baik. Periksa kembali NIK-nya lalu ketik ulang."

	// Citizen notifications of staff decisions.
	msgNotifyEligible  = "Kabar laporan *%s*: warga dinyatakan *LAYAK* menerima bantuan. Paket sembako akan disalurkan paling lambat %s."
	msgNotifyDelivered = "Kabar laporan *%s*: paket sembako *SUDAH DISALURKAN*. Terima kasih telah melapor."
	msgNotifyUpheld    = "Kabar sanggahan *%s*: sanggahan *DITERIMA* dan akan dipakai pada pembaruan data penerima berikutnya. Terima kasih."

	// Staff.
	msgStaffNewReport  = "📋 *LAPORAN BARU %s*"
	msgStaffNewSanggah = "⚠️ *SANGGAHAN BARU %s*"
	msgStaffDeadline   = "Masuk %s · batas verifikasi %s"
	msgStaffHowTo      = "Ketik: LAYAK %[1]s · TOLAK %[1]s <alasan> · DETAIL %[1]s"
	msgStaffHowToSg    = "Ketik: TERIMA %[1]s · TOLAK %[1]s <alasan> · DETAIL %[1]s"
	msgStaffHowToSalur = "Setelah paket diterima warga, ketik: SALUR %s"
	msgStaffDecided    = "%s *%s* %s oleh %s (%s)."
	msgStaffAlready    = "%s sudah diputuskan oleh %s pada %s (%s)."
	msgStaffUnauth     = "Anda tidak berwenang memutuskan laporan."
	msgStaffNotFound   = "Nomor %s tidak ditemukan."
	msgStaffIllegal    = "%s berstatus %s; perintah %s tidak berlaku."
	msgStaffNeedReason = "Alasan wajib diisi: TOLAK %s <alasan>. Alasan umum:"
	msgStaffNeedNumber = "Sertakan nomor laporan, contoh: %s LB-2611-0042"
	msgStaffUnknown    = "Perintah tidak dikenali. Ketik BANTUAN untuk daftar perintah."
	msgStaffHelp       = "*Perintah petugas*\n" +
		"LAYAK <no> — warga layak\nTOLAK <no> <alasan> — tidak layak / sanggahan ditolak\n" +
		"SALUR <no> — paket sudah disalurkan\nTERIMA <no> — sanggahan diterima\n" +
		"DETAIL <no> — data lengkap (dikirim pribadi)\nPENDING — yang menunggu keputusan\n" +
		"CARI <nik|no> — cari laporan\nSTATISTIK — rekap\nEKSPOR — semua laporan (CSV)"
	msgStaffDetailSent = "Data lengkap %s dikirim ke chat pribadi Anda."
	msgStaffNoPrivate  = "Data lengkap tidak dikirim ke grup. Mulai chat pribadi dengan bot lalu ulangi DETAIL %s."
	msgStaffPendingNo  = "Tidak ada laporan yang menunggu. 👍"
	msgStaffPending    = "*Menunggu keputusan (%d):*"
	msgStaffToDeliver  = "*Layak, belum disalurkan (%d):*"
	msgStaffMore       = "…dan %d lainnya."
	msgStaffCariNone   = "Tidak ada laporan untuk %s."
	msgStaffStats      = "*Statistik Lapor Bansos*"
	msgStaffStatsBody  = "%s\nLaporan: %d\n• menunggu verifikasi: %d\n• layak, belum disalurkan: %d\n• sudah disalurkan: %d\n• tidak layak: %d\n• ditolak otomatis (sudah penerima): %d\n" +
		"Sanggahan: menunggu %d · diterima %d · ditolak %d\nTerlambat: %d belum diputuskan > %s, %d belum disalurkan > %s"
	msgStaffForOther  = "Untuk: orang lain — pelapor %s (%s)"
	msgStaffCariRecip = "NIK %s terdaftar: %s"
	msgStaffReminder  = "⏰ *Pengingat pekerjaan terlambat*"
	msgStaffOverdueV  = "Belum diputuskan melewati %s (%d):"
	msgStaffOverdueD  = "Layak tapi belum disalurkan melewati %s (%d):"
)

// Labels of the lifecycle states, as staff and citizens read them.
var statusLabel = map[string]string{
	"auto_rejected": "ditolak otomatis (sudah penerima)",
	"submitted":     "menunggu verifikasi",
	"eligible":      "layak, menunggu penyaluran",
	"ineligible":    "tidak layak",
	"delivered":     "sudah disalurkan",
	"upheld":        "sanggahan diterima",
	"dismissed":     "sanggahan ditolak",
}

// Non-text kinds a channel may report, in the words a citizen uses.
var nonTextLabel = map[string]string{
	"photo":    "foto",
	"sticker":  "stiker",
	"voice":    "pesan suara",
	"audio":    "audio",
	"video":    "video",
	"document": "dokumen",
	"location": "lokasi",
	"contact":  "kontak",
	"poll":     "polling",
}

// Reason categories for a report; "lainnya" asks for free text.
var reportReasons = []option{
	{Key: "phk", Label: "Kehilangan pekerjaan (PHK)"},
	{Key: "harian", Label: "Pekerja harian/informal"},
	{Key: "lansia", Label: "Lansia"},
	{Key: "disabilitas", Label: "Penyandang disabilitas"},
	{Key: "lainnya", Label: "Lainnya"},
}

// Reason categories for a sanggah.
var sanggahReasons = []option{
	{Key: "pindah", Label: "Pindah domisili"},
	{Key: "meninggal", Label: "Meninggal dunia"},
	{Key: "mampu", Label: "Sudah mampu"},
	{Key: "ganda", Label: "Data ganda"},
	{Key: "lainnya", Label: "Lainnya"},
}

// Common reasons staff give for "tidak layak", offered as one-tap choices.
var ineligibleReasons = []string{
	"Mampu secara ekonomi",
	"Bukan warga kabupaten",
	"Data tidak sesuai",
	"Tidak ditemukan di alamat",
}

var menuOptions = []option{
	{Key: "lapor", Label: "Lapor warga butuh bantuan"},
	{Key: "cek", Label: "Cek status bantuan"},
	{Key: "sanggah", Label: "Sanggah penerima bantuan"},
	{Key: "bantuan", Label: "Bantuan"},
}

var whoOptions = []option{
	{Key: "diri", Label: "Diri sendiri"},
	{Key: "orang lain", Label: "Orang lain / tetangga"},
}

var confirmOptions = []option{
	{Key: "kirim", Label: "Kirim"},
	{Key: "ubah", Label: "Ubah"},
	{Key: "batal", Label: "Batal"},
}

var yesNoOptions = []option{
	{Key: "ya", Label: "Ya, benar"},
	{Key: "tidak", Label: "Bukan"},
}
