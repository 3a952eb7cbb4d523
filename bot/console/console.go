// Package console is the terminal channel: one person plays the citizen and, with lines that
// start with "@staf ", the staff group. Piped input is processed line by line until EOF, so a
// whole report's life can be scripted.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// The console's chats: the citizen, the staff group, and the staff member's private chat.
var (
	Citizen      = storage.ChatAddr{Channel: "console", ID: "warga"}
	StaffGroup   = storage.ChatAddr{Channel: "console", ID: "grup-staf"}
	StaffPrivate = storage.ChatAddr{Channel: "console", ID: "staf"}
	staffMember  = storage.Actor{Channel: "console", ID: "staf", Name: "Petugas Konsol"}
	citizenActor = storage.Actor{Channel: "console", ID: "warga", Name: "Warga Konsol"}
	guestActor   = storage.Actor{Channel: "console", ID: "tamu", Name: "Tamu Grup"}
)

// StaffPrefix marks a line typed in the staff group by an authorised staff member; GuestPrefix
// one typed there by a group member who is not on the staff allow-list.
const (
	StaffPrefix = "@staf "
	GuestPrefix = "@tamu "
)

// Channel prints the bot's messages to a terminal.
type Channel struct {
	Out io.Writer
	// ExportDir is where documents (the CSV export) are written.
	ExportDir string

	mu sync.Mutex
}

var _ bot.Channel = (*Channel)(nil)

// Name implements bot.Channel.
func (c *Channel) Name() string { return "console" }

// Limits implements bot.Channel: a terminal has none.
func (c *Channel) Limits() bot.Limits { return bot.Limits{} }

// Send implements bot.Channel.
func (c *Channel) Send(_ context.Context, to storage.ChatAddr, r flows.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var head string
	switch to {
	case StaffGroup:
		head = "👥 [grup staf] "
	case StaffPrivate:
		head = "🔒 [pribadi staf] "
	default:
		head = "🤖 "
	}
	var b strings.Builder
	// A terminal parses no markup: emphasis is shown as *…*.
	for i, line := range strings.Split(flows.PlainText(r.Text, "*", "*"), "\n") {
		if i == 0 {
			b.WriteString(head + line + "\n")
		} else {
			b.WriteString("   " + line + "\n")
		}
	}
	for i, ch := range r.Choices {
		fmt.Fprintf(&b, "   %d) %s\n", i+1, ch.Label)
	}
	for _, a := range r.Actions {
		fmt.Fprintf(&b, "   [%s] → ketik: @staf %s\n", a.Label, a.Data)
	}
	if r.Document != nil {
		path := filepath.Join(c.ExportDir, filepath.Base(r.Document.Name))
		if err := storage.WritePrivateFile(path, r.Document.Data); err != nil {
			return &bot.SendError{Err: err}
		}
		fmt.Fprintf(&b, "   📎 %s (%d byte)\n", path, len(r.Document.Data))
	}
	_, err := io.WriteString(c.Out, b.String())
	return err
}

// Run reads lines from in until EOF or ctx ends. After each line the replies are sent before
// the next line is read, so a script's output is in order. echo prints each input line, for
// transcripts of piped runs.
func Run(ctx context.Context, in io.Reader, out io.Writer, h bot.Handler, s *bot.Sender, echo, prompt bool) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if prompt {
			fmt.Fprint(out, "Anda> ")
		}
		if !sc.Scan() {
			break
		}
		line := sc.Text()
		if echo {
			fmt.Fprintf(out, "\n> %s\n", line)
		}
		m := flows.Message{Chat: Citizen, From: citizenActor, Text: line}
		if rest, ok := strings.CutPrefix(line, StaffPrefix); ok {
			m = flows.Message{Chat: StaffGroup, From: staffMember, Text: rest, StaffChat: true, Authorized: true, Private: StaffPrivate}
		} else if rest, ok := strings.CutPrefix(line, GuestPrefix); ok {
			m = flows.Message{Chat: StaffGroup, From: guestActor, Text: rest, StaffChat: true}
		}
		if err := h.Handle(ctx, m); err != nil {
			fmt.Fprintf(out, "⚠️ pesan tidak terproses: %v\n", err)
		}
		if err := s.Flush(ctx, 2*time.Second); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
	return sc.Err()
}
