package flows

// Texts for citizens who come back after blocking the bot (see returning.go).
const (
	// msgReturningNews: report number, its status in words, when it entered that status.
	msgReturningNews = "Kabar laporan %s: %s (sejak %s)."
)
