package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// BenchmarkPhoto measures a dialogue step that stores a photo of the largest size a citizen can
// send (flows.MaxPhotoBytes) with its report, and the read a sender does before sending it.
func BenchmarkPhoto(b *testing.B) {
	ctx := context.Background()
	db := pgtest.Open(b, time.Now)
	r := &storage.Report{Kind: storage.KindPengaduan, Status: storage.StatusSubmitted, Reason: "pungli",
		From: storage.ChatAddr{Channel: "telegram", ID: "1"}}
	if err := db.CreateReport(ctx, r); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 10<<20)
	for i := range data {
		data[i] = byte(i * 31)
	}
	b.Run("step with a 10 MB photo", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; b.Loop(); i++ {
			name := storage.PhotoName(r.ID, i%3+1, "jpg")
			err := db.Update(ctx, func(tx storage.Tx) error {
				cur, err := tx.Report(r.ID)
				if err != nil {
					return err
				}
				if err := tx.PutPhoto(name, data); err != nil {
					return err
				}
				cur.Photos = []string{name}
				return tx.SaveReport(cur)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read a 10 MB photo", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		name := storage.PhotoName(r.ID, 1, "jpg")
		for b.Loop() {
			var got []byte
			err := db.View(ctx, func(tx storage.Tx) (err error) { got, err = tx.Photo(name); return err })
			if err != nil || len(got) != len(data) {
				b.Fatal(fmt.Sprint(len(got)), err)
			}
		}
	})
}
