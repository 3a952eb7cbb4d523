package flows

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
)

// FuzzDialogue feeds arbitrary message sequences to one chat (lines are messages; a line
// "@…" goes to the staff chat, "[kind]" is a non-text message). Whatever arrives: no panic,
// every citizen message gets a reply, and the stored session is always one the engine can read.
func FuzzDialogue(f *testing.F) {
	for _, seed := range []string{
		"halo\n1\n2\n3510091506800004\nSumarni\nDusun Krajan RT 02 RW 03\n9\n1\n5\nsakit\n081234567890\nBudi\ntetangga\nubah\nnik\n3510091203850001",
		"1\n1\n3510091506800004\nSumarni\nDusun Krajan\n9\n1\n1\n081234567890\nkirim\n@LAYAK LB-2611-0001\n@SALUR LB-2611-0001",
		"2\n3510091203850001\nLB-2611-0001\n\x00\xff\xfe\n[photo]\nkembali\nkembali\nkembali",
		"3\n3510091203850001\nya\n2\nmeninggal\nJoko\n081311112222\nkirim\n@TERIMA SG-2611-0001",
		"/lapor\n/cek\n/sanggah\n/batal\nbantuan\nprivasi\n٣\n１\n🙂\n" + strings.Repeat("ab", 700),
	} {
		f.Add(seed)
	}
	// One store for the whole run (a store per input would spend the run on opening files); each
	// input talks in a chat of its own.
	h := newHarnessSync(f, true)
	var run atomic.Int64
	f.Fuzz(func(t *testing.T, script string) {
		citizenChat := storage.ChatAddr{Channel: "fuzz", ID: strconv.FormatInt(run.Add(1), 10)}
		lines := strings.Split(script, "\n")
		if len(lines) > 40 {
			lines = lines[:40]
		}
		for _, line := range lines {
			var m Message
			switch {
			case strings.HasPrefix(line, "@"):
				m = Message{Chat: staffChat, From: staffActor, Text: line[1:], StaffChat: true, Authorized: true, Private: staffDM}
			case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") && len(line) < 12:
				m = Message{Chat: citizenChat, NonText: strings.Trim(line, "[]")}
			default:
				m = Message{Chat: citizenChat, Text: line}
			}
			out, err := h.engine.Handle(context.Background(), m)
			if err != nil {
				t.Fatalf("Handle(%q): %v", line, err)
			}
			if !m.StaffChat && len(out) == 0 {
				t.Fatalf("no reply to %q", line)
			}
			for _, r := range out {
				if strings.TrimSpace(r.Text) == "" && r.Document == nil {
					t.Fatalf("empty reply to %q", line)
				}
			}
			err = h.db.View(context.Background(), func(tx storage.Tx) error {
				s, err := tx.Session(citizenChat)
				if err != nil {
					return err
				}
				if !validState(s.State) {
					t.Fatalf("after %q the session is in unknown state %q", line, s.State)
				}
				_, err = json.Marshal(s)
				return err
			})
			if err != nil && !(m.StaffChat && strings.Contains(err.Error(), "not found")) {
				t.Fatalf("session after %q: %v", line, err)
			}
		}
	})
}
