package telegram

import "github.com/laporbansos/laporbansos/flows"

const (
	msgDigestHead = "📥 " + flows.EmphasisOn + "%d laporan baru" + flows.EmphasisOff + " (dirangkum: banyak laporan masuk bersamaan)"
	msgDigestFoot = "Tombol per laporan ada di bawah (nomor di tombol). DETAIL <no> untuk data lengkap."
)

// msgOtherKecamatan answers a press on another kecamatan's report in a kecamatan chat.
const msgOtherKecamatan = "%s bukan wilayah grup ini: diputuskan petugas kecamatannya atau supervisor."
