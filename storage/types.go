package storage

import (
	"errors"
	"time"
)

// ChatAddr is where a message comes from or goes to: a channel and that channel's chat id.
// Channel is "telegram", "whatsapp" or "console". The staff pseudo-channel "staff" means
// "every configured staff chat on every channel".
type ChatAddr struct {
	Channel string `json:"ch"`
	ID      string `json:"id"`
}

// Key is the stable string form used as a bbolt key: "telegram:12345".
func (a ChatAddr) Key() string { return a.Channel + ":" + a.ID }

// Kind tells a report (a household that needs help) from a sanggah (an objection).
type Kind string

const (
	KindReport  Kind = "report"
	KindSanggah Kind = "sanggah"
	// KindPengaduan is a complaint about a deviation in distribution (pengaduan.go).
	KindPengaduan Kind = "pengaduan"
)

// Status is a step of the report lifecycle (DESIGN.md "Report lifecycle").
type Status string

const (
	StatusAutoRejected Status = "auto_rejected" // registry hit; final
	StatusSubmitted    Status = "submitted"     // waiting for staff
	StatusEligible     Status = "eligible"      // layak
	StatusIneligible   Status = "ineligible"    // tidak layak (reason required); final
	StatusDelivered    Status = "delivered"     // disalurkan; final
	StatusUpheld       Status = "upheld"        // sanggah accepted; final
	StatusDismissed    Status = "dismissed"     // sanggah rejected (reason required); final
	// A pengaduan's own steps (TINDAKLANJUT, SELESAI, TOLAK).
	StatusInProgress Status = "in_progress" // being followed up
	StatusResolved   Status = "resolved"    // closed by staff; final
	StatusRefused    Status = "refused"     // pengaduan rejected (reason required); final
)

// Actor is who made a transition: a citizen, a staff member, or the system.
type Actor struct {
	Channel string `json:"ch"`
	ID      string `json:"id"`   // channel user id / phone JID; "system" for automatic steps
	Name    string `json:"name"` // display name for "sudah diputuskan oleh …"
}

// Transition is one entry of a report's history and of the audit log.
type Transition struct {
	From Status    `json:"from,omitempty"`
	To   Status    `json:"to"`
	At   time.Time `json:"at"`
	By   Actor     `json:"by"`
	Note string    `json:"note,omitempty"` // reason for ineligible/dismissed
	// Undo marks a step that took back the one before it (BATAL): its own audited transition.
	Undo bool `json:"undo,omitempty"`
}

// Report is a citizen's report about a household, or a sanggah about a registered recipient.
type Report struct {
	ID     string `json:"id"` // LB-YYMM-NNNN (report) or SG-YYMM-NNNN (sanggah)
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`

	NIK           string `json:"nik"` // normalised 16 digits
	Name          string `json:"name"`
	Address       string `json:"address,omitempty"`
	Desa          string `json:"desa,omitempty"`
	Kecamatan     string `json:"kecamatan,omitempty"` // name; KecamatanCode holds the code
	KecamatanCode string `json:"kecamatan_code,omitempty"`
	Reason        string `json:"reason"`                // category key
	ReasonText    string `json:"reason_text,omitempty"` // free text
	Phone         string `json:"phone,omitempty"`       // normalised 62…

	ForSelf      bool   `json:"for_self"`
	ReporterName string `json:"reporter_name,omitempty"`
	Relation     string `json:"relation,omitempty"`

	// Registry programs found at report time (auto_rejected) or the recipient's programs (sanggah).
	Programs []string `json:"programs,omitempty"`
	// IssuedAt names the region that issued a NIK from outside the service area, for staff.
	IssuedAt string `json:"issued_at,omitempty"`

	From      ChatAddr     `json:"from"` // the chat the citizen reported from: told there
	CreatedAt time.Time    `json:"created_at"`
	Deadline  time.Time    `json:"deadline,omitempty"` // verification deadline (created + SLA)
	History   []Transition `json:"history"`
	// A pengaduan (KindPengaduan): Reason is the kind of deviation, ReasonText what happened.
	When      string `json:"when,omitempty"`      // when it happened, in the citizen's words
	Involved  string `json:"involved,omitempty"`  // who was involved (optional)
	Anonymous bool   `json:"anonymous,omitempty"` // no name or phone kept; From only to answer
	Linked    string `json:"linked,omitempty"`    // the report whose aid did not arrive
	// Photos are file names under the photo directory ("PG-2611-0001-1.jpg"), never shown to
	// citizens; Location is "lat,lon" shared by the citizen.
	Photos   []string `json:"photos,omitempty"`
	Location string   `json:"location,omitempty"`

	// Delivery confirmation after SALUR: asked, reminded once, answered (see receipt.go).
	ReceiptAskedAt    time.Time `json:"receipt_asked_at,omitzero"`
	ReceiptRemindedAt time.Time `json:"receipt_reminded_at,omitzero"`
	ReceivedAt        time.Time `json:"received_at,omitzero"`     // "Sudah": diterima warga
	NotReceivedAt     time.Time `json:"not_received_at,omitzero"` // "Belum", or no answer in time
	Complaint         string    `json:"complaint,omitempty"`      // the PG opened for it
	// PurgedAt is when the retention period removed the personal data (see Tx.Purge).
	PurgedAt time.Time `json:"purged_at,omitzero"`

	// NoNIK marks a report on a person without NIK/KTP (NIK is empty): no registry check was
	// possible, staff verify on a visit. NoNIKNote is the citizen's word on why there is none.
	NoNIK     bool   `json:"no_nik,omitempty"`
	NoNIKNote string `json:"no_nik_note,omitempty"`
	// PossibleDuplicates are earlier reports with the same normalised name in the same desa,
	// found when a report without NIK was filed (see ReportsByNameDesa).
	PossibleDuplicates []string `json:"possible_duplicates,omitempty"`
}

// Errors returned by the store. Not-found is an error, never a nil result.
var (
	ErrNotFound          = errors.New("storage: not found")
	ErrIllegalTransition = errors.New("storage: illegal status transition")
	// ErrReasonRequired refuses "tidak layak" and a dismissed sanggah without a reason: the
	// citizen is told why, so there must be a why.
	ErrReasonRequired = errors.New("storage: a reason is required")
	// ErrInvalid refuses input the store cannot keep as given (missing NIK, unknown kind, …).
	ErrInvalid = errors.New("storage: invalid argument")
)

// AlreadyDecidedError is returned when a decision arrives for a report someone already decided:
// the first decision wins, and the error says who made it and when.
type AlreadyDecidedError struct {
	Report   string
	Decision Transition
}

func (e *AlreadyDecidedError) Error() string {
	return "storage: report " + e.Report + " already decided (" + string(e.Decision.To) + ")"
}

// Session is one chat's dialogue: the FSM state and the answers collected so far. It is stored
// after every step and read back for the next message, so a restart resumes where it was.
type Session struct {
	Flow      string            `json:"flow,omitempty"`  // "lapor", "cek", "sanggah"; empty at the menu
	State     string            `json:"state,omitempty"` // FSM state name
	Data      map[string]string `json:"data,omitempty"`  // answers by field name
	Back      []string          `json:"back,omitempty"`  // states visited, for "kembali"
	UpdatedAt time.Time         `json:"updated_at"`
	// Checks holds the times of recent status checks, for the per-chat hourly limit.
	Checks []time.Time `json:"checks,omitempty"`
	// PrivacyShown records that the two-line privacy notice was given to this chat.
	PrivacyShown bool `json:"privacy_shown,omitempty"`
}

// Outbound is one message waiting in the durable send queue.
type Outbound struct {
	Seq       uint64    `json:"seq"` // queue position, assigned by Enqueue; per-chat order follows it
	To        ChatAddr  `json:"to"`
	Payload   []byte    `json:"payload"` // channel-neutral message, JSON (bot.Message)
	Attempts  int       `json:"attempts,omitempty"`
	NotBefore time.Time `json:"not_before,omitempty"` // retry_after / backoff
	CreatedAt time.Time `json:"created_at"`
}

// wib is Western Indonesia Time. A fixed zone rather than time.LoadLocation("Asia/Jakarta"):
// the binary must not depend on tzdata being installed, and Indonesia has no daylight saving.
var wib = time.FixedZone("WIB", 7*60*60)
