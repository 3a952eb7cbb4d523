package flows

// Catalogue texts for the lookup budget, need-to-know answers and private exports; part of
// the one message catalogue (messages.go), kept apart so the privacy rules read together.
const (
	msgBudgetHour      = "Maaf, batas pemeriksaan NIK/nomor laporan dari chat ini (%d kali per jam) sudah tercapai. Silakan lanjutkan setelah pukul %s WIB."
	msgBudgetDay       = "Maaf, batas pemeriksaan NIK/nomor laporan dari chat ini (%d kali per hari) sudah tercapai. Silakan lanjutkan setelah %s."
	msgBudgetGlobal    = "Maaf, layanan pemeriksaan sedang sangat sibuk. Silakan lanjutkan setelah pukul %s WIB."
	msgBudgetDraftKept = "Isian Anda tetap tersimpan."
	msgScrapeAlert     = "⚠️ Kemungkinan pengumpulan data: chat %s %s memeriksa %d NIK penerima yang berbeda dalam %s. NIK-nya tidak ditampilkan; mohon diperhatikan."

	msgAutoRejectedAgain = "NIK %s sudah terdaftar sebagai penerima bantuan, dan sudah Anda laporkan sebelumnya (nomor %s, ditolak otomatis). Jika data ini keliru, hubungi kantor %s."

	msgCekRecipientBare = "NIK %s terdaftar sebagai penerima:"
	msgCekOtherReport   = "• Laporan lain: %s (%s)"
	msgCekNumberOther   = "Nomor %s: %s (%s)."
	msgCekOwnNumber     = "Laporan Anda:"
	msgSgDuplicateOther = "Sudah ada sanggahan untuk NIK ini yang sedang diperiksa petugas. Terima kasih, tidak perlu dikirim lagi."

	msgStaffExportPrivate = "Ekspor semua laporan (%s), diminta oleh %s. Berisi data pribadi: simpan baik-baik dan jangan diteruskan."
	msgStaffExportNote    = "Ekspor dikirim ke chat pribadi %s (%d laporan)."
	msgStaffExportNoDM    = "Ekspor tidak dikirim ke grup karena berisi data pribadi. Mulai chat pribadi dengan bot lalu ulangi EKSPOR."
	msgStaffToCitizen     = "Ke warga dikirim kategori: %s (teks alasan petugas tidak dikirim)."
)

var (
	msgNotifyIneligibleCat = emphasize("Kabar laporan *%s*: warga dinyatakan *TIDAK LAYAK*. Kategori alasan: %s. %s")
	msgNotifyDismissedCat  = emphasize("Kabar sanggahan *%s*: sanggahan *TIDAK DITERIMA*. Kategori alasan: %s. %s")
)

// tolakCategory is a fixed reason a citizen is told instead of what staff wrote.
type tolakCategory struct {
	Words []string // a staff reason starting with one of these (lower case) is in this category
	Label string
	Next  string // the next step for the citizen
}

// tolakCategories, for reports; staff buttons send their Label as the reason (ineligibleReasons).
var tolakCategories = []tolakCategory{
	{[]string{"mampu secara ekonomi", "mampu"}, "Mampu secara ekonomi", "Jika keadaan ekonomi berubah, Anda dapat melapor lagi."},
	{[]string{"bukan warga kabupaten", "bukan warga", "domisili", "warga"}, "Bukan warga kabupaten", "Bantuan ini hanya untuk warga kabupaten; hubungi desa/kelurahan tempat tinggal."},
	{[]string{"data tidak sesuai", "data"}, "Data tidak sesuai", "Periksa NIK dan alamat, lalu laporkan lagi dengan data yang benar."},
	{[]string{"tidak ditemukan di alamat", "tidak ditemukan", "alamat"}, "Tidak ditemukan di alamat", "Pastikan alamat lengkap (RT/RW, dusun), lalu laporkan lagi."},
}

var tolakOther = tolakCategory{Label: "Tidak memenuhi kriteria", Next: "Untuk penjelasan, silakan datang ke kantor desa/kelurahan atau Dinas Sosial."}

// sanggahDismissed is the one category a dismissed objection gets.
var sanggahDismissed = tolakCategory{Label: "Data penerima sudah diperiksa dan masih sesuai", Next: "Jika ada bukti baru, Anda dapat menyanggah lagi."}
