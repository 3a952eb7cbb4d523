package registry

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
)

// toScript writes the ASCII digits of s in the script whose zero is zero.
func toScript(s string, zero rune) string {
	return strings.Map(func(r rune) rune {
		if '0' <= r && r <= '9' {
			return zero + r - '0'
		}
		return r
	}, s)
}

const testNIK = "3510094507800042" // 35.10.09 Genteng, woman born 05-07-1980, serial 0042

func TestParseNIK(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   NIK
		code   NIKErrorCode
		detail string // substring of the error detail
	}{
		{name: "plain", in: testNIK, want: testNIK},
		{name: "spaces", in: " 3510 0945 0780 0042 ", want: testNIK},
		{name: "dots", in: "35.10.09.450780.0042", want: testNIK},
		{name: "dashes", in: "3510-0945-0780-0042", want: testNIK},
		{name: "no-break and narrow no-break spaces", in: "3510\u00a00945\u202f0780\u00a00042", want: testNIK},
		{name: "tab and newline", in: "3510094507800042\n", want: testNIK},
		{name: "unicode dash and zero-width space", in: "3510\u20130945\u200b07800042", want: testNIK},
		{name: "Arabic-Indic digits", in: toScript(testNIK, '٠'), want: testNIK},
		{name: "Extended Arabic-Indic digits", in: toScript(testNIK, '۰'), want: testNIK},
		{name: "full-width digits", in: toScript(testNIK, '０'), want: testNIK},
		{name: "Devanagari digits", in: toScript(testNIK, '०'), want: testNIK},
		{name: "mixed scripts", in: "٣٥١٠" + "０９４５" + "07800042", want: testNIK},
		{name: "man", in: "3510090507800042", want: "3510090507800042"},
		{name: "woman day 71 in July", in: "3510097107800042", want: "3510097107800042"},
		{name: "29 February of a leap year", in: "3510092902800042", want: "3510092902800042"},
		{name: "29 February of year 00", in: "3510092902000042", want: "3510092902000042"},
		{name: "woman born 29 February of a leap year", in: "3510096902840042", want: "3510096902840042"},
		{name: "unknown regency is not an error", in: "3599994507800042", want: "3599994507800042"},
		{name: "last serial", in: "3510094507809999", want: "3510094507809999"},

		{name: "empty", in: "", code: NIKEmpty},
		{name: "only separators", in: " .-\u00a0", code: NIKEmpty},
		{name: "emoji", in: testNIK + "😀", code: NIKNotDigits, detail: "U+1F600"},
		{name: "letter O for zero", in: "35100945078OO042", code: NIKNotDigits, detail: `'O'`},
		{name: "slash", in: "3510/0945/0780/0042", code: NIKNotDigits, detail: "position 5"},
		{name: "invalid UTF-8", in: "3510\xff0945", code: NIKNotDigits, detail: "UTF-8"},
		{name: "15 digits", in: testNIK[:15], code: NIKTooShort, detail: "15 digits"},
		{name: "one digit", in: "3", code: NIKTooShort, detail: "1 digits"},
		{name: "17 digits", in: testNIK + "1", code: NIKTooLong, detail: "17 digits"},
		{name: "32 digits", in: testNIK + testNIK, code: NIKTooLong, detail: "32 digits"},
		{name: "province 00", in: "0010094507800042", code: NIKProvince, detail: "00"},
		{name: "province 99", in: "9910094507800042", code: NIKProvince},
		{name: "month 00", in: "3510094500800042", code: NIKBirthMonth, detail: "month 00"},
		{name: "month 13", in: "3510094513800042", code: NIKBirthMonth, detail: "month 13"},
		{name: "day 00", in: "3510090007800042", code: NIKBirthDay},
		{name: "day 32", in: "3510093207800042", code: NIKBirthDay},
		{name: "day 40", in: "3510094007800042", code: NIKBirthDay},
		{name: "day 72", in: "3510097207800042", code: NIKBirthDay},
		{name: "31 April", in: "3510093104800042", code: NIKBirthDay},
		{name: "woman 31 April", in: "3510097104800042", code: NIKBirthDay},
		{name: "29 February of a common year", in: "3510092902810042", code: NIKBirthDay},
		{name: "30 February", in: "3510093002800042", code: NIKBirthDay},
		{name: "31 February", in: "3510093102800042", code: NIKBirthDay},
		{name: "woman 30 February", in: "3510097002800042", code: NIKBirthDay},
		{name: "serial 0000", in: "3510094507800000", code: NIKSerial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNIK(tt.in)
			// The import's allocation-free path must agree, value and error.
			if key, kerr := nikKey(tt.in); kerr == nil && (err != nil || key != got.Uint64()) ||
				kerr != nil && (err == nil || kerr.Error() != err.Error()) {
				t.Errorf("nikKey(%q) = %d, %v; ParseNIK %q, %v", tt.in, key, kerr, got, err)
			}
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("ParseNIK(%q) = %v", tt.in, err)
				}
				if got != tt.want {
					t.Fatalf("ParseNIK(%q) = %q, want %q", tt.in, got, tt.want)
				}
				return
			}
			var ne *NIKError
			if !errors.As(err, &ne) {
				t.Fatalf("ParseNIK(%q) = %q, %v; want a *NIKError %v", tt.in, got, err, tt.code)
			}
			if ne.Code != tt.code {
				t.Fatalf("ParseNIK(%q) code %v (%v), want %v", tt.in, ne.Code, err, tt.code)
			}
			if !strings.Contains(ne.Detail, tt.detail) {
				t.Errorf("detail %q does not mention %q", ne.Detail, tt.detail)
			}
			if digits := strings.Map(keepDigits, tt.in); len(digits) >= 16 && strings.Contains(err.Error(), digits[:16]) {
				t.Errorf("error %q holds the full NIK", err)
			}
			if got != "" {
				t.Errorf("got NIK %q with an error", got)
			}
		})
	}
}

func keepDigits(r rune) rune {
	if '0' <= r && r <= '9' {
		return r
	}
	return -1
}

func TestDigitValueCoversUnicodeNd(t *testing.T) {
	check := func(lo, hi uint32) {
		if (hi-lo+1)%10 != 0 {
			t.Errorf("Nd range %U–%U is not whole runs of ten digits", lo, hi)
		}
		for r := lo; r <= hi; r++ {
			if d, ok := DigitValue(rune(r)); !ok || d != int(r-lo)%10 {
				t.Errorf("DigitValue(%U) = %d, %v; want %d", r, d, ok, (r-lo)%10)
			}
		}
	}
	for _, rg := range unicode.Nd.R16 {
		check(uint32(rg.Lo), uint32(rg.Hi))
	}
	for _, rg := range unicode.Nd.R32 {
		check(rg.Lo, rg.Hi)
	}
	for _, r := range []rune{'a', '½', '²', 'Ⅻ', '😀'} {
		if _, ok := DigitValue(r); ok {
			t.Errorf("DigitValue(%q) is a digit", r)
		}
	}
}

func TestNIKMethods(t *testing.T) {
	n := NIK(testNIK)
	if got := n.Masked(); got != "351009******0042" {
		t.Errorf("Masked = %q", got)
	}
	if got := n.RegionCode(); got != "35.10.09" {
		t.Errorf("RegionCode = %q", got)
	}
	if got := n.String(); got != testNIK {
		t.Errorf("String = %q", got)
	}
	if got := n.Uint64(); got != 3510094507800042 {
		t.Errorf("Uint64 = %d", got)
	}
	if got := NIK("").Masked(); got != "" {
		t.Errorf("zero NIK Masked = %q", got)
	}
}

func TestNIKInfoAt(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name string
		nik  NIK
		want NIKInfo
	}{
		{
			name: "woman from Genteng, Banyuwangi",
			nik:  testNIK,
			want: NIKInfo{Province: "35", Regency: "35.10", Kecamatan: "35.10.09",
				ProvinceName: "Jawa Timur", RegencyName: "Kabupaten Banyuwangi", KecamatanName: "Genteng",
				BirthDate: date(1980, 7, 5), Female: true},
		},
		{
			name: "man born this century",
			nik:  "3510011203250007",
			want: NIKInfo{Province: "35", Regency: "35.10", Kecamatan: "35.10.01",
				ProvinceName: "Jawa Timur", RegencyName: "Kabupaten Banyuwangi", KecamatanName: "Pesanggaran",
				BirthDate: date(2025, 3, 12)},
		},
		{
			name: "birthday later this year means last century",
			nik:  "3510011212260007",
			want: NIKInfo{Province: "35", Regency: "35.10", Kecamatan: "35.10.01",
				ProvinceName: "Jawa Timur", RegencyName: "Kabupaten Banyuwangi", KecamatanName: "Pesanggaran",
				BirthDate: date(1926, 12, 12)},
		},
		{
			name: "born today",
			nik:  "3510016211260007",
			want: NIKInfo{Province: "35", Regency: "35.10", Kecamatan: "35.10.01",
				ProvinceName: "Jawa Timur", RegencyName: "Kabupaten Banyuwangi", KecamatanName: "Pesanggaran",
				BirthDate: date(2026, 11, 22), Female: true},
		},
		{
			name: "29 February 2000",
			nik:  "3510012902000007",
			want: NIKInfo{Province: "35", Regency: "35.10", Kecamatan: "35.10.01",
				ProvinceName: "Jawa Timur", RegencyName: "Kabupaten Banyuwangi", KecamatanName: "Pesanggaran",
				BirthDate: date(2000, 2, 29)},
		},
		{
			name: "unknown regency and kecamatan keep their codes",
			nik:  "3599990101900001",
			want: NIKInfo{Province: "35", Regency: "35.99", Kecamatan: "35.99.99",
				ProvinceName: "Jawa Timur", BirthDate: date(1990, 1, 1)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseNIK(string(tt.nik)); err != nil {
				t.Fatal(err)
			}
			if got := tt.nik.InfoAt(now); got != tt.want {
				t.Errorf("InfoAt:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if got := NIK(testNIK).Info(); got.BirthDate.Year() != 1980 {
		t.Errorf("Info birth year %d", got.BirthDate.Year())
	}
}

func TestMaskName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"two words", "Siti Wahyuni", "S**i W*****i"},
		{"three words", "Muhammad Nur Hidayat", "M******d N*r H*****t"},
		{"one letter", "A", "A*"},
		{"two letters", "Ny Sri", "N* S*i"},
		{"extra spaces", "  Budi   Santoso ", "B**i S*****o"},
		{"non-ASCII letters are runes", "Ésa Çakır", "É*a Ç***r"},
		{"punctuation is kept as a letter", "Moh. Ali", "M**. A*i"},
		{"empty", "", ""},
		{"only spaces", "   ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskName(tt.in); got != tt.want {
				t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskRaw(t *testing.T) {
	tests := []struct{ in, want string }{
		{"35100945078000xx", "351009******00xx"},
		{"351009450780004", "351009*****0004"},
		{"3510094", "*******"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := maskRaw(tt.in); got != tt.want {
			t.Errorf("maskRaw(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseNIK(f *testing.F) {
	for _, s := range []string{testNIK, "3510 0945 0780 0042", toScript(testNIK, '٠'), toScript(testNIK, '０'),
		"", "😀", "3510094507800000", "35.10.09-45\u00a007800042", "9910094507800042", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNIK(s)
		if err != nil {
			var ne *NIKError
			if !errors.As(err, &ne) || ne.Code < NIKEmpty || ne.Code > NIKSerial {
				t.Fatalf("ParseNIK(%q) error %v is not a coded *NIKError", s, err)
			}
			if n != "" {
				t.Fatalf("ParseNIK(%q) = %q with an error", s, n)
			}
			return
		}
		if len(n) != 16 || !allASCIIDigits(string(n)) {
			t.Fatalf("ParseNIK(%q) = %q: not 16 ASCII digits", s, n)
		}
		again, err := ParseNIK(string(n))
		if err != nil || again != n {
			t.Fatalf("ParseNIK(%q) = %q, %v; does not re-parse to itself", n, again, err)
		}
		_ = n.InfoAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		_ = n.Masked()
	})
}
