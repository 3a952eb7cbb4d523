package flows

// Texts for citizens who come back after blocking the bot (see returning.go).
const (
	// msgReturningNews: report number, its status in words, when it entered that status.
	msgReturningNews = "Kabar laporan %s: %s (sejak %s)."
	// msgReportsDown: a stored report cannot be read (a damaged record); never "not found".
	msgReportsDown = "Maaf, data laporan sedang gangguan. Silakan coba lagi nanti."
)
