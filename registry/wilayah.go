package registry

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sort"
	"strings"
	"sync"
)

// wilayahGz is Kemendagri's region code list (see wilayah/README.md): gzipped `kode;nama` lines.
//
//go:embed wilayah/wilayah.csv.gz
var wilayahGz []byte

// Region is one administrative region: a province ("35"), regency or city ("35.10"), kecamatan
// ("35.10.09") or desa/kelurahan ("35.10.09.2001").
type Region struct {
	Code string // dotted Kemendagri code
	Name string
}

// Wilayah is the immutable table of Indonesia's region codes. Get it from Regions.
type Wilayah struct {
	regions  []Region // sorted by Code; dotted codes sort parent first, then children
	byCode   map[string]int32
	province [100]bool // two-digit province codes, for ParseNIK's hot path
}

var (
	wilayahOnce sync.Once
	wilayah     *Wilayah
)

// Regions returns the embedded region table, decoded on first use (about 30 ms) and shared after.
func Regions() *Wilayah {
	wilayahOnce.Do(func() {
		w, err := parseWilayah(wilayahGz)
		if err != nil {
			// The file is embedded and covered by tests: a failure here is a broken build.
			panic("registry: embedded wilayah table: " + err.Error())
		}
		wilayah = w
	})
	return wilayah
}

func parseWilayah(gz []byte) (*Wilayah, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	// One string for the whole table: every Code and Name is a substring of it, so 90k regions
	// cost two allocations instead of 180k.
	text := string(raw)
	w := &Wilayah{regions: make([]Region, 0, strings.Count(text, "\n")+1)}
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		code, name, ok := strings.Cut(line, ";")
		if !ok || code == "kode" || code == "" {
			continue
		}
		w.regions = append(w.regions, Region{Code: code, Name: name})
	}
	sort.Slice(w.regions, func(i, j int) bool { return w.regions[i].Code < w.regions[j].Code })
	w.byCode = make(map[string]int32, len(w.regions))
	for i, r := range w.regions {
		w.byCode[r.Code] = int32(i)
		if len(r.Code) == 2 && isDigit(r.Code[0]) && isDigit(r.Code[1]) {
			w.province[int(r.Code[0]-'0')*10+int(r.Code[1]-'0')] = true
		}
	}
	return w, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Name returns the name of the region with the given code, at any level. The code is dotted
// ("35.10.09"); an undotted one ("351009") is accepted too.
func (w *Wilayah) Name(code string) (string, bool) {
	i, ok := w.byCode[code]
	if !ok {
		dotted, ok2 := dotCode(code)
		if !ok2 {
			return "", false
		}
		if i, ok = w.byCode[dotted]; !ok {
			return "", false
		}
	}
	return w.regions[i].Name, true
}

// dotCode turns "351009" into "35.10.09" (and "3510092001" into "35.10.09.2001").
func dotCode(code string) (string, bool) {
	switch len(code) {
	case 2, 4, 6, 10:
	default:
		return "", false
	}
	for i := 0; i < len(code); i++ {
		if !isDigit(code[i]) {
			return "", false
		}
	}
	var b strings.Builder
	for i := 0; i < len(code) && i < 6; i += 2 {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(code[i : i+2])
	}
	if len(code) == 10 {
		b.WriteByte('.')
		b.WriteString(code[6:])
	}
	return b.String(), true
}

// Province reports whether the two-digit code is a province.
func (w *Wilayah) Province(code string) bool {
	if len(code) != 2 || !isDigit(code[0]) || !isDigit(code[1]) {
		return false
	}
	return w.province[int(code[0]-'0')*10+int(code[1]-'0')]
}

// Kecamatan returns the kecamatan of a regency or city ("35.10"), ordered by code; nil when the
// regency is unknown.
func (w *Wilayah) Kecamatan(regencyCode string) []Region {
	return w.children(regencyCode, len("35.10.09"))
}

// Desa returns the desa and kelurahan of a kecamatan ("35.10.09"), ordered by code; nil when the
// kecamatan is unknown.
func (w *Wilayah) Desa(kecamatanCode string) []Region {
	return w.children(kecamatanCode, len("35.10.09.2001"))
}

// Regencies returns the regencies and cities of a province ("35"), ordered by code.
func (w *Wilayah) Regencies(provinceCode string) []Region {
	return w.children(provinceCode, len("35.10"))
}

// children returns the regions directly under parent: dotted codes sort each parent's
// descendants right after it, so they are one contiguous run.
func (w *Wilayah) children(parent string, childLen int) []Region {
	if parent == "" {
		return nil
	}
	prefix := parent + "."
	lo := sort.Search(len(w.regions), func(i int) bool { return w.regions[i].Code >= prefix })
	var out []Region
	for i := lo; i < len(w.regions) && strings.HasPrefix(w.regions[i].Code, prefix); i++ {
		if len(w.regions[i].Code) == childLen {
			out = append(out, w.regions[i])
		}
	}
	return out
}
