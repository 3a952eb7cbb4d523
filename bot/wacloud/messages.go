package wacloud

// The texts only the Cloud API channel needs; everything else a citizen reads is in the flows'
// catalogue.
const (
	msgListButton = "Pilih"   // opens an interactive list (at most 20 characters)
	msgTypeCmd    = "Ketik: " // a staff action as the command to type
	msgNoReport   = "-"       // template parameter when a message is about no report

	msgContactHint = "Anda juga bisa mengirim kartu kontak: 📎 → Kontak."
	// contactButton is how the flows name the share-my-number button, to find that line.
	contactButton = "Kirim nomor saya"
)
