package whatsapp

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	// pgx's database/sql driver ("pgx"), for the session store in PostgreSQL.
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/mdp/qrterminal/v3"
	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"

	// Pure-Go SQLite ("sqlite" driver): the binary builds with CGO_ENABLED=0.
	"google.golang.org/protobuf/proto"
	_ "modernc.org/sqlite"

	"github.com/laporbansos/laporbansos/storage/postgres"
)

// StoreFile is the whatsmeow session database, in the data directory. It holds the linked
// device's keys: whoever has it can read and send as the service's number.
const StoreFile = "whatsapp.db"

// Errors of the session commands.
var (
	ErrNotPaired     = errors.New("whatsapp: no linked device; link the number first with: laporbansos whatsapp login")
	ErrAlreadyPaired = errors.New("whatsapp: a device is already linked; to link another number run: laporbansos whatsapp logout")
	ErrLoginTimeout  = errors.New("whatsapp: login timed out: the QR code or pairing code was not used in time; run laporbansos whatsapp login again")
)

// OpenStore opens (creating and upgrading as needed) the session database in dataDir: SQLite
// through modernc.org/sqlite, with foreign keys (whatsmeow's upgrade requires them), WAL and a
// busy timeout (concurrent writes would otherwise fail with SQLITE_BUSY). The files are 0600.
func OpenStore(ctx context.Context, dataDir string, log zerolog.Logger) (*sqlstore.Container, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("whatsapp: session store: %w", err)
	}
	path := filepath.Join(dataDir, StoreFile)
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("whatsapp: session store: data directory %q must not contain ? or #", dataDir)
	}
	// Create it 0600 before SQLite does (SQLite would use 0644).
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: session store: %w", err)
	}
	f.Close()
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
	c, err := sqlstore.New(ctx, "sqlite", dsn, maskedLog{waLog.Zerolog(log.With().Str("component", "whatsmeow-store").Logger())})
	if err != nil {
		return nil, fmt.Errorf("whatsapp: session store %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			log.Warn().Err(err).Str("file", p).Msg("could not restrict session file permissions")
		}
	}
	return c, nil
}

// SharedStoreWhere is where the session is when it is in PostgreSQL, for the operator's texts.
const SharedStoreWhere = "PostgreSQL (LAPOR_DATABASE_URL)"

// OpenSharedStore opens whatsmeow's session store in the bot's PostgreSQL database, beside the
// state (whatsmeow's own tables, whatsmeow_*), so that every instance sees the one linked device
// and the number is linked once, from any of them. It goes through pgx's database/sql driver
// ("pgx", which go.mau.fi/util/dbutil takes for its Postgres dialect) with the connection
// settings of db's pool: LAPOR_DATABASE_URL may carry pgxpool's own parameters, which a plain
// sql.Open would pass to the server. Instances starting together create and upgrade
// whatsmeow's schema one at a time, under an advisory lock.
func OpenSharedStore(ctx context.Context, db *postgres.DB, log zerolog.Logger) (*sqlstore.Container, error) {
	pool := db.Pool()
	if pool == nil {
		return nil, errors.New("whatsapp: session store: the database is not open")
	}
	sdb := stdlib.OpenDB(*pool.Config().ConnConfig)
	sdb.SetMaxOpenConns(8)
	c := sqlstore.NewWithDB(sdb, "pgx", maskedLog{waLog.Zerolog(log.With().Str("component", "whatsmeow-store").Logger())})
	if err := upgradeLocked(ctx, sdb, c); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("whatsapp: session store in PostgreSQL: %w", err)
	}
	return c, nil
}

// upgradeLock is the advisory lock key under which whatsmeow's schema is upgraded.
var upgradeLock = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("laporbansos:whatsmeow-upgrade"))
	return int64(h.Sum64())
}()

func upgradeLocked(ctx context.Context, sdb *sql.DB, c *sqlstore.Container) error {
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", upgradeLock); err != nil {
		return err
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", upgradeLock)
	}()
	return c.Upgrade(ctx)
}

// NewClient builds the whatsmeow client of the linked device, for New. It fails with
// ErrNotPaired when no device is linked yet. Auto-reconnect is on (also for the first
// connection), and decrypted messages are buffered until handled, so a message whose
// handler refused it (queue full) can be decrypted again when WhatsApp redelivers it.
func NewClient(ctx context.Context, container *sqlstore.Container, log zerolog.Logger) (*whatsmeow.Client, error) {
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: session store: %w", err)
	}
	if device.ID == nil {
		return nil, ErrNotPaired
	}
	cli := whatsmeow.NewClient(device, clientLog(log))
	cli.EnableAutoReconnect = true
	cli.InitialAutoReconnect = true
	// Without SynchronousAck whatsmeow acks before the handlers run, and a message the
	// handler could not take (queue full) would be lost rather than redelivered.
	cli.SynchronousAck = true
	cli.EnableDecryptedEventBuffer = true
	// A message this device cannot decrypt is asked for again from the phone too.
	cli.AutomaticMessageRerequestFromPhone = true
	// Receipts as an active client: citizens see two ticks, and WhatsApp does not take the
	// bot for an idle session that others' messages should not be delivered to.
	cli.SetForceActiveDeliveryReceipts(true)
	return cli, nil
}

func clientLog(log zerolog.Logger) waLog.Logger {
	return maskedLog{waLog.Zerolog(log.With().Str("component", "whatsmeow").Logger())}
}

// limitHistorySync asks the phone, at linking, for as little chat history as it will send:
// the bot answers new messages only, and history would be downloaded only to be discarded.
func limitHistorySync() {
	hc := store.DeviceProps.HistorySyncConfig
	hc.FullSyncDaysLimit = proto.Uint32(1)
	hc.FullSyncSizeMbLimit = proto.Uint32(1)
	hc.RecentSyncDaysLimit = proto.Uint32(1)
	hc.StorageQuotaMb = proto.Uint32(16)
	store.DeviceProps.RequireFullSync = proto.Bool(false)
}

// VersionRefresher is Options.RefreshVersion through UseLatestVersion.
func VersionRefresher(hc *http.Client, log zerolog.Logger) func(ctx context.Context) bool {
	return func(ctx context.Context) bool {
		before := store.GetWAVersion()
		UseLatestVersion(ctx, hc, log)
		return store.GetWAVersion() != before
	}
}

// UseLatestVersion makes whatsmeow present the WhatsApp Web version web.whatsapp.com serves
// now (WhatsApp refuses clients that fall too far behind, "client outdated"), and keeps the
// version built into whatsmeow when that page cannot be read. It returns the version in use.
// hc nil means http.DefaultClient.
func UseLatestVersion(ctx context.Context, hc *http.Client, log zerolog.Logger) string {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := whatsmeow.GetLatestVersion(ctx, hc)
	if err != nil {
		used := store.GetWAVersion().String()
		log.Warn().Err(err).Str("version", used).Msg("could not read the current WhatsApp Web version; using whatsmeow's built-in one")
		return used
	}
	store.SetWAVersion(*v)
	log.Info().Str("version", v.String()).Msg("using the current WhatsApp Web version")
	return v.String()
}

// Login links the service's number to this bot as a new device: with phone empty it prints QR
// codes to out (scan them in WhatsApp → Linked devices); with a phone number (62…) it prints
// a pairing code to type on that phone instead. It returns ErrAlreadyPaired if a device is
// linked, ErrLoginTimeout if nobody scanned or typed in time (about 160 seconds). where names
// the session store for the operator (StoreFile, or SharedStoreWhere).
func Login(ctx context.Context, container *sqlstore.Container, out io.Writer, phone, where string, log zerolog.Logger) error {
	device, err := container.GetFirstDevice(ctx)
	if err != nil {
		return fmt.Errorf("whatsapp: session store: %w", err)
	}
	if device.ID != nil {
		return fmt.Errorf("%w (linked as +%s)", ErrAlreadyPaired, device.ID.User)
	}
	if phone != "" {
		if phone, err = internationalPhone(phone); err != nil {
			return err
		}
	}
	store.SetOSInfo("Lapor Bansos", [3]uint32{1, 0, 0}) // the name shown under Linked devices
	limitHistorySync()
	cli := whatsmeow.NewClient(device, clientLog(log))
	connected := make(chan struct{}, 1)
	cli.AddEventHandler(func(evt any) {
		if _, ok := evt.(*events.Connected); ok {
			select {
			case connected <- struct{}{}:
			default:
			}
		}
	})
	qr, err := cli.GetQRChannel(ctx)
	if err != nil {
		return fmt.Errorf("whatsapp: login: %w", err)
	}
	if err := cli.Connect(); err != nil {
		return fmt.Errorf("whatsapp: login: cannot reach WhatsApp: %w", err)
	}
	defer cli.Disconnect()
	fmt.Fprintln(out, msgOneConnection)
	paired := false
	for item := range qr {
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			if phone == "" {
				fmt.Fprintln(out, msgLoginQR)
				qrterminal.GenerateHalfBlock(item.Code, qrterminal.L, out)
				fmt.Fprintf(out, msgLoginQRNext+"\n", int(item.Timeout.Seconds()))
				continue
			}
			if paired {
				continue
			}
			code, err := cli.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
			if err != nil {
				return fmt.Errorf("whatsapp: pairing code for %s: %w", phone, err)
			}
			paired = true
			fmt.Fprintf(out, msgLoginPairCode+"\n", code, phone)
		case whatsmeow.QRChannelSuccess.Event:
			// The device is saved; let the first connection finish its setup.
			select {
			case <-connected:
			case <-time.After(30 * time.Second):
			case <-ctx.Done():
			}
			fmt.Fprintf(out, msgLoginOK+"\n", "+"+cli.Store.ID.User, where)
			return nil
		case whatsmeow.QRChannelTimeout.Event:
			return ErrLoginTimeout
		case whatsmeow.QRChannelEventError:
			return fmt.Errorf("whatsapp: pairing failed: %w", item.Error)
		case whatsmeow.QRChannelClientOutdated.Event:
			return errors.New("whatsapp: WhatsApp rejects this client version; update go.mau.fi/whatsmeow and rebuild")
		case whatsmeow.QRChannelScannedWithoutMultidevice.Event:
			return errors.New("whatsapp: the phone has multi-device disabled; update WhatsApp on the phone and try again")
		default:
			return fmt.Errorf("whatsapp: login ended unexpectedly (%s)", item.Event)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return ErrLoginTimeout
}

// internationalPhone turns "0812-3456-7890" or "+62 812…" into "62812…".
func internationalPhone(s string) (string, error) {
	d := digits(s)
	switch {
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	case strings.HasPrefix(d, "8"):
		d = "62" + d
	}
	if len(d) < 10 || len(d) > 15 {
		return "", fmt.Errorf("whatsapp: %q is not a phone number; give it as 62812…", s)
	}
	return d, nil
}

// Logout unlinks the device from the number and deletes the session. When WhatsApp cannot be
// reached, the local session is deleted anyway and out says to remove the device on the phone.
func Logout(ctx context.Context, container *sqlstore.Container, out io.Writer, log zerolog.Logger) error {
	cli, err := NewClient(ctx, container, log)
	if err != nil {
		return err
	}
	cli.InitialAutoReconnect = false
	fmt.Fprintln(out, msgOneConnection)
	var reason error
	if err := cli.Connect(); err != nil {
		reason = err
	} else if !cli.WaitForConnection(30 * time.Second) {
		reason = errors.New("no connection within 30 seconds")
	} else if err := cli.Logout(ctx); err != nil {
		reason = err
	} else {
		fmt.Fprintln(out, msgLogoutOK)
		return nil
	}
	cli.Disconnect()
	if err := cli.Store.Delete(ctx); err != nil {
		return fmt.Errorf("whatsapp: delete session: %w", err)
	}
	fmt.Fprintf(out, msgLogoutLocal+"\n", reason)
	return nil
}

// Groups lists the groups the linked number is in, with the JIDs to put in
// LAPOR_WHATSAPP_STAFF_GROUPS.
func Groups(ctx context.Context, container *sqlstore.Container, out io.Writer, log zerolog.Logger) error {
	cli, err := NewClient(ctx, container, log)
	if err != nil {
		return err
	}
	cli.InitialAutoReconnect = false
	fmt.Fprintln(out, msgOneConnection)
	if err := cli.Connect(); err != nil {
		return fmt.Errorf("whatsapp: cannot reach WhatsApp: %w", err)
	}
	defer cli.Disconnect()
	if !cli.WaitForConnection(30 * time.Second) {
		return errors.New("whatsapp: no connection to WhatsApp within 30 seconds (is the device still linked? see the log)")
	}
	groups, err := cli.GetJoinedGroups(ctx)
	if err != nil {
		return fmt.Errorf("whatsapp: list groups: %w", err)
	}
	if len(groups) == 0 {
		fmt.Fprintln(out, msgGroupsNone)
		return nil
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Name < groups[j].Name })
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JID\tNAMA GRUP\tANGGOTA")
	for _, g := range groups {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", g.JID, g.Name, len(g.Participants))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, msgGroupsHint)
	return nil
}
