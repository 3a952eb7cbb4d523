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

// Labels as staff read them: the bot's own words (storage.StatusLabel), capitalised kinds.
var statusLabel = func() map[storage.Status]string {
	m := map[storage.Status]string{}
	for _, ss := range statusOrder {
		for _, s := range ss {
			m[s] = storage.StatusLabel(s)
		}
	}
	return m
}()

var kindLabel = map[storage.Kind]string{
	storage.KindReport:    "Laporan",
	storage.KindSanggah:   "Sanggahan",
	storage.KindPengaduan: "Pengaduan",
}

// kinds is the order kinds are listed in.
var kinds = []storage.Kind{storage.KindReport, storage.KindSanggah, storage.KindPengaduan}

// statusOrder is the order statuses are listed in, per kind.
var statusOrder = map[storage.Kind][]storage.Status{
	storage.KindReport: {storage.StatusSubmitted, storage.StatusEligible, storage.StatusDelivered,
		storage.StatusIneligible, storage.StatusAutoRejected},
	storage.KindSanggah:   {storage.StatusSubmitted, storage.StatusUpheld, storage.StatusDismissed},
	storage.KindPengaduan: {storage.StatusSubmitted, storage.StatusInProgress, storage.StatusResolved, storage.StatusRefused},
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
