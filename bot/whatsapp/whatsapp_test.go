package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

var reportID = regexp.MustCompile(`LB-\d{4}-\d{4}`)

// fileReport walks a citizen through a whole report with say, answering menus by number and
// by word, and returns the report number.
func fileReport(t *testing.T, say func(string) string, nik string) string {
	t.Helper()
	steps := []struct{ send, want string }{
		{"halo", "1. Lapor warga butuh bantuan"},
		{"1", "2. Orang lain / tetangga"},       // menu by number
		{"diri sendiri", "NIK (16 angka) Anda"}, // by word
		{nik, "nama lengkap"},                   //
		{"Siti Aminah", "alamat lengkap"},       //
		{"Dusun Krajan RT 02 RW 03", "1. "},     // the kecamatan list, numbered
		{"Genteng", "desa/kelurahan"},           // by word
		{"1", "alasan utama"},                   // desa by number
		{"lansia", "nomor HP"},                  // reason by word
		{"081234567890", "1. Kirim\n2. Ubah\n3. Batal"},
		{"kirim", "Laporan diterima dengan nomor"},
	}
	var got string
	for _, s := range steps {
		got = say(s.send)
		if !strings.Contains(got, s.want) {
			t.Fatalf("after %q: want %q in reply, got:\n%s", s.send, s.want, got)
		}
	}
	id := reportID.FindString(got)
	if id == "" {
		t.Fatalf("no report number in %q", got)
	}
	return id
}

func (h *harness) status(id string) storage.Status {
	h.t.Helper()
	r, err := h.db.Report(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return r.Status
}

func (h *harness) citizenSay(sender types.JID) func(string) string {
	return func(text string) string { return h.say(sender, text) }
}

func TestFullReportFromDirectChat(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	id := fileReport(t, h.citizenSay(citizen), citizenNIK)

	r, err := h.db.Report(h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.From != (storage.ChatAddr{Channel: Name, ID: citizenPN + "@s.whatsapp.net"}) || r.Status != storage.StatusSubmitted {
		t.Fatalf("report from %v status %s", r.From, r.Status)
	}
	// The staff group got the notice as text, commands spelled out once, then a poll.
	notice := h.textsTo(staffGroup)
	if !strings.Contains(notice, "LAPORAN BARU "+id) || !strings.Contains(notice, "Ketik: LAYAK "+id) {
		t.Fatalf("staff notice:\n%s", notice)
	}
	if strings.Count(notice, "LAYAK "+id) != 1 {
		t.Errorf("command repeated as an action line:\n%s", notice)
	}
	if !strings.Contains(notice, "[poll] "+id) {
		t.Errorf("no poll after the notice:\n%s", notice)
	}
	// The console staff chat got it too.
	if got := h.console.take(); len(got) != 1 || got[0].To != consoleStaff || got[0].Event != flows.EventStaffNew {
		t.Errorf("console staff got %+v", got)
	}
	// Every handled message was marked read.
	if n := len(h.fake.reads); n != 11 {
		t.Errorf("%d messages marked read, want 11", n)
	}
}

func TestNonTextAndIgnoredMessages(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	h.fake.emit(h.direct(citizen, types.JID{}, &waE2E.Message{ImageMessage: &waE2E.ImageMessage{}}))
	h.settle()
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "bukan foto") {
		t.Errorf("photo answered with %q", got)
	}
	h.fake.emit(h.direct(citizen, types.JID{}, &waE2E.Message{AudioMessage: &waE2E.AudioMessage{PTT: proto.Bool(true)}}))
	h.settle()
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "pesan suara") {
		t.Errorf("voice note answered with %q", got)
	}

	fromMe := h.direct(citizen, types.JID{}, textMessage("halo"))
	fromMe.Info.IsFromMe = true
	status := h.direct(citizen, types.JID{}, textMessage("halo"))
	status.Info.Chat = types.StatusBroadcastJID
	list := h.direct(citizen, types.JID{}, textMessage("halo"))
	list.Info.Chat = types.NewJID("1234", types.BroadcastServer)
	news := h.direct(citizen, types.JID{}, textMessage("halo"))
	news.Info.Chat = types.NewJID("1203631234", types.NewsletterServer)
	reaction := h.direct(citizen, types.JID{}, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}})
	other := h.inGroup(otherGroup, pn(staffPN), types.JID{}, textMessage("PENDING"))
	for _, e := range []*events.Message{fromMe, status, list, news, reaction, other} {
		if !h.fake.emit(e) {
			t.Fatal("ignored message left unacknowledged")
		}
	}
	h.settle()
	if s := h.fake.takeSent(); len(s) != 0 {
		t.Errorf("bot answered ignored messages: %+v", s)
	}
}

// A citizen's dialogue is keyed by LID whenever one is known, so it continues whether WhatsApp
// addresses the citizen by LID, by LID with the number alongside, or by number.
func TestDialogueKeyedByLID(t *testing.T) {
	h := newHarness(t)
	lids := fakeLIDs{staffLID: staffPN}
	h.wa.lids = lids
	at := func(sender, alt types.JID, text string) string {
		t.Helper()
		h.fake.emit(h.direct(sender, alt, textMessage(text)))
		h.settle()
		return h.textsTo(citizenLID + "@lid")
	}
	// First message by LID with the number alongside: answered at the LID.
	if got := at(lid(citizenLID), pn(citizenPN), "halo"); !strings.Contains(got, "1. Lapor") {
		t.Fatalf("first message: %q", got)
	}
	// By LID alone: the same dialogue.
	if got := at(lid(citizenLID), types.JID{}, "1"); !strings.Contains(got, "Diri sendiri") {
		t.Fatalf("LID alone did not continue: %q", got)
	}
	// By number once whatsmeow knows the pair: still the same dialogue, at the LID.
	lids[citizenLID] = citizenPN
	if got := at(pn(citizenPN), types.JID{}, "batal"); got == "" || strings.Contains(h.textsTo(citizenPN+"@s.whatsapp.net"), "Lapor") {
		t.Fatalf("number after the pair is known: at LID %q", got)
	}
	// Unknown number without a LID: answered at the number.
	if got := h.say(pn("6285444444444"), "halo"); !strings.Contains(got, "1. Lapor") {
		t.Errorf("number without LID: %q", got)
	}
	// The worker and the dispatcher use the same key.
	info := h.direct(pn(citizenPN), types.JID{}, textMessage("x")).Info
	if got := h.wa.chatOf(h.ctx, info); got != lid(citizenLID) {
		t.Errorf("chatOf = %s", got)
	}
}

func TestStaffByLIDWithPhoneInSenderAlt(t *testing.T) {
	h := newHarness(t)
	lids := fakeLIDs{}
	h.wa.lids = lids
	// Staff by LID: the number in SenderAlt, or from the LID map, is checked against the list.
	id := fileReport(t, h.citizenSay(pn("6285333333333")), citizenNIK)
	h.textsTo(staffGroup)
	if got := h.staff(staffGroup, lid("444444444444444"), types.JID{}, "LAYAK "+id); !strings.Contains(got, "tidak berwenang") {
		t.Fatalf("unknown LID decided: %q", got)
	}
	if got := h.staff(staffGroup, lid(staffLID), pn(staffPN), "DETAIL "+id); !strings.Contains(got, "dikirim ke chat pribadi") {
		t.Fatalf("staff LID with SenderAlt refused: %q", got)
	}
	// DETAIL went to the staff member's chat by phone number.
	if got := h.textsTo(staffPN + "@s.whatsapp.net"); !strings.Contains(got, "NIK: "+citizenNIK) {
		t.Errorf("detail not in private chat: %q", got)
	}
	lids[staffLID] = staffPN
	if got := h.staff(staffGroup, lid(staffLID), types.JID{}, "LAYAK "+id); !strings.Contains(got, "dinyatakan LAYAK") {
		t.Fatalf("staff LID resolved by the map refused: %q", got)
	}
}

func TestStaffDecisionByCommand(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	id := fileReport(t, h.citizenSay(citizen), citizenNIK)
	h.textsTo(staffGroup)

	got := h.staff(staffGroup, pn(staffPN), types.JID{}, "tolak "+id)
	if !strings.Contains(got, "Alasan wajib diisi") || !strings.Contains(got, "Ketik: TOLAK "+id+" Mampu secara ekonomi") {
		t.Fatalf("TOLAK without reason:\n%s", got)
	}
	got = h.staff(staffGroup, pn(staffPN), types.JID{}, "LAYAK "+id)
	if !strings.Contains(got, "dinyatakan LAYAK") || strings.Contains(got, "Ketik: SALUR") {
		t.Fatalf("decision notice:\n%s", got)
	}
	if h.status(id) != storage.StatusEligible {
		t.Fatalf("status %s", h.status(id))
	}
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "LAYAK") {
		t.Errorf("citizen not told: %q", got)
	}
	// The second decision shows who decided first.
	if got := h.staff(staffGroup, pn(staffPN), types.JID{}, "TOLAK "+id+" mampu"); !strings.Contains(got, "sudah diputuskan oleh Bu Petugas") {
		t.Errorf("second decision: %q", got)
	}
	// EKSPOR sends the CSV as a document to the staff member's own chat; the group gets a note.
	if got := h.staff(staffGroup, pn(staffPN), types.JID{}, "EKSPOR"); !strings.Contains(got, "Ekspor dikirim ke chat pribadi") || strings.Contains(got, "[document") || h.fake.uploads != 1 {
		t.Errorf("export in the group: %q (uploads %d)", got, h.fake.uploads)
	}
	if got := h.textsTo(pn(staffPN).String()); !strings.Contains(got, "[document laporbansos-") {
		t.Errorf("export in the private chat: %q", got)
	}
}

// Poll votes with two real devices' crypto: the bot's whatsmeow client builds the poll and
// stores its secret under the bot's LID (as whatsmeow does in a LID-addressed group); staff
// phones, their own whatsmeow clients, vote with BuildPollVote, naming the bot by phone
// number or by LID as their view of the group does; the bot decrypts with DecryptPollVote.
func TestStaffDecisionByPoll(t *testing.T) {
	h := newHarness(t)
	staffPhone := newDevice(t, staffPN, staffLID)
	guestPhone := newDevice(t, guestPN, "999999999999999")
	citizen := pn(citizenPN)
	id := fileReport(t, h.citizenSay(citizen), citizenNIK)
	h.textsTo(staffGroup)
	var poll sentMessage
	for _, m := range h.all {
		if q := m.Msg.GetPollCreationMessage().GetName(); strings.HasPrefix(q, id) {
			poll = m
		}
	}
	if poll.ID == "" {
		t.Fatal("no poll for the report")
	}
	secret := poll.Msg.GetMessageContextInfo().GetMessageSecret()
	// vote: voter, seeing the poll's sender as botView (the bot's PN or LID), votes from
	// voterID with option ("" withdraws); the secret it holds is the one it received.
	vote := func(voter *device, voterID, alt, botView types.JID, secret []byte, option string) string {
		t.Helper()
		if err := voter.cli.Store.MsgSecrets.PutMessageSecret(h.ctx, group(staffGroup), botView, poll.ID, secret); err != nil {
			t.Fatal(err)
		}
		var opts []string
		if option != "" {
			opts = []string{option}
		}
		info := &types.MessageInfo{MessageSource: types.MessageSource{Chat: group(staffGroup), Sender: botView, IsGroup: true}, ID: poll.ID}
		msg, err := voter.cli.BuildPollVote(h.ctx, info, opts)
		if err != nil {
			t.Fatal(err)
		}
		h.fake.emit(h.inGroup(staffGroup, voterID, alt, msg))
		h.settle()
		return h.textsTo(staffGroup)
	}
	bot := h.fake.bot

	// A group member who is not on the allow-list: refused, nothing changes.
	if got := vote(guestPhone, guestPhone.pn, types.JID{}, bot.pn, secret, pollEligible); !strings.Contains(got, "tidak berwenang") {
		t.Errorf("guest vote: %q", got)
	}
	// A withdrawn vote is ignored.
	if got := vote(staffPhone, staffPhone.pn, types.JID{}, bot.pn, secret, ""); got != "" {
		t.Errorf("withdrawn vote answered: %q", got)
	}
	// "Tidak layak" needs a reason: the bot asks for the TOLAK command. The poll is stored
	// under the bot's LID and this vote names its phone number.
	if got := vote(staffPhone, staffPhone.pn, types.JID{}, bot.pn, secret, pollIneligible); !strings.Contains(got, "Alasan wajib diisi: TOLAK "+id) {
		t.Errorf("tidak layak vote: %q", got)
	}
	if h.status(id) != storage.StatusSubmitted {
		t.Fatalf("status changed to %s", h.status(id))
	}
	// A vote that cannot be read (here: from a second phone of the same staff member holding
	// another secret for the poll) is answered with the commands to type, and decides nothing.
	otherPhone := newDevice(t, staffPN, staffLID)
	other := make([]byte, len(secret))
	if got := vote(otherPhone, staffPhone.pn, types.JID{}, bot.pn, other, pollEligible); !strings.Contains(got, "tidak terbaca") || !strings.Contains(got, "LAYAK "+id) {
		t.Errorf("unreadable vote: %q", got)
	}
	if h.status(id) != storage.StatusSubmitted {
		t.Fatalf("unreadable vote changed the status to %s", h.status(id))
	}
	// "Layak" from staff in LID view (number alongside) decides.
	if got := vote(staffPhone, staffPhone.lid, staffPhone.pn, bot.lid, secret, pollEligible); !strings.Contains(got, "dinyatakan LAYAK") {
		t.Fatalf("layak vote: %q", got)
	}
	if h.status(id) != storage.StatusEligible {
		t.Fatalf("status %s", h.status(id))
	}
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "LAYAK") {
		t.Errorf("citizen not told: %q", got)
	}
	// A vote on a poll the bot did not post is not answered at all.
	e := h.inGroup(staffGroup, pn(staffPN), types.JID{}, &waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{
		PollCreationMessageKey: &waCommon.MessageKey{ID: proto.String("3EB0FFFFFFFFFFFFFFFFFF")},
	}})
	h.fake.emit(e)
	h.settle()
	if got := h.textsTo(staffGroup); got != "" {
		t.Errorf("vote on someone else's poll answered: %q", got)
	}
}

func TestNonStaffCommandRefused(t *testing.T) {
	h := newHarness(t)
	id := fileReport(t, h.citizenSay(pn(citizenPN)), citizenNIK)
	h.textsTo(staffGroup)
	if got := h.staff(staffGroup, pn(guestPN), types.JID{}, "LAYAK "+id); !strings.Contains(got, "tidak berwenang") {
		t.Fatalf("guest command: %q", got)
	}
	// In a group that is not a staff group nothing is even read.
	h.fake.emit(h.inGroup(otherGroup, pn(staffPN), types.JID{}, textMessage("LAYAK "+id)))
	h.settle()
	if h.status(id) != storage.StatusSubmitted {
		t.Fatalf("status %s", h.status(id))
	}
	// Staff chatter that is no command gets no answer.
	if got := h.staff(staffGroup, pn(staffPN), types.JID{}, "siap, saya cek besok"); got != "" {
		t.Errorf("chatter answered: %q", got)
	}
}

func TestEmptyAllowListTrustsGroupMembers(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *harness) { o.StaffNumbers = nil })
	id := fileReport(t, h.citizenSay(pn(citizenPN)), citizenNIK)
	h.textsTo(staffGroup)
	if got := h.staff(staffGroup, pn(guestPN), types.JID{}, "LAYAK "+id); !strings.Contains(got, "dinyatakan LAYAK") {
		t.Fatalf("group member refused with no allow-list: %q", got)
	}
}

func TestRedeliveredMessageDeduped(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	h.say(citizen, "halo")
	e := h.direct(citizen, types.JID{}, textMessage("1"))
	h.fake.emit(e)
	h.settle()
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "Diri sendiri") {
		t.Fatalf("first delivery: %q", got)
	}
	again := *e // the same message id, delivered again after a lost ack
	h.fake.emit(&again)
	h.settle()
	if got := h.textsTo(citizen.String()); got != "" {
		t.Fatalf("redelivery answered again: %q", got)
	}
}

// WhatsApp never delivers an acked message again, so one whose handling failed is answered
// with a request to send it again instead of being dropped silently.
func TestFailedMessageAsksToSendAgain(t *testing.T) {
	var failures atomic.Int32
	failures.Store(3) // every attempt of the first delivery fails
	h := newHarness(t, func(_ *Options, h *harness) {
		h.wrap = func(next bot.Handler) bot.Handler {
			return handlerFunc(func(ctx context.Context, m flows.Message) error {
				if failures.Add(-1) >= 0 {
					return errors.New("disk full")
				}
				return next.Handle(ctx, m)
			})
		}
	})
	citizen := pn(citizenPN)
	if got := h.say(citizen, "halo"); got != msgSendAgain {
		t.Fatalf("failed message answered %q, want the request to send again", got)
	}
	if got := h.say(citizen, "halo"); !strings.Contains(got, "1. Lapor") {
		t.Fatalf("message sent again not handled: %q", got)
	}
}

type handlerFunc func(context.Context, flows.Message) error

func (f handlerFunc) Handle(ctx context.Context, m flows.Message) error { return f(ctx, m) }

func TestQueueFullWithholdsAck(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(o *Options, h *harness) {
		o.Workers, o.QueueSize = 1, 1
		h.wrap = func(next bot.Handler) bot.Handler {
			return handlerFunc(func(ctx context.Context, m flows.Message) error {
				<-release
				return next.Handle(ctx, m)
			})
		}
	})
	citizen := pn(citizenPN)
	acks := []bool{}
	for range 3 { // one in the worker, one queued, one refused
		acks = append(acks, h.fake.emit(h.direct(citizen, types.JID{}, textMessage("halo"))))
		time.Sleep(20 * time.Millisecond)
	}
	close(release)
	h.settle()
	if !acks[0] || !acks[1] || acks[2] {
		t.Fatalf("acks %v, want [true true false]", acks)
	}
}

func TestCrossChannelNotification(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)

	// A WhatsApp citizen's report decided in the console (non-WhatsApp) staff chat.
	id := fileReport(t, h.citizenSay(citizen), citizenNIK)
	h.console.take()
	staffMsg := flows.Message{Chat: consoleStaff, From: storage.Actor{Channel: "console", ID: "staf", Name: "Petugas Konsol"},
		Text: "LAYAK " + id, StaffChat: true, Authorized: true, Private: consolePrivate}
	if err := h.disp.Handle(h.ctx, staffMsg); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "Kabar laporan *"+id+"*") {
		t.Fatalf("WhatsApp citizen not told of a console decision: %q", got)
	}
	if got := h.textsTo(staffGroup); !strings.Contains(got, "oleh Petugas Konsol") {
		t.Errorf("WhatsApp staff group not told: %q", got)
	}

	// A console citizen's report decided in the WhatsApp staff group.
	say := func(text string) string {
		m := flows.Message{Chat: consoleCitizen, From: storage.Actor{Channel: "console", ID: "warga", Name: "Warga"}, Text: text}
		if err := h.disp.Handle(h.ctx, m); err != nil {
			t.Fatal(err)
		}
		h.settle()
		var out []string
		for _, r := range h.console.take() {
			if r.To == consoleCitizen {
				out = append(out, r.Text+"\n"+choiceLines(r))
			}
		}
		return strings.Join(out, "\n")
	}
	id2 := fileReport(t, say, "3510094107900003")
	h.textsTo(staffGroup)
	if got := h.staff(staffGroup, pn(staffPN), types.JID{}, "TOLAK "+id2+" Mampu secara ekonomi"); !strings.Contains(got, "TIDAK LAYAK") {
		t.Fatalf("decision: %q", got)
	}
	var told bool
	for _, r := range h.console.take() {
		if r.To == consoleCitizen && strings.Contains(r.Text, id2) && strings.Contains(r.Text, "TIDAK LAYAK") {
			told = true
		}
	}
	if !told {
		t.Error("console citizen not told of a WhatsApp decision")
	}
}

// choiceLines renders a console reply's choices the way fileReport expects to find them.
func choiceLines(r flows.Reply) string {
	return render(flows.Reply{Choices: r.Choices})
}

func TestPermanentDisconnectStopsOnlyWhatsApp(t *testing.T) {
	for _, tc := range []struct {
		event  events.PermanentDisconnect
		action string
	}{
		{&events.LoggedOut{Reason: events.ConnectFailureLoggedOut}, "whatsapp login"},
		{&events.StreamReplaced{}, "only one bot instance"},
		{&events.TemporaryBan{Code: events.TempBanBlockedByUsers}, "temporarily banned"}, // no expiry given
		{&events.ClientOutdated{}, "update go.mau.fi/whatsmeow"},
	} {
		t.Run(eventName(tc.event), func(t *testing.T) {
			h := newHarness(t)
			// The sender runs for every channel, as in serve.
			sctx, stop := context.WithCancel(h.ctx)
			senderDone := make(chan struct{})
			go func() { h.sender.Run(sctx); close(senderDone) }()
			defer func() { stop(); <-senderDone }()

			if got := h.wa.State(); got != "connected" {
				t.Errorf("state before the event = %q, want connected", got)
			}
			h.fake.emit(tc.event)
			var err error
			select {
			case err = <-h.runErr:
				h.runErr <- err // for the cleanup
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return")
			}
			if got := h.wa.State(); got != "stopped" {
				t.Errorf("state after the event = %q, want stopped", got)
			}
			var de *DisconnectError
			if !errors.Is(err, ErrPermanentDisconnect) || !errors.As(err, &de) || !strings.Contains(de.Action, tc.action) {
				t.Fatalf("Run returned %v", err)
			}
			// The other channels' staff chats are told, and the console and the flows keep working.
			waitFor(t, h.console, func(r flows.Reply) bool {
				return r.To == consoleStaff && strings.Contains(r.Text, "Kanal WhatsApp Lapor Bansos berhenti")
			})
			m := flows.Message{Chat: consoleCitizen, From: storage.Actor{Channel: "console", ID: "warga"}, Text: "halo"}
			if err := h.disp.Handle(h.ctx, m); err != nil {
				t.Fatal(err)
			}
			h.sender.Wake()
			waitFor(t, h.console, func(r flows.Reply) bool { return r.To == consoleCitizen })
			// WhatsApp messages stay queued for after the relink.
			err = h.wa.Send(h.ctx, storage.ChatAddr{Channel: Name, ID: citizenPN + "@s.whatsapp.net"}, flows.Reply{Text: "x"})
			var se *bot.SendError
			if !errors.As(err, &se) || se.RetryAfter == 0 {
				t.Errorf("send after stop: %v", err)
			}
			waCitizen := storage.ChatAddr{Channel: Name, ID: citizenPN + "@s.whatsapp.net"}
			if err := Enqueue(h.ctx, h.db, waCitizen, "balasan tertunda"); err != nil {
				t.Fatal(err)
			}
			h.sender.Wake()
			time.Sleep(50 * time.Millisecond)
			if !queuedFor(t, h, waCitizen) {
				t.Error("reply to a WhatsApp citizen dropped while the channel is stopped")
			}
			if got := h.fake.takeSent(); len(got) != 0 {
				t.Errorf("sent %d messages after the stop", len(got))
			}
		})
	}
}

// waitFor waits until the recorder was asked to send a reply that ok accepts.
func waitFor(t *testing.T, rec *recorder, ok func(flows.Reply) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, r := range rec.take() {
			if ok(r) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("expected message not sent within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// queuedFor says whether a message for to is still in the send queue.
func queuedFor(t *testing.T, h *harness, to storage.ChatAddr) bool {
	t.Helper()
	pending, err := h.db.Pending(h.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range pending {
		if o.To == to {
			return true
		}
	}
	return false
}

// A temporary ban pauses the channel: replies wait in the queue, staff elsewhere are told,
// and when it expires the channel reconnects by itself and sends them.
func TestTemporaryBanPausesAndResumes(t *testing.T) {
	h := newHarness(t)
	sctx, stop := context.WithCancel(h.ctx)
	senderDone := make(chan struct{})
	go func() { h.sender.Run(sctx); close(senderDone) }()
	defer func() { stop(); <-senderDone }()

	h.fake.emit(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 300 * time.Millisecond})
	waitFor(t, h.console, func(r flows.Reply) bool {
		return r.To == consoleStaff && strings.Contains(r.Text, "membatasi sementara")
	})
	citizen := storage.ChatAddr{Channel: Name, ID: citizenPN + "@s.whatsapp.net"}
	err := h.wa.Send(h.ctx, citizen, flows.Reply{Text: "x"})
	var se *bot.SendError
	if !errors.As(err, &se) || se.RetryAfter < time.Minute {
		t.Fatalf("send during the ban: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.fake.mu.Lock()
		n := h.fake.connects
		h.fake.mu.Unlock()
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no reconnect after the ban expired")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-h.runErr:
		t.Fatalf("Run returned %v during a temporary ban", err)
	default:
	}
	h.fake.emit(&events.Connected{})
	waitFor(t, h.console, func(r flows.Reply) bool { return r.To == consoleStaff && r.Text == msgStaffBack })
	if err := h.wa.Send(h.ctx, citizen, flows.Reply{Text: "x"}); err != nil {
		t.Fatalf("send after the ban: %v", err)
	}
}

func eventName(v any) string {
	switch v.(type) {
	case *events.LoggedOut:
		return "LoggedOut"
	case *events.StreamReplaced:
		return "StreamReplaced"
	case *events.TemporaryBan:
		return "TemporaryBan"
	case *events.ClientOutdated:
		return "ClientOutdated"
	}
	return "other"
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		label string
		reply flows.Reply
		want  string
	}{
		{"choices numbered", flows.Reply{Text: "Pilih:", Choices: []flows.Choice{{Label: "Kirim", Data: "kirim"}, {Label: "Batal", Data: "batal"}}},
			"Pilih:\n\n1. Kirim\n2. Batal"},
		{"actions as commands", flows.Reply{Text: "Alasan wajib diisi.", Actions: []flows.Choice{{Label: "Mampu", Data: "TOLAK LB-2611-0001 Mampu"}}},
			"Alasan wajib diisi.\n\nKetik: TOLAK LB-2611-0001 Mampu"},
		{"actions already in the text", flows.Reply{Text: "Ketik: LAYAK LB-2611-0001 · DETAIL LB-2611-0001", Actions: []flows.Choice{{Label: "Layak", Data: "LAYAK LB-2611-0001"}, {Label: "Detail", Data: "DETAIL LB-2611-0001"}}},
			"Ketik: LAYAK LB-2611-0001 · DETAIL LB-2611-0001"},
		{"contact button becomes contact card", flows.Reply{Text: "Ketik nomor HP.\nAnda juga bisa menekan tombol \"Kirim nomor saya\".", AskContact: true},
			"Ketik nomor HP.\n" + msgContactHint},
	} {
		t.Run(tc.label, func(t *testing.T) {
			if got := render(tc.reply); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestContent(t *testing.T) {
	vcard := "BEGIN:VCARD\nVERSION:3.0\nFN:Budi\nTEL;type=CELL;type=VOICE;waid=6281234567890:+62 812-3456-7890\nEND:VCARD"
	for _, tc := range []struct {
		label      string
		msg        *waE2E.Message
		text, kind string
	}{
		{"conversation", &waE2E.Message{Conversation: proto.String("halo")}, "halo", ""},
		{"extended text", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("halo")}}, "halo", ""},
		{"image", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("ktp")}}, "", "photo"},
		{"sticker", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}, "", "sticker"},
		{"audio", &waE2E.Message{AudioMessage: &waE2E.AudioMessage{}}, "", "audio"},
		{"video", &waE2E.Message{VideoMessage: &waE2E.VideoMessage{}}, "", "video"},
		{"document", &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{}}, "", "document"},
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{}}, "", "location"},
		{"contact", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{Vcard: proto.String(vcard)}}, "+6281234567890", "contact"},
		{"poll", &waE2E.Message{PollCreationMessageV3: &waE2E.PollCreationMessage{}}, "", "poll"},
		{"reaction", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{}}, "", ""},
	} {
		t.Run(tc.label, func(t *testing.T) {
			text, kind := content(tc.msg)
			if text != tc.text || kind != tc.kind {
				t.Errorf("got (%q, %q), want (%q, %q)", text, kind, tc.text, tc.kind)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		label     string
		err       error
		temporary bool
		later     bool
	}{
		{"not connected", whatsmeow.ErrNotConnected, true, false},
		{"message timeout", whatsmeow.ErrMessageTimedOut, true, false},
		{"iq timeout", whatsmeow.ErrIQTimedOut, true, false},
		{"iq disconnected", whatsmeow.ErrIQDisconnected, true, false},
		{"send disconnected", &whatsmeow.DisconnectedError{Action: "message send"}, true, false},
		{"socket closed", socket.ErrSocketClosed, true, false},
		{"dial failed", fmt.Errorf("%w: %w", socket.ErrDialFailed, errors.New("no route")), true, false},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true, false},
		{"deadline", context.DeadlineExceeded, true, false},
		{"iq 429", whatsmeow.ErrIQRateOverLimit, true, false},
		{"iq 500", whatsmeow.ErrIQInternalServerError, true, false},
		{"iq 503", whatsmeow.ErrIQServiceUnavailable, true, false},
		{"iq 530 wrapped", fmt.Errorf("failed to get user info: %w", whatsmeow.ErrIQPartialServerError), true, false},
		{"iq 403", whatsmeow.ErrIQForbidden, false, false},
		{"iq 404", whatsmeow.ErrIQNotFound, false, false},
		// The exact wrapping of whatsmeow's send path: fmt.Errorf("%w %d", ErrServerReturnedError, code).
		{"server 463 (privacy token)", fmt.Errorf("whatsapp: send: %w", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 463)), true, false},
		{"server 429", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 429), true, false},
		{"server 503", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 503), true, false},
		{"server 479", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 479), false, false},
		{"server 400", fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 400), false, false},
		// whatsmeow's upload: fmt.Errorf("upload failed with status code %d", ...).
		{"upload 502", fmt.Errorf("whatsapp: upload x.csv: %w", fmt.Errorf("upload failed with status code %d", 502)), true, false},
		{"upload 413", fmt.Errorf("upload failed with status code %d", 413), false, false},
		{"logged out", whatsmeow.ErrNotLoggedIn, false, true},
		{"bad recipient", whatsmeow.ErrRecipientADJID, false, false},
		{"unknown server", fmt.Errorf("%w %s", whatsmeow.ErrUnknownServer, "broadcast"), false, false},
		{"no LID", fmt.Errorf("no LID found for %s from server", "6281234567890@s.whatsapp.net"), false, false},
	} {
		t.Run(tc.label, func(t *testing.T) {
			var se *bot.SendError
			if !errors.As(classify(tc.err), &se) || se.Temporary != tc.temporary || (se.RetryAfter > 0) != tc.later {
				t.Errorf("classify(%v) = %+v", tc.err, se)
			}
			if strings.Contains(se.Error(), "6281234567890") || !errors.Is(se, tc.err) {
				t.Errorf("classified error %q: number shown, or original lost", se)
			}
		})
	}
}

// A queued message keeps one WhatsApp id across attempts, so the retry of a send whose answer
// was lost is the same message on the phones; different queued messages get different ids.
func TestStableMessageID(t *testing.T) {
	h := newHarness(t)
	citizen := storage.ChatAddr{Channel: Name, ID: citizenPN + "@s.whatsapp.net"}
	if err := Enqueue(h.ctx, h.db, citizen, "satu"); err != nil {
		t.Fatal(err)
	}
	if err := Enqueue(h.ctx, h.db, citizen, "dua"); err != nil {
		t.Fatal(err)
	}
	h.fake.mu.Lock()
	h.fake.sendErr = fmt.Errorf("%w %d", whatsmeow.ErrServerReturnedError, 503)
	h.fake.mu.Unlock()
	pending, err := h.db.Pending(h.ctx, 0)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending %d, %v", len(pending), err)
	}
	var ids []types.MessageID
	for _, o := range pending {
		ctx := bot.WithOutbound(h.ctx, bot.Outbound{Seq: o.Seq, CreatedAt: o.CreatedAt})
		ids = append(ids, messageID(ctx, ""))
	}
	if err := h.sender.Flush(h.ctx, 0); err != nil {
		t.Fatal(err)
	}
	if !queuedFor(t, h, citizen) {
		t.Fatal("a message that failed with a 503 left the queue")
	}
	h.fake.mu.Lock()
	h.fake.sendErr = nil
	h.fake.mu.Unlock()
	if err := h.db.Update(h.ctx, func(tx storage.Tx) error {
		all, err := tx.Pending(0)
		for _, o := range all {
			o.NotBefore = time.Time{}
			if err := tx.UpdateOutbound(o); err != nil {
				return err
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := h.sender.Flush(h.ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	sent := h.fake.takeSent()
	if len(sent) != 2 || sent[0].ID != ids[0] || sent[1].ID != ids[1] {
		t.Fatalf("sent %+v, want ids %v", sent, ids)
	}
	if ids[0] == ids[1] || !strings.HasPrefix(string(ids[0]), whatsmeow.WebMessageIDPrefix) || len(ids[0]) != 4+18 {
		t.Errorf("ids %v: want distinct ids shaped like whatsmeow's (3EB0 and 9 bytes in hex)", ids)
	}
}

func TestSessionStore(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	log := zerolog.Nop()
	c, err := OpenStore(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dev.ID != nil {
		t.Fatalf("fresh store has device %v", dev.ID)
	}
	if _, err := NewClient(ctx, c, log); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("NewClient on an empty store: %v", err)
	}
	if err := Logout(ctx, c, os.Stdout, log); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("Logout on an empty store: %v", err)
	}
	// A linked device (saved as pairing would) is found again after reopening.
	jid := types.NewADJID("6281234567890", 0, 12)
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignatureKey: make([]byte, 32), AccountSignature: make([]byte, 64), DeviceSignature: make([]byte, 64)}
	if err := dev.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v, want 0600", fi.Mode().Perm())
	}
	c, err = OpenStore(ctx, dir, log) // upgrade on an existing file is a no-op
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cli, err := NewClient(ctx, c, log)
	if err != nil {
		t.Fatal(err)
	}
	if cli.Store.ID.User != "6281234567890" || !cli.EnableDecryptedEventBuffer {
		t.Errorf("client for %v", cli.Store.ID)
	}
	if err := Login(ctx, c, os.Stdout, "", StoreFile, log); !errors.Is(err, ErrAlreadyPaired) {
		t.Errorf("Login with a linked device: %v", err)
	}
}

func TestInternationalPhone(t *testing.T) {
	for in, want := range map[string]string{"0812-3456-7890": "6281234567890", "+62 812 3456 7890": "6281234567890", "81234567890": "6281234567890"} {
		if got, err := internationalPhone(in); err != nil || got != want {
			t.Errorf("internationalPhone(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := internationalPhone("123"); err == nil {
		t.Error("short number accepted")
	}
}

// A message is recorded before whatsmeow acks it, and cleared once handled.
func TestMessageRecordedBeforeAck(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(o *Options, h *harness) {
		h.wrap = func(next bot.Handler) bot.Handler {
			return handlerFunc(func(ctx context.Context, m flows.Message) error {
				<-release
				return next.Handle(ctx, m)
			})
		}
	})
	if !h.fake.emit(h.direct(pn(citizenPN), types.JID{}, textMessage("halo"))) {
		t.Fatal("message refused")
	}
	if p, err := inboxPending(h.ctx, h.inbox); err != nil || len(p) != 1 || p[0].msg.Message.GetConversation() != "halo" {
		t.Fatalf("acked message not recorded: %v %v", p, err)
	}
	close(release)
	h.settle()
	if p, err := inboxPending(h.ctx, h.inbox); err != nil || len(p) != 0 {
		t.Fatalf("handled message still recorded: %d %v", len(p), err)
	}
}

// Messages acked but not handled when the process died are handled at the next start, in
// order, and one whose step had already committed is not answered twice.
func TestAckedMessagesHandledAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), InboxFile)
	inbox, err := OpenInbox(path)
	if err != nil {
		t.Fatal(err)
	}
	citizen := pn(citizenPN)
	at := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)
	msg := func(id, text string, sec int) incoming {
		return incoming{chat: citizen, msg: &events.Message{
			Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: citizen, Sender: citizen},
				ID:            types.MessageID(id), PushName: "Warga", Timestamp: at.Add(time.Duration(sec) * time.Second),
			},
			Message: textMessage(text),
		}}
	}
	// Recorded as onMessage does before the ack; "1" arrived after "halo".
	for _, in := range []incoming{msg("M2", "1", 2), msg("M1", "halo", 1)} {
		if err := inboxPut(inbox, in); err != nil {
			t.Fatal(err)
		}
	}
	inbox.Close()
	if inbox, err = OpenInbox(path); err != nil {
		t.Fatal(err)
	}
	defer inbox.Close()
	h := newHarness(t, func(o *Options, _ *harness) { o.Inbox = inbox })
	h.settle()
	got := h.textsTo(citizen.String())
	if i, j := strings.Index(got, "1. Lapor"), strings.Index(got, "Diri sendiri"); i < 0 || j < i {
		t.Fatalf("recorded messages not handled in order: %q", got)
	}
	if p, err := inboxPending(h.ctx, inbox); err != nil || len(p) != 0 {
		t.Fatalf("inbox not cleared: %d %v", len(p), err)
	}
	// The same message recorded again (the process died after its step committed, before the
	// record was cleared) is not answered twice.
	again := msg("M2", "1", 2)
	if err := inboxPut(inbox, again); err != nil {
		t.Fatal(err)
	}
	h.wa.replayInbox(h.ctx)
	h.settle()
	if got := h.textsTo(citizen.String()); got != "" {
		t.Errorf("replayed message answered twice: %q", got)
	}
}

// flakyInbox is an inbox whose first reads fail, as a database in the middle of a failover.
type flakyInbox struct {
	Inbox
	failures atomic.Int32
}

func (f *flakyInbox) All(ctx context.Context) ([][]byte, error) {
	if f.failures.Add(-1) >= 0 {
		return nil, errors.New("connection refused")
	}
	return f.Inbox.All(ctx)
}

// An inbox that cannot be read when the channel starts (the next leader's database is still
// failing over) is read again before connecting: what it holds was acked to WhatsApp, which
// never delivers it again.
func TestInboxUnreadableAtStartIsReadAgain(t *testing.T) {
	first, last := inboxRetryFirst, inboxRetryLast
	inboxRetryFirst, inboxRetryLast = 5*time.Millisecond, 40*time.Millisecond
	t.Cleanup(func() { inboxRetryFirst, inboxRetryLast = first, last })
	file, err := OpenInbox(filepath.Join(t.TempDir(), InboxFile))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	citizen := pn(citizenPN)
	in := incoming{chat: citizen, msg: &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: citizen, Sender: citizen},
			ID:            "M1", PushName: "Warga", Timestamp: time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC),
		},
		Message: textMessage("halo"),
	}}
	if err := inboxPut(file, in); err != nil {
		t.Fatal(err)
	}
	flaky := &flakyInbox{Inbox: file}
	flaky.failures.Store(3)
	h := newHarness(t, func(o *Options, _ *harness) { o.Inbox = flaky })
	h.settle()
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "1. Lapor") {
		t.Fatalf("the recorded message was not handled after the inbox came back: %q", got)
	}
}

// With a shared session "stream replaced" is a failover's overlap: the run ends with an error
// that says so, and staff are not alarmed (the caller connects again).
func TestStreamReplacedOnSharedSessionIsQuiet(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *harness) { o.SharedSession = true })
	sctx, stop := context.WithCancel(h.ctx)
	senderDone := make(chan struct{})
	go func() { h.sender.Run(sctx); close(senderDone) }()
	defer func() { stop(); <-senderDone }()
	h.fake.emit(&events.StreamReplaced{})
	var err error
	select {
	case err = <-h.runErr:
		h.runErr <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	var de *DisconnectError
	if !errors.As(err, &de) || !de.Replaced {
		t.Fatalf("Run returned %v, want a DisconnectError marked Replaced", err)
	}
	time.Sleep(200 * time.Millisecond)
	for _, r := range h.console.take() {
		if strings.Contains(r.Text, "berhenti") {
			t.Errorf("staff alarmed by a failover's stream replaced: %q", r.Text)
		}
	}
}

// whatsmeow's auto-reconnect may connect an ended run's client again after Disconnect; the run
// looks again afterwards and disconnects it, so it does not sit beside the next leader's.
func TestEndedRunsClientDisconnectedIfItReconnects(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *harness) { o.SharedSession = true })
	h.fake.emit(&events.StreamReplaced{}) // the run ends
	select {
	case err := <-h.runErr:
		h.runErr <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if h.fake.IsConnected() {
		t.Fatal("still connected after the run")
	}
	if err := h.fake.Connect(); err != nil { // the auto-reconnect, after Disconnect returned
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for h.fake.IsConnected() {
		if time.Now().After(deadline) {
			t.Fatal("the ended run's client stayed connected")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Late news of a run that has ended (a version refresh failing after the term ended) does not
// tell staff WhatsApp stopped: the next leader runs it.
func TestEndedRunTellsStaffNothing(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *harness) { o.SharedSession = true })
	s := h.wa.sess.Load()
	h.endRun()
	select {
	case err := <-h.runErr:
		h.runErr <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	h.wa.stop(s, &events.ClientOutdated{})
	sctx, stop := context.WithCancel(context.Background()) // h.ctx ended with the run
	senderDone := make(chan struct{})
	go func() { h.sender.Run(sctx); close(senderDone) }()
	time.Sleep(200 * time.Millisecond)
	stop()
	<-senderDone
	for _, r := range h.console.take() {
		if strings.Contains(r.Text, "berhenti") {
			t.Errorf("staff told of an ended run: %q", r.Text)
		}
	}
}
