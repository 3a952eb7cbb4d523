// Package wacloud is the official WhatsApp channel: the WhatsApp Business Platform's Cloud API,
// reached over HTTPS at Meta's Graph API. Citizens write to the service's number; Meta POSTs each
// message to the webhook (Handler, mounted at /wacloud/webhook), signed with the app secret. A
// message is handed to the dispatcher with its wamid as flows.Message.ID, and the webhook is
// answered 200 only after the step is committed, so Meta's retries are handled exactly once.
//
// Replies go out through bot.Sender like every channel's: text, reply buttons (1–3 choices) or
// a list (4–10), numbered text beyond that. Outside the 24-hour customer-service window the
// configured template carries the message instead. The time of each citizen's last message,
// which decides that window, is kept in the store, not in memory: another instance, or this one
// after a restart, must see it.
//
// Staff do not use this channel (Cloud API groups hold 8 people and show no buttons): they stay
// on Telegram or the whatsmeow group, and their decisions reach Cloud API citizens here.
package wacloud

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Name is the ChatAddr.Channel of Cloud API chats; the chat id is the citizen's wa_id (62…).
const Name = "wacloud"

// DefaultAPIURL is the Graph API version the channel speaks.
const DefaultAPIURL = "https://graph.facebook.com/v25.0"

// Window is WhatsApp's customer-service window: free-form messages may be sent for this long
// after the citizen's last message; later only an approved template. The margin keeps a
// message sent at 23:59:59 from arriving after the window closed.
const (
	Window       = 24 * time.Hour
	windowMargin = 5 * time.Minute
)

// DefaultLimits keep under Meta's documented limits: 80 messages per second per number, and
// the pair rate limit (error 131056) of one message per 6 s to one user on average, with bursts
// allowed. A step's two or three replies are such a burst: 6 s between them would keep a
// citizen waiting 12 s for the menu, so the gap is 1 s, and a 131056 waits the 6 s.
var DefaultLimits = bot.Limits{
	PerChat:      time.Second,
	Global:       time.Second / 80,
	FirstBackoff: 2 * time.Second,
	MaxBackoff:   5 * time.Minute,
}

// Store is what the channel keeps in the bot's store: the last-inbound times, the sent
// messages awaiting a status, and the outbound queue a failed status re-queues to.
// storage.Store implements it.
type Store interface {
	flows.Store
	DropOutbound(ctx context.Context, chat storage.ChatAddr) (int, error)
}

var _ Store = storage.Store(nil)

// Options configure a Channel.
type Options struct {
	Token         string // system-user access token
	PhoneNumberID string
	AppSecret     string // signs the webhook calls
	VerifyToken   string // echoed back at webhook verification
	APIURL        string // default DefaultAPIURL
	Template      string // approved utility template (language id) for outside the window; "" = none

	Store   Store
	Handler bot.Handler // the dispatcher
	Wake    func()      // wakes the sender after a failed status re-queued a message
	HTTP    *http.Client
	Now     func() time.Time
	Limits  *bot.Limits // nil = DefaultLimits
	Log     zerolog.Logger
}

// Channel is the Cloud API channel: Handler receives, Send sends.
type Channel struct {
	opt    Options
	limits bot.Limits
	log    zerolog.Logger

	stopOnce sync.Once
	stopErr  atomic.Pointer[error] // set when Meta refused the token (code 190)

	statusMu sync.Mutex
	statuses map[string]int64 // status callbacks seen, by status ("sent", "failed", …)
}

var _ bot.Channel = (*Channel)(nil)

// ErrBadToken is what Healthy returns once Meta refused the access token: the channel stops
// sending (messages stay queued) until the token is replaced and the bot restarted.
var ErrBadToken = errors.New("wacloud: access token refused by Meta (code 190); set a valid LAPOR_WACLOUD_TOKEN and restart")

// New checks the options and builds the channel.
func New(opt Options) (*Channel, error) {
	switch {
	case opt.Token == "", opt.PhoneNumberID == "":
		return nil, errors.New("wacloud: token and phone number id are required")
	case opt.AppSecret == "":
		return nil, errors.New("wacloud: the app secret is required: unsigned webhook calls must be refused")
	case opt.VerifyToken == "":
		return nil, errors.New("wacloud: the verify token is required for webhook verification")
	case opt.Store == nil || opt.Handler == nil:
		return nil, errors.New("wacloud: store and handler are required")
	}
	if opt.APIURL == "" {
		opt.APIURL = DefaultAPIURL
	}
	opt.APIURL = strings.TrimRight(opt.APIURL, "/")
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Wake == nil {
		opt.Wake = func() {}
	}
	c := &Channel{opt: opt, limits: DefaultLimits, log: opt.Log, statuses: map[string]int64{}}
	if opt.Limits != nil {
		c.limits = *opt.Limits
	}
	return c, nil
}

// Name implements bot.Channel.
func (c *Channel) Name() string { return Name }

// Limits implements bot.Channel.
func (c *Channel) Limits() bot.Limits { return c.limits }

// Addr is the chat address of a citizen's wa_id.
func Addr(waID string) storage.ChatAddr { return storage.ChatAddr{Channel: Name, ID: waID} }

// Healthy returns nil while the channel can send, ErrBadToken after Meta refused the token.
func (c *Channel) Healthy() error {
	if p := c.stopErr.Load(); p != nil {
		return *p
	}
	return nil
}

// State implements web.StateReporter: "running" until Meta refuses the token, "stopped" after.
func (c *Channel) State() string {
	if c.Healthy() != nil {
		return "stopped"
	}
	return "running"
}

// Statuses returns how many status callbacks of each kind arrived (sent, delivered, read,
// failed), for the metrics endpoint.
func (c *Channel) Statuses() map[string]int64 {
	c.statusMu.Lock()
	defer c.statusMu.Unlock()
	out := make(map[string]int64, len(c.statuses))
	for k, v := range c.statuses {
		out[k] = v
	}
	return out
}

func (c *Channel) countStatus(s string) {
	c.statusMu.Lock()
	c.statuses[s]++
	c.statusMu.Unlock()
}

// stop marks the channel stopped for good after Meta refused the token; logged once.
func (c *Channel) stop() {
	c.stopOnce.Do(func() {
		err := ErrBadToken
		c.stopErr.Store(&err)
		c.log.Error().Msg("Meta refused the WhatsApp Cloud API token (code 190): channel stopped, messages stay queued; set a valid LAPOR_WACLOUD_TOKEN and restart")
	})
}

// State kept in the store, bucket stateBucket:
//   - "in/<wa_id>": the time of the citizen's last message (Unix seconds), for the window;
//   - "tpl/<wa_id>": when Meta said the window was closed (131047) although our clock thought
//     otherwise; templates are used until the citizen writes again, which removes it;
//   - "sent/<wamid>": the reply behind a message Meta accepted, until its final status, so a
//     failed status can re-queue it.
const stateBucket = "wacloud"

func inKey(waID string) string    { return "in/" + waID }
func tplKey(waID string) string   { return "tpl/" + waID }
func sentKey(wamid string) string { return "sent/" + wamid }

func getTime(tx storage.Tx, key string) (time.Time, error) {
	v, err := tx.Get(stateBucket, key)
	if errors.Is(err, storage.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("wacloud: bad time under %s: %w", key, err)
	}
	return time.Unix(n, 0), nil
}

func putTime(tx storage.Tx, key string, t time.Time) error {
	return tx.Put(stateBucket, key, []byte(strconv.FormatInt(t.Unix(), 10)))
}

// mask keeps a phone number out of logs in full.
func mask(waID string) string {
	if len(waID) <= 6 {
		return "***"
	}
	return waID[:4] + "…" + waID[len(waID)-3:]
}
