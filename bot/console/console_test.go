package console

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

func TestSendRendersEachChatDistinctly(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	c := &Channel{Out: &out, ExportDir: dir}
	cases := []struct {
		name  string
		to    storage.ChatAddr
		reply flows.Reply
		want  []string
	}{
		{"citizen with choices", Citizen, flows.Reply{Text: "Pilih:\nbaris dua", Choices: []flows.Choice{{Label: "Lapor"}, {Label: "Cek"}}},
			[]string{"🤖 Pilih:\n   baris dua\n", "   1) Lapor\n", "   2) Cek\n"}},
		{"staff group with actions", StaffGroup, flows.Reply{Text: "Laporan baru", Actions: []flows.Choice{{Label: "Layak", Data: "LAYAK LB-2611-0001"}}},
			[]string{"👥 [grup staf] Laporan baru", "[Layak] → ketik: @staf LAYAK LB-2611-0001"}},
		{"private staff chat", StaffPrivate, flows.Reply{Text: "DETAIL"}, []string{"🔒 [pribadi staf] DETAIL"}},
		{"document is written to the export dir", StaffGroup, flows.Reply{Text: "Ekspor", Document: &flows.Document{Name: "../x.csv", Data: []byte("a;b\n")}},
			[]string{filepath.Join(dir, "x.csv")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			if err := c.Send(context.Background(), tc.to, tc.reply); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(dir, "x.csv")); err != nil || string(b) != "a;b\n" {
		t.Fatalf("export file: %q %v", b, err)
	}
}

// recorder is a bot.Handler that keeps what it is given.
type recorder struct{ got []flows.Message }

func (r *recorder) Handle(_ context.Context, m flows.Message) error {
	r.got = append(r.got, m)
	return nil
}

func TestRunRoutesLinesByPrefix(t *testing.T) {
	h := &recorder{}
	var out bytes.Buffer
	db := bolt.NewDB(filepath.Join(t.TempDir(), "db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := newSender(db, &out)
	if err := Run(context.Background(), strings.NewReader("halo\n@staf PENDING\n@tamu LAYAK LB-2611-0001\n"), &out, h, s, true, false); err != nil {
		t.Fatal(err)
	}
	if len(h.got) != 3 {
		t.Fatalf("got %d messages", len(h.got))
	}
	cases := []struct {
		chat       storage.ChatAddr
		text       string
		staff      bool
		authorized bool
	}{
		{Citizen, "halo", false, false},
		{StaffGroup, "PENDING", true, true},
		{StaffGroup, "LAYAK LB-2611-0001", true, false},
	}
	for i, want := range cases {
		m := h.got[i]
		if m.Chat != want.chat || m.Text != want.text || m.StaffChat != want.staff || m.Authorized != want.authorized {
			t.Errorf("line %d: got %+v", i+1, m)
		}
	}
	if !strings.Contains(out.String(), "> @staf PENDING") {
		t.Errorf("piped input is echoed for transcripts:\n%s", out.String())
	}
}

func newSender(db *bolt.DB, out *bytes.Buffer) *bot.Sender {
	return &bot.Sender{Outbox: db, Channels: map[string]bot.Channel{"console": &Channel{Out: out}}}
}
