// Command laporbansos is the Lapor Bansos chatbot: citizens report households that need social
// assistance and check bansos status; Dinas Sosial staff decide in a group chat. This file only
// wires the parts together: parse the command, load the configuration, build, run, shut down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"golang.org/x/term"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/bot/console"
	"github.com/laporbansos/laporbansos/bot/telegram"
	"github.com/laporbansos/laporbansos/bot/wacloud"
	"github.com/laporbansos/laporbansos/bot/web"
	"github.com/laporbansos/laporbansos/bot/whatsapp"
	"github.com/laporbansos/laporbansos/config"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres"
)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1 // not found, or the work failed
	exitUsage    = 2
	usageSummary = `Lapor Bansos — laporan warga butuh bantuan sosial, lewat Telegram/WhatsApp.

Usage:
  laporbansos                         serve the configured channels; with none configured,
                                      chat in this terminal (console) on the demo registry
  laporbansos console                 chat in the terminal: lines are the citizen's messages,
                                      "@staf …" lines are the staff group's ("@tamu …": a
                                      group member who is not staff); piped input runs to EOF
  laporbansos serve                   run Telegram and/or WhatsApp as configured
  laporbansos registry import FILE    import a recipient CSV and swap it in atomically
  laporbansos registry lookup NIK     programs, periods and statuses of a NIK
  laporbansos registry stats          source, import time, rows, NIKs, rows per program
  laporbansos registry demo           load the bundled synthetic demo registry
  laporbansos reports list [--status S] [--kind report|sanggah]
  laporbansos reports export [--out FILE] [--comma ,] [--no-bom]
  laporbansos whatsapp login [--phone 62…]   link the service's WhatsApp number (QR or pairing code)
  laporbansos whatsapp logout         unlink it and delete the session
  laporbansos whatsapp groups         the number's groups with their JIDs (for the staff group)
  laporbansos users add NAME [--role viewer|supervisor]   dashboard account; password from
                                      the terminal or the first line of stdin
  laporbansos users list | users remove NAME
  laporbansos config                  the effective configuration (secrets hidden)
  laporbansos backup FILE             hot copy of the reports store (also while the bot runs)
  laporbansos restore FILE            check a backup and put it in place (bot stopped)
  laporbansos purge [--dry-run]       remove personal data of reports closed before LAPOR_RETENTION
  laporbansos doctor                  check configuration, files, stores, registry, channels
  laporbansos version | help

Exit codes: 0 ok, 1 not found or failed, 2 usage.
Configuration is by environment variables (see README.md or "laporbansos config").`
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the program with its surroundings injectable, so tests run it end to end.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         config.Getenv
	Now            func() time.Time // nil: time.Now

	cfg config.Config
	log zerolog.Logger
}

// usageError is a wrong command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run executes one command and returns the exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	err := m.run(ctx, args)
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errNotFound):
		return exitFailed
	case errors.As(err, &ue):
		fmt.Fprintf(m.Stderr, "laporbansos: %s\n\n%s\n", ue.msg, usageSummary)
		return exitUsage
	default:
		fmt.Fprintf(m.Stderr, "laporbansos: %v\n", err)
		return exitFailed
	}
}

func (m *Main) run(ctx context.Context, args []string) error {
	cmd := ""
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help", "-help":
		fmt.Fprintln(m.Stdout, usageSummary)
		return nil
	case "version", "--version":
		fmt.Fprintln(m.Stdout, "laporbansos", version)
		return nil
	}
	cfg, err := config.Load(m.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	m.cfg = cfg
	switch cmd {
	case "":
		if len(cfg.ServeChannels()) == 0 {
			return m.console(ctx, true)
		}
		return m.serve(ctx)
	case "console":
		return m.console(ctx, len(args) == 0 || args[0] != "--no-demo")
	case "serve":
		return m.serve(ctx)
	case "registry":
		return m.registry(ctx, args)
	case "reports":
		return m.reports(ctx, args)
	case "whatsapp":
		return m.whatsappCmd(ctx, args)
	case "backup":
		return m.backupCmd(args)
	case "restore":
		return m.restoreCmd(args)
	case "purge":
		return m.purgeCmd(ctx, args)
	case "doctor":
		return m.doctor(ctx)
	case "users":
		return m.users(ctx, args)
	case "config":
		for _, line := range cfg.Describe() {
			fmt.Fprintln(m.Stdout, line)
		}
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

func (m *Main) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// logger writes structured logs; to a file in console mode so they do not interleave with the
// chat in the terminal.
func (m *Main) logger(w io.Writer) zerolog.Logger {
	level, _ := zerolog.ParseLevel(m.cfg.LogLevel)
	format := m.cfg.LogFormat
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "console"
		}
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.DateTime}
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

func (m *Main) dataDir() (string, error) {
	dir := m.cfg.DataDir
	// The data is personal: 0700, files 0600, refused when others may write in it.
	if err := storage.PrepareDataDir(dir); err != nil {
		return "", fmt.Errorf("LAPOR_DATA_DIR: %w", err)
	}
	return dir, nil
}

func (m *Main) openRegistry() (*registry.Registry, error) {
	dir, err := m.dataDir()
	if err != nil {
		return nil, err
	}
	r := &registry.Registry{Dir: dir, Now: m.Now, Log: m.log.With().Str("component", "registry").Logger()}
	if err := r.Open(); err != nil {
		return nil, err
	}
	return r, nil
}

func (m *Main) openStore() (*bolt.DB, error) {
	dir, err := m.dataDir()
	if err != nil {
		return nil, err
	}
	db := bolt.NewDB(filepath.Join(dir, "laporbansos.db"))
	db.PhotoDir = photoDir(dir)
	db.Log = m.log.With().Str("component", "storage").Logger()
	if m.Now != nil {
		db.Now = m.Now
	}
	if err := db.Open(); err != nil {
		return nil, err
	}
	return db, nil
}

// app is the running bot's parts.
type app struct {
	reg      *registry.Registry
	db       stateStore
	file     *bolt.DB    // the bbolt store; nil when the state is in PostgreSQL
	lead     *leadership // with PostgreSQL: this instance's terms as leader
	leadOnce sync.Once
	engine   *flows.Engine
	sender   *bot.Sender
	disp     *bot.Dispatcher
}

func (a *app) Close() {
	if a.db != nil {
		a.db.Close()
	}
	if a.reg != nil {
		a.reg.Close()
	}
}

// build opens the stores and wires the flows, the sender and the dispatcher.
func (m *Main) build(ctx context.Context, staff []storage.ChatAddr, demo bool) (*app, error) {
	a := &app{}
	var err error
	if a.reg, err = m.openRegistry(); err != nil {
		return nil, err
	}
	if a.db, a.file, err = m.openState(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if demo && a.reg.Empty() {
		res, err := a.reg.LoadDemo(ctx)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("load demo registry: %w", err)
		}
		fmt.Fprintf(m.Stdout, "ℹ️ Registry kosong: memuat registry DEMO bawaan (%d baris, %d NIK, data rekaan).\n", res.RowsImported, res.DistinctNIKs)
	}
	area, err := flows.NewArea(m.cfg.Regency, m.cfg.KecamatanOnly)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("LAPOR_SERVICE_REGENCY/LAPOR_SERVICE_KECAMATAN: %w", err)
	}
	a.engine = &flows.Engine{
		Store:       a.db,
		Registry:    flows.GuardRegistry(a.reg),
		Area:        area,
		StaffChats:  staff,
		Now:         m.Now,
		Log:         m.log.With().Str("component", "flows").Logger(),
		Agency:      m.cfg.Agency,
		Retention:   m.cfg.Retention,
		VerifySLA:   m.cfg.VerifySLA,
		DeliverySLA: m.cfg.DeliverySLA,
		SessionTTL:  m.cfg.SessionTTL,
		CheckLimit:  m.cfg.CheckLimit,
		DailyLimit:  m.cfg.DailyLimit, GlobalLimit: m.cfg.GlobalLimit, ScrapeAlert: m.cfg.ScrapeAlert,
		Contact: m.cfg.Contact,
		Photos:  true, TextOnly: map[string]bool{"console": true},
		Routes: m.routes(), UndoWindow: m.cfg.UndoWindow,
	}
	a.sender = &bot.Sender{Outbox: a.db, Channels: map[string]bot.Channel{}, Now: m.Now, Log: m.log.With().Str("component", "sender").Logger()}
	a.disp = &bot.Dispatcher{Engine: a.engine, Sender: a.sender, Log: m.log.With().Str("component", "dispatcher").Logger()}
	return a, nil
}

// console runs the terminal chat. Interactive on a terminal; a script when piped.
func (m *Main) console(ctx context.Context, demo bool) error {
	dir, err := m.dataDir()
	if err != nil {
		return err
	}
	logFile, err := storage.OpenPrivate(filepath.Join(dir, "laporbansos.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY)
	if err != nil {
		return err
	}
	defer logFile.Close()
	m.log = m.logger(logFile)
	a, err := m.build(ctx, []storage.ChatAddr{console.StaffGroup}, demo)
	if err != nil {
		return err
	}
	defer a.Close()
	a.sender.Channels["console"] = &console.Channel{Out: m.Stdout, ExportDir: dir}
	a.sender.Workers = 1 // one terminal: print in queue order
	interactive := false
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		interactive = true
		fmt.Fprintln(m.Stdout, "Konsol Lapor Bansos. Ketik pesan sebagai warga (mis. \"halo\"); \"@staf PENDING\" sebagai petugas di grup staf. Ctrl-D untuk keluar.")
	}
	// Overdue work is chased on the console too: once at start, and while someone types.
	if _, err := a.engine.Remind(ctx, m.cfg.ReminderEvery); err != nil {
		m.log.Error().Err(err).Msg("overdue reminder")
	}
	if interactive {
		remindCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = m.remind(remindCtx, a.engine) }()
		// Stopped and waited for before the store closes (deferred earlier, so run later).
		defer func() { stop(); <-done }()
	}
	// Replies left in the queue by an earlier run go out first.
	if err := a.sender.Flush(ctx, 0); err != nil {
		return err
	}
	return console.Run(ctx, m.Stdin, m.Stdout, a.disp, a.sender, !interactive, interactive)
}

// serve runs the configured channels until SIGINT/SIGTERM. A channel that stops for good
// (WhatsApp logged out, say) is logged; the others keep running.
func (m *Main) serve(ctx context.Context) error {
	m.log = m.logger(m.Stderr)
	for _, w := range m.cfg.Warnings() {
		m.log.Warn().Msg(w)
	}
	if len(m.cfg.ServeChannels()) == 0 {
		return errors.New("no channel configured: set LAPOR_TELEGRAM_TOKEN, LAPOR_WHATSAPP=1 or LAPOR_WACLOUD_TOKEN (or run: laporbansos console)")
	}
	dir, err := m.dataDir()
	if err != nil {
		return err
	}
	var staff []storage.ChatAddr
	for _, g := range m.cfg.WhatsApp.StaffGroups {
		staff = append(staff, storage.ChatAddr{Channel: whatsapp.Name, ID: g})
	}
	for _, id := range m.cfg.Telegram.StaffChats {
		staff = append(staff, telegram.Addr(id))
	}
	a, err := m.build(ctx, staff, false)
	if err != nil {
		return err
	}
	defer a.Close()
	ops, err := m.newOps(a, dir)
	if err != nil {
		return err
	}
	if ops.srv != nil {
		ops.srv.Handle("/", m.dashboardHandler(a.db, a.reg))
	}
	if a.reg.Empty() {
		// Until an import, every check would otherwise say "not a recipient".
		m.log.Warn().Msg("recipient registry is empty: status checks will say the data is not available until it is imported")
		if err := a.engine.WarnRegistryNotLoaded(ctx); err != nil {
			m.log.Error().Err(err).Msg("warn staff: registry not loaded")
		}
	}

	var wg sync.WaitGroup
	run := func(name string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil && ctx.Err() == nil {
				m.log.Error().Err(err).Str("channel", name).Msg("channel stopped; the other channels keep running")
			}
		}()
	}
	if m.cfg.WhatsApp.Enabled {
		// WhatsApp failing to start must not keep the other channels from serving: it is
		// logged once, the other channels' staff chats are told, and its replies stay queued.
		var notify []storage.ChatAddr
		if m.cfg.Telegram.Enabled() {
			for _, id := range m.cfg.Telegram.StaffChats {
				notify = append(notify, telegram.Addr(id))
			}
		}
		wa, runTerm, release, err := m.startWhatsApp(ctx, dir, a, notify)
		if err != nil {
			m.log.Error().Err(err).Msg("WhatsApp channel not started; the other channels keep serving and WhatsApp replies stay queued")
			if terr := whatsapp.TellStaffNotStarted(ctx, a.db, notify, err); terr != nil {
				m.log.Error().Err(terr).Msg("could not tell the staff chats")
			}
			if ops.srv != nil {
				st := web.NewRunState(nil)
				st.Set("not_started")
				ops.srv.Channel(whatsapp.Name, st)
			}
		} else {
			defer release()
			// Registered even after a permanent stop: its replies stay queued until it is relinked.
			// With PostgreSQL the one channel runs again in each term as leader, with a fresh
			// client: the sender keeps pointing at it.
			a.sender.Channels[whatsapp.Name] = wa
			run(whatsapp.Name, ops.tracked(whatsapp.Name, wa, m.once(ctx, a, whatsapp.Name, runTerm)))
		}
	}
	if m.cfg.Telegram.Enabled() {
		tg, err := telegram.New(telegram.Options{
			Token: m.cfg.Telegram.Token.Value(), APIURL: m.cfg.Telegram.APIURL,
			StaffChats: m.telegramStaffChats(), StaffUsers: m.cfg.Telegram.StaffUsers,
			WebhookURL: m.cfg.Telegram.WebhookURL, WebhookListen: m.cfg.Telegram.WebhookListen,
			WebhookSecret:  m.cfg.Telegram.WebhookSecret.Value(),
			SharedListener: ops.sharesTelegramWebhook(),
			DB:             a.db, Wake: a.sender.Wake, Log: m.log.With().Str("component", "telegram").Logger(),
		})
		if err != nil {
			return err
		}
		if err := ops.mountTelegramWebhook(tg); err != nil {
			return err
		}
		a.sender.Channels[telegram.Name] = tg
		runTG := func(ctx context.Context) error { return tg.Run(ctx, a.disp) }
		if m.cfg.Telegram.WebhookURL == "" {
			// Long polling: with several instances only the leader polls. Telegram ends a
			// getUpdates with 409 when another one for the token arrives, so instances polling
			// together would cut each other off; the offset is in the shared store, so the next
			// leader goes on where this one stopped.
			run(telegram.Name, ops.tracked(telegram.Name, tg, m.once(ctx, a, telegram.Name, runTG)))
		} else {
			run(telegram.Name, ops.tracked(telegram.Name, tg, func() error { return runTG(ctx) }))
		}
	}
	if m.cfg.WACloud.Enabled() {
		if ops.srv == nil {
			return errors.New("the WhatsApp Cloud API webhook is served on LAPOR_HTTP_LISTEN: set it to an address, not off")
		}
		ch, h, err := m.newWACloud(a)
		if err != nil {
			return err
		}
		ops.srv.Handle(wacloud.WebhookPath, h)
		ops.srv.Channel(wacloud.Name, ch)
	}
	// Always run: without a source it still picks up a `registry import` made beside the bot.
	syncer := &registry.Syncer{Registry: a.reg, Source: m.cfg.RegistrySource, Every: m.cfg.RegistrySync, Log: m.log.With().Str("component", "registry-sync").Logger()}
	if a.file == nil {
		// Several instances on one database: each imports its own copy of the source, and they
		// share which version each serves (see registry.Shared).
		syncer.Shared, syncer.Instance = sharedRegistry{a.db}, instanceName()
		if ops.srv != nil {
			ops.srv.RegistryLag = syncer
		}
	}
	run("registry-sync", func() error { return syncer.Run(ctx) })
	run("reminders", m.once(ctx, a, "reminders", func(ctx context.Context) error { return m.remind(ctx, a.engine) }))
	ops.start(ctx, run)
	m.log.Info().Strs("channels", slices.Sorted(maps.Keys(a.sender.Channels))).Msg("serving")
	err = m.once(ctx, a, "sender", a.sender.Run)()
	wg.Wait()
	if a.file == nil {
		// Shared state: the instance sending now (or the next to lead) sends the rest; a flush
		// here could send what that one is sending.
		return err
	}
	// Whatever is still due goes out before the stores close.
	flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ferr := a.sender.Flush(flushCtx, time.Second); ferr != nil {
		m.log.Warn().Err(ferr).Msg("final flush incomplete; the rest stays queued")
	}
	return err
}

// remind asks the flows for the batched overdue reminder (the flows keep it to at most one per
// LAPOR_REMINDER_EVERY), warns citizens whose dialogue is about to expire and, once a day, forgets handled message ids older than a week.
func (m *Main) remind(ctx context.Context, e *flows.Engine) error {
	t := time.NewTicker(remindTick(m.cfg.ReminderEvery))
	defer t.Stop()
	var pruned time.Time
	for {
		if _, err := e.Remind(ctx, m.cfg.ReminderEvery); err != nil {
			m.log.Error().Err(err).Msg("overdue reminder")
		}
		if _, err := e.WarnIdle(ctx); err != nil {
			m.log.Error().Err(err).Msg("idle dialogue warning")
		}
		if !m.cfg.DigestOff {
			if _, err := e.DailyDigest(ctx, m.cfg.DigestAt); err != nil {
				m.log.Error().Err(err).Msg("daily digest")
			}
		}
		if now := m.now(); now.Sub(pruned) > 24*time.Hour {
			pruned = now
			if _, err := e.PruneSeen(ctx, now.Add(-7*24*time.Hour)); err != nil {
				m.log.Error().Err(err).Msg("prune handled message ids")
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// startWhatsApp opens the WhatsApp session and builds the channel; runTerm runs it during one
// term (m.once), release closes the session store and drops the lock. With the bbolt file the
// session is this process's: locked now, its file store and inbox opened, its client built.
// With PostgreSQL (startSharedWhatsApp) each term as leader takes the session anew.
func (m *Main) startWhatsApp(ctx context.Context, dir string, a *app, notify []storage.ChatAddr) (wa *whatsapp.Channel, runTerm func(context.Context) error, release func(), err error) {
	if pg, ok := a.db.(*postgres.DB); ok {
		return m.startSharedWhatsApp(ctx, pg, a, notify)
	}
	unlock, err := whatsapp.LockSession(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	container, err := whatsapp.OpenStore(ctx, dir, m.log)
	if err != nil {
		unlock()
		return nil, nil, nil, err
	}
	inbox, err := whatsapp.OpenInbox(filepath.Join(dir, whatsapp.InboxFile))
	if err != nil {
		container.Close()
		unlock()
		return nil, nil, nil, err
	}
	release = func() {
		inbox.Close()
		container.Close()
		unlock()
	}
	cli, err := whatsapp.NewClient(ctx, container, m.log)
	if err != nil {
		release()
		return nil, nil, nil, err
	}
	wa = whatsapp.New(whatsapp.Options{
		Client: cli, Store: a.db, Polls: true, Log: m.log, Inbox: inbox,
		StaffGroups: m.whatsappStaffGroups(), StaffNumbers: m.cfg.WhatsApp.StaffNumbers,
		Notify: notify, Wake: a.sender.Wake, Now: m.Now,
		RefreshVersion: whatsapp.VersionRefresher(nil, m.log),
	})
	waLog := m.log.With().Str("component", "whatsapp").Logger()
	runTerm = func(ctx context.Context) error {
		whatsapp.UseLatestVersion(ctx, nil, waLog)
		return wa.Run(ctx, a.disp)
	}
	return wa, runTerm, release, nil
}

// whatsappCmd links, unlinks and inspects the service's WhatsApp number.
func (m *Main) whatsappCmd(ctx context.Context, args []string) error {
	const usage = "usage: laporbansos whatsapp login [--phone 62…] | logout | groups"
	if len(args) == 0 {
		return usageError{usage}
	}
	dir, err := m.dataDir()
	if err != nil {
		return err
	}
	log := m.logger(m.Stderr).Level(zerolog.WarnLevel) // keep the QR code readable
	var phone string
	switch args[0] {
	case "login":
		fs := flag.NewFlagSet("whatsapp login", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.StringVar(&phone, "phone", "", "print a pairing code for this number instead of a QR code")
		if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
			return usageError{usage}
		}
	case "logout", "groups":
		if len(args) != 1 {
			return usageError{usage}
		}
	default:
		return usageError{usage}
	}
	var container *sqlstore.Container
	where := whatsapp.StoreFile
	if u := m.cfg.DatabaseURL.Value(); u != "" {
		// The session every instance shares, under the lock the leader holds while it runs it.
		db := postgres.New(u)
		db.Log = log.With().Str("component", "storage").Logger()
		if err := db.Open(ctx); err != nil {
			return err
		}
		defer db.Close()
		unlock, _, err := whatsapp.LockSharedSession(ctx, db)
		if err != nil {
			return err
		}
		defer unlock()
		if container, err = whatsapp.OpenSharedStore(ctx, db, log); err != nil {
			return err
		}
		where = whatsapp.SharedStoreWhere
	} else {
		unlock, err := whatsapp.LockSession(dir)
		if err != nil {
			return err
		}
		defer unlock()
		if container, err = whatsapp.OpenStore(ctx, dir, log); err != nil {
			return err
		}
	}
	defer container.Close()
	whatsapp.UseLatestVersion(ctx, nil, log)
	switch args[0] {
	case "login":
		return whatsapp.Login(ctx, container, m.Stdout, phone, where, log)
	case "logout":
		return whatsapp.Logout(ctx, container, m.Stdout, log)
	default:
		return whatsapp.Groups(ctx, container, m.Stdout, log)
	}
}

func (m *Main) registry(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"registry needs a subcommand: import, lookup, stats or demo"}
	}
	m.log = m.logger(m.Stderr)
	sub, args := args[0], args[1:]
	switch sub {
	case "import":
		if len(args) != 1 {
			return usageError{"usage: laporbansos registry import FILE"}
		}
	case "lookup":
		if len(args) != 1 {
			return usageError{"usage: laporbansos registry lookup NIK"}
		}
	case "stats", "demo":
		if len(args) != 0 {
			return usageError{fmt.Sprintf("usage: laporbansos registry %s", sub)}
		}
	default:
		return usageError{fmt.Sprintf("unknown registry subcommand %q", sub)}
	}
	reg, err := m.openRegistry()
	if err != nil {
		return err
	}
	defer reg.Close()
	switch sub {
	case "import":
		return m.registryImport(ctx, reg, args[0])
	case "demo":
		res, err := reg.LoadDemo(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "demo registry loaded: %d rows, %d NIKs\n", res.RowsImported, res.DistinctNIKs)
		return nil
	case "lookup":
		nik, err := registry.ParseNIK(args[0])
		if err != nil {
			return fmt.Errorf("NIK: %w", err)
		}
		progs, err := reg.Lookup(nik)
		if errors.Is(err, registry.ErrNotFound) {
			fmt.Fprintf(m.Stdout, "%s: not in the registry\n", nik.Masked())
			return errNotFound
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s  %s\n", nik, progs[0].Name)
		for _, p := range progs {
			fmt.Fprintf(m.Stdout, "  %-10s %-20s %s\n", p.Program, p.Period, p.Status)
		}
		return nil
	default: // stats
		meta := reg.Meta()
		if reg.Empty() {
			fmt.Fprintln(m.Stdout, "registry is empty: no import yet (laporbansos registry import FILE)")
			return nil
		}
		fmt.Fprintf(m.Stdout, "source:        %s\nsha256:        %s\nimported at:   %s\nrows read:     %d\nrows imported: %d\nrows refused:  %d\ndistinct NIKs: %d\nper program:\n",
			meta.Source, meta.SHA256, meta.ImportedAt.Format(time.RFC3339), meta.RowsRead, meta.RowsImported, meta.RowsRefused, meta.DistinctNIKs)
		for _, p := range sortedKeys(meta.PerProgram) {
			fmt.Fprintf(m.Stdout, "  %-12s %d\n", p, meta.PerProgram[p])
		}
		return nil
	}
}

// errNotFound exits 1 without a second message: the command already said what was not found.
var errNotFound = errors.New("not found")

func (m *Main) registryImport(ctx context.Context, reg *registry.Registry, path string) error {
	opts := registry.ImportOptions{}
	if f, ok := m.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		start := m.now()
		opts.Progress = func(rows int, done, total int64) {
			el := time.Since(start).Seconds()
			rate := float64(rows) / max(el, 0.001)
			eta := "?"
			if total > 0 && done > 0 {
				eta = fmt.Sprintf("%.0fs", el*float64(total-done)/float64(done))
			}
			fmt.Fprintf(m.Stderr, "\r%d rows · %.0f rows/s · ETA %s   ", rows, rate, eta)
		}
	}
	res, err := reg.Import(ctx, path, opts)
	if opts.Progress != nil {
		fmt.Fprintln(m.Stderr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "imported %s in %s: %d rows read, %d imported, %d refused, %d duplicates, %d distinct NIKs\n",
		path, res.Took.Round(time.Millisecond), res.RowsRead, res.RowsImported, res.RowsRefused, res.Duplicates, res.DistinctNIKs)
	for _, b := range res.Bad {
		fmt.Fprintf(m.Stdout, "  line %d: %s\n", b.Line, b.Reason)
	}
	if more := res.RowsRefused - len(res.Bad); more > 0 {
		fmt.Fprintf(m.Stdout, "  … and %d more refused rows\n", more)
	}
	return nil
}

func (m *Main) reports(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"reports needs a subcommand: list or export"}
	}
	m.log = m.logger(m.Stderr)
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("reports "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		status = fs.String("status", "", "only this status")
		kind   = fs.String("kind", "", "report or sanggah")
		out    = fs.String("out", "", "file to write (default: standard output)")
		comma  = fs.String("comma", ";", "field separator")
		noBOM  = fs.Bool("no-bom", false, "leave out the UTF-8 byte order mark")
	)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return usageError{fmt.Sprintf("bad arguments for reports %s", sub)}
	}
	if sub != "list" && sub != "export" {
		return usageError{fmt.Sprintf("unknown reports subcommand %q", sub)}
	}
	db, _, err := m.openState(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "export" {
		if len([]rune(*comma)) != 1 {
			return usageError{"--comma takes one character"}
		}
		w := m.Stdout
		if *out != "" {
			f, err := storage.OpenPrivate(*out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		if err := db.ExportCSV(w, storage.ExportOptions{Comma: []rune(*comma)[0], BOM: !*noBOM}); err != nil {
			return err
		}
		if *out != "" {
			fmt.Fprintf(m.Stderr, "exported to %s\n", *out)
		}
		return nil
	}
	f := storage.ReportFilter{Kind: storage.Kind(*kind)}
	if *status != "" {
		f.Statuses = []storage.Status{storage.Status(*status)}
	}
	rs, err := db.Reports(ctx, f)
	if err != nil {
		return err
	}
	for _, r := range rs {
		nik := "-"
		if r.NoNIK {
			nik = "TANPA NIK"
		} else if n, err := registry.ParseNIK(r.NIK); err == nil {
			nik = n.Masked()
		}
		fmt.Fprintf(m.Stdout, "%-13s %-9s %-33s %s  %s  %s\n", r.ID, storage.KindLabel(r.Kind), storage.StatusLabel(r.Status),
			r.CreatedAt.In(storage.WIB).Format("2006-01-02 15:04")+" WIB", nik, r.Name)
	}
	// "laporan" is both singular and plural: "1 laporan", "3 laporan".
	fmt.Fprintf(m.Stdout, "%d laporan\n", len(rs))
	return nil
}

// remindTick is how often the reminder is checked: a whole fraction of LAPOR_REMINDER_EVERY of
// at most a minute, so a reminder comes every period exactly (a 5-minute tick turned a 1-minute
// setting into one reminder per 5 minutes, and 90 s into 10 minutes).
func remindTick(every time.Duration) time.Duration {
	if every <= 0 {
		return time.Minute
	}
	n := (every + time.Minute - 1) / time.Minute
	return every / n
}

func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }
