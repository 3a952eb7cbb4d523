package flows

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// enumNIKs are 100 registered recipients (valid Banyuwangi NIKs, serials 1001–1100).
func enumNIKs() []string {
	niks := make([]string, 100)
	for i := range niks {
		niks[i] = fmt.Sprintf("351009120385%04d", 1001+i)
	}
	return niks
}

// enumHarness is a harness whose registry also holds the 100 recipients, and 100 reports filed
// by a chat that is not the attacker's (for report numbers).
func enumHarness(t *testing.T) (*harness, []string, []string) {
	h := newHarnessSync(t, true)
	niks := enumNIKs()
	var csv strings.Builder
	csv.WriteString(testRegistryCSV)
	for i, n := range niks {
		fmt.Fprintf(&csv, "%s;Penerima Nomor %d;PKH;2026;Sudah Salur\n", n, i)
	}
	if _, err := h.reg.ImportReader(context.Background(), strings.NewReader(csv.String()), "test", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	owner := storage.ChatAddr{Channel: "test", ID: "pemilik"}
	var ids []string
	err := h.db.Update(context.Background(), func(tx storage.Tx) error {
		ids = ids[:0]
		for _, n := range niks {
			r := &storage.Report{Kind: storage.KindReport, Status: storage.StatusSubmitted, NIK: n, Name: "Nama Rahasia", From: owner}
			if err := tx.CreateReport(r); err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, niks, ids
}

// probe is one attempt to learn about item i through a path, from chat; it returns the reply
// to the message that carries the NIK or number.
type probe func(h *harness, chat storage.ChatAddr, item string) string

func say(h *harness, chat storage.ChatAddr, text string) string {
	return render(h.send(Message{Chat: chat, From: storage.Actor{Channel: chat.Channel, ID: chat.ID, Name: "Penyelidik"}, Text: text}))
}

var enumPaths = []struct {
	name     string
	numbers  bool   // items are report numbers, not NIKs
	revealed string // a reply that tells something about the item contains this
	probe    probe
}{
	{"Cek", false, "terdaftar sebagai penerima", func(h *harness, c storage.ChatAddr, nik string) string {
		say(h, c, "batal") // a draft left by the previous probe is dropped, not kept behind a question
		say(h, c, "menu")
		say(h, c, "2")
		return say(h, c, nik)
	}},
	{"menu", false, "terdaftar sebagai penerima", func(h *harness, c storage.ChatAddr, nik string) string {
		say(h, c, "batal") // a draft left by the previous probe is dropped, not kept behind a question
		say(h, c, "menu")
		return say(h, c, nik)
	}},
	{"Lapor", false, "sudah terdaftar sebagai penerima", func(h *harness, c storage.ChatAddr, nik string) string {
		say(h, c, "batal") // a draft left by the previous probe is dropped, not kept behind a question
		say(h, c, "menu")
		say(h, c, "1")
		say(h, c, "2")
		return say(h, c, nik)
	}},
	{"Sanggah", false, "Benar ini orangnya", func(h *harness, c storage.ChatAddr, nik string) string {
		say(h, c, "batal") // a draft left by the previous probe is dropped, not kept behind a question
		say(h, c, "menu")
		say(h, c, "3")
		return say(h, c, nik)
	}},
	{"report numbers", true, "Nomor LB-", func(h *harness, c storage.ChatAddr, id string) string {
		say(h, c, "batal") // a draft left by the previous probe is dropped, not kept behind a question
		say(h, c, "menu")
		say(h, c, "2")
		return say(h, c, id)
	}},
}

var refusedPattern = regexp.MustCompile(`batas pemeriksaan NIK/nomor laporan|sedang sangat sibuk`)

// walk sends every item once, spread over chats, and counts what was revealed and refused.
func walk(t *testing.T, h *harness, path probe, revealed string, items []string, chats []storage.ChatAddr) (shown, refused int) {
	t.Helper()
	for i, item := range items {
		out := path(h, chats[i%len(chats)], item)
		switch {
		case refusedPattern.MatchString(out):
			refused++
		case strings.Contains(out, revealed):
			shown++
		default:
			t.Fatalf("item %d: neither an answer nor a refusal:\n%s", i, out)
		}
	}
	return shown, refused
}

func chats(n int) []storage.ChatAddr {
	cs := make([]storage.ChatAddr, n)
	for i := range cs {
		cs[i] = storage.ChatAddr{Channel: "test", ID: fmt.Sprintf("penyelidik-%02d", i)}
	}
	return cs
}

// One chat, or 20 working together, walk 100 registered NIKs (or 100 report numbers) through
// every path that answers about a NIK; the one budget holds on each.
func TestEnumerationBudget(t *testing.T) {
	const perHour, perDay, global = 10, 25, 60
	for _, p := range enumPaths {
		t.Run(p.name+"/one chat", func(t *testing.T) {
			h, niks, ids := enumHarness(t)
			h.engine.CheckLimit, h.engine.DailyLimit, h.engine.GlobalLimit = perHour, perDay, global
			items := niks
			if p.numbers {
				items = ids
			}
			one := chats(1)
			// Hour by hour: 10, 10, then the daily cap leaves 5, then nothing until a day has passed.
			want := []int{perHour, perHour, perDay - 2*perHour, 0}
			for round, w := range want {
				shown, refused := walk(t, h, p.probe, p.revealed, items, one)
				if shown != w || refused != len(items)-w {
					t.Fatalf("hour %d: %d answered, %d refused; want %d answered", round, shown, refused, w)
				}
				h.advance(time.Hour)
			}
			if out := p.probe(h, one[0], items[0]); !strings.Contains(out, "per hari") {
				t.Fatalf("the daily cap does not say so:\n%s", out)
			}
			h.advance(21 * time.Hour)
			if shown, _ := walk(t, h, p.probe, p.revealed, items[:1], one); shown != 1 {
				t.Fatal("a day later the chat may not look up again")
			}
		})
		t.Run(p.name+"/20 chats", func(t *testing.T) {
			h, niks, ids := enumHarness(t)
			h.engine.CheckLimit, h.engine.DailyLimit, h.engine.GlobalLimit = perHour, perDay, global
			items := niks
			if p.numbers {
				items = ids
			}
			// 20 chats take 5 each, under their own limits: the global budget stops them at 60.
			shown, refused := walk(t, h, p.probe, p.revealed, items, chats(20))
			if shown != global || refused != len(items)-global {
				t.Fatalf("%d answered, %d refused; want %d answered", shown, refused, global)
			}
			if out := p.probe(h, chats(20)[0], items[0]); !strings.Contains(out, "sangat sibuk") || !strings.Contains(out, "11:00 WIB") {
				t.Fatalf("the global refusal does not say when:\n%s", out)
			}
			h.advance(time.Hour)
			if shown, _ := walk(t, h, p.probe, p.revealed, items[:20], chats(20)); shown != 20 {
				t.Fatalf("next hour: %d of 20 answered", shown)
			}
		})
	}
}

var sixteen = regexp.MustCompile(`\d{16}`)

// Many different recipients from one chat reach staff as a count, once, never as NIKs; asking
// Lapor about the same recipient again reuses the first auto-rejected record.
func TestScrapingFlagAndAutoRejectReuse(t *testing.T) {
	h, niks, _ := enumHarness(t)
	h.engine.CheckLimit, h.engine.DailyLimit, h.engine.GlobalLimit = 50, 50, 1000
	c := chats(1)[0]
	var alerts []string
	for _, n := range niks[:15] {
		say(h, c, "menu")
		say(h, c, "2")
		for _, r := range h.send(Message{Chat: c, From: storage.Actor{Channel: "test", ID: c.ID}, Text: n}) {
			if r.To == staffChat {
				alerts = append(alerts, r.Text)
			}
		}
	}
	if len(alerts) != 1 || !strings.Contains(alerts[0], "10 NIK penerima yang berbeda") || sixteen.MatchString(alerts[0]) {
		t.Fatalf("staff alerts: %q", alerts)
	}
	if strings.Contains(alerts[0], c.ID) {
		t.Fatalf("the alert names the whole chat id: %q", alerts[0])
	}

	lapor := func() string {
		say(h, c, "menu")
		say(h, c, "1")
		say(h, c, "1")
		return say(h, c, nikRecip)
	}
	first, second := lapor(), lapor()
	id := regexp.MustCompile(`LB-\d{4}-\d{4}`).FindString(first)
	if id == "" || !strings.Contains(second, id) || !strings.Contains(second, "sudah Anda laporkan sebelumnya") {
		t.Fatalf("first:\n%s\nsecond:\n%s", first, second)
	}
	var n int
	_ = h.db.View(context.Background(), func(tx storage.Tx) error {
		rs, err := tx.ReportsByNIK(nikRecip)
		n = len(rs)
		return err
	})
	if n != 1 {
		t.Fatalf("%d auto-rejected records for one NIK from one chat", n)
	}
}

// When the budget is spent in the middle of Lapor, the answers given so far are kept.
func TestBudgetKeepsDraft(t *testing.T) {
	h := newHarness(t)
	h.engine.CheckLimit = 1
	h.transcript(`
> 2
> 3510014505900003
< terdaftar
> menu
> 1
> 2
< Ketik NIK
> 3510091506800004
< batas pemeriksaan NIK/nomor laporan dari chat ini (1 kali per jam)
< setelah pukul 11:00 WIB
< Isian Anda tetap tersimpan
< Ketik NIK
restart
~ 1h
> 3510091506800004
< nama lengkap
`)
}

// A second chat learns only status and date, by NIK or by number; the filing chat sees its own
// history with the reason as a category; staff free text reaches no citizen.
func TestDisclosureToSecondChat(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> 1
> 2
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
> Joko
> tetangga
> kirim
< LB-2611-0001
`)
	var toCitizen int
	for _, r := range h.staff("TOLAK LB-2611-0001 mampu, punya warung besar dan mobil") {
		switch r.To {
		case staffChat:
			if r.Event != EventStaffDecided {
				continue // the typed command's short confirmation
			}
			if !strings.Contains(r.Text, "warung") || !strings.Contains(r.Text, "Ke warga dikirim kategori: Mampu secara ekonomi") {
				t.Errorf("staff notice: %q", r.Text)
			}
		case citizenChat:
			toCitizen++
			if strings.Contains(r.Text, "warung") || !strings.Contains(r.Text, "Kategori alasan: Mampu secara ekonomi. Jika keadaan ekonomi berubah") {
				t.Errorf("citizen notice: %q", r.Text)
			}
		}
	}
	if toCitizen != 1 {
		t.Fatalf("%d notices to the reporter", toCitizen)
	}
	h.transcript(`
> menu
> LB-2611-0001
< Laporan Anda: NIK 351009******0004
< kategori alasan: Mampu secara ekonomi
<! warung
> menu
> 3
> 3510091203850001
> ya
> 2
> Sudah meninggal dunia
> Joko
> 081234567890
> kirim
< SG-2611-0001
`)
	b := storage.ChatAddr{Channel: "test", ID: "warga-2"}
	leaks := []string{"warung", "mampu", "Mampu", "Sumarni", "S*****i", "Krajan", "0004", "alasan", "SG-2611", "S**i", "Joko", "• LB-2611-0001"}
	cases := []struct {
		name, input, want string
	}{
		{"report number", "LB-2611-0001", "Nomor LB-2611-0001: tidak layak"},
		{"NIK with another chat's report", "3510091506800004", "• Laporan lain: tidak layak (22/11/2026)"},
		{"NIK with another chat's sanggah", "3510091203850001", "Belum ada laporan untuk NIK ini"},
		{"sanggah number", "SG-2611-0001", "Nomor SG-2611-0001: menunggu verifikasi"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			say(h, b, "menu")
			out := say(h, b, tc.input)
			if !strings.Contains(out, tc.want) {
				t.Fatalf("want %q in:\n%s", tc.want, out)
			}
			for _, l := range leaks {
				if l == "SG-2611" && strings.HasPrefix(tc.input, "SG") || l == "0004" && tc.name == "NIK with another chat's report" {
					continue // the chat typed these itself
				}
				if strings.Contains(out, l) {
					t.Fatalf("a second chat learned %q:\n%s", l, out)
				}
			}
		})
	}
}

func TestSanggahDuplicateFromAnotherChat(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> 3
> 3510091203850001
> ya
> 2
> Sudah meninggal dunia
> Joko
> 081234567890
> kirim
< SG-2611-0001
> 3
> 3510091203850001
< Sudah ada sanggahan untuk NIK ini (nomor *SG-2611-0001*
`)
	b := storage.ChatAddr{Channel: "test", ID: "warga-2"}
	say(h, b, "3")
	out := say(h, b, "3510091203850001")
	if !strings.Contains(out, "sedang diperiksa petugas") || strings.Contains(out, "SG-2611") || strings.Contains(out, "S**i") {
		t.Fatalf("another chat's sanggah step:\n%s", out)
	}
}

func TestDisplayNameCleaned(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Bu Rina", "Bu Rina"},
		{"right-to-left override", "Budi\u202eadnaB", "BudiadnaB"},
		{"isolates and marks", "\u2066Siti\u2069 \u200fW\u200e", "Siti W"},
		{"zero-width joiner and BOM", "Jo\u200dko\ufeff", "Joko"},
		{"control characters and newlines", "Pak\x07 Joko\n\r\tSusilo\x1b[31m", "Pak Joko Susilo[31m"},
		{"invalid UTF-8", "Rin\xffa", "Rina"},
		{"long", strings.Repeat("a", 300), strings.Repeat("a", maxDisplayName)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := DisplayName(tc.in); got != tc.want {
				t.Fatalf("DisplayName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	// At the engine's entry, whatever the channel: a staff member's name in a decision notice.
	h := newHarness(t)
	h.transcript(`
> 1
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
> kirim
`)
	out := render(h.send(Message{Chat: staffChat, From: storage.Actor{Channel: "test", ID: "staf-1", Name: "Bu\u202e Rina\x00"}, Text: "LAYAK LB-2611-0001", StaffChat: true, Authorized: true}))
	if !strings.Contains(out, "oleh Bu Rina (") {
		t.Fatalf("decision notice:\n%s", out)
	}
	var r *storage.Report
	_ = h.db.View(context.Background(), func(tx storage.Tx) error {
		var err error
		r, err = tx.Report("LB-2611-0001")
		return err
	})
	if got := r.History[len(r.History)-1].By.Name; got != "Bu Rina" {
		t.Fatalf("stored name %q", got)
	}
}

// EKSPOR: the file goes to the asking staff member's private chat, never to the group.
func TestExportDeliveredPrivately(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> 1
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
> kirim
`)
	out := h.staff("EKSPOR")
	var toGroup, toDM int
	for _, r := range out {
		switch {
		case r.To == staffChat && r.Document == nil:
			toGroup++
			if !strings.Contains(r.Text, "Ekspor dikirim ke chat pribadi Bu Rina (1 laporan)") {
				t.Errorf("group note: %q", r.Text)
			}
		case r.To == staffDM && r.Document != nil:
			toDM++
			if !strings.Contains(string(r.Document.Data), "3510091506800004") {
				t.Error("the private export lacks the full NIK")
			}
		default:
			t.Errorf("unexpected reply to %v (document %v)", r.To, r.Document != nil)
		}
	}
	if toGroup != 1 || toDM != 1 {
		t.Fatalf("group notes %d, private exports %d", toGroup, toDM)
	}
	// Without a private chat to send to, nothing is posted.
	out = h.send(Message{Chat: staffChat, From: staffActor, Text: "EKSPOR", StaffChat: true, Authorized: true})
	if len(out) != 1 || out[0].Document != nil || !strings.Contains(out[0].Text, "tidak dikirim ke grup") {
		t.Fatalf("export without a private chat: %s", render(out))
	}
	// Unauthorised members get nothing.
	out = h.send(Message{Chat: staffChat, From: storage.Actor{Channel: "test", ID: "666"}, Text: "EKSPOR", StaffChat: true, Private: storage.ChatAddr{Channel: "test", ID: "666"}})
	for _, r := range out {
		if r.Document != nil {
			t.Fatal("an unauthorised member got the export")
		}
	}
}
