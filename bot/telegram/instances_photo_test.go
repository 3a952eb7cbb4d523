package telegram

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// Two instances share one PostgreSQL database, each with its own data directory. Instance A
// takes a citizen's evidence photo and stops before sending anything; instance B, which never
// saw the photo, sends it to the staff chats with its bytes intact: the photo is in the
// database, not in A's directory.
func TestPhotoSentByAnotherInstance(t *testing.T) {
	url := pgtest.NewDatabase(t)
	a := newEnv(t, envConfig{photos: true, pgURL: url})
	f := a.fake
	id := a.pengaduan(citizen)
	f.waitText(staffChat, 0, "PENGADUAN BARU "+id)

	// A takes the photo with its sender stopped: the replies stay queued.
	a.restart(false)
	pic := picture(2 << 20)
	sentBefore := len(f.sent(citizen))
	f.photoOf(citizen, pic, len(pic))
	waitFor(t, 10*time.Second, "the photo stored on "+id, func() bool {
		r, err := a.db.Report(context.Background(), id)
		return err == nil && len(r.Photos) == 1
	})
	a.stop()
	if _, err := os.Stat(filepath.Join(a.dir, "photos")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("instance A wrote a photo directory (%v); with PostgreSQL photos are in the database", err)
	}

	// B: another data directory, another connection pool, the same database.
	dbB := postgres.New(url)
	if err := dbB.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dbB.Close() })
	opt := a.opt
	opt.DB = dbB
	chB, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	senderB := &bot.Sender{Outbox: dbB, Channels: map[string]bot.Channel{Name: chB}, Log: zerolog.Nop()}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := senderB.Flush(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	f.waitText(citizen, sentBefore, "Foto 1 dari 3 tersimpan untuk "+id)
	for _, chat := range []int64{staffChat, staffChat2} {
		m := f.waitText(chat, 0, "Foto 1 untuk "+id)
		if m.Method != "sendPhoto" || !bytes.Equal(m.DocData, pic) {
			t.Errorf("staff chat %d got %s with %d bytes, want sendPhoto with the %d bytes A took", chat, m.Method, len(m.DocData), len(pic))
		}
	}

	// After the retention purge no instance finds the photo, and the report names none.
	if _, err := dbB.Transition(ctx, id, storage.StatusResolved, storage.Actor{Channel: Name, ID: "501", Name: "Ana"}, "ditangani"); err != nil {
		t.Fatal(err)
	}
	dbB.Now = func() time.Time { return time.Now().Add(800 * 24 * time.Hour) }
	res, err := dbB.Purge(ctx, 730*24*time.Hour, false)
	if err != nil || len(res.Photos) != 1 {
		t.Fatalf("purge = %+v, %v; want the photo", res, err)
	}
	err = dbB.View(ctx, func(tx storage.Tx) error { _, err := tx.Photo(id + "-1.jpg"); return err })
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("photo after the purge: %v, want ErrNotFound", err)
	}
}
