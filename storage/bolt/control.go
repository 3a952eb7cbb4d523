package bolt

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// ControlSocket is the file name, in the data directory, of the running bot's control socket.
// bbolt locks the store for the process that has it open, so a second process (the backup
// command) cannot read it while the bot runs; instead it asks the bot over this socket, which
// only the bot's user can reach (mode 0600, in the 0700 data directory).
const ControlSocket = "laporbansos.sock"

// Control requests, one line each.
const (
	controlBackup   = "backup"
	controlPurgeDry = "purge-dry-run"
	controlPing     = "ping"
)

// Control answers backup and purge-dry-run requests for a running bot.
type Control struct {
	DB        *DB
	Retention time.Duration // for purge-dry-run
}

// Serve listens on the unix socket at path until ctx is done. A file left there by a bot that
// died is replaced: whoever has the store open (this process) owns the socket.
func (c *Control) Serve(ctx context.Context, path string) error {
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("storage: control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("storage: control socket: %w", err)
	}
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	defer os.Remove(path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("storage: control socket: %w", err)
		}
		go c.answer(ctx, conn)
	}
}

func (c *Control) answer(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(io.LimitReader(conn, 256)).ReadString('\n')
	if err != nil {
		return
	}
	_ = conn.SetReadDeadline(time.Time{})
	w := bufio.NewWriterSize(conn, 1<<20)
	defer w.Flush()
	switch strings.TrimSpace(line) {
	case controlBackup:
		// The size goes first, so the client can tell a whole copy from a cut-off one.
		var size int64
		if err := c.DB.View(ctx, func(tx Tx) error { size = tx.(*boltTx).tx.Size(); return nil }); err != nil {
			fmt.Fprintf(w, "ERR %v\n", err)
			return
		}
		fmt.Fprintf(w, "OK %d\n", size)
		_, _ = c.DB.Backup(w)
	case controlPurgeDry:
		res, err := c.DB.Purge(ctx, c.Retention, true)
		if err != nil {
			fmt.Fprintf(w, "ERR %v\n", err)
			return
		}
		fmt.Fprintf(w, "OK\n")
		_ = json.NewEncoder(w).Encode(res)
	case controlPing:
		fmt.Fprintf(w, "OK\n")
	default:
		fmt.Fprintf(w, "ERR unknown request\n")
	}
}

// ErrNoBot is returned by the remote calls when no bot answers on the socket.
var ErrNoBot = errors.New("storage: no running bot on the control socket")

func controlCall(sock, req string) (net.Conn, *bufio.Reader, string, error) {
	conn, err := net.DialTimeout("unix", sock, 2*time.Second)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%w: %v", ErrNoBot, err)
	}
	if _, err := io.WriteString(conn, req+"\n"); err != nil {
		conn.Close()
		return nil, nil, "", err
	}
	r := bufio.NewReaderSize(conn, 1<<20)
	status, err := r.ReadString('\n')
	if err != nil {
		conn.Close()
		return nil, nil, "", fmt.Errorf("storage: control socket: %w", err)
	}
	status = strings.TrimSpace(status)
	if msg, ok := strings.CutPrefix(status, "ERR "); ok {
		conn.Close()
		return nil, nil, "", fmt.Errorf("storage: the running bot says: %s", msg)
	}
	return conn, r, status, nil
}

// RemoteBackup asks the bot running on sock for a hot copy and writes it to path (0600,
// atomically), then checks the copy page by page. It returns ErrNoBot when nobody answers.
func RemoteBackup(sock, path string) (int64, error) {
	conn, r, status, err := controlCall(sock, controlBackup)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var size int64
	if _, err := fmt.Sscanf(status, "OK %d", &size); err != nil {
		return 0, fmt.Errorf("storage: control socket: bad answer %q", status)
	}
	var n int64
	err = writeAtomic(path, func(f *os.File) error {
		var err error
		n, err = io.Copy(f, r)
		if err == nil && n != size {
			err = fmt.Errorf("copy cut off at %d of %d bytes", n, size)
		}
		return err
	})
	if err != nil {
		return n, err
	}
	if _, err := CheckFile(path); err != nil {
		_ = os.Remove(path)
		return n, err
	}
	return n, nil
}

// BotRunning reports whether a bot answers on the control socket.
func BotRunning(sock string) bool {
	conn, _, _, err := controlCall(sock, controlPing)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// RemotePurgeDry asks the bot running on sock what a purge would remove now.
func RemotePurgeDry(sock string) (PurgeResult, error) {
	conn, r, _, err := controlCall(sock, controlPurgeDry)
	if err != nil {
		return PurgeResult{}, err
	}
	defer conn.Close()
	var res PurgeResult
	if err := json.NewDecoder(r).Decode(&res); err != nil {
		return res, fmt.Errorf("storage: control socket: %w", err)
	}
	return res, nil
}
