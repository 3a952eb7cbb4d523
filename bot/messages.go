package bot

// MsgSystemDown answers a citizen when the store cannot take their message (disk full, file
// unwritable). It is sent without being stored.
const MsgSystemDown = "Maaf, sistem sedang gangguan. Silakan coba lagi beberapa menit lagi."
