package registry

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
)

// csvResult is one Read of a CSV reader, as the import uses it.
type csvResult struct {
	Fields []string
	Line   int
	Err    string
}

// readAllCSV reads data with encoding/csv set as the import used to set it, the line of each
// record from FieldPos.
func readAllCSV(data []byte, sep byte) []csvResult {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = rune(sep)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var out []csvResult
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		r := csvResult{Fields: append([]string(nil), rec...)}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.Err = fmt.Sprintf("%d %d %d %v", pe.StartLine, pe.Line, pe.Column, pe.Err)
			r.Line = pe.StartLine
		} else if err != nil {
			r.Err = err.Error()
		} else {
			r.Line, _ = cr.FieldPos(0)
		}
		if r.Err != "" {
			r.Fields = nil // what a reader returns beside an error is not used
		}
		out = append(out, r)
		if len(out) > 10_000 {
			return out
		}
	}
}

func readAllRecords(data []byte, sep byte, bufSize int) []csvResult {
	c := newCSVRecords(bufio.NewReaderSize(bytes.NewReader(data), bufSize), sep, 1<<20)
	var out []csvResult
	for {
		rec, line, err := c.Read()
		if err == io.EOF {
			return out
		}
		r := csvResult{Fields: append([]string(nil), rec...), Line: line}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			r.Err = fmt.Sprintf("%d %d %d %v", pe.StartLine, pe.Line, pe.Column, pe.Err)
			r.Line = pe.StartLine
		} else if err != nil {
			r.Err = err.Error()
		}
		if r.Err != "" {
			r.Fields = nil
		}
		for i := range r.Fields {
			r.Fields[i] = strings.Clone(r.Fields[i])
		}
		out = append(out, r)
		if len(out) > 10_000 {
			return out
		}
	}
}

var csvSeeds = []string{
	"nik;nama;program\n3510091203850001;Siti Wahyuni;PKH\n",
	"a;b;c\r\nd;e;f\r\n",
	"a;b\n\n\r\n;\nc;d",         // empty lines, a line of separators, no final newline
	"a;b\r",                     // carriage return before EOF
	"a\r;b\r\r\nc\rd;e\n",       // carriage returns inside fields
	"\"a;b\";c\n\"d\"\"e\";f\n", // quoted separator, escaped quote
	"\"multi\nline\";x\ny;z\n",
	"\"multi\n\nwith empty\";x\r\ny;z",
	"a;\"unterminated\nb;c\nd;e\n",
	"a;b\"c;d\ne;f\n",           // bare quote
	"\"ab\"c;d\ne;f\n",          // extraneous quote
	"x;\"ab\"\r\n\"cd\";\"\"\n", // quoted last fields
	"\"\"\n\n\"\";\n",
	strings.Repeat("long field ", 10) + ";" + strings.Repeat("y", 40) + "\n\"" + strings.Repeat("q", 50) + "\";z\n",
	"é;ü;\u00a0\n\"ï\";\"ß\n\"\n",
	"",
	"\n\n",
	"\"",
	"a,b;c\n\"d,e\";f\n",
}

// TestCSVRecordsMatchesEncodingCSV: the fast reader returns what encoding/csv returns, record for
// record, field for field, with the same lines and errors, whatever the buffer size.
func TestCSVRecordsMatchesEncodingCSV(t *testing.T) {
	for i, seed := range csvSeeds {
		for _, sep := range []byte{';', ','} {
			for _, size := range []int{16, 4096} {
				t.Run(fmt.Sprintf("seed%d/%c/%d", i, sep, size), func(t *testing.T) {
					want, got := readAllCSV([]byte(seed), sep), readAllRecords([]byte(seed), sep, size)
					if !reflect.DeepEqual(want, got) {
						t.Errorf("source %q:\nencoding/csv %+v\nfast         %+v", seed, want, got)
					}
				})
			}
		}
	}
}

// FuzzCSVRecords searches for a source on which the fast reader and encoding/csv differ:
//
//	go test -run '^$' -fuzz FuzzCSVRecords -fuzztime 60s ./registry/
func FuzzCSVRecords(f *testing.F) {
	for _, seed := range csvSeeds {
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, semicolon bool) {
		sep := byte(',')
		if semicolon {
			sep = ';'
		}
		want := readAllCSV(data, sep)
		for _, size := range []int{16, 4096} {
			if got := readAllRecords(data, sep, size); !reflect.DeepEqual(want, got) {
				t.Fatalf("buffer %d, source %q:\nencoding/csv %+v\nfast         %+v", size, data, want, got)
			}
		}
	})
}

// TestImportStrayQuote: one quote in an unquoted field ("Gg. Melati\"") costs its row, refused
// with the line and column, not the import: the record-length guard follows encoding/csv's idea
// of where a record ends, and it ends at that line.
func TestImportStrayQuote(t *testing.T) {
	var src strings.Builder
	src.WriteString("nik;nama;program;alamat\n")
	fmt.Fprintf(&src, "%s;Siti;PKH;Gg. Melati\"\n", syntheticNIK(1))
	rows := 0
	for src.Len() < 3*MaxRecordBytes {
		rows++
		fmt.Fprintf(&src, "%s;Warga %d;PKH;Dusun Krajan\n", syntheticNIK(uint64(rows+1)*nikStep), rows)
	}
	r, _ := openTest(t)
	res, err := r.ImportReader(context.Background(), strings.NewReader(src.String()), "test", ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.RowsImported != rows || res.RowsRefused != 1 || len(res.Bad) != 1 || res.Bad[0].Line != 2 ||
		!strings.Contains(res.Bad[0].Reason, "malformed CSV") {
		t.Errorf("imported %d of %d, refused %d: %+v", res.RowsImported, rows, res.RowsRefused, res.Bad)
	}
}
