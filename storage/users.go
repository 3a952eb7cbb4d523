package storage

import (
	"strings"
	"time"
)

// Role is what a dashboard account may see.
type Role string

const (
	// RoleViewer sees every page with NIK and phone numbers masked.
	RoleViewer Role = "viewer"
	// RoleSupervisor sees full records; each such view is recorded (ViewEntry).
	RoleSupervisor Role = "supervisor"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleViewer || r == RoleSupervisor }

// User is a dashboard account. Hash is the encoded password hash (the dashboard package makes
// and checks it); the store never sees a password.
type User struct {
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
}

// ViewEntry records that a dashboard user saw a report with NIK and phone in full.
type ViewEntry struct {
	User   string    `json:"user"`
	Report string    `json:"report"`
	At     time.Time `json:"at"`
}

// NormalizeUserName lower-cases and trims an account name; ok is false unless it is 1–32
// characters of a–z, 0–9, '.', '_' or '-'.
func NormalizeUserName(s string) (name string, ok bool) {
	name = strings.ToLower(strings.TrimSpace(s))
	if name == "" || len(name) > 32 {
		return "", false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return "", false
		}
	}
	return name, true
}
