package flows

// Staff texts of the kecamatan routing, undo, search, charts and the daily digest (issue 13).
const (
	msgStaffHelpMore = "BATAL <no> — batalkan keputusan Anda (maks. %s)\nCARI <nama|desa> — cari laporan menurut nama\n" +
		"STATISTIK <kecamatan> — grafik satu kecamatan\nAlasan TOLAK dikirim ke warga sebagai kategori saja, bukan teks Anda."
	msgStaffReasonCategory = "(Warga hanya menerima kategori alasannya, bukan teks Anda.)"
	msgStaffOtherKec       = "Laporan %s dari Kec. %s bukan wilayah grup ini; diputuskan oleh petugas kecamatan itu atau supervisor."
	msgStaffReportDamaged  = "⚠️ Data laporan %s sedang tidak bisa dibaca (gangguan penyimpanan). Tidak ada yang diubah; operator sudah dicatat. Coba lagi nanti."
	msgStaffTypedDone      = "Tercatat: %s %s. Salah? Ketik BATAL dalam %s: BATAL %s"
	msgStaffUndone         = "↩️ Keputusan %s (%s) dibatalkan oleh %s, %s. Status kembali: %s."
	msgStaffUndoLate       = "Keputusan %s dibuat %s; pembatalan hanya dalam %s. Hubungi supervisor."
	msgStaffUndoNotYours   = "Keputusan %s dibuat oleh %s; hanya dia atau supervisor yang bisa membatalkan."
	msgStaffUndoNothing    = "Laporan %s belum diputuskan petugas; tidak ada yang dibatalkan."
	msgNotifyUndone        = "Koreksi untuk laporan *%s*: kabar keputusan sebelumnya dibatalkan petugas. Laporan diperiksa ulang; kami kabari lagi. Mohon maaf."
	msgStaffCariName       = "Hasil pencarian \"%s\" (%d):"
	msgStaffCariNameNone   = "Tidak ada laporan dengan nama atau desa \"%s\"."
	msgStaffCariShort      = "Ketik minimal 3 huruf nama atau desa: CARI <nama>."

	msgStaffChartCaption = "*Statistik Lapor Bansos%s*\nLaporan: %d · menunggu %d · layak %d · disalurkan %d · tidak layak %d\n" +
		"Tepat waktu minggu ini: diputuskan %s, disalurkan %s (minggu lalu: %s, %s)"
	msgStaffChartKecNone = "Kecamatan \"%s\" tidak dikenal. Ketik STATISTIK saja untuk semua kecamatan."
	msgStaffChartTitle   = "Laporan per kecamatan dan status"
	msgStaffChartSOP     = "Tepat waktu (SOP) %: minggu lalu vs minggu ini"

	msgDailyDigest = "*Rekap harian %s*\nKemarin: %d laporan baru, %d diputuskan, %d disalurkan.\n" +
		"Terlambat sekarang: %d belum diputuskan > %s, %d belum disalurkan > %s.\n" +
		"Tepat waktu 7 hari terakhir: diputuskan %s, disalurkan %s."
)

const (
	msgChartOthers   = "lainnya"
	msgChartYReports = "laporan"
	msgChartLastWeek = "minggu lalu"
	msgChartThisWeek = "minggu ini"
	msgChartVerify   = "diputuskan ≤ SLA"
	msgChartDeliver  = "disalurkan ≤ SLA"
)

const (
	msgBriefLine    = "%s · %s · %s · %s"
	msgBriefSanggah = "sanggahan: "
)
