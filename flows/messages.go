package flows

import "github.com/laporbansos/laporbansos/storage"

// The message catalogue: every text a citizen or a staff member reads, in one place, in short
// polite Bahasa Indonesia. Code elsewhere in flows composes these; it never spells out a
// sentence of its own.

var (
	msgWelcome = emphasize("Selamat datang di *Lapor Bansos* %s.\nLaporkan warga yang membutuhkan bantuan sosial, atau cek status bantuan.")
	msgMenu    = "Silakan pilih layanan (ketik angka atau kata):"

	msgPrivacy = "ℹ️ Data yang Anda kirim hanya dipakai %s untuk verifikasi kelayakan bantuan sosial, dilihat petugas yang berwenang, dan disimpan %s setelah laporan selesai, lalu dihapus.\nKetik PRIVASI untuk membaca ini lagi."

	msgHelp = emphasize("*Bantuan Lapor Bansos*\n" +
		"• LAPOR — laporkan diri sendiri atau tetangga yang membutuhkan bantuan.\n" +
		"• CEK — cek status bantuan dengan NIK atau nomor laporan.\n" +
		"• SANGGAH — sampaikan bahwa penerima bantuan sudah tidak layak.\n" +
		"Kapan saja: BATAL membatalkan, KEMBALI ke langkah sebelumnya, MENU ke menu utama, PRIVASI tentang data Anda.")
	msgHelpContinue = "Lanjutkan dengan menjawab pertanyaan terakhir:"

	msgCancelled       = "Baik, dibatalkan. Tidak ada data yang dikirim."
	msgExpiredKept     = "Sesi Anda terhenti karena tidak ada balasan lebih dari %s. Isian Anda disimpan %s lagi: ketik LANJUT untuk meneruskan dari pertanyaan terakhir."
	msgIdleWarning     = "Sesi Anda akan berakhir dalam %s. Ketik apa saja untuk melanjutkan."
	msgResumed         = "Baik, kita lanjutkan."
	msgNothingToResume = "Tidak ada isian yang bisa dilanjutkan. Silakan mulai lagi."
	msgLeaveDraft      = "Isian Anda belum dikirim dan akan dibuang jika kembali ke menu. Kembali ke menu?"
	msgNotText         = "Maaf, saya hanya bisa membaca pesan teks (bukan %s)."
	msgEmpty           = "Pesan Anda kosong."
	msgTooLongInput    = "Pesan terlalu panjang (maksimal %d karakter)."
	msgUnknownMenu     = "Maaf, pilihan tidak dikenali."
	msgPickChoice      = "Maaf, jawaban tidak sesuai pilihan. Ketik angka 1–%d atau nama pilihannya."
	msgStaleButton     = "Tombol itu sudah tidak berlaku."
	msgLookupDown      = "Maaf, pemeriksaan data sedang gangguan. Silakan coba lagi sebentar lagi."
	msgTryAgain        = "Maaf, terjadi gangguan. Silakan coba lagi."
	msgNotStored       = "Maaf, data belum tersimpan karena gangguan. Silakan pilih Kirim lagi."
	msgForSelf         = "diri sendiri"
	msgActorCitizen    = "warga (lewat chat)"
	msgActorSystem     = "sistem"
	msgForOther        = "orang lain"

	// Lapor.
	msgAskWho          = "Siapa yang ingin Anda laporkan?"
	msgOtherNotice     = "Catatan: warga yang Anda laporkan dapat dikunjungi petugas untuk verifikasi."
	msgAskNIK          = "Ketik NIK (16 angka) warga yang dilaporkan, sesuai KTP."
	msgAskNIKSelf      = "Ketik NIK (16 angka) Anda, sesuai KTP."
	msgAskName         = "Ketik nama lengkap sesuai KTP."
	msgAskAddress      = "Ketik alamat lengkap: jalan/dusun, RT/RW.\nContoh: Dusun Krajan RT 02 RW 03"
	msgAskKecamatan    = "Pilih kecamatan tempat tinggal (%s):"
	msgAskDesa         = "Pilih desa/kelurahan di Kec. %s:"
	msgAskReason       = "Apa alasan utama membutuhkan bantuan?"
	msgAskReasonText   = "Ceritakan singkat keadaannya (maksimal %d karakter)."
	msgAskPhoneSelf    = "Ketik nomor HP Anda yang bisa dihubungi petugas (contoh 081234567890)."
	msgAskPhoneOther   = "Ketik nomor HP warga yang dilaporkan (atau keluarganya) yang bisa dihubungi petugas, contoh 081234567890. Jika tidak punya HP, ketik TIDAK PUNYA HP."
	msgNoPhone         = "tidak punya HP"
	msgPhoneSelfNeeded = "Nomor HP Anda diperlukan agar petugas bisa menghubungi. Ketik nomor HP Anda (contoh 081234567890)."
	msgAskPhoneContact = "Anda juga bisa menekan tombol \"Kirim nomor saya\"."
	msgAskReporter     = "Ketik nama Anda sebagai pelapor."
	msgAskRelation     = "Apa hubungan Anda dengan warga tersebut? (contoh: tetangga, saudara, ketua RT)"
	msgSummaryHead     = "Periksa kembali laporan Anda:"
	msgSummaryAsk      = "Kirim laporan ini?"
	msgAskEditField    = "Bagian mana yang ingin diubah?"
	msgAccepted        = emphasize("✅ Laporan diterima dengan nomor *%s*.\nPetugas %s akan memverifikasi paling lambat %s (sebelum %s). Jika layak, paket sembako disalurkan paling lambat %s setelahnya. Anda akan diberi kabar di chat ini.\nSimpan nomor laporan untuk CEK status.")
	msgAutoRejected    = "NIK %s sudah terdaftar sebagai penerima bantuan:\n%s\nKarena sudah menerima bantuan, laporan otomatis tidak diteruskan (nomor %s). Jika data ini keliru, hubungi kantor %s."
	msgDuplicate       = emphasize("NIK ini sudah dilaporkan dengan nomor *%s* (%s, %s). Laporan yang sama tidak perlu dikirim lagi; ketik CEK untuk memantau statusnya.")

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
	msgNIKFixed     = "Maksudnya NIK %s? (huruf O dibaca angka 0, huruf I/l dibaca angka 1)"
	msgNIKYoung     = "Menurut tanggal lahir di NIK %s, pemiliknya baru berumur %d tahun. Apakah ini NIK anak, atau nomor KK (Kartu Keluarga)? Laporan sebaiknya memakai NIK dari KTP orang dewasa. Tetap pakai NIK ini?"
	msgNIKRetype    = "Baik, silakan ketik ulang NIK dari KTP."
	msgNIKRetry     = "Periksa kembali KTP lalu ketik ulang NIK."

	// Field errors.
	msgTooLong         = "Terlalu panjang: maksimal %d karakter. Silakan ketik lebih singkat."
	msgTooShort        = "Terlalu pendek. Silakan ketik lebih lengkap."
	msgNameTooShort    = "Nama terlalu pendek: ketik nama lengkap, minimal 2 huruf."
	msgNameInvalid     = "Nama hanya boleh berisi huruf, spasi, titik, koma, petik, dan tanda hubung."
	msgPhoneInvalid    = "Nomor HP tidak sah. Ketik nomor Indonesia, misalnya 081234567890 atau +6281234567890."
	msgDesaUnknown     = "Desa/kelurahan \"%s\" tidak ditemukan di Kec. %s. Periksa ejaannya lalu ketik lagi, atau pilih dari daftar di atas."
	msgKecUnknown      = "Kecamatan \"%s\" tidak ditemukan di %s. Periksa ejaannya lalu ketik lagi nama kecamatan atau nama desa/kelurahan Anda, atau pilih dari daftar di atas."
	msgDesaOtherKec    = "Desa/kelurahan %s ada di Kec. %s, bukan Kec. %s."
	msgPlaceDidYouMean = "\"%s\" tidak ditemukan. Maksud Anda %s?"
	msgOr              = " atau "
	msgDesaInKec       = "%s (Kec. %s)"

	// Cek.
	msgAskCek         = "Ketik NIK (16 angka) atau nomor laporan (contoh LB-2611-0042)."
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
	msgSgSummaryAsk   = "Kirim sanggahan ini?"
	msgSgSummaryHead  = "Periksa kembali sanggahan Anda:"
	msgSgAccepted     = emphasize("✅ Sanggahan diterima dengan nomor *%s*. Petugas %s akan memeriksanya; hasilnya dipakai pada pembaruan data berikutnya. Anda akan diberi kabar di chat ini.")
	msgSgDuplicate    = emphasize("Sudah ada sanggahan untuk NIK ini (nomor *%s*, %s). Terima kasih, tidak perlu dikirim lagi.")
	msgSgWrongPerson  = "Baik. Periksa kembali NIK-nya lalu ketik ulang."

	// Citizen notifications of staff decisions.
	msgNotifyEligible  = emphasize("Kabar laporan *%s*: warga dinyatakan *LAYAK* menerima bantuan. Paket sembako akan disalurkan paling lambat %s.")
	msgNotifyDelivered = emphasize("Kabar laporan *%s*: paket sembako *SUDAH DISALURKAN*. Terima kasih telah melapor.")
	msgNotifyUpheld    = emphasize("Kabar sanggahan *%s*: sanggahan *DITERIMA* dan akan dipakai pada pembaruan data penerima berikutnya. Terima kasih.")

	// Staff.
	msgStaffNewReport  = emphasize("📋 *LAPORAN BARU %s*")
	msgStaffNewSanggah = emphasize("⚠️ *SANGGAHAN BARU %s*")
	msgStaffDeadline   = "Masuk %s · batas verifikasi %s"
	msgStaffHowTo      = "Ketik: LAYAK %[1]s · TOLAK %[1]s <alasan> · DETAIL %[1]s"
	msgStaffHowToSg    = "Ketik: TERIMA %[1]s · TOLAK %[1]s <alasan> · DETAIL %[1]s"
	msgStaffHowToSalur = "Setelah paket diterima warga, ketik: SALUR %s"
	msgStaffDecided    = emphasize("%s *%s* %s oleh %s (%s).")
	msgStaffAlready    = "%s sudah diputuskan oleh %s pada %s (%s)."
	msgStaffUnauth     = "Anda tidak berwenang memutuskan laporan."
	msgStaffNotFound   = "Nomor %s tidak ditemukan."
	msgStaffIllegal    = "%s berstatus %s; perintah %s tidak berlaku."
	msgStaffNeedReason = "Alasan wajib diisi: TOLAK %s <alasan>. Alasan umum:"
	msgStaffNeedNumber = "Sertakan nomor laporan, contoh: %s LB-2611-0042"
	msgStaffUnknown    = "Perintah tidak dikenali. Ketik BANTUAN untuk daftar perintah."
	msgStaffHelp       = emphasize("*Perintah petugas*\n" +
		"LAYAK <no> — warga layak\nTOLAK <no> <alasan> — tidak layak / sanggahan ditolak\n" +
		"SALUR <no> — paket sudah disalurkan\nTERIMA <no> — sanggahan diterima\n" +
		"DETAIL <no> — data lengkap (dikirim pribadi)\nPENDING — yang menunggu keputusan\n" +
		"CARI <nik|no> — cari laporan\nSTATISTIK — rekap\nEKSPOR — semua laporan (CSV)")
	msgStaffDetailHead = emphasize("*DETAIL %s* (%s)")
	msgStaffDetailSent = "Data lengkap %s dikirim ke chat pribadi Anda."
	msgStaffNoPrivate  = "Data lengkap tidak dikirim ke grup. Mulai chat pribadi dengan bot lalu ulangi DETAIL %s."
	msgStaffPendingNo  = "Tidak ada laporan yang menunggu. 👍"
	msgStaffPending    = emphasize("*Menunggu keputusan (%d):*")
	msgStaffToDeliver  = emphasize("*Layak, belum disalurkan (%d):*")
	msgStaffMore       = "…dan %d lainnya."
	msgStaffCariNone   = "Tidak ada laporan untuk %s."
	msgStaffStats      = emphasize("*Statistik Lapor Bansos*")
	msgStaffStatsBody  = "%s\nLaporan: %d\n• menunggu verifikasi: %d\n• layak, belum disalurkan: %d\n• sudah disalurkan: %d\n• tidak layak: %d\n• ditolak otomatis (sudah penerima): %d\n" +
		"Sanggahan: menunggu %d · diterima %d · ditolak %d\nTerlambat: %d belum diputuskan > %s, %d belum disalurkan > %s"
	msgStaffRegistryEmpty = "⚠️ Data penerima bantuan (registry) belum dimuat: cek NIK belum bisa menjawab dan laporan belum bisa diperiksa otomatis. Minta operator menjalankan impor registry."
	msgStaffAge           = " · umur %d tahun"
	msgStaffAgeChild      = " · ⚠️ umur %d tahun (anak, atau nomor KK?)"
	msgStaffFromNIK       = "Dari NIK: lahir %s (umur %d tahun), %s, terbit %s"
	msgStaffForOther      = "Untuk: orang lain — pelapor %s (%s)"
	msgStaffCariRecip     = "NIK %s terdaftar: %s"
	msgStaffLookupDown    = "Data penerima bantuan belum bisa diperiksa (gangguan atau belum dimuat); status penerima NIK ini belum diketahui."
	msgStaffReminder      = emphasize("⏰ *Pengingat pekerjaan terlambat*")
	msgStaffOverdueV      = "Belum diputuskan melewati %s (%d):"
	msgStaffLateLine      = "• %s %s, %s — terlambat %s"
	msgStaffOverdueD      = "Layak tapi belum disalurkan melewati %s (%d):"
)

// statusLabel is storage's one set of status words, by status code.
var statusLabel = func() map[string]string {
	m := map[string]string{}
	for _, st := range []storage.Status{storage.StatusAutoRejected, storage.StatusSubmitted, storage.StatusEligible,
		storage.StatusIneligible, storage.StatusDelivered, storage.StatusUpheld, storage.StatusDismissed} {
		m[string(st)] = storage.StatusLabel(st)
	}
	return m
}()

func init() {
	for kind, opts := range map[storage.Kind][]option{storage.KindReport: reportReasons, storage.KindSanggah: sanggahReasons} {
		m := map[string]string{}
		for _, o := range opts {
			m[o.Key] = o.Label
		}
		storage.SetReasonLabels(kind, m)
	}
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
	"other":    "jenis pesan ini",
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
	{Key: "pengaduan", Label: "Pengaduan penyimpangan bansos"},
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

var nikConfirmOptions = []option{
	{Key: "ya", Label: "Ya, NIK ini benar"},
	{Key: "tidak", Label: "Ketik ulang"},
}

// noPhoneOptions are the ways of saying the person reported has no phone.
var noPhoneOptions = []option{{Key: "tidak punya hp", Label: "Tidak punya HP"}}

var leaveOptions = []option{
	{Key: "ya", Label: "Ya, ke menu"},
	{Key: "tidak", Label: "Tidak, lanjutkan"},
}

var yesNoOptions = []option{
	{Key: "ya", Label: "Ya, benar"},
	{Key: "tidak", Label: "Bukan"},
}

// synonymsID are the words people type for an option, in Indonesian (and the everyday
// Javanese of the service area), to the option keys they may mean. A step takes the first
// listed key that is one of its own options, so "ya" is Kirim on the summary and Ya elsewhere.
// A phrase found inside a longer answer counts too ("untuk ibu saya"); the longest phrase
// found wins. Lower case; numbers are written as digits by numberWords first.
var synonymsID = map[string][]string{
	// Menu.
	"lapor bansos": {"lapor"}, "daftar": {"lapor"}, "daftar bansos": {"lapor"}, "saya butuh bantuan": {"lapor"},
	"butuh bantuan": {"lapor"}, "minta bantuan": {"lapor"}, "mohon bantuan": {"lapor"}, "lapor": {"lapor"},
	"cek": {"cek"}, "sanggah": {"sanggah"},
	"cek bansos": {"cek"}, "cek status": {"cek"}, "status": {"cek"}, "cek bantuan": {"cek"}, "periksa": {"cek"},
	"sanggahan": {"sanggah"}, "keberatan": {"sanggah"},
	// Who.
	"saya": {"diri"}, "saya sendiri": {"diri"}, "sendiri": {"diri"}, "aku": {"diri"}, "diri saya": {"diri"}, "untuk saya": {"diri"},
	"keluarga saya": {"diri"},
	"tetangga":      {"orang lain"}, "untuk tetangga": {"orang lain"}, "orang lain": {"orang lain"}, "ibu saya": {"orang lain"},
	"bapak saya": {"orang lain"}, "ayah saya": {"orang lain"}, "orang tua saya": {"orang lain"}, "nenek saya": {"orang lain"},
	"kakek saya": {"orang lain"}, "saudara": {"orang lain"}, "saudara saya": {"orang lain"}, "teman": {"orang lain"},
	"warga": {"orang lain"}, "mbah": {"orang lain"}, "simbah": {"orang lain"}, "ibu": {"orang lain"}, "bapak": {"orang lain"},
	// Reason.
	"phk": {"phk"}, "di phk": {"phk"}, "kena phk": {"phk"}, "dipecat": {"phk"}, "pengangguran": {"phk"},
	"tidak bekerja": {"phk"}, "kehilangan pekerjaan": {"phk"}, "nganggur": {"phk"}, "menganggur": {"phk"},
	"buruh": {"harian"}, "buruh tani": {"harian"}, "tukang becak": {"harian"}, "becak": {"harian"}, "ojek": {"harian"},
	"kuli": {"harian"}, "serabutan": {"harian"}, "pedagang kecil": {"harian"}, "petani": {"harian"}, "nelayan": {"harian"},
	"pemulung": {"harian"}, "harian": {"harian"}, "kerja harian": {"harian"}, "informal": {"harian"},
	"sudah tua": {"lansia"}, "tua": {"lansia"}, "lanjut usia": {"lansia"}, "manula": {"lansia"}, "jompo": {"lansia"},
	"sepuh": {"lansia"}, "janda tua": {"lansia"},
	"lumpuh": {"disabilitas"}, "difabel": {"disabilitas"}, "cacat": {"disabilitas"}, "tuna netra": {"disabilitas"},
	"tunanetra": {"disabilitas"}, "buta": {"disabilitas"}, "tuli": {"disabilitas"}, "tuna rungu": {"disabilitas"},
	"stroke": {"disabilitas"}, "odgj": {"disabilitas"}, "disabilitas": {"disabilitas"},
	// Sanggah reasons.
	"sudah pindah": {"pindah"}, "pindah rumah": {"pindah"}, "sudah meninggal": {"meninggal"}, "wafat": {"meninggal"},
	"almarhum": {"meninggal"}, "almarhumah": {"meninggal"}, "kaya": {"mampu"}, "sudah kaya": {"mampu"},
	"dobel": {"ganda"}, "double": {"ganda"},
	// Summary, yes/no.
	"ya": {"kirim", "ya"}, "iya": {"kirim", "ya"}, "y": {"kirim", "ya"}, "ok": {"kirim", "ya"}, "oke": {"kirim", "ya"},
	"okey": {"kirim", "ya"}, "sudah": {"kirim", "ya"}, "benar": {"kirim", "ya"}, "betul": {"kirim", "ya"},
	"sudah benar": {"kirim", "ya"}, "kirim laporan": {"kirim"}, "kirimkan": {"kirim"}, "setuju": {"kirim", "ya"},
	"lanjut": {"kirim"}, "siap": {"kirim", "ya"}, "nggih": {"kirim", "ya"}, "inggih": {"kirim", "ya"}, "yes": {"kirim", "ya"},
	"ganti": {"ubah"}, "edit": {"ubah"}, "perbaiki": {"ubah"}, "ada yang salah": {"ubah"}, "koreksi": {"ubah"},
	"tidak": {"tidak"}, "bukan": {"tidak"}, "salah": {"ubah", "tidak"}, "gak": {"tidak"}, "nggak": {"tidak"},
	"enggak": {"tidak"}, "tdk": {"tidak"}, "no": {"tidak"}, "mboten": {"tidak"},
	"tidak punya": {"tidak punya hp"}, "tidak ada": {"tidak punya hp"}, "tidak ada hp": {"tidak punya hp"},
	"gak punya hp": {"tidak punya hp"}, "tdk punya hp": {"tidak punya hp"}, "tidak punya hp": {"tidak punya hp"},
	"tidak punya handphone": {"tidak punya hp"}, "ga punya hp": {"tidak punya hp"}, "nggak punya hp": {"tidak punya hp"},
	// Ubah list.
	"nomor hp": {"telepon"}, "hp": {"telepon"}, "telepon": {"telepon"}, "no hp": {"telepon"}, "nama": {"nama"},
	"alamat": {"alamat"}, "desa": {"desa"}, "kelurahan": {"desa"}, "kecamatan": {"kecamatan"}, "alasan": {"alasan"},
}

// numberWords are numbers written out; a choice can be picked by them ("satu").
var numberWords = map[string]int{
	"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
	"sepuluh": 10, "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4, "kelima": 5, "siji": 1, "loro": 2, "telu": 3,
}

// synonyms is the table the dialogues use.
var synonyms = synonymsID

// The summary's lines and the Ubah list's entries, one per dialogue step (see steps.go).
const (
	msgReviewWho      = "Untuk: %s"
	msgReviewNIK      = "NIK: %s"
	msgReviewName     = "Nama: %s"
	msgReviewAddress  = "Alamat: %s"
	msgReviewKec      = "Kecamatan: %s"
	msgReviewDesa     = "Desa/Kel.: %s"
	msgReviewReason   = "Alasan: %s"
	msgReviewPhone    = "No. HP: %s"
	msgReviewReporter = "Pelapor: %s (%s)"
)

var (
	editNIK      = option{"nik", "NIK"}
	editName     = option{"nama", "Nama"}
	editAddress  = option{"alamat", "Alamat"}
	editKec      = option{"kecamatan", "Kecamatan dan desa"}
	editDesa     = option{"desa", "Desa/kelurahan"}
	editReason   = option{"alasan", "Alasan"}
	editPhone    = option{"telepon", "Nomor HP"}
	editReporter = option{"pelapor", "Nama pelapor"}
	editRelation = option{"hubungan", "Hubungan"}
)

// Staff notices: the lines of a new report or sanggah, and the decision words and buttons.
const (
	msgStaffSgRecipient     = "Penerima: %s · NIK %s\nProgram: %s"
	msgStaffSgReason        = "Alasan: %s — %s\nPenyanggah: %s · HP %s"
	msgStaffName            = "Nama: %s · NIK %s%s"
	msgStaffIssuedElsewhere = "⚠️ NIK terbit di luar wilayah layanan: %s"
	msgStaffAddress         = "Alamat: %s, Desa/Kel. %s, Kec. %s"
	msgStaffReasonPhone     = "Alasan: %s\nNo. HP: %s"
	msgStaffReason          = "Alasan: %s"

	btnEligible   = "Layak"
	btnIneligible = "Tidak layak"
	btnDetail     = "Detail"
	btnUphold     = "Terima"
	btnDismiss    = "Tolak"
	btnDelivered  = "Sudah disalurkan"
)

var decisionVerb = map[storage.Status]string{
	storage.StatusEligible:   "dinyatakan LAYAK",
	storage.StatusIneligible: "dinyatakan TIDAK LAYAK",
	storage.StatusDelivered:  "SUDAH DISALURKAN",
	storage.StatusUpheld:     "sanggahan DITERIMA",
	storage.StatusDismissed:  "sanggahan DITOLAK",
}
