package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
)

// ErrSessionBusy is returned by LockSession when another process uses the session.
var ErrSessionBusy = errors.New("whatsapp: the session is in use by another laporbansos process (serve, or a whatsapp command); stop it first")

// LockSession takes the session's lock file in dataDir for as long as the process uses the
// session: two processes on one session replace each other's connection ("stream replaced"),
// and a login or logout beside a running serve would silently swap the number under it. It
// returns ErrSessionBusy when another process holds it. The lock ends with the process.
func LockSession(dataDir string) (release func(), err error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("whatsapp: session lock: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dataDir, StoreFile+".lock"), os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: session lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrSessionBusy
		}
		return nil, fmt.Errorf("whatsapp: session lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// sessionLock is the advisory lock of the session in PostgreSQL, the same in every instance.
const sessionLock = "whatsapp-session"

// sessionLockEvery is how often the holder of the shared session lock checks its connection.
var sessionLockEvery = 2 * time.Second

// LockSharedSession is LockSession for the session in PostgreSQL (OpenSharedStore), across every
// instance on the database: a session advisory lock on a connection of its own, held by the
// leader for its WhatsApp term and by the whatsapp commands. It returns ErrSessionBusy when
// another process holds it. lost is closed when the lock's connection is lost (the lock is gone;
// another instance may take the session): stop using the session then.
func LockSharedSession(ctx context.Context, db *postgres.DB) (release func(), lost <-chan struct{}, err error) {
	l, err := db.TryLock(ctx, sessionLock, sessionLockEvery)
	if errors.Is(err, postgres.ErrLockHeld) {
		return nil, nil, ErrSessionBusy
	}
	if err != nil {
		return nil, nil, fmt.Errorf("whatsapp: session lock: %w", err)
	}
	return l.Release, l.Lost(), nil
}

// TellStaffNotStarted queues, for the staff chats of the other channels, why the WhatsApp
// channel did not start (err from LockSession, OpenStore or NewClient).
func TellStaffNotStarted(ctx context.Context, store flows.Store, chats []storage.ChatAddr, err error) error {
	why := msgStaffOther
	switch {
	case errors.Is(err, ErrNotPaired):
		why = msgStaffNoSession
	case errors.Is(err, ErrSessionBusy):
		why = msgStaffReplaced
	}
	for _, to := range chats {
		if err := Enqueue(ctx, store, to, fmt.Sprintf(msgStaffStopped, why)); err != nil {
			return err
		}
	}
	return nil
}
