package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/store/sqlstore"

	"github.com/laporbansos/laporbansos/bot/whatsapp"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres"
)

// errDoctor makes doctor exit 1 after it printed what to fix.
var errDoctor = errors.New("doctor found problems")

// doctor checks what an operator would otherwise learn from a failed start or a silent bot, and
// prints one line per check: ok, or what to fix.
func (m *Main) doctor(ctx context.Context) error {
	c := m.cfg
	problems := 0
	say := func(ok bool, what, detail string) {
		mark := "ok  "
		if !ok {
			mark = "FIX "
			problems++
		}
		fmt.Fprintf(m.Stdout, "%s %-22s %s\n", mark, what, detail)
	}
	warn := func(what, detail string) { fmt.Fprintf(m.Stdout, "warn %-22s %s\n", what, detail) }

	say(true, "configuration", "loaded; channels: "+orNone(strings.Join(c.ServeChannels(), ", ")))
	if len(c.ServeChannels()) == 0 {
		warn("channels", "none configured: serve refuses to start (set LAPOR_TELEGRAM_TOKEN or LAPOR_WHATSAPP=1)")
	}

	// Data directory and its files: personal data, owner only.
	dir := c.DataDir
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		warn("data directory", dir+" does not exist yet; it is created 0700 at the first start")
	case err != nil:
		say(false, "data directory", err.Error())
	case !fi.IsDir():
		say(false, "data directory", dir+" is not a directory (LAPOR_DATA_DIR)")
	case fi.Mode().Perm()&0o077 != 0:
		say(false, "data directory", fmt.Sprintf("%s is %o: run chmod 700 %s", dir, fi.Mode().Perm(), dir))
	default:
		say(true, "data directory", dir+" (0700)")
		if uid, ok := fileOwner(fi); ok && uid != os.Geteuid() {
			say(false, "data directory owner", fmt.Sprintf("owned by uid %d, this is uid %d: run doctor as the bot's user, or chown -R <bot user> %s", uid, os.Geteuid(), dir))
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			info, err := e.Info()
			if err != nil || !info.Mode().IsRegular() {
				continue
			}
			if info.Mode().Perm()&0o077 != 0 {
				say(false, "file permissions", fmt.Sprintf("%s is %o: run chmod 600 %s", e.Name(), info.Mode().Perm(), filepath.Join(dir, e.Name())))
			}
		}
		if free, err := diskFree(dir); err == nil {
			if free < 500<<20 {
				say(false, "disk space", fmt.Sprintf("only %d MiB free for %s", free>>20, dir))
			} else {
				say(true, "disk space", fmt.Sprintf("%d MiB free", free>>20))
			}
		}
	}

	// The reports store: with PostgreSQL reachable and its schema up to date; with the bbolt
	// file checked page by page, unless the running bot has it.
	var pg *postgres.DB
	path := m.storePath()
	if u := c.DatabaseURL.Value(); u != "" {
		db := postgres.New(u)
		if err := db.Open(ctx); err != nil {
			say(false, "reports store", "PostgreSQL (LAPOR_DATABASE_URL): "+err.Error())
		} else {
			pg = db
			defer pg.Close()
			say(true, "reports store", "PostgreSQL (LAPOR_DATABASE_URL): connected, schema up to date")
		}
	} else if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		warn("reports store", path+" does not exist yet; it is created at the first start")
	} else if bolt.BotRunning(m.controlSocket()) {
		// The running bot checked the store when it opened it; its lock keeps others out.
		say(true, "reports store", path+" is open in the running bot")
	} else if took, err := bolt.CheckFile(path); err != nil {
		say(false, "reports store", err.Error())
	} else {
		say(true, "reports store", fmt.Sprintf("%s: every page checked in %s", path, took.Round(time.Millisecond)))
	}

	// The registry: present and fresh.
	reg := &registry.Registry{Dir: dir, Log: zerolog.Nop()}
	if err := reg.Open(); err != nil {
		say(false, "registry", err.Error())
	} else {
		meta := reg.Meta()
		switch {
		case reg.Empty():
			say(false, "registry", "empty: import the recipient CSV (laporbansos registry import FILE); until then every check fails")
		case c.RegistrySource != "" && m.now().Sub(meta.ImportedAt) > 2*c.RegistrySync+time.Hour:
			say(false, "registry", fmt.Sprintf("imported %s ago (%s), older than LAPOR_REGISTRY_SYNC allows: is %s still updated?",
				m.now().Sub(meta.ImportedAt).Round(time.Minute), meta.ImportedAt.Format(time.RFC3339), c.RegistrySource))
		default:
			say(true, "registry", fmt.Sprintf("%d rows, %d NIKs, imported %s ago", meta.RowsImported, meta.DistinctNIKs, m.now().Sub(meta.ImportedAt).Round(time.Minute)))
		}
		reg.Close()
	}

	// Backups.
	if c.Ops.BackupDir == "" {
		warn("backups", "LAPOR_BACKUP_DIR is empty: serve writes no backups (or run laporbansos backup from a timer)")
	} else if list, err := bolt.ListBackups(c.Ops.BackupDir); errors.Is(err, os.ErrNotExist) {
		warn("backups", c.Ops.BackupDir+" does not exist yet; serve creates it with the first backup")
	} else if err != nil {
		say(false, "backups", err.Error())
	} else if len(list) == 0 {
		warn("backups", "none yet in "+c.Ops.BackupDir)
	} else if fi, err := os.Stat(list[len(list)-1]); err == nil {
		a := m.now().Sub(fi.ModTime())
		say(a < 2*c.Ops.BackupEvery+time.Hour, "backups", fmt.Sprintf("%d in %s, newest %s ago", len(list), c.Ops.BackupDir, a.Round(time.Minute)))
	}

	// Telegram: the token works.
	if c.Telegram.Enabled() {
		name, err := telegramGetMe(ctx, c.Telegram.APIURL, c.Telegram.Token.Value())
		if err != nil {
			say(false, "telegram", err.Error())
		} else {
			say(true, "telegram", "getMe: @"+name)
		}
	}
	// WhatsApp: a device is linked (in the shared database with PostgreSQL, else in the data
	// directory's session file).
	if c.WhatsApp.Enabled {
		linked := func(container *sqlstore.Container) {
			_, err := whatsapp.NewClient(ctx, container, zerolog.Nop())
			container.Close()
			switch {
			case errors.Is(err, whatsapp.ErrNotPaired):
				say(false, "whatsapp", "no device linked: run laporbansos whatsapp login")
			case err != nil:
				say(false, "whatsapp", err.Error())
			default:
				say(true, "whatsapp", "a device is linked")
			}
		}
		switch {
		case c.DatabaseURL.Value() != "" && pg == nil:
			say(false, "whatsapp", "its session is in PostgreSQL, which is unreachable (see reports store)")
		case pg != nil:
			if container, err := whatsapp.OpenSharedStore(ctx, pg, zerolog.Nop()); err != nil {
				say(false, "whatsapp", err.Error())
			} else {
				linked(container)
			}
		default:
			if _, err := os.Stat(filepath.Join(dir, whatsapp.StoreFile)); err != nil {
				say(false, "whatsapp", "no session: run laporbansos whatsapp login")
			} else if container, err := whatsapp.OpenStore(ctx, dir, zerolog.Nop()); err != nil {
				say(false, "whatsapp", err.Error())
			} else {
				linked(container)
			}
		}
	}
	if c.Ops.HTTPListen == "" {
		warn("http", "LAPOR_HTTP_LISTEN is off: no /healthz or /metrics")
	} else {
		say(true, "http", "health and metrics on http://"+c.Ops.HTTPListen+"/healthz and /metrics")
	}
	if c.Contact == "" {
		warn("contact", "LAPOR_CONTACT is empty: help and rejections name no office address, phone or hours")
	} else {
		say(true, "contact", c.Contact)
	}
	if problems > 0 {
		fmt.Fprintf(m.Stdout, "%d problem(s) to fix\n", problems)
		return errDoctor
	}
	fmt.Fprintln(m.Stdout, "all checks passed")
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// telegramGetMe asks the Bot API who the token belongs to. Errors never carry the token.
func telegramGetMe(ctx context.Context, apiURL, token string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"/bot"+token+"/getMe", nil)
	if err != nil {
		return "", errors.New("LAPOR_TELEGRAM_API_URL: bad URL")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("getMe: %s", strings.ReplaceAll(err.Error(), token, "<token>"))
	}
	defer resp.Body.Close()
	var body struct {
		OK          bool   `json:"ok"`
		Description string `json:"description"`
		Result      struct {
			Username string `json:"username"`
		} `json:"result"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body); err != nil {
		return "", fmt.Errorf("getMe: HTTP %d, not a Bot API answer", resp.StatusCode)
	}
	if !body.OK {
		if resp.StatusCode == http.StatusUnauthorized {
			return "", errors.New("getMe: the token is refused (401): check LAPOR_TELEGRAM_TOKEN with @BotFather")
		}
		return "", fmt.Errorf("getMe: HTTP %d: %s", resp.StatusCode, body.Description)
	}
	return body.Result.Username, nil
}
