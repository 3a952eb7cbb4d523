package whatsapp

// The texts only WhatsApp needs; everything else a citizen or staff member reads is in the
// flows' catalogue.
const (
	msgTypeCommand  = "Ketik: "
	msgContactHint  = "Anda juga bisa mengirim kartu kontak: 📎 → Kontak."
	msgPollQuestion = "%s — layak menerima bantuan?"

	// Operator texts of the whatsapp subcommands.
	msgLoginQR = "Pindai kode QR ini di WhatsApp nomor layanan:\n" +
		"WhatsApp → Setelan → Perangkat tertaut → Tautkan perangkat."
	msgLoginQRNext   = "(Kode berganti tiap %d detik; menunggu pindaian…)"
	msgLoginPairCode = "Kode penautan: %s\n" +
		"Di ponsel nomor %s: WhatsApp → Setelan → Perangkat tertaut → Tautkan perangkat →\n" +
		"\"Tautkan dengan nomor telepon saja\", lalu ketik kode di atas."
	msgLoginOK       = "✅ Tertaut sebagai %s. Sesi disimpan di %s; jalankan: LAPOR_WHATSAPP=1 laporbansos serve"
	msgLogoutOK      = "Perangkat dilepas dan sesi dihapus. Tautkan lagi dengan: laporbansos whatsapp login"
	msgLogoutLocal   = "Sesi lokal dihapus, tetapi WhatsApp tidak bisa dihubungi (%v). Hapus juga \"Lapor Bansos\" di ponsel: Setelan → Perangkat tertaut."
	msgGroupsNone    = "Nomor ini belum bergabung ke grup mana pun. Tambahkan nomor layanan ke grup staf, lalu ulangi."
	msgGroupsHint    = "\nSalin JID grup staf ke LAPOR_WHATSAPP_STAFF_GROUPS (pisahkan dengan koma)."
	msgOneConnection = "Catatan: hentikan dulu \"laporbansos serve\" — satu sesi WhatsApp hanya boleh dipakai satu proses."
)

// Texts to citizens and to the staff chats.
const (
	msgSendAgain = "Maaf, pesan Anda belum terbaca oleh sistem. Mohon kirim ulang pesan tersebut."
	// To the staff chats of the other channels (Telegram, console).
	msgStaffStopped = "⚠️ Kanal WhatsApp Lapor Bansos berhenti: %s\n" +
		"Balasan untuk warga WhatsApp disimpan dan terkirim setelah kanal aktif lagi. Kanal lain tetap berjalan."
	msgStaffBanned = "⚠️ WhatsApp membatasi sementara nomor layanan sampai %s WIB. " +
		"Balasan untuk warga WhatsApp disimpan dan terkirim setelahnya. Kanal lain tetap berjalan."
	msgStaffBack        = "✅ Kanal WhatsApp aktif kembali; balasan yang tertunda sedang dikirim."
	msgStaffNoSession   = "perangkat WhatsApp belum tertaut. Operator perlu menjalankan: laporbansos whatsapp login"
	msgStaffLoggedOut   = "perangkat tertaut dilepas (dari ponsel atau oleh WhatsApp). Operator perlu menautkan ulang: laporbansos whatsapp login"
	msgStaffReplaced    = "sesi WhatsApp dipakai proses lain. Operator perlu memastikan hanya satu bot berjalan."
	msgStaffOutdated    = "versi aplikasi bot ditolak WhatsApp. Operator perlu memperbarui bot."
	msgStaffOther       = "sesi WhatsApp berakhir. Operator perlu memeriksa log bot."
	msgStaffPhoneAbsent = "⚠️ Ponsel nomor layanan WhatsApp tidak aktif sejak %s. Buka WhatsApp di ponsel itu sebelum %s, atau WhatsApp akan melepas bot."
	msgVoteUnreadable   = "Maaf, pilihan polling untuk %s tidak terbaca. Ketik: LAYAK %s atau TOLAK %s <alasan>"
)
