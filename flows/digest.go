package flows

import (
	"context"
	"fmt"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// DailyDigest sends each supervisor chat yesterday's figures once a day, at `at` after midnight
// WIB (LAPOR_DIGEST_AT): new reports, decisions and deliveries of the day before, the overdue
// work now, and SOP compliance over the last seven days. Call it every minute or so; it sends at
// most once per WIB day (the day is recorded with the queued digest, so a restart does not send
// it twice), and catches up when the process was down at the hour.
func (e *Engine) DailyDigest(ctx context.Context, at time.Duration) ([]Reply, error) {
	var out []Reply
	err := e.Store.Update(ctx, func(tx storage.Tx) error {
		out = out[:0]
		now := tx.Now().In(wib)
		y, m, d := now.Date()
		midnight := time.Date(y, m, d, 0, 0, 0, 0, wib)
		if now.Before(midnight.Add(at)) {
			return nil
		}
		day := midnight.Format("2006-01-02")
		if last, err := tx.Get("flows", "digest_day"); err == nil && string(last) >= day {
			return nil
		}
		rs, err := tx.Reports(storage.ReportFilter{})
		if err != nil {
			return err
		}
		text := e.digestText(rs, midnight.AddDate(0, 0, -1), midnight, tx.Now())
		for _, chat := range e.StaffChats {
			out = append(out, Reply{To: chat, Text: text})
		}
		if err := tx.Put("flows", "digest_day", []byte(day)); err != nil {
			return err
		}
		return enqueue(tx, out)
	})
	return out, err
}

// digestText counts the day [from, to) and the state at now.
func (e *Engine) digestText(rs []*storage.Report, from, to, now time.Time) string {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	var filed, decided, delivered, overdueV, overdueD int
	for _, r := range rs {
		if r.Kind == storage.KindReport && in(r.CreatedAt) {
			filed++
		}
		for _, t := range r.History {
			switch {
			case t.Undo || !in(t.At):
			case t.From == storage.StatusSubmitted:
				decided++
			case t.To == storage.StatusDelivered:
				delivered++
			}
		}
		switch {
		case r.Status == storage.StatusSubmitted && now.Sub(r.CreatedAt) > e.VerifySLA:
			overdueV++
		case r.Status == storage.StatusEligible && now.Sub(enteredAt(r, storage.StatusEligible)) > e.DeliverySLA:
			overdueD++
		}
	}
	verify, deliver := e.compliance(rs, now.AddDate(0, 0, -7), now, now)
	return emphasize(fmt.Sprintf(msgDailyDigest, from.In(wib).Format("02/01/2006"), filed, decided, delivered,
		overdueV, words(e.VerifySLA), overdueD, words(e.DeliverySLA), verify.words(), deliver.words()))
}
