// Package config reads the bot's configuration from LAPOR_* environment variables (and,
// optionally, a KEY=VALUE file named by LAPOR_CONFIG_FILE), fills in defaults that work out of
// the box, and validates it with messages that name the variable at fault.
package config

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Secret is a value that must never be printed: its String and GoString hide it.
type Secret string

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "****"
}

// GoString hides the value from %#v too.
func (s Secret) GoString() string { return s.String() }

// Value returns the secret itself, for the one place that needs it.
func (s Secret) Value() string { return string(s) }

// Config is everything the bot can be told. The zero value is not useful: use Load.
type Config struct {
	DataDir   string
	LogLevel  string // debug, info, warn, error
	LogFormat string // console or json; "" = console on a terminal, json otherwise

	RegistrySource string        // CSV re-imported on a schedule; "" = no scheduled sync
	RegistrySync   time.Duration // how often to look at RegistrySource

	Agency    string // shown to citizens: who handles their data
	Retention string // how long data is kept, in words, for the privacy notice
	// RetentionPeriod is LAPOR_RETENTION as a duration: closed reports lose their personal data
	// after it (see Operations and storage.Tx.Purge).
	RetentionPeriod time.Duration
	Regency         string   // service area regency code, e.g. "35.10"
	KecamatanOnly   []string // optional subset of the regency's kecamatan codes

	VerifySLA     time.Duration // report → decision
	DeliverySLA   time.Duration // layak → disalurkan
	SessionTTL    time.Duration // idle dialogue expiry
	CheckLimit    int           // status checks per chat per hour
	ReminderEvery time.Duration // at most one overdue reminder per staff chat per this

	Telegram Telegram
	WhatsApp WhatsApp
	WACloud  WACloud
	Ops      Operations

	DailyLimit  int // lookups per chat per 24 hours (with CheckLimit, the lookup budget)
	GlobalLimit int // lookups by all chats per hour
	ScrapeAlert int // different recipient NIKs per chat per hour before staff are told

	// DatabaseURL selects PostgreSQL for the shared state (postgres://…); "" keeps bbolt.
	DatabaseURL Secret
	// Contact is the office citizens are sent to (address, phone, hours), in help and in every
	// rejection; "" leaves the line out (doctor warns).
	Contact string
	// StaffRoutes is LAPOR_STAFF_ROUTES as given (flows.ParseRoutes reads it): kecamatan code →
	// staff chat. UndoWindow is how long BATAL may undo a decision. DigestAt is the time of day
	// (WIB, from midnight) of the supervisors' daily digest; DigestOff turns it off.
	StaffRoutes string
	UndoWindow  time.Duration
	DigestAt    time.Duration
	DigestOff   bool
}

// WACloud configures the official WhatsApp Business Cloud API channel; it is on when the token
// and the phone number id are set.
type WACloud struct {
	Token         Secret
	PhoneNumberID string
	AppSecret     Secret
	VerifyToken   Secret
	APIURL        string
	Template      string
}

// Enabled reports whether the Cloud API channel should run.
func (w WACloud) Enabled() bool { return w.Token != "" && w.PhoneNumberID != "" }

// Telegram configures the Telegram channel; it is on when Token is set.
type Telegram struct {
	Token         Secret
	APIURL        string
	StaffChats    []int64
	StaffUsers    []int64
	WebhookURL    string
	WebhookListen string
	WebhookSecret Secret
}

// Enabled reports whether the Telegram channel should run.
func (t Telegram) Enabled() bool { return t.Token != "" }

// OfficialAPI reports whether APIURL is Telegram's own Bot API server. Only that server insists
// on public HTTPS webhooks; a local Bot API server (telegram-bot-api --local) calls whatever URL
// it is given, http:// and any port included.
func (t Telegram) OfficialAPI() bool {
	u, err := url.Parse(t.APIURL)
	return err != nil || t.APIURL == "" || strings.EqualFold(u.Hostname(), "api.telegram.org")
}

// Warnings are settings that are allowed but risky, for serve to log once at start.
func (c Config) Warnings() []string {
	var w []string
	if c.Telegram.WebhookURL != "" && !c.Telegram.OfficialAPI() {
		if u, err := url.Parse(c.Telegram.WebhookURL); err == nil && u.Scheme == "http" && !loopback(u.Hostname()) {
			w = append(w, "LAPOR_TELEGRAM_WEBHOOK_URL is plain http:// to a host that is not loopback: updates (with citizens' NIKs) cross the network unencrypted")
		}
	}
	return w
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WhatsApp configures the WhatsApp channel (a linked device of the service's number).
type WhatsApp struct {
	Enabled      bool
	StaffGroups  []string // group JIDs, "1203630…@g.us"
	StaffNumbers []string // optional allow-list, digits only, 62…
}

// Getenv looks a variable up; os.Getenv in production, a map in tests.
type Getenv func(string) string

// Variables lists every variable Load reads, with its default and meaning, for --help and the
// README. Order is the order they are shown.
var Variables = []Variable{
	{"LAPOR_CONFIG_FILE", "", "optional file of KEY=VALUE lines; the environment wins over it"},
	{"LAPOR_DATA_DIR", "./data", "where the registry, reports and sessions are kept (created 0700)"},
	{"LAPOR_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LAPOR_LOG_FORMAT", "", "console or json; empty: console on a terminal, json otherwise"},
	{"LAPOR_REGISTRY_SOURCE", "", "recipient registry CSV re-imported when it changes"},
	{"LAPOR_REGISTRY_SYNC", "1h", "how often LAPOR_REGISTRY_SOURCE is checked (SOP: 1 hour)"},
	{"LAPOR_AGENCY", "Dinas Sosial Kabupaten Banyuwangi", "who handles the reports, told to citizens"},
	{"LAPOR_RETENTION", "2 tahun", "closed reports lose NIK, name, address, phone and free text after this (2 tahun, 18 bulan, 90 hari or 2160h); told to citizens"},
	{"LAPOR_SERVICE_REGENCY", "35.10", "service area: regency code (Kemendagri); residents only"},
	{"LAPOR_SERVICE_KECAMATAN", "", "optional comma-separated kecamatan codes, a subset of the regency"},
	{"LAPOR_VERIFY_SLA", "3h", "time for staff to decide a report (SOP: 3 hours)"},
	{"LAPOR_DELIVERY_SLA", "12h", "time from layak to disalurkan (SOP: 12 hours)"},
	{"LAPOR_SESSION_TTL", "2h", "an idle dialogue expires after this"},
	{"LAPOR_CHECK_LIMIT", "10", "lookups of a NIK or report number a chat may make per hour (Cek, Lapor, Sanggah)"},
	{"LAPOR_REMINDER_EVERY", "1h", "at most one overdue-work reminder per staff chat per this"},
	{"LAPOR_TELEGRAM_TOKEN", "", "BotFather token; when set, serve runs Telegram (secret)"},
	{"LAPOR_TELEGRAM_API_URL", "https://api.telegram.org", "Bot API base URL; requests go to <base>/bot<token>/<method>"},
	{"LAPOR_TELEGRAM_STAFF_CHATS", "", "comma-separated chat ids of the staff groups"},
	{"LAPOR_TELEGRAM_STAFF_USERS", "", "optional comma-separated user ids allowed to decide"},
	{"LAPOR_TELEGRAM_WEBHOOK_URL", "", "public HTTPS URL for webhook mode (http:// and any port with a local Bot API server); empty: long polling"},
	{"LAPOR_TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1:8443", "address the webhook server listens on (loopback: put the TLS proxy in front); equal to LAPOR_HTTP_LISTEN: served on that listener"},
	{"LAPOR_TELEGRAM_WEBHOOK_SECRET", "", "X-Telegram-Bot-Api-Secret-Token expected on webhook calls (secret)"},
	{"LAPOR_WHATSAPP", "0", "1 enables the WhatsApp channel in serve (link it first: whatsapp login)"},
	{"LAPOR_WHATSAPP_STAFF_GROUPS", "", "comma-separated staff group JIDs (…@g.us)"},
	{"LAPOR_WHATSAPP_STAFF_NUMBERS", "", "optional comma-separated phone numbers allowed to decide (62…)"},
	{"LAPOR_WACLOUD_TOKEN", "", "WhatsApp Cloud API system-user token; with the phone number id, serve runs the channel (secret)"},
	{"LAPOR_WACLOUD_PHONE_NUMBER_ID", "", "Cloud API phone number id (not the phone number)"},
	{"LAPOR_WACLOUD_APP_SECRET", "", "Meta app secret: checks X-Hub-Signature-256 on webhook calls (secret)"},
	{"LAPOR_WACLOUD_VERIFY_TOKEN", "", "token Meta sends when the webhook is verified (secret)"},
	{"LAPOR_WACLOUD_API_URL", "https://graph.facebook.com/v25.0", "Graph API base URL, version included"},
	{"LAPOR_WACLOUD_TEMPLATE", "", "approved utility template (language id) for messages outside the 24-hour window"},
	{"LAPOR_HTTP_LISTEN", "127.0.0.1:8080", "address of /healthz and /metrics (and webhooks that share it); off disables"},
	{"LAPOR_BACKUP_DIR", "", "directory for rotating backups written by serve; empty: none (use laporbansos backup)"},
	{"LAPOR_BACKUP_EVERY", "6h", "how often serve writes a backup into LAPOR_BACKUP_DIR"},
	{"LAPOR_BACKUP_KEEP", "28", "how many rotating backups are kept (28 × 6h = one week)"},
	{"LAPOR_CHECK_LIMIT_DAILY", "30", "lookups of a NIK or report number a chat may make per 24 hours"},
	{"LAPOR_LOOKUP_LIMIT_GLOBAL", "1000", "lookups all chats together may make per hour"},
	{"LAPOR_SCRAPE_ALERT", "10", "different recipient NIKs one chat may look up in an hour before staff are alerted"},
	{"LAPOR_DATABASE_URL", "", "postgres://… : reports, sessions, queue and all other state in PostgreSQL, shared by several instances; empty: the bbolt file in LAPOR_DATA_DIR (secret)"},
	{"LAPOR_CONTACT", "", "office citizens are sent to, one line: address, phone, opening hours; named in help and every rejection (empty: left out, doctor warns)"},
	{"LAPOR_STAFF_ROUTES", "", "kecamatan code → staff chat, e.g. 35.10.09=telegram:-1001111,35.10.01=whatsapp:1203…@g.us; the staff chats above stay the supervisors'"},
	{"LAPOR_UNDO_WINDOW", "10m", "how long BATAL <no> may undo a decision"},
	{"LAPOR_DIGEST_AT", "07:00", "time (WIB) of the daily digest to the supervisor chats; off disables"},
}

// Variable documents one environment variable.
type Variable struct {
	Name, Default, Meaning string
}

// Load reads the configuration. getenv is usually os.Getenv. All problems are reported together,
// one per line, each naming its variable.
func Load(getenv Getenv) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := getenv
	if path := getenv("LAPOR_CONFIG_FILE"); path != "" {
		file, err := readFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("LAPOR_CONFIG_FILE: %w", err)
		}
		get = func(k string) string {
			if v := getenv(k); v != "" {
				return v
			}
			return file[k]
		}
	}
	p := parser{get: get}
	c := Config{
		DataDir:        p.str("LAPOR_DATA_DIR"),
		LogLevel:       strings.ToLower(p.str("LAPOR_LOG_LEVEL")),
		LogFormat:      strings.ToLower(p.str("LAPOR_LOG_FORMAT")),
		RegistrySource: p.str("LAPOR_REGISTRY_SOURCE"),
		RegistrySync:   p.duration("LAPOR_REGISTRY_SYNC", time.Minute),
		Agency:         p.str("LAPOR_AGENCY"),
		Regency:        p.str("LAPOR_SERVICE_REGENCY"),
		KecamatanOnly:  p.list("LAPOR_SERVICE_KECAMATAN"),
		VerifySLA:      p.duration("LAPOR_VERIFY_SLA", time.Minute),
		DeliverySLA:    p.duration("LAPOR_DELIVERY_SLA", time.Minute),
		SessionTTL:     p.duration("LAPOR_SESSION_TTL", time.Minute),
		CheckLimit:     p.int("LAPOR_CHECK_LIMIT", 1),
		ReminderEvery:  p.duration("LAPOR_REMINDER_EVERY", time.Minute),
		Telegram: Telegram{
			Token:         Secret(p.str("LAPOR_TELEGRAM_TOKEN")),
			APIURL:        strings.TrimRight(p.str("LAPOR_TELEGRAM_API_URL"), "/"),
			StaffChats:    p.ints("LAPOR_TELEGRAM_STAFF_CHATS"),
			StaffUsers:    p.ints("LAPOR_TELEGRAM_STAFF_USERS"),
			WebhookURL:    p.str("LAPOR_TELEGRAM_WEBHOOK_URL"),
			WebhookListen: p.str("LAPOR_TELEGRAM_WEBHOOK_LISTEN"),
			WebhookSecret: Secret(p.str("LAPOR_TELEGRAM_WEBHOOK_SECRET")),
		},
		WhatsApp: WhatsApp{
			Enabled:      p.bool("LAPOR_WHATSAPP"),
			StaffGroups:  p.list("LAPOR_WHATSAPP_STAFF_GROUPS"),
			StaffNumbers: p.phones("LAPOR_WHATSAPP_STAFF_NUMBERS"),
		},
		WACloud: WACloud{
			Token:         Secret(p.str("LAPOR_WACLOUD_TOKEN")),
			PhoneNumberID: p.str("LAPOR_WACLOUD_PHONE_NUMBER_ID"),
			AppSecret:     Secret(p.str("LAPOR_WACLOUD_APP_SECRET")),
			VerifyToken:   Secret(p.str("LAPOR_WACLOUD_VERIFY_TOKEN")),
			APIURL:        strings.TrimRight(p.str("LAPOR_WACLOUD_API_URL"), "/"),
			Template:      p.str("LAPOR_WACLOUD_TEMPLATE"),
		},
		DailyLimit:  p.int("LAPOR_CHECK_LIMIT_DAILY", 1),
		GlobalLimit: p.int("LAPOR_LOOKUP_LIMIT_GLOBAL", 1),
		ScrapeAlert: p.int("LAPOR_SCRAPE_ALERT", 1),
		Contact:     p.contact("LAPOR_CONTACT"),
		StaffRoutes: p.routes("LAPOR_STAFF_ROUTES"),
		UndoWindow:  p.duration("LAPOR_UNDO_WINDOW", time.Minute),
		DatabaseURL: Secret(p.str("LAPOR_DATABASE_URL")),
	}
	if u := c.DatabaseURL.Value(); u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		p.fail("LAPOR_DATABASE_URL", "must be a postgres:// URL")
	}
	c.DigestAt, c.DigestOff = p.clockTime("LAPOR_DIGEST_AT")
	c.RetentionPeriod, c.Retention = p.retention("LAPOR_RETENTION")
	c.Ops = p.operations()
	p.validate(&c)
	if len(p.errs) > 0 {
		return Config{}, errors.Join(p.errs...)
	}
	return c, nil
}

var (
	regencyCode   = regexp.MustCompile(`^\d{2}\.\d{2}$`)
	kecamatanCode = regexp.MustCompile(`^\d{2}\.\d{2}\.\d{2}$`)
	groupJID      = regexp.MustCompile(`^[0-9-]+@g\.us$`)
)

func (p *parser) validate(c *Config) {
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p.fail("LAPOR_LOG_LEVEL", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	switch c.LogFormat {
	case "", "console", "json":
	default:
		p.fail("LAPOR_LOG_FORMAT", "must be console or json, not %q", c.LogFormat)
	}
	if c.DataDir == "" {
		p.fail("LAPOR_DATA_DIR", "must not be empty")
	}
	if !regencyCode.MatchString(c.Regency) {
		p.fail("LAPOR_SERVICE_REGENCY", "must be a regency code like 35.10, not %q", c.Regency)
	}
	for _, k := range c.KecamatanOnly {
		if !kecamatanCode.MatchString(k) || !strings.HasPrefix(k, c.Regency+".") {
			p.fail("LAPOR_SERVICE_KECAMATAN", "%q is not a kecamatan code of regency %s (like %s.01)", k, c.Regency, c.Regency)
		}
	}
	if c.Telegram.APIURL != "" {
		if u, err := url.Parse(c.Telegram.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.fail("LAPOR_TELEGRAM_API_URL", "must be an http(s) URL like https://api.telegram.org")
		}
	}
	if c.Telegram.Enabled() {
		if strings.ContainsAny(c.Telegram.Token.Value(), " \t\n/") || !strings.Contains(c.Telegram.Token.Value(), ":") {
			p.fail("LAPOR_TELEGRAM_TOKEN", "does not look like a BotFather token (<digits>:<letters>)")
		}
		if len(c.Telegram.StaffChats) == 0 {
			p.fail("LAPOR_TELEGRAM_STAFF_CHATS", "is required with LAPOR_TELEGRAM_TOKEN: reports must reach a staff group")
		}
	}
	if c.Telegram.WebhookURL != "" {
		u, err := url.Parse(c.Telegram.WebhookURL)
		switch {
		case err != nil || u.Host == "" || u.Hostname() == "":
			p.fail("LAPOR_TELEGRAM_WEBHOOK_URL", "must be a URL like https://bansos.example.go.id/telegram/webhook")
		case c.Telegram.OfficialAPI() && u.Scheme != "https":
			p.fail("LAPOR_TELEGRAM_WEBHOOK_URL", "must be a public https:// URL (Telegram only calls HTTPS webhooks); http:// is allowed only with a local Bot API server in LAPOR_TELEGRAM_API_URL")
		case u.Scheme != "http" && u.Scheme != "https":
			p.fail("LAPOR_TELEGRAM_WEBHOOK_URL", "must be an http:// or https:// URL")
		}
		if c.Telegram.WebhookSecret == "" {
			p.fail("LAPOR_TELEGRAM_WEBHOOK_SECRET", "is required in webhook mode, so forged calls are refused")
		} else if !regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`).MatchString(c.Telegram.WebhookSecret.Value()) {
			p.fail("LAPOR_TELEGRAM_WEBHOOK_SECRET", "may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters), as Telegram requires")
		}
	}
	for _, g := range c.WhatsApp.StaffGroups {
		if !groupJID.MatchString(g) {
			p.fail("LAPOR_WHATSAPP_STAFF_GROUPS", "%q is not a group JID (…@g.us); list them with: laporbansos whatsapp groups", g)
		}
	}
	if c.WhatsApp.Enabled && len(c.WhatsApp.StaffGroups) == 0 {
		p.fail("LAPOR_WHATSAPP_STAFF_GROUPS", "is required with LAPOR_WHATSAPP=1: reports must reach a staff group")
	}
	p.validateWACloud(c.WACloud)
	if c.WACloud.Enabled() && !c.Telegram.Enabled() && !c.WhatsApp.Enabled {
		p.fail("LAPOR_WACLOUD_TOKEN", "staff decide on Telegram or in the WhatsApp group: configure LAPOR_TELEGRAM_TOKEN or LAPOR_WHATSAPP=1 too")
	}
}

var templateName = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)

func (p *parser) validateWACloud(w WACloud) {
	if u, err := url.Parse(w.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail("LAPOR_WACLOUD_API_URL", "must be an http(s) URL like https://graph.facebook.com/v25.0")
	}
	if (w.Token == "") != (w.PhoneNumberID == "") {
		p.fail("LAPOR_WACLOUD_PHONE_NUMBER_ID", "LAPOR_WACLOUD_TOKEN and LAPOR_WACLOUD_PHONE_NUMBER_ID go together: set both or neither")
	}
	if w.PhoneNumberID != "" && strings.Trim(w.PhoneNumberID, "0123456789") != "" {
		p.fail("LAPOR_WACLOUD_PHONE_NUMBER_ID", "must be the numeric phone number id from the Meta app's WhatsApp → API Setup page")
	}
	if !w.Enabled() {
		return
	}
	if w.AppSecret == "" {
		p.fail("LAPOR_WACLOUD_APP_SECRET", "is required with the Cloud API: unsigned webhook calls must be refused")
	}
	if w.VerifyToken == "" {
		p.fail("LAPOR_WACLOUD_VERIFY_TOKEN", "is required with the Cloud API: Meta verifies the webhook with it")
	}
	if w.Template != "" && !templateName.MatchString(w.Template) {
		p.fail("LAPOR_WACLOUD_TEMPLATE", "%q is not a template name (lower-case letters, digits and _)", w.Template)
	}
}

// ServeChannels lists the channels serve would run, in a stable order.
func (c Config) ServeChannels() []string {
	var ch []string
	if c.Telegram.Enabled() {
		ch = append(ch, "telegram")
	}
	if c.WhatsApp.Enabled {
		ch = append(ch, "whatsapp")
	}
	if c.WACloud.Enabled() {
		ch = append(ch, "wacloud")
	}
	return ch
}

// Describe returns the effective configuration as sorted "NAME=value" lines with secrets hidden,
// for `laporbansos config`.
func (c Config) Describe() []string {
	m := map[string]string{
		"LAPOR_DATA_DIR":                c.DataDir,
		"LAPOR_LOG_LEVEL":               c.LogLevel,
		"LAPOR_LOG_FORMAT":              c.LogFormat,
		"LAPOR_REGISTRY_SOURCE":         c.RegistrySource,
		"LAPOR_REGISTRY_SYNC":           c.RegistrySync.String(),
		"LAPOR_AGENCY":                  c.Agency,
		"LAPOR_RETENTION":               c.Retention,
		"LAPOR_SERVICE_REGENCY":         c.Regency,
		"LAPOR_SERVICE_KECAMATAN":       strings.Join(c.KecamatanOnly, ","),
		"LAPOR_VERIFY_SLA":              c.VerifySLA.String(),
		"LAPOR_DELIVERY_SLA":            c.DeliverySLA.String(),
		"LAPOR_SESSION_TTL":             c.SessionTTL.String(),
		"LAPOR_CHECK_LIMIT":             strconv.Itoa(c.CheckLimit),
		"LAPOR_REMINDER_EVERY":          c.ReminderEvery.String(),
		"LAPOR_TELEGRAM_TOKEN":          c.Telegram.Token.String(),
		"LAPOR_TELEGRAM_API_URL":        c.Telegram.APIURL,
		"LAPOR_TELEGRAM_STAFF_CHATS":    joinInts(c.Telegram.StaffChats),
		"LAPOR_TELEGRAM_STAFF_USERS":    joinInts(c.Telegram.StaffUsers),
		"LAPOR_TELEGRAM_WEBHOOK_URL":    c.Telegram.WebhookURL,
		"LAPOR_TELEGRAM_WEBHOOK_LISTEN": c.Telegram.WebhookListen,
		"LAPOR_TELEGRAM_WEBHOOK_SECRET": c.Telegram.WebhookSecret.String(),
		"LAPOR_WHATSAPP":                map[bool]string{true: "1", false: "0"}[c.WhatsApp.Enabled],
		"LAPOR_WHATSAPP_STAFF_GROUPS":   strings.Join(c.WhatsApp.StaffGroups, ","),
		"LAPOR_WHATSAPP_STAFF_NUMBERS":  strings.Join(c.WhatsApp.StaffNumbers, ","),
		"LAPOR_WACLOUD_TOKEN":           c.WACloud.Token.String(),
		"LAPOR_WACLOUD_PHONE_NUMBER_ID": c.WACloud.PhoneNumberID,
		"LAPOR_WACLOUD_APP_SECRET":      c.WACloud.AppSecret.String(),
		"LAPOR_WACLOUD_VERIFY_TOKEN":    c.WACloud.VerifyToken.String(),
		"LAPOR_WACLOUD_API_URL":         c.WACloud.APIURL,
		"LAPOR_WACLOUD_TEMPLATE":        c.WACloud.Template,
		"LAPOR_HTTP_LISTEN":             map[bool]string{true: c.Ops.HTTPListen, false: "off"}[c.Ops.HTTPListen != ""],
		"LAPOR_BACKUP_DIR":              c.Ops.BackupDir,
		"LAPOR_BACKUP_EVERY":            c.Ops.BackupEvery.String(),
		"LAPOR_BACKUP_KEEP":             strconv.Itoa(c.Ops.BackupKeep),
		"LAPOR_CHECK_LIMIT_DAILY":       strconv.Itoa(c.DailyLimit),
		"LAPOR_LOOKUP_LIMIT_GLOBAL":     strconv.Itoa(c.GlobalLimit),
		"LAPOR_SCRAPE_ALERT":            strconv.Itoa(c.ScrapeAlert),
		"LAPOR_DATABASE_URL":            c.DatabaseURL.String(),
		"LAPOR_CONTACT":                 c.Contact,
		"LAPOR_STAFF_ROUTES":            c.StaffRoutes,
		"LAPOR_UNDO_WINDOW":             c.UndoWindow.String(),
		"LAPOR_DIGEST_AT":               map[bool]string{true: "off", false: fmt.Sprintf("%02d:%02d", int(c.DigestAt.Hours()), int(c.DigestAt.Minutes())%60)}[c.DigestOff],
	}
	lines := make([]string, 0, len(m))
	for k, v := range m {
		lines = append(lines, k+"="+HideURLCredentials(v))
	}
	sort.Strings(lines)
	return lines
}

func joinInts(xs []int64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(s, ",")
}

// parser reads variables with their defaults and collects every problem.
type parser struct {
	get  Getenv
	errs []error
}

func (p *parser) fail(name, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
}

func (p *parser) str(name string) string {
	if v := strings.TrimSpace(p.get(name)); v != "" {
		return v
	}
	for _, v := range Variables {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}

func (p *parser) duration(name string, min time.Duration) time.Duration {
	s := p.str(name)
	d, err := time.ParseDuration(s)
	if err != nil {
		p.fail(name, "%q is not a duration (write e.g. 90m, 3h, 1h30m)", s)
		return 0
	}
	if d < min {
		p.fail(name, "%s is too short (at least %s)", d, min)
	}
	return d
}

func (p *parser) int(name string, min int) int {
	s := p.str(name)
	n, err := strconv.Atoi(s)
	if err != nil {
		p.fail(name, "%q is not a whole number", s)
		return 0
	}
	if n < min {
		p.fail(name, "%d is too small (at least %d)", n, min)
	}
	return n
}

func (p *parser) bool(name string) bool {
	switch s := strings.ToLower(p.str(name)); s {
	case "1", "true", "yes", "on", "ya":
		return true
	case "", "0", "false", "no", "off", "tidak":
		return false
	default:
		p.fail(name, "%q is not 1 or 0", s)
		return false
	}
}

func (p *parser) list(name string) []string {
	var out []string
	for _, f := range strings.Split(p.str(name), ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (p *parser) ints(name string) []int64 {
	var out []int64
	for _, f := range p.list(name) {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			p.fail(name, "%q is not a numeric id", f)
			continue
		}
		out = append(out, n)
	}
	return out
}

func (p *parser) phones(name string) []string {
	var out []string
	for _, f := range p.list(name) {
		n, ok := NormalizePhone(f)
		if !ok {
			p.fail(name, "%q is not a phone number like 6281234567890", f)
			continue
		}
		out = append(out, n)
	}
	return out
}

// NormalizePhone turns 08…, 62…, +62… (with spaces, dashes, dots or brackets) into 62… digits.
// It accepts 9 to 13 digits after the country code, as Indonesian numbers have.
func NormalizePhone(s string) (string, bool) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "62"):
	case strings.HasPrefix(d, "0"):
		d = "62" + d[1:]
	default:
		return "", false
	}
	if n := len(d) - 2; n < 8 || n > 13 || d[2] == '0' {
		return "", false
	}
	return d, true
}

// readFile parses KEY=VALUE lines; blank lines and # comments are skipped; values may be quoted.
func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(strings.TrimSpace(k), "LAPOR_") {
			return nil, fmt.Errorf("%s line %d: want LAPOR_NAME=value", path, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		m[strings.TrimSpace(k)] = v
	}
	return m, sc.Err()
}
