// Package flows is the product's logic with no network in it: the citizen dialogues (Lapor, Cek,
// Sanggah) as finite-state machines rebuilt from the stored session for every message, and the
// staff workflow (decisions, queries, reminders). A message goes in; the session, any report and
// the replies are committed in one transaction; the replies come out, already queued for sending.
package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// Message is what a citizen or a staff member sent, as the channel understood it.
type Message struct {
	Chat storage.ChatAddr // where it came from; replies go here
	From storage.Actor    // who sent it
	Text string
	// NonText names a message that carries no text ("photo", "sticker", "voice", "location", …).
	NonText string
	// Step is the dialogue state a pressed button belonged to ("" for typed text): a press from
	// an old keyboard must not answer a newer question.
	Step string
	// StaffChat is set by the channel when Chat is a configured staff chat.
	StaffChat bool
	// Authorized is set by the channel when the sender may act as staff (staff chat member and,
	// where configured, on the allow-list). The workflow refuses decisions without it.
	Authorized bool
	// Pressed is set for a staff button press the channel answers itself (a toast from the
	// Outcome): the workflow then adds no chat reply meant only for the presser.
	Pressed bool
	// Private is the sender's own chat with the bot, where DETAIL sends full data; zero if none.
	Private storage.ChatAddr
	// ID, when set, is the platform's id of this message, unique per channel ("whatsapp:<chat>/
	// <message id>"). It is recorded in the step's own transaction, so a message the platform
	// delivers again is handled exactly once: a redelivery after a crash before the commit is
	// handled; one after the commit is ignored and gets no reply.
	ID string
	// Claim, when set, runs in the step's transaction right after ID is recorded, and may fill
	// in what the message says from stored state (the choice a button press stands for) while
	// using that state up: the press, its keyboard and the step commit together, or not at
	// all. When it returns false the step does not run (Claim's writes and ID still commit).
	// It may run more than once (Update retries) and must start clean each time.
	Claim func(tx storage.Tx, m *Message) (bool, error)
	// Photo and Location carry evidence the channel has already fetched (pengaduan.go).
	Photo    *Photo
	Location *Location
}

// Reply is one message out, channel-neutral. Channels render Choices as buttons or as a
// numbered list, and Actions (staff commands) as buttons or as "ketik …" lines.
type Reply struct {
	To      storage.ChatAddr `json:"to"`
	Text    string           `json:"text"`
	Choices []Choice         `json:"choices,omitempty"`
	Columns int              `json:"columns,omitempty"` // buttons per row; 0 = one per row
	// Step is the session state Choices answer; a channel echoes it back in Message.Step.
	Step       string    `json:"step,omitempty"`
	Actions    []Choice  `json:"actions,omitempty"`
	AskContact bool      `json:"ask_contact,omitempty"` // offer "share my phone number"
	Report     string    `json:"report,omitempty"`      // the report this message is about
	Event      string    `json:"event,omitempty"`       // see the Event* constants
	Document   *Document `json:"document,omitempty"`
	// Photo is a stored photo sent as a picture, with Text as its caption: staff chats only.
	Photo *PhotoRef `json:"photo,omitempty"`
	// Brief is a new-report post in one line, for a sender that merges a burst of posts into one
	// digest message when a staff chat's send budget cannot keep up.
	Brief string `json:"brief,omitempty"`
}

// Choice is one option: Label is shown, Data is sent back when it is picked.
type Choice struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// Document is a file to send, such as the CSV export.
type Document struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
	// Image is set for a picture (the STATISTIK chart): channels show it as a photo with the
	// reply's text as caption, not as a file.
	Image bool `json:"image,omitempty"`
}

// Events tag replies a channel may want to treat specially (edit a posted message, say).
const (
	EventStaffNew     = "staff_new"     // a new report/sanggah for the staff chats
	EventStaffDecided = "staff_decided" // a decision was made on Report
	EventStaffDetail  = "staff_detail"  // full data, to a staff member's private chat
	EventCitizenFinal = "citizen_final" // the dialogue ended: remove any keyboard
)

// Store is the transactional store the flows need. storage.Store implements it.
type Store interface {
	Update(ctx context.Context, fn func(tx storage.Tx) error) error
	View(ctx context.Context, fn func(tx storage.Tx) error) error
}

// Registry answers "does this NIK already receive a program?" and, for Cek by name, "who of that
// desa has this name?". *registry.Registry implements it.
type Registry interface {
	Lookup(nik registry.NIK) ([]registry.Program, error)
	// SearchName returns up to limit masked entries of the desa matching name, and whether more
	// match; see (*registry.Registry).SearchName for its errors.
	SearchName(ctx context.Context, kecamatan, desa, name string, limit int) ([]registry.Match, bool, error)
}

var (
	_ Store    = storage.Store(nil)
	_ Registry = (*registry.Registry)(nil)
)

// Engine runs the dialogues and the staff workflow.
type Engine struct {
	Store    Store
	Registry Registry
	Area     Area
	// StaffChats receive every new report and sanggah, decisions and reminders; with Routes they
	// are the supervisors' chats (routing.go).
	StaffChats []storage.ChatAddr
	Now        func() time.Time
	Log        zerolog.Logger

	Agency      string        // who handles the data, told to citizens
	Retention   string        // how long data is kept, in words
	VerifySLA   time.Duration // received → decision
	DeliverySLA time.Duration // layak → disalurkan
	SessionTTL  time.Duration // idle dialogue expiry
	CheckLimit  int           // lookups about a NIK or report number per chat per hour
	// DailyLimit and GlobalLimit complete the lookup budget (budget.go): per chat per 24 hours,
	// and all chats together per hour. ScrapeAlert is how many different recipient NIKs one
	// chat may look up in an hour before staff are told (0 = default, <0 = never).
	DailyLimit  int
	GlobalLimit int
	ScrapeAlert int
	// Contact is the office to contact (address, phone, hours), named in help and rejections;
	// "" leaves the line out.
	Contact string
	// Photos asks citizens for evidence photos after filing, kept by the store with the step
	// that records them (storage.Tx.PutPhoto); false asks for none.
	Photos bool
	// TextOnly names channels that carry no photos (the console): their citizens are not
	// asked for any.
	TextOnly map[string]bool

	// Routes send each kecamatan's reports to its own staff chats too (routing.go); StaffChats
	// are then the supervisors'. UndoWindow is how long BATAL may undo a decision (0 = 10 min).
	Routes     Routes
	UndoWindow time.Duration
}

// Handle processes one message: for a staff chat, the staff workflow; otherwise the citizen's
// dialogue. Everything it changes, and the replies, are committed before it returns; the
// replies are returned too (they are already in the send queue).
func (e *Engine) Handle(ctx context.Context, m Message) ([]Reply, error) {
	o, err := e.HandleOutcome(ctx, m)
	return o.Replies, err
}

// Outcome is what one message did, beyond its replies: for a staff command, the report, the
// decision it made or the earlier one that made it moot, or that a reason is still needed. A
// channel answers a button press from it instead of reading the report again before and after.
type Outcome struct {
	Replies     []Reply
	Command     string // the staff command ("LAYAK", "TOLAK", …); "" otherwise
	Report      string // the report it was about, as stored
	Decided     *storage.Transition
	Already     *storage.Transition // the earlier decision, when this one came too late
	NeedsReason bool                // TOLAK without a reason: nothing was changed
	NotFound    bool                // no such report
	OutOfScope  bool                // another kecamatan's report: this chat may not decide it
	Undone      *storage.Transition // BATAL: the step that undid a decision
}

// HandleOutcome is Handle, telling what happened.
func (e *Engine) HandleOutcome(ctx context.Context, m Message) (Outcome, error) {
	m.From.Name = DisplayName(m.From.Name)
	// A photo may be written and synced before the store's single writer is taken (stage.go).
	defer e.stagePhoto(&m)()
	var o Outcome
	err := e.Store.Update(ctx, func(tx storage.Tx) error {
		// Update may run this more than once (group commit retries): start clean each time.
		o = Outcome{}
		if m.ID != "" {
			fresh, err := tx.MarkSeen(inboundNamespace, m.ID)
			if err != nil || !fresh {
				return err
			}
		}
		if m.Claim != nil {
			if ok, err := m.Claim(tx, &m); err != nil || !ok {
				return err
			}
		}
		var err error
		if m.StaffChat {
			err = e.staff(ctx, tx, m, &o)
		} else {
			o.Replies, err = e.returning(tx, m, func() ([]Reply, error) { return e.citizen(ctx, tx, m) })
		}
		if err != nil {
			return err
		}
		return enqueue(tx, o.Replies)
	})
	if err != nil {
		return Outcome{}, err
	}
	return o, nil
}

// inboundNamespace holds the ids of handled messages (Message.ID).
const inboundNamespace = "inbound"

// PruneSeen forgets the ids of messages handled before olderThan; platforms redeliver within
// days, so a week is plenty. Call it daily.
func (e *Engine) PruneSeen(ctx context.Context, olderThan time.Time) (int, error) {
	var n int
	err := e.Store.Update(ctx, func(tx storage.Tx) error {
		var err error
		n, err = tx.PruneSeen(inboundNamespace, olderThan)
		return err
	})
	return n, err
}

func enqueue(tx storage.Tx, replies []Reply) error {
	msgs := make([]*storage.Outbound, 0, len(replies))
	for _, r := range replies {
		payload, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode reply: %w", err)
		}
		msgs = append(msgs, &storage.Outbound{To: r.To, Payload: payload})
	}
	if len(msgs) == 0 {
		return nil
	}
	return tx.Enqueue(msgs...)
}

// DecodeReply turns a queued payload back into a Reply.
func DecodeReply(payload []byte) (Reply, error) {
	var r Reply
	err := json.Unmarshal(payload, &r)
	return r, err
}

// wib is Western Indonesia Time; a fixed zone, so the binary needs no tzdata.
var wib = storage.WIB

func clock(t time.Time) string { return t.In(wib).Format("15:04") }

func stamp(t time.Time) string { return t.In(wib).Format("02/01/2006 15:04") + " WIB" }

// words says a duration the way a person would: "3 jam", "90 menit", "7 hari".
func words(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d hari", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%d jam", d/time.Hour)
	default:
		return fmt.Sprintf("%d menit", d/time.Minute)
	}
}
