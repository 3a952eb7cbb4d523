package registry

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// sixteenDigits finds anything that could be a NIK in an error text.
var sixteenDigits = regexp.MustCompile(`\d{16}`)

// FuzzImportCSV feeds arbitrary bytes to the CSV import and fails when an error, or the reason
// given for a refused row, holds 16 digits in a row: import errors reach the CLI and the sync
// log, and must name lines and columns, never a row's contents. The seeds run with every
// `go test`; to search further:
//
//	go test -run '^$' -fuzz FuzzImportCSV -fuzztime 60s ./registry/
func FuzzImportCSV(f *testing.F) {
	for _, seed := range []string{
		"nik;nama;program\n3510091203850001;Siti Wahyuni;PKH\n",
		// No header row: the first row is read as the header.
		"3510091203850001;Siti Wahyuni;PKH;Dusun Krajan RT 01\n3510011203650007;Budi;BPNT;x\n",
		"3510091203850001,Siti Wahyuni,PKH\n",
		"nik;nama;program\n35100912038500011;Siti;PKH\n",        // 17 digits
		"nik;nama;program\n3510091203850001x;Siti;PKH\n",        // a letter after
		"nik;nama;program\n3510091203850001;;PKH\n",             // no nama
		"nik;nama;program\n3510091203850001;Siti\n",             // too few fields
		"nik;nama;program\n3510091203850001;\"Siti;PKH\n",       // open quote
		"nik;nama;program\n9910091203850001;Siti;PKH\n",         // no such province
		"nik;nama;program\n\"3510091203850001\"\"\";Siti;PKH\n", // bad quoting
		"\ufeffNIK,Nama,Program,Alamat\n3510 0912 0385 0001,Siti,PKH,Jl. Mawar\n",
		"nama;program;3510091203850001\nSiti;PKH;x\n",
		"\"3510091203850001\nSiti\";PKH\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ext := newExtSort(context.Background(), t.TempDir())
		defer ext.close()
		p, err := parseSource(context.Background(), strings.NewReader(string(data)), int64(len(data)), ImportOptions{MaxBadRows: 50}, ext)
		if err != nil {
			if m := sixteenDigits.FindString(err.Error()); m != "" {
				t.Fatalf("error holds 16 digits %q: %v", m, err)
			}
			return
		}
		for _, b := range p.bad {
			if m := sixteenDigits.FindString(b.Reason); m != "" {
				t.Fatalf("line %d: reason holds 16 digits %q: %s", b.Line, m, b.Reason)
			}
		}
	})
}

// The error for a file without a header names line 1 and what is missing, and nothing of the row.
func TestImportWithoutHeaderEchoesNothing(t *testing.T) {
	r, _ := openTest(t)
	src := "3510091203850001;Siti Wahyuni;PKH;Dusun Krajan RT 01 RW 02\n"
	_, err := r.ImportReader(context.Background(), strings.NewReader(src), "dtks.csv", ImportOptions{})
	if err == nil {
		t.Fatal("a file without a header was imported")
	}
	for _, leak := range []string{"3510091203850001", "Siti", "Wahyuni", "Krajan", "PKH"} {
		if strings.Contains(err.Error(), leak) {
			t.Fatalf("error echoes %q: %v", leak, err)
		}
	}
	if !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), `"nik"`) {
		t.Fatalf("error does not say where and what: %v", err)
	}
}
