package registry

import (
	"slices"
	"strings"
	"testing"
)

func TestWilayahName(t *testing.T) {
	w := Regions()
	tests := []struct {
		name, code, want string
		ok               bool
	}{
		{"province", "35", "Jawa Timur", true},
		{"newest province", "96", "Papua Barat Daya", true},
		{"regency", "35.10", "Kabupaten Banyuwangi", true},
		{"kecamatan", "35.10.09", "Genteng", true},
		{"first kecamatan of Banyuwangi", "35.10.01", "Pesanggaran", true},
		{"desa", "35.10.01.2001", "Sarongan", true},
		{"undotted kecamatan", "351009", "Genteng", true},
		{"undotted desa", "3510012001", "Sarongan", true},
		{"unknown province", "99", "", false},
		{"unknown regency", "35.99", "", false},
		{"header is not a region", "kode", "", false},
		{"empty", "", "", false},
		{"garbage", "35.1x", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := w.Name(tt.code)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Name(%q) = %q, %v; want %q, %v", tt.code, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestWilayahCounts(t *testing.T) {
	w := Regions()
	count := map[int]int{}
	for _, r := range w.regions {
		count[len(r.Code)]++
	}
	want := map[int]int{2: 38, 5: 514, 8: 7285}
	for l, n := range want {
		if count[l] != n {
			t.Errorf("%d regions with %d-character codes, want %d", count[l], l, n)
		}
	}
	if count[13] < 80000 {
		t.Errorf("only %d desa", count[13])
	}
	provinces := 0
	for code := range 100 {
		if w.province[code] {
			provinces++
		}
	}
	if provinces != 38 || !w.Province("35") || w.Province("00") || w.Province("3") {
		t.Errorf("province table: %d provinces", provinces)
	}
}

func TestWilayahChildren(t *testing.T) {
	w := Regions()
	tests := []struct {
		name        string
		list        []Region
		n           int
		first, last string
		prefix      string
	}{
		{"Banyuwangi's kecamatan", w.Kecamatan("35.10"), 25, "Pesanggaran", "Blimbingsari", "35.10."},
		{"Genteng's desa", w.Desa("35.10.09"), -1, "", "", "35.10.09."},
		{"Jawa Timur's regencies", w.Regencies("35"), 38, "Kabupaten Pacitan", "Kota Batu", "35."},
		{"unknown regency", w.Kecamatan("35.99"), 0, "", "", ""},
		{"a kecamatan has no kecamatan", w.Kecamatan("35.10.09"), 0, "", "", ""},
		{"empty code", w.Desa(""), 0, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.n >= 0 && len(tt.list) != tt.n {
				t.Fatalf("%d regions, want %d", len(tt.list), tt.n)
			}
			if tt.n < 0 && len(tt.list) == 0 {
				t.Fatal("no regions")
			}
			if tt.first != "" && (tt.list[0].Name != tt.first || tt.list[len(tt.list)-1].Name != tt.last) {
				t.Errorf("first %q, last %q; want %q, %q", tt.list[0].Name, tt.list[len(tt.list)-1].Name, tt.first, tt.last)
			}
			if !slices.IsSortedFunc(tt.list, func(a, b Region) int { return strings.Compare(a.Code, b.Code) }) {
				t.Error("not ordered by code")
			}
			for _, r := range tt.list {
				if !strings.HasPrefix(r.Code, tt.prefix) || strings.Count(r.Code, ".") != strings.Count(tt.prefix, ".") {
					t.Errorf("region %s is not a child of %s", r.Code, strings.TrimSuffix(tt.prefix, "."))
				}
			}
		})
	}
}

func TestRegionsIsShared(t *testing.T) {
	if a, b := Regions(), Regions(); a != b {
		t.Error("Regions decodes the table more than once")
	}
}
