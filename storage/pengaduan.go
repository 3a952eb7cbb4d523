package storage

import (
	"fmt"
	"strings"
	"time"
)

// CheckNewReport holds the rules every backend's CreateReport applies before numbering a
// report: a known kind, a first status of submitted or auto-rejected, and a NIK unless it is a
// pengaduan (it names no recipient) or a submitted report marked NoNIK (a person without
// NIK/KTP). The error wraps ErrInvalid.
func CheckNewReport(r *Report) error {
	if r == nil {
		return fmt.Errorf("%w: nil report", ErrInvalid)
	}
	if _, ok := ReportPrefix(r.Kind); !ok {
		return fmt.Errorf("%w: unknown report kind %q", ErrInvalid, r.Kind)
	}
	if r.Status != StatusSubmitted && r.Status != StatusAutoRejected {
		return fmt.Errorf("%w: a new report cannot start as %q", ErrInvalid, r.Status)
	}
	if r.NIK == "" && r.Kind != KindPengaduan && !(r.NoNIK && r.Kind == KindReport && r.Status == StatusSubmitted) {
		return fmt.Errorf("%w: report without NIK", ErrInvalid)
	}
	if r.NIK != "" && r.NoNIK {
		return fmt.Errorf("%w: a report with a NIK marked as without", ErrInvalid)
	}
	return nil
}

// CheckSave is the rule of Tx.SaveReport: a report written back keeps its status, kind, NIK
// and creation time (a status moves only through Transition, which keeps the indexes and the
// audit log). The error wraps ErrInvalid.
func CheckSave(old, r *Report) error {
	if old.Status != r.Status || old.Kind != r.Kind || old.NIK != r.NIK || !old.CreatedAt.Equal(r.CreatedAt) {
		return fmt.Errorf("%w: %s: SaveReport cannot change status, kind, NIK or creation", ErrInvalid, r.ID)
	}
	return nil
}

// PhotoName is the file name of a report's n-th photo (from 1): "PG-2611-0001-2.jpg". The
// report number leads, so the retention purge finds it with the report.
func PhotoName(id string, n int, ext string) string {
	ext = strings.TrimPrefix(strings.ToLower(ext), ".")
	if ext == "" || strings.ContainsAny(ext, `/\.`) || len(ext) > 5 {
		ext = "jpg"
	}
	return fmt.Sprintf("%s-%d.%s", id, n, ext)
}

// PhotoReport is the report number of a photo name made by PhotoName, and whether name is
// one: a report number, "-", the photo's number and an extension of letters and digits, nothing
// that could leave a directory.
func PhotoReport(name string) (string, bool) {
	base, ext, ok := strings.Cut(name, ".")
	if !ok || ext == "" || len(ext) > 5 || strings.Trim(ext, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return "", false
	}
	i := strings.LastIndexByte(base, '-')
	if i < 0 || i == len(base)-1 || strings.Trim(base[i+1:], "0123456789") != "" {
		return "", false
	}
	id, ok := ParseReportID(base[:i])
	if !ok || id != base[:i] {
		return "", false
	}
	return id, true
}

// ReceiptStats counts delivered reports by what the citizen answered to "Apakah paket sudah
// diterima?".
type ReceiptStats struct {
	Delivered   int // reports in status delivered
	Asked       int // of them, the citizen was asked
	Received    int // answered "Sudah"
	NotReceived int // answered "Belum", or did not answer in time
}

// DeliveredReports selects what ReceiptStats and AwaitingReceipt read.
var DeliveredReports = ReportFilter{Kind: KindReport, Statuses: []Status{StatusDelivered}}

// CountReceipts is ReceiptStats over the delivered reports rs.
func CountReceipts(rs []*Report) ReceiptStats {
	var st ReceiptStats
	for _, r := range rs {
		st.Delivered++
		if !r.ReceiptAskedAt.IsZero() {
			st.Asked++
		}
		switch {
		case !r.ReceivedAt.IsZero():
			st.Received++
		case !r.NotReceivedAt.IsZero():
			st.NotReceived++
		}
	}
	return st
}

// AwaitsReceipt tells whether the citizen of delivered report r was asked before `before` and
// has not answered: due a reminder or, once reminded, a pengaduan.
func AwaitsReceipt(r *Report, before time.Time) bool {
	return !r.ReceiptAskedAt.IsZero() && r.ReceivedAt.IsZero() && r.NotReceivedAt.IsZero() &&
		r.ReceiptAskedAt.Before(before)
}
