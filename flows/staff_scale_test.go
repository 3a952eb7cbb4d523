package flows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

var (
	kecChatA = storage.ChatAddr{Channel: "test", ID: "grup-kec-a"}
	kecChatB = storage.ChatAddr{Channel: "test", ID: "grup-kec-b"}
)

func (h *harness) staffIn(chat storage.ChatAddr, who storage.Actor, text string) []Reply {
	return h.send(Message{Chat: chat, From: who, Text: text, StaffChat: true, Authorized: true, Private: storage.ChatAddr{Channel: who.Channel, ID: who.ID}})
}

func (h *harness) report(id string) *storage.Report {
	h.t.Helper()
	r, err := h.db.Report(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// routed files one report and routes its kecamatan to chat A and another kecamatan to chat B.
func routed(t *testing.T) (*harness, string) {
	h := newHarness(t)
	id := fileReport(h, nikFree)
	code := h.report(id).KecamatanCode
	if code == "" {
		t.Fatal("report has no kecamatan code")
	}
	other := "35.10.01"
	if code == other {
		other = "35.10.02"
	}
	rs, err := ParseRoutes(code + "=test:grup-kec-a, " + other + "=test:grup-kec-b")
	if err != nil {
		t.Fatal(err)
	}
	h.engine.Routes = rs
	return h, id
}

func TestParseRoutes(t *testing.T) {
	cases := []struct {
		name, in string
		want     int // chats for 35.10.09
		bad      bool
	}{
		{"one", "35.10.09=telegram:-1001111", 1, false},
		{"two chats on two channels", "35.10.09=telegram:-1001111, 35.10.09=whatsapp:1203@g.us,35.10.01=telegram:-5", 2, false},
		{"duplicate kept once", "35.10.09=telegram:-1,35.10.09=telegram:-1", 1, false},
		{"empty", "", 0, false},
		{"no channel", "35.10.09=-1001", 0, true},
		{"bad code", "3510=telegram:-1", 0, true},
		{"no equals", "35.10.09 telegram:-1", 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ParseRoutes(tc.in)
			if (err != nil) != tc.bad {
				t.Fatalf("err = %v, want bad=%v", err, tc.bad)
			}
			if !tc.bad && len(rs["35.10.09"]) != tc.want {
				t.Errorf("chats = %v, want %d", rs["35.10.09"], tc.want)
			}
		})
	}
}

func TestRoutingByKecamatan(t *testing.T) {
	h, id := routed(t)
	// A second report, filed after routes exist, goes to the supervisors and its own kecamatan.
	id2 := fileReport(h, nikFree2)
	var got []storage.ChatAddr
	if err := h.db.View(context.Background(), func(tx storage.Tx) error {
		msgs, err := tx.Pending(100)
		for _, m := range msgs {
			r, _ := DecodeReply(m.Payload)
			if r.Event == EventStaffNew && r.Report == id2 {
				got = append(got, m.To)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !containsChat(got, staffChat) || !containsChat(got, kecChatA) {
		t.Fatalf("new report posted to %v, want supervisors and kecamatan A", got)
	}

	cases := []struct {
		name    string
		chat    storage.ChatAddr
		text    string
		want    string
		decided bool
	}{
		{"another kecamatan's chat cannot decide", kecChatB, "LAYAK " + id, "bukan wilayah grup ini", false},
		{"another kecamatan's chat gets no detail", kecChatB, "DETAIL " + id, "bukan wilayah grup ini", false},
		{"another kecamatan's chat does not list it", kecChatB, "PENDING", "Tidak ada laporan yang menunggu", false},
		{"another kecamatan's chat does not find it by number", kecChatB, "CARI " + id, "bukan wilayah grup ini", false},
		{"another kecamatan's chat does not find it by name", kecChatB, "CARI Sumarni", "Tidak ada laporan dengan nama", false},
		{"its own kecamatan's chat lists it", kecChatA, "PENDING", id, false},
		{"its own kecamatan's chat decides", kecChatA, "LAYAK " + id, "dinyatakan LAYAK", true},
		{"a supervisor decides any", staffChat, "TOLAK " + id2 + " mampu", "TIDAK LAYAK", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := render(h.staffIn(tc.chat, staffActor, tc.text))
			if !strings.Contains(out, tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, out)
			}
		})
	}
	if st := h.report(id).Status; st != storage.StatusEligible {
		t.Errorf("%s is %s", id, st)
	}
	// Kecamatan B never saw a word about A's report, decisions included.
	if err := h.db.View(context.Background(), func(tx storage.Tx) error {
		msgs, err := tx.Pending(1000)
		for _, m := range msgs {
			if m.To == kecChatB && strings.Contains(string(m.Payload), id) && !strings.Contains(string(m.Payload), "bukan wilayah") {
				t.Errorf("kecamatan B was sent %s", m.Payload)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestRemindPerChat(t *testing.T) {
	h, id := routed(t)
	h.advance(4 * time.Hour)
	out, err := h.engine.Remind(context.Background(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	to := map[storage.ChatAddr]string{}
	for _, r := range out {
		to[r.To] = r.Text
	}
	if !strings.Contains(to[staffChat], id) || !strings.Contains(to[kecChatA], id) {
		t.Errorf("supervisors and kecamatan A should be reminded of %s: %v", id, to)
	}
	if _, ok := to[kecChatB]; ok {
		t.Errorf("kecamatan B reminded of another kecamatan's report: %q", to[kecChatB])
	}
}

func TestUndo(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(h *harness, id string)
		by     storage.Actor
		wait   time.Duration
		want   string
		status storage.Status
	}{
		{"by the maker within the window", nil, staffActor, 9 * time.Minute, "dibatalkan oleh Bu Rina", storage.StatusSubmitted},
		{"after the window", nil, staffActor, 11 * time.Minute, "pembatalan hanya dalam 10 menit", storage.StatusEligible},
		{"by someone else", nil, staffActor2, time.Minute, "hanya dia atau supervisor", storage.StatusEligible},
		{"twice", func(h *harness, id string) { h.staff("BATAL " + id) }, staffActor, time.Minute, "tidak ada yang dibatalkan", storage.StatusSubmitted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			id := fileReport(h, nikFree)
			if got := render(h.staff("LAYAK " + id)); !strings.Contains(got, "BATAL "+id) {
				t.Errorf("typed decision without a short confirmation naming BATAL:\n%s", got)
			}
			if tc.setup != nil {
				tc.setup(h, id)
			}
			h.advance(tc.wait)
			out := h.staffIn(staffChat, tc.by, "batal "+strings.ToLower(id))
			if got := render(out); !strings.Contains(got, tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, got)
			}
			r := h.report(id)
			if r.Status != tc.status {
				t.Errorf("status %s, want %s", r.Status, tc.status)
			}
			if tc.status == storage.StatusSubmitted && tc.setup == nil {
				last := r.History[len(r.History)-1]
				if !last.Undo || last.From != storage.StatusEligible || last.By != staffActor {
					t.Errorf("undo not recorded as its own transition: %+v", last)
				}
				var told bool
				for _, rep := range out {
					told = told || (rep.To == citizenChat && strings.Contains(rep.Text, "Koreksi"))
				}
				if !told {
					t.Error("the citizen, told of the decision, was not told of the correction")
				}
				// Decidable again, and the new decision is the one "already decided" names.
				h.staffIn(staffChat, staffActor2, "TOLAK "+id+" mampu")
				if got := render(h.staff("LAYAK " + id)); !strings.Contains(got, "Pak Joko") {
					t.Errorf("second decision not named as the one that stands:\n%s", got)
				}
				audit, err := h.db.Audit(context.Background(), time.Time{})
				if err != nil {
					t.Fatal(err)
				}
				var undos int
				for _, a := range audit {
					if a.Report == id && a.Undo {
						undos++
					}
				}
				if undos != 1 {
					t.Errorf("%d undo entries in the audit log, want 1", undos)
				}
			}
		})
	}
}

func TestUndoSupervisorOverrules(t *testing.T) {
	h, id := routed(t)
	h.staffIn(kecChatA, staffActor2, "LAYAK "+id)
	if got := render(h.staffIn(kecChatA, staffActor, "BATAL "+id)); !strings.Contains(got, "hanya dia atau supervisor") {
		t.Errorf("a colleague in the kecamatan chat undid it:\n%s", got)
	}
	if got := render(h.staffIn(staffChat, staffActor, "BATAL "+id)); !strings.Contains(got, "dibatalkan oleh Bu Rina") {
		t.Errorf("supervisor could not undo:\n%s", got)
	}
}

func TestCariByName(t *testing.T) {
	h := newHarness(t)
	id := fileReport(h, nikFree) // name Sumarni
	cases := []struct{ name, q, want, notWant string }{
		{"by name, any case", "CARI sumar", id, "Tidak ada"},
		{"by two words", "CARI Sumarni", id, "Tidak ada"},
		{"no such name", "CARI Bambang", "Tidak ada laporan dengan nama", id},
		{"too short", "CARI su", "minimal 3 huruf", id},
		{"a number still finds by number", "CARI " + id, id, "Tidak ada"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := render(h.staff(tc.q))
			if !strings.Contains(got, tc.want) || strings.Contains(got, tc.notWant) {
				t.Errorf("want %q, not %q, in:\n%s", tc.want, tc.notWant, got)
			}
		})
	}
	desa := h.report(id).Desa
	if got := render(h.staff("CARI " + desa)); !strings.Contains(got, id) {
		t.Errorf("CARI by desa %q:\n%s", desa, got)
	}
}

func TestStaffDecisionOnDamagedReport(t *testing.T) {
	h := newHarness(t)
	bad := fileReport(h, nikFree)
	damage(h, bad)
	got := render(h.staff("LAYAK " + bad))
	if !strings.Contains(got, "tidak bisa dibaca") {
		t.Errorf("staff got no outage reply:\n%s", got)
	}
}

func TestStaffVocabulary(t *testing.T) {
	cases := []struct {
		typed, word, button string
		ok                  bool
	}{
		{"layak", CmdLayak, "Layak", true},
		{"/TOLAK", CmdTolak, "Tidak layak", true},
		{"Salur", CmdSalur, "Sudah disalurkan", true},
		{"batal", CmdBatal, "", true},
		{"help", CmdBantuan, "", true},
		{"halo", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.typed, func(t *testing.T) {
			v, ok := Verb(tc.typed)
			if ok != tc.ok || v.Word != tc.word || v.Button != tc.button {
				t.Errorf("Verb(%q) = %+v, %v", tc.typed, v, ok)
			}
		})
	}
	// Every button the workflow puts on a new report is built from the vocabulary.
	h := newHarness(t)
	fileReport(h, nikFree)
	var post Reply
	if err := h.db.View(context.Background(), func(tx storage.Tx) error {
		msgs, err := tx.Pending(100)
		for _, m := range msgs {
			if r, _ := DecodeReply(m.Payload); r.Event == EventStaffNew {
				post = r
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, a := range post.Actions {
		v, ok := Verb(strings.Fields(a.Data)[0])
		if !ok || a.Label != v.Button || a.Data != Command(v.Word, post.Report) {
			t.Errorf("button %+v is not the vocabulary's", a)
		}
	}
	if len(post.Actions) != 3 {
		t.Errorf("new report post buttons: %+v", post.Actions)
	}
}
