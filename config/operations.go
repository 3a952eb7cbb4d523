package config

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Operations configures what keeps the bot running for months: the HTTP listener for health,
// metrics and webhooks, and the rotating backups.
type Operations struct {
	HTTPListen  string        // host:port; "" when LAPOR_HTTP_LISTEN is off
	BackupDir   string        // rotating backups; "" = none from serve
	BackupEvery time.Duration // how often serve writes one
	BackupKeep  int           // how many rotating backups are kept
}

const day = 24 * time.Hour

// retentionWords matches "2 tahun", "24 bulan", "730 hari", "104 minggu" (and English units).
var retentionWords = regexp.MustCompile(`^(\d+)\s*(tahun|thn|th|bulan|bln|minggu|mgg|hari|years?|y|months?|weeks?|w|days?|d)$`)

// ParseRetention reads LAPOR_RETENTION: Indonesian words as citizens are told ("2 tahun",
// "18 bulan", "90 hari"), or a Go duration ("17520h"). A year counts 365 days, a month 30. It
// returns the period and the words the privacy notice uses.
func ParseRetention(s string) (time.Duration, string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if m := retentionWords.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n <= 0 || n > 100 {
			return 0, "", fmt.Errorf("%q is out of range", s)
		}
		unit, word := day, "hari"
		switch m[2] {
		case "tahun", "thn", "th", "year", "years", "y":
			unit, word = 365*day, "tahun"
		case "bulan", "bln", "month", "months":
			unit, word = 30*day, "bulan"
		case "minggu", "mgg", "week", "weeks", "w":
			unit, word = 7*day, "minggu"
		}
		if unit == day && n > 36500 {
			return 0, "", fmt.Errorf("%q is out of range", s)
		}
		return time.Duration(n) * unit, fmt.Sprintf("%d %s", n, word), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, "", fmt.Errorf("%q is not a period (write e.g. 2 tahun, 18 bulan, 90 hari or 2160h)", s)
	}
	return d, durationWords(d), nil
}

// durationWords says a period the way the privacy notice does.
func durationWords(d time.Duration) string {
	switch {
	case d%(365*day) == 0:
		return fmt.Sprintf("%d tahun", d/(365*day))
	case d%(30*day) == 0:
		return fmt.Sprintf("%d bulan", d/(30*day))
	case d%day == 0:
		return fmt.Sprintf("%d hari", d/day)
	default:
		return fmt.Sprintf("%d jam", (d+time.Hour-1)/time.Hour)
	}
}

func (p *parser) retention(name string) (time.Duration, string) {
	d, words, err := ParseRetention(p.str(name))
	if err != nil {
		p.fail(name, "%v", err)
		return 0, ""
	}
	if d < day {
		p.fail(name, "%s is too short (at least 1 hari): closed reports lose their personal data after it", words)
	}
	return d, words
}

func (p *parser) listen(name string) string {
	s := p.str(name)
	switch strings.ToLower(s) {
	case "off", "0", "no", "tidak":
		return ""
	}
	if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
		p.fail(name, "%q is not host:port (like 127.0.0.1:8080) or off", s)
	}
	return s
}

func (p *parser) operations() Operations {
	o := Operations{
		HTTPListen: p.listen("LAPOR_HTTP_LISTEN"),
		BackupDir:  p.str("LAPOR_BACKUP_DIR"),
		BackupKeep: p.int("LAPOR_BACKUP_KEEP", 1),
	}
	o.BackupEvery = p.duration("LAPOR_BACKUP_EVERY", time.Minute)
	return o
}
