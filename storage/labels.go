package storage

import (
	"sync"
	"time"
)

// The words staff and citizens read for the lifecycle, one set for every channel, message and
// export: status and kind codes never reach a person.
var statusLabels = map[Status]string{
	StatusAutoRejected: "ditolak otomatis (sudah penerima)",
	StatusSubmitted:    "menunggu verifikasi",
	StatusEligible:     "layak, menunggu penyaluran",
	StatusIneligible:   "tidak layak",
	StatusDelivered:    "sudah disalurkan",
	StatusUpheld:       "sanggahan diterima",
	StatusDismissed:    "sanggahan ditolak",
	StatusInProgress:   "sedang ditindaklanjuti",
	StatusResolved:     "pengaduan selesai",
	StatusRefused:      "pengaduan ditolak",
}

var kindLabels = map[Kind]string{
	KindReport:    "laporan",
	KindSanggah:   "sanggahan",
	KindPengaduan: "pengaduan",
}

// StatusLabel is the status in words ("menunggu verifikasi").
func StatusLabel(s Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// KindLabel is the kind in words ("laporan", "sanggahan").
func KindLabel(k Kind) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// Reason categories are the dialogues' (their catalogue holds the words); the export shows
// them through what the dialogues register here, so a code such as "phk" never reaches a
// spreadsheet.
var (
	reasonMu     sync.RWMutex
	reasonLabels = map[Kind]map[string]string{}
)

// SetReasonLabels records the words for kind's reason codes.
func SetReasonLabels(kind Kind, labels map[string]string) {
	reasonMu.Lock()
	defer reasonMu.Unlock()
	reasonLabels[kind] = labels
}

// ReasonLabel is a reason code in words, or the code when none was registered.
func ReasonLabel(kind Kind, code string) string {
	reasonMu.RLock()
	defer reasonMu.RUnlock()
	if l, ok := reasonLabels[kind][code]; ok {
		return l
	}
	return code
}

// WIB is Western Indonesia Time (UTC+7, no daylight saving), the one zone every time shown to
// citizens and staff is written in; fixed, so the binary needs no tzdata.
var WIB *time.Location = wib
