package flows

// Catalogue texts for reports on a person without NIK/KTP, and for telling citizens where else to
// go (the office, how to get into DTSEN, how fresh the registry is); part of the one message
// catalogue (messages.go), kept apart so these flows read together.

const (
	msgNoNIKStart     = "Baik, laporan tetap bisa dikirim tanpa NIK. Karena data tidak bisa diperiksa otomatis, petugas akan datang ke alamat untuk verifikasi: isi nama dan alamat selengkap mungkin."
	msgAskNoNIKNote   = "Mengapa tidak punya NIK/KTP? Ceritakan singkat (maksimal %d karakter), misalnya: belum pernah rekam e-KTP, KTP hilang dan lupa NIK, pendatang belum pindah domisili."
	msgNoNIKNoteWords = "Mohon tulis dengan kata-kata, misalnya: belum pernah rekam e-KTP."
	msgAcceptedNoNIK  = "Karena laporan ini tanpa NIK, petugas akan datang ke alamat untuk verifikasi. Kantor desa/kelurahan dapat membantu mengurus NIK dan KTP (rekam e-KTP di Dukcapil); dengan NIK, bantuan lebih mudah disalurkan."

	msgReviewNoNIK     = "NIK: tidak punya NIK/KTP"
	msgReviewNoNIKNote = "Sebab tanpa NIK: %s"

	msgStaffNameNoNIK   = "Nama: %s · TANPA NIK"
	msgStaffNoNIKNote   = "Sebab tanpa NIK: %s (data penerima tidak bisa diperiksa; perlu kunjungan verifikasi)"
	msgStaffPossibleDup = "⚠️ Kemungkinan laporan yang sama (nama dan desa sama): %s. Periksa dengan CARI <no>."
	msgStaffDupLine     = "• %s %s (%s), %s"
	msgStaffDupHead     = "Kemungkinan laporan yang sama (nama dan desa sama):"
	msgStaffNIKNone     = "TANPA NIK"
	msgCekOwnNoNIK      = "tanpa NIK"

	// Where else to go.
	msgContact     = "Kantor %s: %s"
	msgHowToDTSEN  = "Cara masuk data penerima bantuan (DTSEN, dulu DTKS): datang ke kantor desa/kelurahan dengan KTP dan KK; desa/kelurahan mengusulkan lewat musyawarah desa/kelurahan, lalu Dinas Sosial memverifikasi dan mengirim usulan ke Kemensos."
	msgCekDataAsOf = "Data penerima per %s."
)

var msgStaffNoNIKMark = emphasize("⚠️ *TANPA NIK*")

// noNIKOptions is the NIK step's one button.
var noNIKOptions = []option{{Key: "tanpa nik", Label: "Tidak punya NIK/KTP"}}

// noNIKSynonyms are the ways of saying it, added to the catalogue's synonym table.
var noNIKSynonyms = []string{
	"tanpa nik", "tidak punya nik", "tidak ada nik", "tidak punya ktp", "tidak ada ktp", "belum punya ktp",
	"belum ada ktp", "belum punya nik", "gak punya ktp", "ga punya ktp", "nggak punya ktp", "tdk punya ktp",
	"gak punya nik", "nggak punya nik", "tdk punya nik", "tidak tahu nik", "lupa nik", "ktp hilang",
	"tidak punya nik ktp", "tidak punya nik/ktp", "belum rekam ktp", "belum rekam e ktp", "tidak ada e ktp",
}

// editNoNIKNote is the Ubah entry of the note (only for a report without NIK).
var editNoNIKNote = option{"sebab", "Sebab tanpa NIK"}

func init() {
	for _, s := range noNIKSynonyms {
		synonymsID[s] = append(synonymsID[s], "tanpa nik")
	}
}
