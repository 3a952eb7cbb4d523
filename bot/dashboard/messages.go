package dashboard

import "github.com/laporbansos/laporbansos/storage"

// Texts of the dashboard that are not part of a page template.
const (
	msgLoginRequired = "Silakan masuk terlebih dahulu."
	msgLoginFailed   = "Nama atau kata sandi salah."
	msgLoginLimited  = "Terlalu banyak percobaan masuk. Coba lagi dalam 15 menit."
	msgCSRF          = "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi."
	msgNotFound      = "Halaman tidak ditemukan."
	msgReportMissing = "Laporan tidak ditemukan."
	msgBadFilter     = "Filter tidak sah: %s."
	msgServerError   = "Terjadi gangguan. Coba lagi sebentar lagi."
)

// Labels as staff read them; the same words as the bot's staff messages.
var statusLabel = map[storage.Status]string{
	storage.StatusAutoRejected: "ditolak otomatis",
	storage.StatusSubmitted:    "menunggu verifikasi",
	storage.StatusEligible:     "layak, menunggu penyaluran",
	storage.StatusIneligible:   "tidak layak",
	storage.StatusDelivered:    "sudah disalurkan",
	storage.StatusUpheld:       "sanggahan diterima",
	storage.StatusDismissed:    "sanggahan ditolak",
}

var kindLabel = map[storage.Kind]string{
	storage.KindReport:  "Laporan",
	storage.KindSanggah: "Sanggahan",
}

// statusOrder is the order statuses are listed in, per kind.
var statusOrder = map[storage.Kind][]storage.Status{
	storage.KindReport: {storage.StatusSubmitted, storage.StatusEligible, storage.StatusDelivered,
		storage.StatusIneligible, storage.StatusAutoRejected},
	storage.KindSanggah: {storage.StatusSubmitted, storage.StatusUpheld, storage.StatusDismissed},
}

var roleLabel = map[storage.Role]string{
	storage.RoleViewer:     "pemantau",
	storage.RoleSupervisor: "supervisor",
}

const (
	filterStatus  = "status"
	filterKind    = "jenis"
	filterKec     = "kecamatan"
	filterFrom    = "dari"
	filterTo      = "sampai"
	filterOverdue = "terlambat"
	filterPage    = "hal"
)
