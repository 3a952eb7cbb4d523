package flows

// Texts of the Pengaduan dialogue, the evidence photos and the delivery confirmation.
const (
	msgPgAskKind     = "Jenis penyimpangan apa yang ingin Anda adukan?"
	msgPgAskKec      = "Di kecamatan mana kejadiannya? (%s)"
	msgPgAskWhen     = "Kapan kejadiannya? Contoh: 20 November 2026, atau minggu lalu."
	msgPgAskInvolved = "Siapa yang terlibat? (nama/jabatan, jika tahu)\nKetik LEWATI jika tidak tahu."
	msgPgAskWhat     = "Ceritakan apa yang terjadi (paling banyak %d huruf)."
	msgPgAskAnon     = "Apakah Anda ingin melapor tanpa nama (anonim)?\nJika anonim, nama dan nomor HP Anda tidak disimpan; chat ini dipakai hanya untuk mengirim jawaban."
	msgPgAskName     = "Nama Anda (sesuai KTP):"
	msgPgAskPhone    = "Nomor HP Anda yang bisa dihubungi petugas:"
	msgPgSummaryHead = "Periksa pengaduan Anda:"
	msgPgSummaryAsk  = "Kirim pengaduan ini?"
	msgPgReviewKind  = "Jenis: %s"
	msgPgReviewPlace = "Tempat: Desa %s, Kec. %s"
	msgPgReviewWhen  = "Waktu: %s"
	msgPgReviewWho   = "Pihak terlibat: %s"
	msgPgReviewWhat  = "Kejadian: %s"
	msgPgReviewAnon  = "Pelapor: anonim"
	msgPgReviewName  = "Pelapor: %s, HP %s"
	msgPgNone        = "-"

	msgPgAskPhotos   = "📷 Jika ada bukti, kirim foto (paling banyak %d, maks. %d MB per foto) atau bagikan lokasi kejadian. Foto hanya dilihat petugas.\nKetik LEWATI jika tidak ada, atau SELESAI setelah mengirim."
	msgLpAskPhotos   = "📷 Anda boleh mengirim foto rumah (paling banyak %d, maks. %d MB per foto) untuk membantu verifikasi. Foto hanya dilihat petugas.\nKirim foto rumah, atau ketik LEWATI."
	msgPhotoSaved    = "Foto %d dari %d tersimpan untuk %s."
	msgPhotoMore     = "Kirim foto berikutnya, atau ketik SELESAI."
	msgPhotoTooBig   = "❌ Foto terlalu besar (lebih dari %d MB) dan tidak disimpan. Kirim foto yang lebih kecil (foto biasa dari kamera HP cukup), atau ketik LEWATI."
	msgPhotoFailed   = "❌ Foto tidak dapat diterima. Coba kirim lagi, atau ketik LEWATI."
	msgPhotoOnly     = "Di langkah ini kami menerima foto atau lokasi, bukan %s."
	msgPhotoTextHint = "Kirim foto atau lokasi, atau ketik SELESAI."
	msgLocationSaved = "📍 Lokasi tersimpan untuk %s."
	msgPhotosDone    = "Terima kasih. %s sudah lengkap; petugas akan memeriksanya."
	msgPhotosOff     = "Pengiriman foto belum tersedia di layanan ini."

	msgStaffPgKind     = "Jenis: %s"
	msgStaffPgPlace    = "Tempat: Desa %s, Kec. %s"
	msgStaffPgWhen     = "Waktu kejadian: %s"
	msgStaffPgWho      = "Pihak terlibat: %s"
	msgStaffPgWhat     = "Kejadian: %s"
	msgStaffPgAnon     = "Pelapor: ANONIM"
	msgStaffPgReporter = "Pelapor: %s, HP %s"
	msgStaffPgLinked   = "Terkait laporan: %s"
	msgStaffPgNeedNote = "Catatan untuk warga wajib diisi: %s %s <catatan>."
	msgStaffPgPhotos   = "Foto: %s"
	msgStaffPgHow      = "Balas: TINDAKLANJUT %[1]s <catatan> · SELESAI %[1]s <catatan> · TOLAK %[1]s <alasan>"
	msgStaffPhoto      = "📷 Foto %d untuk %s (hanya untuk petugas)."
	msgStaffLocation   = "📍 Lokasi untuk %s: https://maps.google.com/?q=%s"

	msgReceiptWhat      = "Warga menyatakan paket untuk laporan %s belum diterima."
	msgReceiptSilent    = "Warga tidak menjawab pertanyaan penerimaan paket untuk laporan %s."
	msgReceivedLabel    = "diterima warga"
	msgNotReceivedLabel = "belum diterima warga (pengaduan %s)"
	msgStaffStatsPg     = "Pengaduan: %d (baru %d, ditindaklanjuti %d, selesai %d, ditolak %d)\nKonfirmasi penerimaan: %d disalurkan, %d ditanya, %d diterima warga, %d belum diterima"
)

// Texts with *bold*, turned into emphasis markers before any user data goes in.
var (
	msgPgAccepted        = emphasize("✅ Pengaduan diterima dengan nomor *%s*.\nPetugas %s akan menindaklanjuti dan memberi kabar di chat ini. Simpan nomor ini untuk CEK status.")
	msgStaffNewPengaduan = emphasize("🚩 *PENGADUAN BARU %s*")
	msgNotifyPgProgress  = emphasize("Kabar pengaduan *%s*: sedang *DITINDAKLANJUTI* petugas.\nCatatan: %s")
	msgNotifyPgResolved  = emphasize("Kabar pengaduan *%s*: *SELESAI* ditangani.\nCatatan: %s\nTerima kasih telah melapor.")
	msgNotifyPgRefused   = emphasize("Kabar pengaduan *%s*: *TIDAK DAPAT DITINDAKLANJUTI*.\nAlasan: %s")
	msgReceiptAsk        = emphasize("Apakah paket untuk laporan *%s* sudah diterima?")
	msgReceiptRemind     = emphasize("Pengingat: apakah paket untuk laporan *%s* sudah diterima? Jawaban Anda membantu memastikan bantuan sampai.")
	msgReceiptThanks     = emphasize("Terima kasih, penerimaan paket laporan *%s* sudah dicatat.")
	msgReceiptComplaint  = emphasize("Maaf paket belum sampai. Kami membuat pengaduan *%s* (bantuan tidak sampai) untuk laporan *%s*; petugas akan menindaklanjuti dan memberi kabar di chat ini.")
	msgReceiptNoAnswer   = emphasize("Karena belum ada jawaban, kami membuat pengaduan *%s* (bantuan tidak sampai) untuk laporan *%s* agar petugas memeriksa penyalurannya.")
	msgReceiptAlready    = emphasize("Jawaban untuk laporan *%s* sudah tercatat sebelumnya.")
	msgStaffReceived     = emphasize("📦 %s: paket *diterima warga* (%s).")
)

// MaxPhotoBytes is the largest photo kept; channels refuse bigger ones before downloading.
const MaxPhotoBytes = 10 << 20

// maxPhotos is how many photos one report or pengaduan may carry.
const maxPhotos = 3

// pengaduanKinds are the deviations citizens are told to report.
var pengaduanKinds = []option{
	{Key: "tidak_diterima", Label: "Bantuan tidak diterima padahal terdaftar"},
	{Key: "pemotongan", Label: "Pemotongan bantuan"},
	{Key: "pungli", Label: "Pungutan liar"},
	{Key: "salah_sasaran", Label: "Salah sasaran"},
	{Key: "lainnya", Label: "Lainnya"},
	// Not offered: opened by a "Belum" to the delivery question.
}

var pgTidakSampai = option{Key: "tidak_sampai", Label: "Bantuan tidak sampai"}

var anonOptions = []option{
	{Key: "anonim", Label: "Ya, anonim"},
	{Key: "nama", Label: "Tidak, cantumkan nama saya"},
}

var pgConfirmOptions = []option{
	{Key: "kirim", Label: "Kirim"},
	{Key: "batal", Label: "Batal"},
}

var receiptOptions = []option{
	{Key: "sudah", Label: "Sudah"},
	{Key: "belum", Label: "Belum"},
}

// photoDoneWords end the evidence step.
var photoDoneWords = map[string]bool{
	"lewati": true, "selesai": true, "skip": true, "tidak": true, "tidak ada": true, "cukup": true,
	"menu": true, "batal": true,
}
