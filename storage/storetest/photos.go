package storetest

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

func photoBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func readPhoto(s storage.Store, name string) ([]byte, error) {
	var data []byte
	err := s.View(ctx, func(tx storage.Tx) (err error) { data, err = tx.Photo(name); return err })
	return data, err
}

// attach stores a photo on report r in one step, as flows does.
func attach(t *testing.T, s storage.Store, r *storage.Report, data []byte) string {
	t.Helper()
	var name string
	err := s.Update(ctx, func(tx storage.Tx) error {
		cur, err := tx.Report(r.ID)
		if err != nil {
			return err
		}
		name = storage.PhotoName(r.ID, len(cur.Photos)+1, "jpg")
		if err := tx.PutPhoto(name, data); err != nil {
			return err
		}
		cur.Photos = append(cur.Photos, name)
		return tx.SaveReport(cur)
	})
	if err != nil {
		t.Fatalf("attach a photo to %s: %v", r.ID, err)
	}
	return name
}

func testPhotos(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	pg := create(t, s, pengaduan())
	other := create(t, s, pengaduan())
	big := photoBytes(10<<20, 1) // flows.MaxPhotoBytes: the largest a citizen can send
	first := attach(t, s, pg, big)
	second := attach(t, s, pg, photoBytes(300<<10, 2))
	kept := attach(t, s, other, photoBytes(1000, 3))

	t.Run("read back whole", func(t *testing.T) {
		if got, err := readPhoto(s, first); err != nil || !bytes.Equal(got, big) {
			t.Errorf("Photo(%s) = %d bytes, %v; want the %d put", first, len(got), err, len(big))
		}
	})
	t.Run("a second put replaces", func(t *testing.T) {
		again := photoBytes(2000, 4)
		if err := update(t, s, func(tx storage.Tx) error { return tx.PutPhoto(second, again) }); err != nil {
			t.Fatal(err)
		}
		if got, err := readPhoto(s, second); err != nil || !bytes.Equal(got, again) {
			t.Errorf("Photo after a second put = %d bytes, %v", len(got), err)
		}
	})
	refused := []struct {
		name  string
		photo string
		data  []byte
	}{
		{"a path", "../" + storage.PhotoName(pg.ID, 3, "jpg"), []byte("x")},
		{"no photo number", pg.ID + ".jpg", []byte("x")},
		{"not a report number", "foto-1.jpg", []byte("x")},
		{"a number not written canonically", "pg2611-0001-1.jpg", []byte("x")},
		{"an extension with a dot", pg.ID + "-1.jpg.sh", []byte("x")},
		{"no bytes", storage.PhotoName(pg.ID, 3, "jpg"), nil},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			err := update(t, s, func(tx storage.Tx) error { return tx.PutPhoto(tt.photo, tt.data) })
			if !errors.Is(err, storage.ErrInvalid) {
				t.Errorf("PutPhoto(%q, %d bytes) = %v, want ErrInvalid", tt.photo, len(tt.data), err)
			}
			if _, err := readPhoto(s, tt.photo); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Photo(%q) = %v, want ErrNotFound", tt.photo, err)
			}
		})
	}
	t.Run("a read-only transaction refuses a put", func(t *testing.T) {
		name := storage.PhotoName(pg.ID, 3, "jpg")
		if err := s.View(ctx, func(tx storage.Tx) error { return tx.PutPhoto(name, []byte("x")) }); err == nil {
			t.Error("PutPhoto in View succeeded")
		}
		if _, err := readPhoto(s, name); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Photo(%s) after a refused put = %v, want ErrNotFound", name, err)
		}
	})

	// The purge takes the photos of the reports it scrubs, and only theirs.
	if _, err := s.Transition(ctx, pg.ID, storage.StatusResolved, ani, "ditangani"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(48 * time.Hour)
	dry, err := s.Purge(ctx, 24*time.Hour, true)
	if err != nil || len(dry.Photos) != 2 {
		t.Fatalf("dry purge = %+v, %v; want 2 photos", dry, err)
	}
	if _, err := readPhoto(s, first); err != nil {
		t.Errorf("a dry purge removed a photo: %v", err)
	}
	res, err := s.Purge(ctx, 24*time.Hour, false)
	if err != nil || len(res.Reports) != 1 || len(res.Photos) != 2 {
		t.Fatalf("purge = %+v, %v; want %s and its 2 photos", res, err, pg.ID)
	}
	for _, name := range []string{first, second} {
		if _, err := readPhoto(s, name); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Photo(%s) after the purge = %v, want ErrNotFound", name, err)
		}
	}
	if r, err := s.Report(ctx, pg.ID); err != nil || len(r.Photos) != 0 {
		t.Errorf("the purged report names photos: %v, %v", r.Photos, err)
	}
	if _, err := readPhoto(s, kept); err != nil {
		t.Errorf("the open report's photo went with the purge: %v", err)
	}
}
