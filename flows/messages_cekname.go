package flows

// Catalogue texts for Cek by area and name (as Kemensos' Cek Bansos asks: region, then the name as
// on the KTP); part of the one message catalogue (messages.go), kept apart so the flow reads
// together.

const (
	msgCekNameAskKec  = "Mencari nama \"%s\". Di kecamatan mana orang itu tinggal? (%s)"
	msgCekNameAskDesa = "Di desa/kelurahan mana di Kec. %s?"
	msgCekNameInvalid = "Nama hanya boleh berisi huruf, spasi, titik, koma, petik, dan tanda hubung."

	msgCekNameHead    = "Hasil pencarian \"%s\" di Desa/Kel. %s, Kec. %s:"
	msgCekNameEntry   = "%d. %s"
	msgCekNameMore    = "Ada lebih dari %d nama yang cocok: ketik nama lebih lengkap (sesuai KTP)."
	msgCekNameNone    = "Tidak ada penerima bantuan bernama \"%s\" di Desa/Kel. %s, Kec. %s. Periksa ejaan nama sesuai KTP dan desanya, atau cek dengan NIK."
	msgCekNameNoData  = "Maaf, pencarian berdasarkan nama belum tersedia karena data penerima belum dimuat. Silakan coba lagi nanti, atau cek dengan NIK."
	msgCekNameShort   = "Nama terlalu pendek untuk dicari: ketik nama lengkap sesuai KTP."
	msgCekNamePrivacy = "Demi perlindungan data pribadi, nama disamarkan dan NIK serta alamat tidak ditampilkan."
	msgCekNameAgain   = "Ketik NIK, nomor laporan, atau nama lain untuk cek lagi, atau MENU."
)

// msgAskSgNIKOrName is the first Sanggah question: neighbours rarely know each other's NIK.
var msgAskSgNIKOrName = msgAskSgNIK + " Bisa juga namanya sesuai KTP: lalu pilih kecamatan dan desanya."

// msgAskCekAny is the Cek question: Cek Bansos asks for a name and a region, not a NIK.
var msgAskCekAny = msgAskCek + " Bisa juga nama lengkap sesuai KTP: lalu pilih kecamatan dan desanya."

// Sanggah by name.
const (
	msgSgNameNone    = "Tidak ada penerima bantuan bernama \"%s\" di Desa/Kel. %s, Kec. %s, jadi tidak ada yang bisa disanggah."
	msgSgNamePick    = "Penerima bantuan di Desa/Kel. %s, Kec. %s yang cocok. Pilih orangnya, atau ketik nama lebih lengkap untuk mencari lagi:"
	msgSgNameCand    = "%s (%s)"
	msgSgNameSummary = "Penerima: %s (%s)"
	msgCekOwnSanggah = "penerima %s"
)
