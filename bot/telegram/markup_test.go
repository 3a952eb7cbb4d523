package telegram

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// boldParts is the text under each bold entity of m, as the Telegram client would show it.
func boldParts(m *fakeMsg) []string {
	u := utf16.Encode([]rune(m.Text))
	var out []string
	for _, e := range m.Entities {
		if e.Type == "bold" && e.Offset+e.Length <= len(u) {
			out = append(out, string(utf16.Decode(u[e.Offset:e.Offset+e.Length])))
		}
	}
	return out
}

func onlyBold(t *testing.T, m *fakeMsg, want ...string) {
	t.Helper()
	got := boldParts(m)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("bold parts of %q = %q, want %q", m.Text, got, want)
	}
}

// Names, addresses and reasons full of markup characters reach citizens and staff exactly as
// typed; emphasis is only where the catalogue put it.
func TestMarkupCharactersInDataAreShownAsTyped(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	const address = "Jl. *Mawar* No. 5_B [RT 02] (RW 03) ~ `x` > # + - = | {y} . ! \\ <b>"
	const reasonText = "Suami *sakit* _stroke_ [sejak] 2024 (lumpuh) ~ #1 + - = | {z} . !"
	step := func(do func(), want string) *fakeMsg {
		t.Helper()
		n := len(f.sent(citizen))
		do()
		return f.waitText(citizen, n, want)
	}
	step(func() { f.text(citizen, citizen, "/start") }, "Silakan pilih layanan")
	step(func() { f.text(citizen, citizen, "lapor") }, "Siapa yang ingin Anda laporkan")
	step(func() { f.text(citizen, citizen, "1") }, "Ketik NIK")
	step(func() { f.text(citizen, citizen, nikFresh) }, "nama lengkap")
	step(func() { f.text(citizen, citizen, "Siti-Aminah O'Neil") }, "alamat lengkap")
	step(func() { f.text(citizen, citizen, address) }, "Pilih kecamatan")
	step(func() { f.text(citizen, citizen, "Genteng") }, "Pilih desa")
	step(func() { f.text(citizen, citizen, "Kembiritan") }, "alasan utama")
	step(func() { f.text(citizen, citizen, "lainnya") }, "Ceritakan singkat")
	step(func() { f.text(citizen, citizen, reasonText) }, "nomor HP")
	sum := step(func() { f.text(citizen, citizen, "081234567890") }, "Kirim laporan ini?")
	for _, s := range []string{"Alamat: " + address, "Lainnya: " + reasonText, "Nama: Siti-Aminah O'Neil"} {
		if !strings.Contains(sum.Text, s) {
			t.Errorf("summary lacks %q:\n%s", s, sum.Text)
		}
	}
	onlyBold(t, sum)
	ok := step(func() { f.text(citizen, citizen, "kirim") }, "Laporan diterima")
	id := reportNo.FindString(ok.Text)
	onlyBold(t, ok, id)

	post := e.posted(staffChat, id)
	if !strings.Contains(post.Text, "Alamat: "+address) || !strings.Contains(post.Text, reasonText) {
		t.Errorf("staff post garbled:\n%s", post.Text)
	}
	onlyBold(t, post, "LAPORAN BARU "+id)

	// A staff reason with markup is shown to staff as typed; the citizen gets only its category
	// (the staff's words about a household are not sent to whoever reported it).
	const why = "Punya *2* rumah_kos [besar] (lihat) ~ !"
	n := len(f.sent(citizen))
	f.text(staffChat, staffAna, "TOLAK "+id+" "+why)
	note := f.waitText(citizen, n, "TIDAK LAYAK")
	if strings.Contains(note.Text, "rumah_kos") || !strings.Contains(note.Text, "Kategori alasan") {
		t.Errorf("citizen notice: %q", note.Text)
	}
	onlyBold(t, note, id, "TIDAK LAYAK")
	if staff := f.waitText(staffChat, 0, why); !strings.Contains(staff.Text, "TIDAK LAYAK") {
		t.Errorf("staff do not see the reason as typed:\n%s", staff.Text)
	}

	// A registry name comes back masked (the Sanggah confirmation shows it); its asterisks stay
	// asterisks.
	masked := registry.MaskName("Slamet Widodo")
	n = len(f.sent(citizen))
	f.text(citizen, citizen, "menu")
	f.waitText(citizen, n, "Silakan pilih layanan")
	n = len(f.sent(citizen))
	f.text(citizen, citizen, "3")
	f.waitText(citizen, n, "NIK")
	n = len(f.sent(citizen))
	f.text(citizen, citizen, nikRecipient)
	sg := f.waitText(citizen, n, "Benar ini orangnya")
	if !strings.Contains(sg.Text, masked) {
		t.Errorf("masked name %q garbled in %q", masked, sg.Text)
	}
	onlyBold(t, sg)
}

// An overdue reminder carries the decision buttons, and pressing one decides.
func TestReminderButtonsDecide(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	id := e.report(citizen, nikFresh)
	e.posted(staffChat, id)
	e.engine.VerifySLA = time.Nanosecond // everything undecided is overdue at once
	out, err := e.engine.Remind(context.Background(), time.Minute)
	if err != nil || len(out) == 0 {
		t.Fatalf("no reminder: %v", err)
	}
	e.sender.Wake()
	rem := f.waitText(staffChat, 0, "Pengingat pekerjaan terlambat")
	if !strings.Contains(rem.Text, id) || !strings.Contains(rem.Text, "terlambat") {
		t.Fatalf("reminder text: %q", rem.Text)
	}
	_, q := f.press(staffChat, staffAna, "Layak "+id)
	f.answerOf(q)
	waitFor(t, 5*time.Second, "decision by reminder button", func() bool { return e.status(id) == storage.StatusEligible })
}
