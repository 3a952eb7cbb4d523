package config

import (
	"net/url"
	"strings"
)

// HideURLCredentials hides what a URL carries to log in: the password of user:password@
// ("https://user:****@host/…"), a bare userinfo (often a token: "https://****@host"), and the
// values of query parameters named like credentials (token, key, secret, password, sig…).
// Anything that is not a URL with a scheme and host is returned unchanged.
func HideURLCredentials(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		if i := strings.Index(s, "://"); i >= 0 {
			if j := strings.LastIndex(s[i+3:], "@"); j >= 0 {
				// Unparsable but with userinfo: hide all of it rather than guess.
				return s[:i+3] + "****" + s[i+3+j:]
			}
		}
		return s
	}
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if u.User != nil {
		if _, hasPass := u.User.Password(); hasPass {
			b.WriteString(u.User.Username() + ":****@")
		} else {
			b.WriteString("****@")
		}
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			if credentialName(k) {
				parts[i] = k + "=****"
			}
		}
		b.WriteString("?" + strings.Join(parts, "&"))
	}
	if u.Fragment != "" {
		b.WriteString("#" + u.EscapedFragment())
	}
	return b.String()
}

func credentialName(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "key", "secret", "pass", "pwd", "sig", "auth", "credential"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
