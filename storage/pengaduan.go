package storage

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SaveReport writes back a report whose status, kind, number and NIK are unchanged: photos
// attached after filing, a delivery confirmation. A status moves only through Transition, which
// keeps the indexes and the audit log; SaveReport refuses anything else with ErrInvalid.
func (tx *Tx) SaveReport(r *Report) error {
	old, err := tx.Report(r.ID)
	if err != nil {
		return err
	}
	if old.Status != r.Status || old.Kind != r.Kind || old.NIK != r.NIK || !old.CreatedAt.Equal(r.CreatedAt) {
		return fmt.Errorf("%w: %s: SaveReport cannot change status, kind, NIK or creation", ErrInvalid, r.ID)
	}
	return tx.putReport(r)
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

// ReceiptStats counts delivered reports by what the citizen answered to "Apakah paket sudah
// diterima?".
type ReceiptStats struct {
	Delivered   int // reports in status delivered
	Asked       int // of them, the citizen was asked
	Received    int // answered "Sudah"
	NotReceived int // answered "Belum", or did not answer in time
}

// ReceiptStats reads every delivered report.
func (tx *Tx) ReceiptStats() (ReceiptStats, error) {
	var st ReceiptStats
	rs, err := tx.Reports(ReportFilter{Kind: KindReport, Statuses: []Status{StatusDelivered}})
	if err != nil {
		return st, err
	}
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
	return st, nil
}

// AwaitingReceipt lists delivered reports whose citizen was asked before `before` and has not
// answered: the ones due a reminder or, once reminded, a pengaduan.
func (tx *Tx) AwaitingReceipt(before time.Time) ([]*Report, error) {
	rs, err := tx.Reports(ReportFilter{Kind: KindReport, Statuses: []Status{StatusDelivered}})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r *Report) bool {
		return r.ReceiptAskedAt.IsZero() || !r.ReceivedAt.IsZero() || !r.NotReceivedAt.IsZero() ||
			!r.ReceiptAskedAt.Before(before)
	}), nil
}
