package whatsapp

import "github.com/laporbansos/laporbansos/flows"

const (
	msgDigestHead = "📥 " + flows.EmphasisOn + "%d laporan baru" + flows.EmphasisOff + " (dirangkum: banyak laporan masuk bersamaan)"
	msgDigestFoot = "Ketik: LAYAK <no> · TOLAK <no> <alasan> · DETAIL <no> (data lengkap, dikirim pribadi)"
)
