package config

import (
	"strings"
	"time"
)

var routeChannels = map[string]bool{"telegram": true, "whatsapp": true, "wacloud": true, "console": true}

// routes checks LAPOR_STAFF_ROUTES' shape (kecamatan code=channel:chat, comma-separated) and
// returns it as given.
func (p *parser) routes(name string) string {
	s := p.str(name)
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, addr, ok := strings.Cut(part, "=")
		ch, id, ok2 := strings.Cut(strings.TrimSpace(addr), ":")
		if !ok || !ok2 || !kecamatanCode.MatchString(strings.TrimSpace(code)) || !routeChannels[ch] || id == "" {
			p.fail(name, "%q: want <kecamatan code>=<channel>:<chat>, e.g. 35.10.09=telegram:-1001111", part)
		}
	}
	return s
}

// clockTime reads a time of day "HH:MM" as the time since midnight; "off" turns the feature off.
func (p *parser) clockTime(name string) (time.Duration, bool) {
	s := p.str(name)
	if strings.EqualFold(s, "off") {
		return 0, true
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		p.fail(name, "%q: want HH:MM (WIB) or off", s)
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, false
}
