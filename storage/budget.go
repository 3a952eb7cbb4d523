package storage

import (
	"time"
)

// LookupLimits are the budget's sizes; 0 means no limit of that kind.
type LookupLimits struct {
	ChatHour   int // lookups per chat in any rolling hour
	ChatDay    int // lookups per chat in any rolling 24 hours
	GlobalHour int // lookups by all chats together per clock hour
}

// Budget scopes: which limit refused a lookup.
const (
	ScopeChatHour = "chat_hour"
	ScopeChatDay  = "chat_day"
	ScopeGlobal   = "global_hour"
)

// LookupGrant is the answer of SpendLookup.
type LookupGrant struct {
	Allowed bool
	Scope   string    // the limit that refused; "" when allowed
	Limit   int       // that limit's size
	RetryAt time.Time // when a lookup will be allowed again; zero when allowed
}
