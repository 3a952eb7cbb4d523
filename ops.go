package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/laporbansos/laporbansos/bot/web"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// The running side of operations: the HTTP listener, the control socket (hot backups for the
// backup command), rotating backups and the retention purge. serve builds it right after the
// stores, so the hooks count from the first message, and starts it once the channels have
// mounted their handlers.
type ops struct {
	m   *Main
	a   *app
	dir string
	srv *web.Server // nil when LAPOR_HTTP_LISTEN is off
}

// photoDir is where the bbolt store keeps evidence photos, named after their report number;
// the purge removes them with the report's personal data. With PostgreSQL they are in the
// database (storage.Tx.PutPhoto).
func photoDir(dataDir string) string { return filepath.Join(dataDir, "photos") }

func (m *Main) newOps(a *app, dir string) (*ops, error) {
	o := &ops{m: m, a: a, dir: dir}
	c := m.cfg
	if c.Ops.HTTPListen == "" {
		return o, nil
	}
	o.srv = &web.Server{
		Addr: c.Ops.HTTPListen, Store: a.db, Registry: a.reg, DataDir: dir,
		VerifySLA: c.VerifySLA, DeliverySLA: c.DeliverySLA, Now: m.Now,
		Log: m.log.With().Str("component", "http").Logger(),
	}
	o.srv.Handler() // builds the metrics
	a.disp.Observe = o.srv.Metrics.ObserveStep
	a.sender.Observe = o.srv.Metrics.ObserveSend
	return o, nil
}

// tracked registers a channel on /healthz and /metrics and wraps its Run so its state shows
// "running" while it runs and "stopped" after. A channel that knows its own state (WhatsApp's
// connection) reports it by implementing web.StateReporter.
func (o *ops) tracked(name string, ch any, runCh func() error) func() error {
	if o.srv == nil {
		return runCh
	}
	inner, _ := ch.(web.StateReporter)
	st := web.NewRunState(inner)
	o.srv.Channel(name, st)
	return func() error {
		st.Set("running")
		defer st.Set("stopped")
		return runCh()
	}
}

// start runs the listener, the control socket, the backups and the purge as serve's goroutines.
func (o *ops) start(ctx context.Context, run func(string, func() error)) {
	c := o.m.cfg
	log := o.m.log
	if o.srv != nil {
		run("http", func() error { return o.srv.Run(ctx) })
	}
	if o.a.file != nil {
		o.startFileOps(ctx, run)
	}
	run("purge", o.m.once(ctx, o.a, "purge", func(ctx context.Context) error {
		return every(ctx, 24*time.Hour, func() {
			res, err := o.a.db.Purge(ctx, c.RetentionPeriod, false)
			if err != nil {
				if ctx.Err() == nil {
					log.Error().Err(err).Msg("retention purge failed")
				}
				return
			}
			if len(res.Reports)+res.Sessions+len(res.Photos) > 0 {
				log.Info().Int("reports", len(res.Reports)).Int("sessions", res.Sessions).Int("photos", len(res.Photos)).
					Str("retention", c.Retention).Msg("retention purge: personal data removed")
			}
		})
	}))
}

// every calls f at once and then every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func()) error {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		f()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *Main) storePath() string { return filepath.Join(m.cfg.DataDir, "laporbansos.db") }

func (m *Main) controlSocket() string { return filepath.Join(m.cfg.DataDir, bolt.ControlSocket) }

// backupCmd writes a hot copy of the store: from the running bot over its control socket, or
// straight from the file when no bot runs.
func (m *Main) backupCmd(args []string) error {
	if len(args) != 1 {
		return usageError{"usage: laporbansos backup FILE"}
	}
	if m.cfg.DatabaseURL != "" {
		return errFileOnly
	}
	path := args[0]
	n, err := bolt.RemoteBackup(m.controlSocket(), path)
	from := "the running bot"
	if errors.Is(err, bolt.ErrNoBot) {
		from = m.storePath()
		db, oerr := m.openStore()
		if oerr != nil {
			return oerr
		}
		n, err = db.BackupFile(path)
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup of %s written to %s (%d bytes, checked)\n", from, path, n)
	return nil
}

// restoreCmd puts a backup in place; bolt.Restore refuses while the bot runs.
func (m *Main) restoreCmd(args []string) error {
	if len(args) != 1 {
		return usageError{"usage: laporbansos restore FILE"}
	}
	if m.cfg.DatabaseURL != "" {
		return errFileOnly
	}
	if _, err := m.dataDir(); err != nil {
		return err
	}
	kept, err := bolt.Restore(args[0], m.storePath(), m.now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "restored %s from %s\n", m.storePath(), args[0])
	if kept != "" {
		fmt.Fprintf(m.Stdout, "the file it replaced is kept as %s (delete it once the bot runs well)\n", kept)
	}
	return nil
}

// purgeCmd applies LAPOR_RETENTION now, or with --dry-run lists what it would remove (asking
// the running bot when there is one).
func (m *Main) purgeCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dry := fs.Bool("dry-run", false, "only list what would be removed")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return usageError{"usage: laporbansos purge [--dry-run]"}
	}
	var (
		res storage.PurgeResult
		err error
	)
	if *dry && m.cfg.DatabaseURL == "" {
		res, err = bolt.RemotePurgeDry(m.controlSocket())
	}
	if !*dry || m.cfg.DatabaseURL != "" || errors.Is(err, bolt.ErrNoBot) {
		db, _, oerr := m.openState(ctx)
		if oerr != nil {
			if !*dry {
				return fmt.Errorf("%w\n(a running bot purges by itself once a day; stop it to purge now)", oerr)
			}
			return oerr
		}
		defer db.Close()
		res, err = db.Purge(ctx, m.cfg.RetentionPeriod, *dry)
	}
	if err != nil {
		return err
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	fmt.Fprintf(m.Stdout, "retention %s (LAPOR_RETENTION): %s the personal data of %d closed reports, %d idle sessions, %d photos\n",
		m.cfg.Retention, verb, len(res.Reports), res.Sessions, len(res.Photos))
	for _, id := range res.Reports {
		fmt.Fprintf(m.Stdout, "  %s\n", id)
	}
	for _, p := range res.Photos {
		fmt.Fprintf(m.Stdout, "  %s\n", p)
	}
	return nil
}

// startFileOps runs what only the bbolt file has: the control socket (hot backups, purge dry
// runs beside the bot) and the rotating backups. PostgreSQL is backed up with its own tools.
func (o *ops) startFileOps(ctx context.Context, run func(string, func() error)) {
	c := o.m.cfg
	log := o.m.log
	ctl := &bolt.Control{DB: o.a.file, Retention: c.RetentionPeriod}
	run("control-socket", func() error { return ctl.Serve(ctx, filepath.Join(o.dir, bolt.ControlSocket)) })
	if c.Ops.BackupDir != "" {
		run("backup", func() error {
			return every(ctx, c.Ops.BackupEvery, func() {
				path, removed, err := o.a.file.BackupRotate(c.Ops.BackupDir, c.Ops.BackupKeep, o.m.now())
				if err != nil {
					log.Error().Err(err).Str("dir", c.Ops.BackupDir).Msg("backup failed")
					return
				}
				log.Info().Str("file", path).Int("removed", len(removed)).Msg("backup written")
			})
		})
	}
}
