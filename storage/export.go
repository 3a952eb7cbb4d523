package storage

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"
)

// ExportOptions shapes the CSV export. The zero value writes ';'-separated CSV without a byte
// order mark; DefaultExportOptions is what Excel set up for Indonesia opens correctly.
type ExportOptions struct {
	Comma rune // field separator; 0 means ';' (Excel in Indonesia expects it: ',' is the decimal mark)
	BOM   bool // start with a UTF-8 BOM, without which Excel misreads names with accents
}

// DefaultExportOptions returns ';' with a BOM.
func DefaultExportOptions() ExportOptions { return ExportOptions{Comma: ';', BOM: true} }

// ExportColumns is the header row of ExportCSV.
var ExportColumns = []string{
	"nomor", "jenis", "status", "dibuat", "nik", "nama", "alamat", "desa", "kecamatan",
	"alasan", "keterangan", "telepon", "pelapor", "hubungan", "kanal",
	"diputuskan_oleh", "diputuskan_pada", "catatan",
	"tanpa_nik",
	// Pengaduan and delivery confirmation: photos by file name (never their bytes).
	"kejadian_waktu", "pihak_terlibat", "foto", "lokasi", "terkait", "diterima_warga",
}

// exportTime is WIB, to the minute: how staff read times.
const exportTime = "2006-01-02 15:04"

// WriteCSV writes the given reports as ExportCSV does; the staff chat's EKSPOR uses it inside
// its own transaction.
func WriteCSV(w io.Writer, reports []*Report, opts ExportOptions) error {
	bw := bufio.NewWriter(w)
	if opts.BOM {
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(bw)
	cw.Comma = opts.Comma
	if cw.Comma == 0 {
		cw.Comma = ';'
	}
	cw.UseCRLF = true // what Excel writes and RFC 4180 asks for
	if err := cw.Write(ExportColumns); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	for _, r := range reports {
		if err := cw.Write(exportRow(r)); err != nil {
			return fmt.Errorf("storage: export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("storage: export: %w", err)
	}
	return bw.Flush()
}

func exportRow(r *Report) []string {
	var decidedBy, decidedAt, note string
	if d, ok := decision(r); ok {
		decidedBy = d.By.Name
		if decidedBy == "" {
			decidedBy = d.By.ID
		}
		if d.By.ID == "system" {
			decidedBy = "sistem"
		}
		decidedAt = wibTime(d.At)
		note = d.Note
	}
	relation := r.Relation
	if r.ForSelf && relation == "" {
		relation = "diri sendiri"
	}
	row := []string{
		r.ID, KindLabel(r.Kind), StatusLabel(r.Status), wibTime(r.CreatedAt), r.NIK, r.Name, r.Address,
		r.Desa, r.Kecamatan, ReasonLabel(r.Kind, r.Reason), r.ReasonText, r.Phone, r.ReporterName, relation,
		r.From.Channel, decidedBy, decidedAt, note,
		noNIKCell(r),
		r.When, r.Involved, strings.Join(r.Photos, " "), r.Location, linkedCell(r), receiptCell(r),
	}
	for i, cell := range row {
		row[i] = neutralise(cell)
	}
	return row
}

func linkedCell(r *Report) string {
	if r.Complaint != "" {
		return r.Complaint
	}
	return r.Linked
}

// receiptCell is the citizen's answer to "Apakah paket sudah diterima?".
func receiptCell(r *Report) string {
	switch {
	case !r.ReceivedAt.IsZero():
		return "sudah " + wibTime(r.ReceivedAt)
	case !r.NotReceivedAt.IsZero():
		return "belum " + wibTime(r.NotReceivedAt)
	case !r.ReceiptAskedAt.IsZero():
		return "ditanyakan " + wibTime(r.ReceiptAskedAt)
	}
	return ""
}

// decision is the staff verdict on r, if any: the move out of submitted that stands.
func decision(r *Report) (Transition, bool) { return r.Verdict() }

func wibTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(wib).Format(exportTime)
}

// neutralise defuses CSV injection: names and free text come from the public, and a cell that
// starts like a formula would be evaluated by Excel or LibreOffice. A leading apostrophe makes
// the spreadsheet show the cell as text.
func neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
