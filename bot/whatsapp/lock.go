package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
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
