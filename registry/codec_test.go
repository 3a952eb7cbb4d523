package registry

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func encodeTest(dict []string, progs ...Program) []byte {
	id := func(s string) int {
		for i, d := range dict {
			if d == s {
				return i
			}
		}
		return -1
	}
	var v []byte
	for _, p := range progs {
		for _, f := range []string{p.Program, p.Period, p.Status, p.Name, p.Address, p.Desa, p.Kecamatan} {
			v = appendField(v, f, id(f))
		}
	}
	return v
}

func TestCodecRoundTrip(t *testing.T) {
	dict := []string{"PKH", "2026 Tahap 3", "Sudah Salur", "Genteng"}
	long := strings.Repeat("é", 300) // a length tag over one byte
	tests := []struct {
		name  string
		progs []Program
	}{
		{"one program, dictionary and inline", []Program{{Program: "PKH", Period: "2026 Tahap 3", Status: "Sudah Salur",
			Name: "Siti Wahyuni", Address: "Dusun Krajan", Desa: "Kembiritan", Kecamatan: "Genteng"}}},
		{"several programs", []Program{{Program: "PKH", Name: "Siti"}, {Program: "BPNT", Name: "Siti"}, {Program: "APD", Name: "Siti"}}},
		{"empty fields", []Program{{}}},
		{"long field", []Program{{Program: "BST", Name: long, Address: long}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := encodeTest(dict, tt.progs...)
			got, err := decodePrograms(v, dict)
			if err != nil || !reflect.DeepEqual(got, tt.progs) {
				t.Fatalf("decode = %+v, %v; want %+v", got, err, tt.progs)
			}
			// The result must not alias the stored bytes: bbolt's memory map goes away.
			for i := range v {
				v[i] = 0xff
			}
			if !reflect.DeepEqual(got, tt.progs) {
				t.Error("decoded strings alias the value")
			}
		})
	}
}

func TestCodecCorrupt(t *testing.T) {
	dict := []string{"PKH"}
	good := encodeTest(dict, Program{Program: "PKH", Name: "Siti"})
	tests := []struct {
		name string
		v    []byte
	}{
		{"empty", nil},
		{"truncated record", good[:3]},
		{"inline length past the end", []byte{0xff, 0x01}},
		{"dictionary id out of range", []byte{2 << 1, 1, 1, 1, 1, 1, 1}},
		{"bad uvarint", []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}},
		{"trailing bytes", append(append([]byte{}, good...), 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodePrograms(tt.v, dict); !errors.Is(err, errCorrupt) {
				t.Errorf("decode = %v, want errCorrupt", err)
			}
		})
	}
}

func TestDictRoundTrip(t *testing.T) {
	for _, dict := range [][]string{{}, {"PKH", "", "BLT Desa", strings.Repeat("x", 200)}} {
		got, err := decodeDict(encodeDict(dict))
		if err != nil || !reflect.DeepEqual(got, dict) {
			t.Errorf("decodeDict(encodeDict(%q)) = %q, %v", dict, got, err)
		}
	}
	if _, err := decodeDict([]byte{5, 1}); err == nil {
		t.Error("a truncated dictionary decoded")
	}
}

func FuzzDecodePrograms(f *testing.F) {
	f.Add(encodeTest([]string{"PKH"}, Program{Program: "PKH", Name: "Siti"}, Program{Program: "BST"}))
	f.Add([]byte{0xff, 0x01})
	f.Fuzz(func(t *testing.T, v []byte) {
		progs, err := decodePrograms(v, []string{"PKH", "BPNT"})
		if err == nil && len(progs) == 0 {
			t.Fatal("no programs and no error")
		}
	})
}

func TestSortRows(t *testing.T) {
	for _, n := range []int{0, 1, 100, 5000} {
		rows := make([]row, n)
		for i := range rows {
			// Few distinct keys, so equal keys must keep their (loc) order.
			rows[i] = row{key: uint64(i*7919%97) * 1_000_000_007 % 9_999_999_999_999_999, loc: uint64(i)}
		}
		got := sortRows(rows, nil)
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if a.key > b.key || (a.key == b.key && a.loc > b.loc) {
				t.Fatalf("n=%d: rows %d and %d out of order: %+v %+v", n, i-1, i, a, b)
			}
		}
	}
}

func TestBloom(t *testing.T) {
	const n = 100_000
	b := newBloom(n)
	for i := range uint64(n) {
		b.add(syntheticNIK(i * nikStep).Uint64())
	}
	for i := range uint64(n) {
		if !b.mayContain(syntheticNIK(i * nikStep).Uint64()) {
			t.Fatalf("false negative for key %d", i)
		}
	}
	fp := 0
	for i := range n {
		if b.mayContain(missNIK(i).Uint64()) {
			fp++
		}
	}
	if rate := float64(fp) / n; rate > 0.02 {
		t.Errorf("false positive rate %.3f", rate)
	}
	if !bloom(nil).mayContain(1) {
		t.Error("a missing filter must let every key through")
	}
}
