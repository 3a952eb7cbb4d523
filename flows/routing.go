package flows

import (
	"fmt"
	"strings"

	"github.com/laporbansos/laporbansos/storage"
)

// Routes sends each kecamatan's reports to its own staff chats (the TKSK who verify on the
// ground), keyed by kecamatan code ("35.10.09"). Engine.StaffChats stay the supervisors': they
// get every report and decide any. Without routes every staff chat is a supervisor chat.
type Routes map[string][]storage.ChatAddr

// ParseRoutes reads LAPOR_STAFF_ROUTES: "35.10.09=telegram:-1001111,35.10.01=whatsapp:1203…@g.us".
// A kecamatan may appear more than once for several chats.
func ParseRoutes(s string) (Routes, error) {
	rs := Routes{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, addr, ok := strings.Cut(part, "=")
		code, addr = strings.TrimSpace(code), strings.TrimSpace(addr)
		ch, id, ok2 := strings.Cut(addr, ":")
		if !ok || !ok2 || code == "" || ch == "" || id == "" {
			return nil, fmt.Errorf("staff route %q: want <kecamatan code>=<channel>:<chat id>", part)
		}
		if !validKecCode(code) {
			return nil, fmt.Errorf("staff route %q: kecamatan code must look like 35.10.09", part)
		}
		chat := storage.ChatAddr{Channel: ch, ID: id}
		if !containsChat(rs[code], chat) {
			rs[code] = append(rs[code], chat)
		}
	}
	return rs, nil
}

func validKecCode(code string) bool {
	parts := strings.Split(code, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if len(p) != 2 || !allASCIIDigits(p) {
			return false
		}
	}
	return true
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func containsChat(cs []storage.ChatAddr, c storage.ChatAddr) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// Chats lists every routed chat once, in a stable order: the channels add them to their staff
// chats.
func (rs Routes) Chats() []storage.ChatAddr {
	var out []storage.ChatAddr
	for _, code := range sortedKeys(rs) {
		for _, c := range rs[code] {
			if !containsChat(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func sortedKeys(rs Routes) []string {
	keys := make([]string, 0, len(rs))
	for k := range rs {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// allStaffChats is every chat the staff workflow posts to: supervisors first, then the
// kecamatan chats.
func (e *Engine) allStaffChats() []storage.ChatAddr {
	out := append([]storage.ChatAddr(nil), e.StaffChats...)
	for _, c := range e.Routes.Chats() {
		if !containsChat(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// chatsFor is where news of r goes: the supervisors and r's kecamatan chats.
func (e *Engine) chatsFor(r *storage.Report) []storage.ChatAddr {
	out := append([]storage.ChatAddr(nil), e.StaffChats...)
	for _, c := range e.Routes[r.KecamatanCode] {
		if !containsChat(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// supervisor reports whether chat oversees every kecamatan.
func (e *Engine) supervisor(chat storage.ChatAddr) bool {
	return len(e.Routes) == 0 || containsChat(e.StaffChats, chat)
}

// mayDecide says whether staff in chat may decide r: a supervisor chat any report, a kecamatan
// chat only its own kecamatan's.
func (e *Engine) mayDecide(chat storage.ChatAddr, r *storage.Report) bool {
	return e.supervisor(chat) || containsChat(e.Routes[r.KecamatanCode], chat)
}

// inScope keeps the reports chat may see in its lists.
func (e *Engine) inScope(chat storage.ChatAddr, rs []*storage.Report) []*storage.Report {
	if e.supervisor(chat) {
		return rs
	}
	out := rs[:0:0]
	for _, r := range rs {
		if e.mayDecide(chat, r) {
			out = append(out, r)
		}
	}
	return out
}

// logID is a staff member's id as a log line may hold it: a WhatsApp id is a phone number, so
// only its ends are kept (UU PDP). Telegram ids are opaque numbers and stay whole.
func logID(a storage.Actor) string {
	if a.Channel == "telegram" || len(a.ID) <= 6 {
		return a.ID
	}
	return a.ID[:3] + "…" + a.ID[len(a.ID)-3:]
}

// staffBrief is a new report in one line for a burst digest: number, name, place, reason. No
// NIK or phone: DETAIL gives them.
func staffBrief(r *storage.Report) string {
	what := reasonLabel(reportReasons, r.Reason, r.ReasonText)
	if r.Kind == storage.KindSanggah {
		what = msgBriefSanggah + reasonLabel(sanggahReasons, r.Reason, "")
	}
	place := r.Kecamatan
	if r.Desa != "" {
		place = r.Desa + ", " + place
	}
	return fmt.Sprintf(msgBriefLine, r.ID, r.Name, place, what)
}
