package telegram

import "github.com/laporbansos/laporbansos/flows"

// The Telegram channel's own texts: button captions and the answers to button presses that
// only exist on Telegram. Everything the dialogues and the staff workflow say is in the flows'
// catalogue; these are kept here, in one place, in the same short polite Indonesian.
// msgAskReason carries emphasis, which only the flows' markers may mark.
var msgAskReason = flows.Emphasize("Ketik alasan *tidak layak* untuk *%s* dengan MEMBALAS (reply) pesan ini.")

const (
	msgUnauthorized  = "Anda tidak berwenang."
	msgStale         = "Tombol ini sudah tidak berlaku."
	msgChosen        = "➡️ %s"
	msgContactButton = "📱 Kirim nomor saya"
	msgOther         = "Lainnya…"
	msgReasonHint    = "Alasan tidak layak"
	msgAskReasonSent = "Balas pesan di grup dengan alasannya."
	msgPickReason    = "Pilih alasan, atau Lainnya."
	msgRecorded      = "Tercatat: %s %s."
	msgAlready       = "%s sudah diputuskan oleh %s pada %s (%s)."
	msgDetailToast   = "Data lengkap dikirim ke chat pribadi Anda."
	msgStartPrivate  = "⚠️ %s, data lengkap %s belum bisa dikirim: mulai chat pribadi dengan bot dulu (buka @%s, tekan Mulai/Start), lalu tekan Detail lagi."
	msgGroupOnly     = "Bot ini melayani warga lewat chat pribadi. Buka @%s dan tekan Mulai/Start."
)

// Commands registered with setMyCommands: the citizen's in private chats, the staff's in the
// staff chats.
var (
	citizenCommands = [][2]string{
		{"start", "Mulai / menu utama"},
		{"lapor", "Laporkan warga yang butuh bantuan"},
		{"cek", "Cek status bantuan (NIK atau nomor laporan)"},
		{"sanggah", "Sanggah penerima yang sudah tidak layak"},
		{"batal", "Batalkan langkah sekarang"},
		{"bantuan", "Petunjuk"},
	}
	staffCommands = [][2]string{
		{"pending", "Laporan yang menunggu keputusan"},
		{"cari", "Cari laporan: /cari <NIK, nomor, nama atau desa>"},
		{"batal", "Batalkan keputusan Anda: /batal <nomor>"},
		{"detail", "Data lengkap (dikirim pribadi): /detail <nomor>"},
		{"statistik", "Rekap laporan"},
		{"ekspor", "Semua laporan sebagai CSV"},
		{"bantuan", "Daftar perintah petugas"},
	}
)
