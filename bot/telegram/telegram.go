// Package telegram is the Telegram channel: citizens' dialogues with inline keyboards, and the
// staff review in Telegram groups with Layak / Tidak layak / Detail / Sudah disalurkan buttons.
// It is the only importer of go-telegram-bot-api. Updates come by long polling (an own loop
// with a persisted offset) or by webhook; every update_id is handled at most once, so a
// restart never replays a button press. Messages go out only through the durable queue
// (bot.Sender), which calls Send under the pacing of Limits.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Name is the ChatAddr.Channel of Telegram chats.
const Name = "telegram"

// DefaultAPIURL is the public Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Options configure a Channel. Token and DB are required.
type Options struct {
	Token  string
	APIURL string // Bot API base URL; requests go to <APIURL>/bot<token>/<method>
	// StaffChats are the staff groups' chat ids; StaffUsers, when set, the only users allowed to
	// decide there. Without StaffUsers any member of a staff chat may decide (checked with
	// getChatMember, cached for MemberCacheTTL).
	StaffChats []int64
	StaffUsers []int64
	// Webhook mode when WebhookURL is set: setWebhook with WebhookSecret, and an HTTP server on
	// WebhookListen serving the URL's path. Otherwise long polling.
	WebhookURL    string
	WebhookListen string // default DefaultWebhookListen (loopback)
	WebhookSecret string
	Webhook       *WebhookLimits // nil: DefaultWebhookLimits

	// SharedListener: the caller's HTTP listener serves the webhook (mount WebhookRoute before
	// it starts); Run then registers the webhook and opens no listener of its own.
	SharedListener bool

	// DB keeps the channel's state (poll offset, handled update ids, live keyboards, posted
	// staff messages) and is where the channel queues its own messages.
	DB storage.Store
	// Wake, when set, is called after the channel queued a message itself (usually
	// (*bot.Sender).Wake).
	Wake func()
	Log  zerolog.Logger

	// Tuning, mostly for tests; zero values give the production defaults.
	HTTPClient     *http.Client
	Limits         *bot.Limits   // default: Telegram's limits (1/s per chat, 30/s, 20/min per group)
	PollTimeout    time.Duration // long-poll timeout; default 50s
	MemberCacheTTL time.Duration // default 1 minute
	MaxBackoff     time.Duration // polling error backoff cap; default 1 minute
}

// Channel is a running Telegram bot.
type Channel struct {
	opt    Options
	api    *tgbotapi.BotAPI
	http   *http.Client
	staff  map[int64]bool
	users  map[int64]bool
	limits bot.Limits
	log    zerolog.Logger

	mu      sync.Mutex
	handler bot.Handler
	members map[[2]int64]memberEntry
	refused refusalLog
}

type memberEntry struct {
	ok bool
	at time.Time
}

var _ bot.Channel = (*Channel)(nil)

// New connects to the Bot API (getMe) and returns the channel. It fails on a bad token or an
// unreachable server.
func New(opt Options) (*Channel, error) {
	if opt.Token == "" {
		return nil, errors.New("telegram: no token")
	}
	if opt.DB == nil {
		return nil, errors.New("telegram: no database")
	}
	if opt.APIURL == "" {
		opt.APIURL = DefaultAPIURL
	}
	opt.APIURL = strings.TrimRight(opt.APIURL, "/")
	if opt.PollTimeout <= 0 {
		opt.PollTimeout = 50 * time.Second
	}
	if opt.MemberCacheTTL <= 0 {
		opt.MemberCacheTTL = time.Minute
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = time.Minute
	}
	c := &Channel{
		opt:     opt,
		http:    opt.HTTPClient,
		staff:   map[int64]bool{},
		users:   map[int64]bool{},
		log:     opt.Log,
		members: map[[2]int64]memberEntry{},
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	for _, id := range opt.StaffChats {
		c.staff[id] = true
	}
	for _, id := range opt.StaffUsers {
		c.users[id] = true
	}
	if opt.Limits != nil {
		c.limits = *opt.Limits
	} else {
		c.limits = bot.Limits{PerChat: time.Second, Global: 34 * time.Millisecond, PerGroup: 3 * time.Second}
	}
	c.limits.IsGroup = isGroup
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The token is part of every URL: errors from here on must not print request URLs.
	api, err := tgbotapi.NewBotAPIWithClient(opt.Token, opt.APIURL+"/bot%s/%s", boundClient{ctx: ctx, c: c.http})
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %s", redact(err, opt.Token))
	}
	c.api = api
	c.log.Info().Str("bot", api.Self.UserName).Int("staff_chats", len(opt.StaffChats)).Msg("telegram bot connected")
	return c, nil
}

// Name implements bot.Channel.
func (c *Channel) Name() string { return Name }

// Limits implements bot.Channel.
func (c *Channel) Limits() bot.Limits { return c.limits }

// Username is the bot's @username, without the @.
func (c *Channel) Username() string { return c.api.Self.UserName }

// isGroup: Telegram group and supergroup ids are negative, users' positive.
func isGroup(a storage.ChatAddr) bool { return strings.HasPrefix(a.ID, "-") }

// Addr is the ChatAddr of a Telegram chat id.
func Addr(chatID int64) storage.ChatAddr {
	return storage.ChatAddr{Channel: Name, ID: strconv.FormatInt(chatID, 10)}
}

// boundClient ties every request of one BotAPI value to a context: the library builds its
// requests without one, and a shutdown must be able to cut a 50-second long poll short.
type boundClient struct {
	ctx context.Context
	c   *http.Client
}

func (b boundClient) Do(r *http.Request) (*http.Response, error) { return b.c.Do(r.WithContext(b.ctx)) }

// bound returns a copy of the client whose requests end with ctx (and after timeout).
func (c *Channel) bound(ctx context.Context) *tgbotapi.BotAPI {
	api := *c.api
	api.Client = boundClient{ctx: ctx, c: c.http}
	return &api
}

// redact keeps the token out of an error text (url.Error quotes the URL, which holds it).
func redact(err error, token string) string {
	if token == "" {
		return err.Error()
	}
	return strings.ReplaceAll(err.Error(), token, "<token>")
}

// Run receives updates until ctx is done, by webhook when Options.WebhookURL is set and by long
// polling otherwise, and hands each message to h. The update in hand is finished before Run
// returns; flushing the send queue is the caller's (the sender's) job.
func (c *Channel) Run(ctx context.Context, h bot.Handler) error {
	c.mu.Lock()
	c.handler = h
	c.mu.Unlock()
	c.setCommands(ctx)
	if c.opt.WebhookURL != "" && c.opt.SharedListener {
		return c.runSharedWebhook(ctx)
	}
	if c.opt.WebhookURL != "" {
		return c.runWebhook(ctx)
	}
	return c.runPolling(ctx)
}

// setCommands registers the command menus; a failure only costs the menu, so it is logged.
func (c *Channel) setCommands(ctx context.Context) {
	api := c.bound(ctx)
	cmds := func(list [][2]string) []tgbotapi.BotCommand {
		out := make([]tgbotapi.BotCommand, len(list))
		for i, l := range list {
			out[i] = tgbotapi.BotCommand{Command: l[0], Description: l[1]}
		}
		return out
	}
	reqs := []tgbotapi.SetMyCommandsConfig{
		tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeAllPrivateChats(), cmds(citizenCommands)...),
	}
	for _, id := range c.opt.StaffChats {
		reqs = append(reqs, tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(id), cmds(staffCommands)...))
	}
	for _, r := range reqs {
		if _, err := api.Request(r); err != nil {
			c.log.Warn().Str("error", redact(err, c.opt.Token)).Msg("setMyCommands failed; the command menu may be missing")
		}
	}
}

// RunReminders asks remind (flows.Engine.Remind) for the batched overdue-work reminder on a
// ticker until ctx is done. remind itself posts at most once per every, whatever the ticker;
// wake (the sender's) is called after each call so a reminder goes out at once.
func RunReminders(ctx context.Context, remind func(ctx context.Context, every time.Duration) ([]flows.Reply, error), every time.Duration, wake func(), log zerolog.Logger) {
	if every <= 0 {
		return
	}
	tick := min(every, time.Minute)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		out, err := remind(ctx, every)
		if err != nil && ctx.Err() == nil {
			log.Error().Err(err).Msg("overdue reminder failed")
		}
		if len(out) > 0 && wake != nil {
			wake()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
