package registry

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func tokensOf(name string) []string {
	_, toks := canonTokens(name, nil, nil)
	out := []string{}
	for _, t := range toks {
		out = append(out, string(t))
	}
	return out
}

func TestCanonTokens(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"case and spacing", "  SITI   wahyuni ", []string{"siti", "wahyuni"}},
		{"muhammad spellings", "Muhammad Mohammad Mochammad Moh. Muh. M.", []string{"muhamad", "muhamad", "muhamad", "muhamad", "muhamad", "m"}},
		{"siti abbreviated", "St. Aminah", []string{"siti", "aminah"}},
		{"abdul abbreviated", "Abd. Rahman", []string{"abdul", "rahman"}},
		{"nurul", "Nurul Hidayah", []string{"nur", "hidayah"}},
		{"old spelling", "Soedjono Tjahjadi", []string{"suyono", "cahyadi"}},
		{"achmad", "Achmad Ghofur", []string{"ahmad", "gofur"}},
		{"leading titles dropped", "Hj. Dr. Siti H", []string{"siti", "h"}},
		{"degree after comma dropped", "Budi Santoso, S.Pd", []string{"budi", "santoso"}},
		{"apostrophe joins", "Ma'ruf Amin", []string{"maruf", "amin"}},
		{"accents folded", "José Müller", []string{"yose", "muler"}},
		{"punctuation separates", "Siti-Nur.Aini", []string{"siti", "nur", "aini"}},
		{"empty", " .,", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokensOf(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("canonTokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNamesMatch(t *testing.T) {
	tests := []struct {
		name, typed, registry string
		want                  bool
	}{
		{"same", "Budi Santoso", "BUDI SANTOSO", true},
		{"middle name missing", "Budi Santoso", "Budi Agus Santoso", true},
		{"last name missing", "Budi Agus", "Budi Agus Santoso", true},
		{"order matters", "Santoso Budi", "Budi Santoso", false},
		{"extra typed word", "Budi Agus Santoso", "Budi Santoso", false},
		{"initial typed", "M. Rizki", "Muhammad Rizki", true},
		{"initial registered", "Budi Santoso", "Budi S.", true},
		{"joined typed", "Nurhaliza", "Nur Haliza", true},
		{"split typed", "Nur Haliza", "Nurhaliza", true},
		{"abbreviation", "Moh Abd Gofur", "Mochammad Abdul Ghofur", true},
		{"different", "Siti Aminah", "Siti Aisyah", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, q := canonTokens(tt.typed, nil, nil)
			_, n := canonTokens(tt.registry, nil, nil)
			if got := namesMatch(q, n); got != tt.want {
				t.Errorf("namesMatch(%q, %q) = %v", tt.typed, tt.registry, got)
			}
		})
	}
}

func TestNormRegion(t *testing.T) {
	w := Regions()
	kec := w.Kecamatan("35.10")[0]
	tests := []struct{ a, b string }{
		{"Sumberrejo", "SUMBER REJO"},
		{"Desa Sumber-Rejo", "sumberrejo"},
		{"Kec. Genteng", "genteng"},
		{"Kelurahan Kertosari", "Kertosari"},
		{"Soemberredjo", "Sumberejo"},
		{kec.Code, kec.Name},
	}
	for _, tt := range tests {
		if normRegion(tt.a) != normRegion(tt.b) || normRegion(tt.a) == "" {
			t.Errorf("normRegion(%q) = %q, normRegion(%q) = %q", tt.a, normRegion(tt.a), tt.b, normRegion(tt.b))
		}
	}
	if normRegion("Sumberrejo") == normRegion("Sumberagung") {
		t.Error("different desa normalise equal")
	}
}

// nameFixture is a registry of one desa (and a neighbour) with the names Cek by name must find.
var nameFixture = []struct {
	id         uint64
	name, desa string
	programs   []string
}{
	{1, "Muhammad Rizki Pratama", "Sumberrejo", []string{"PKH"}},
	{2, "Siti Nurhaliza", "Sumberrejo", []string{"BPNT"}},
	{3, "MOCH. ABDUL GHOFUR", "Sumberrejo", []string{"PKH"}},
	{4, "H. Ahmad Dahlan, S.Pd", "Sumberrejo", []string{"BLT Desa"}},
	{5, "Soedjono", "Sumberrejo", []string{"PKH"}},
	{6, "Nur Haliza Putri", "Sumberrejo", []string{"PKH"}},
	{7, "Budi Santoso", "Kedungrejo", []string{"PKH"}},
	{8, "Budi Santoso", "Sumberrejo", []string{"PKH"}},
	{9, "Budi Agus Santoso", "Sumberrejo", []string{"BPNT"}},
	{10, "Ma'ruf Amin", "Sumberrejo", []string{"PKH"}},
	{11, "Siti Aminah", "Sumberrejo", []string{"PKH", "BPNT"}},
}

func fixtureNIK(id uint64) NIK { return syntheticNIK(id * nikStep) }

func loadNameFixture(t *testing.T) *Registry {
	t.Helper()
	var src strings.Builder
	src.WriteString("nik;nama;alamat;desa;kecamatan;program;periode;status\n")
	for _, e := range nameFixture {
		for _, p := range e.programs {
			fmt.Fprintf(&src, "%s;%s;Dusun Krajan;%s;Banyuwangi;%s;2026 Tahap 3;Sudah Salur\n", fixtureNIK(e.id), e.name, e.desa, p)
		}
	}
	r, _ := openTest(t)
	if _, err := r.ImportReader(context.Background(), strings.NewReader(src.String()), "test", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSearchName(t *testing.T) {
	r := loadNameFixture(t)
	tests := []struct {
		name           string
		kec, desa, typ string
		limit          int
		want           []uint64 // fixture ids, in NIK order
		more           bool
		err            error
	}{
		{name: "full name", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Muhammad Rizki Pratama", want: []uint64{1}},
		{name: "abbreviated, last name missing", kec: "banyuwangi", desa: "sumberrejo", typ: "Moh. Rizki", want: []uint64{1}},
		{name: "other spelling, odd spacing", kec: "Banyuwangi", desa: "Sumberrejo", typ: "  mochammad   RIZKI pratama", want: []uint64{1}},
		{name: "initial", kec: "Banyuwangi", desa: "Sumberrejo", typ: "M Rizki", want: []uint64{1}},
		{name: "wrong order", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Rizki Muhammad", err: ErrNameNotFound},
		{name: "siti abbreviated", kec: "Banyuwangi", desa: "Sumberrejo", typ: "St. Nurhaliza", want: []uint64{2}},
		{name: "joined name typed apart", kec: "Banyuwangi", desa: "Sumberrejo", typ: "siti nur haliza", want: []uint64{2}},
		{name: "name typed joined", kec: "Banyuwangi", desa: "Sumberrejo", typ: "nurhaliza", want: []uint64{2, 6}},
		{name: "abdul and ghofur spellings", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Muh Abd Gofur", want: []uint64{3}},
		{name: "title and degree", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Achmad Dahlan", want: []uint64{4}},
		{name: "old spelling", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Sujono", want: []uint64{5}},
		{name: "middle name missing", kec: "Banyuwangi", desa: "Sumberrejo", typ: "budi santoso", want: []uint64{8, 9}},
		{name: "limit and more", kec: "Banyuwangi", desa: "Sumberrejo", typ: "budi santoso", limit: 1, want: []uint64{8}, more: true},
		{name: "other desa", kec: "Banyuwangi", desa: "Kedungrejo", typ: "budi santoso", want: []uint64{7}},
		{name: "region written differently", kec: "Kec. BANYUWANGI", desa: "Desa Sumber Rejo", typ: "Ma'ruf Amin", want: []uint64{10}},
		{name: "apostrophe left out", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Maruf Amin", want: []uint64{10}},
		{name: "two programs", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Siti Aminah", want: []uint64{11}},
		{name: "not in the desa", kec: "Banyuwangi", desa: "Sumberrejo", typ: "Rahmat Hidayat", err: ErrNameNotFound},
		{name: "desa unknown", kec: "Banyuwangi", desa: "Tamansari", typ: "Siti Aminah", err: ErrNameNotFound},
		{name: "only an initial", kec: "Banyuwangi", desa: "Sumberrejo", typ: "M.", err: ErrNameTooShort},
		{name: "no desa", kec: "Banyuwangi", desa: " ", typ: "Siti Aminah", err: ErrNoRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more, err := r.SearchName(context.Background(), tt.kec, tt.desa, tt.typ, tt.limit)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			var want []NIK
			for _, id := range tt.want {
				want = append(want, fixtureNIK(id))
			}
			slices.Sort(want)
			var ids []NIK
			for _, m := range got {
				ids = append(ids, m.NIK)
			}
			if !reflect.DeepEqual(ids, want) || more != tt.more {
				t.Fatalf("got %v more=%v, want %v more=%v", ids, more, want, tt.more)
			}
		})
	}
}

func TestSearchNameResult(t *testing.T) {
	r := loadNameFixture(t)
	got, _, err := r.SearchName(context.Background(), "Banyuwangi", "Sumberrejo", "siti aminah", 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []Match{{NIK: fixtureNIK(11), Name: "S**i A****h", Desa: "Sumberrejo", Kecamatan: "Banyuwangi", Programs: []MatchProgram{
		{Program: "PKH", Period: "2026 Tahap 3", Status: "Sudah Salur"}, {Program: "BPNT", Period: "2026 Tahap 3", Status: "Sudah Salur"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestSearchNameRegistryState(t *testing.T) {
	ctx := context.Background()
	t.Run("nothing imported", func(t *testing.T) {
		r, _ := openTest(t)
		if _, _, err := r.SearchName(ctx, "Banyuwangi", "Sumberrejo", "Siti", 5); !errors.Is(err, ErrNotLoaded) {
			t.Errorf("err %v, want ErrNotLoaded", err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		r := loadNameFixture(t)
		r.Close()
		if _, _, err := r.SearchName(ctx, "Banyuwangi", "Sumberrejo", "Siti", 5); !errors.Is(err, ErrClosed) {
			t.Errorf("err %v, want ErrClosed", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		r := loadNameFixture(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := r.SearchName(cctx, "Banyuwangi", "Sumberrejo", "Siti", 5); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
	t.Run("file of an older version", func(t *testing.T) {
		r := loadNameFixture(t)
		r.Close()
		db, err := bolt.Open(filepath.Join(r.Dir, fileName), 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte(bucketName)) }); err != nil {
			t.Fatal(err)
		}
		db.Close()
		r2 := &Registry{Dir: r.Dir}
		if err := r2.Open(); err != nil {
			t.Fatal(err)
		}
		defer r2.Close()
		if _, err := r2.Lookup(fixtureNIK(1)); err != nil {
			t.Errorf("NIK lookup in an older file: %v", err)
		}
		if _, _, err := r2.SearchName(ctx, "Banyuwangi", "Sumberrejo", "Siti", 5); !errors.Is(err, ErrNoNameIndex) {
			t.Errorf("err %v, want ErrNoNameIndex", err)
		}
	})
}

func BenchmarkCanonTokens(b *testing.B) {
	names := []string{"Siti Wahyuni", "Muhammad Rizki Pratama", "Budi Santoso, S.Pd", "H. Ahmad Dahlan", "Sri Rahayu Lestari"}
	var buf []byte
	var toks [][]byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, toks = canonTokens(names[i%len(names)], buf[:0], toks[:0])
	}
}
