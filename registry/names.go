package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name search, as Cek Bansos does it: the citizen gives the kecamatan, the desa and the name as on
// the KTP, and gets the registry entries of that desa whose name matches.
//
// The index is bucket "name": the key is a 48-bit hash of (normalised kecamatan, normalised desa,
// canonical name token), the value the sorted NIKs whose name has that token in that desa
// (encodePosting). A search intersects the posting lists of the typed tokens, then checks each
// remaining NIK's record: region, and the typed tokens in order among the name's tokens. A hash
// collision only adds a candidate that this check removes.

const bucketName = "name"

var (
	// ErrNameNotFound: no entry of that desa matches the name.
	ErrNameNotFound = errors.New("registry: no matching name in that desa")
	// ErrNotLoaded: no registry has been imported yet; not the same as "not found".
	ErrNotLoaded = errors.New("registry: no registry loaded")
	// ErrNoNameIndex: the registry file predates the name index; import it again.
	ErrNoNameIndex = errors.New("registry: the registry file has no name index (import it again)")
	// ErrNameTooShort: the name has no word of two letters or more to search by.
	ErrNameTooShort = errors.New("registry: the name has no word of two letters or more")
	// ErrNoRegion: the kecamatan or desa is empty.
	ErrNoRegion = errors.New("registry: kecamatan and desa are needed")
)

// Match is one registry entry found by name. Name is masked; the address is never returned.
type Match struct {
	NIK       NIK
	Name      string // masked (MaskName)
	Desa      string // as the registry writes them
	Kecamatan string
	Programs  []MatchProgram
}

// MatchProgram is one program of a Match.
type MatchProgram struct {
	Program string
	Period  string
	Status  string
}

// nameAliases lists the spellings and abbreviations of common name words, canonical form first.
// This is the one place to add more; keys are normalised (canonToken) at start.
var nameAliases = [][]string{
	{"muhammad", "mohammad", "muhamad", "mohamad", "mochammad", "mochamad", "muchammad", "muchamad", "mukhammad",
		"mokhammad", "muhamat", "mohamat", "muhammed", "mohamed", "mohd", "moh", "muh", "moch", "much", "mhd", "mhmd", "md"},
	{"ahmad", "achmad", "akhmad", "ahmat", "achmat", "amad"},
	{"siti", "st"},
	{"abdul", "abd", "abdl"},
	{"nur", "nurul", "noer", "nor"},
	{"sri", "sry"},
	{"abdurrahman", "abdurahman", "abdur rahman"},
}

// nameTitles are dropped at the start of a name: haji, doctor, engineer, Mr/Mrs …
var nameTitles = []string{"h", "hj", "haji", "hajah", "hajjah", "kh", "dr", "drs", "dra", "ir", "prof",
	"alm", "almh", "almarhum", "almarhumah", "bpk", "bapak", "ibu", "ny", "nyonya", "tn", "tuan", "sdr", "sdri"}

var (
	aliasOf = func() map[string]string {
		m := make(map[string]string)
		for _, set := range nameAliases {
			canon := string(spellToken(nil, []byte(set[0])))
			for _, v := range set {
				m[string(spellToken(nil, []byte(strings.ReplaceAll(v, " ", ""))))] = canon
			}
		}
		return m
	}()
	// aliasFirst and aliasMaxLen: first bytes and longest of the aliases' and titles' keys.
	aliasFirst, aliasMaxLen = func() (first [256]bool, longest int) {
		for _, set := range nameAliases {
			for _, v := range append(set[:len(set):len(set)], nameTitles...) {
				k := spellToken(nil, []byte(strings.ReplaceAll(v, " ", "")))
				first[k[0]] = true
				longest = max(longest, len(k))
			}
		}
		return first, longest
	}()
	titles = func() map[string]bool {
		m := make(map[string]bool)
		for _, t := range nameTitles {
			m[string(spellToken(nil, []byte(t)))] = true
		}
		return m
	}()
)

// spellToken appends the lower-case letters of raw with old and new Indonesian spellings merged
// (oe→u, dj→j→y, tj→c, ch/kh→h, gh→g) and doubled letters single: "Soedjono" and "Sujono" both give
// "suyono", "Mochammad" gives "mohamad".
func spellToken(dst, raw []byte) []byte {
	start := len(dst)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		var nx byte
		if i+1 < len(raw) {
			nx = raw[i+1]
		}
		switch {
		case c == 'o' && nx == 'e':
			c = 'u'
			i++
		case c == 'd' && nx == 'j':
			c = 'y'
			i++
		case c == 't' && nx == 'j':
			c = 'c'
			i++
		case (c == 'c' || c == 'k') && nx == 'h':
			c = 'h'
			i++
		case c == 'g' && nx == 'h':
			i++
		case c == 'j':
			c = 'y'
		}
		if len(dst) > start && dst[len(dst)-1] == c {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// foldRune maps a rune of a name to lower-case ASCII where it has an obvious one; 0 for a
// separator, -1 for a character dropped without separating (an apostrophe: Ma'ruf = Maruf).
func foldRune(r rune) rune {
	switch {
	case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
		return r
	case 'A' <= r && r <= 'Z':
		return r + 'a' - 'A'
	case r == '\'' || r == '`' || r == '’' || r == '‘':
		return -1
	case r < utf8.RuneSelf:
		return 0
	}
	switch unicode.ToLower(r) {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return 'a'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ò', 'ó', 'ô', 'õ', 'ö':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return unicode.ToLower(r)
	}
	return 0
}

// canonTokens splits a name into canonical tokens, appended to toks as slices of buf: letters
// folded and respelled (spellToken), aliases replaced by their canonical form, leading titles
// dropped, and everything from the first comma on (academic degrees: "Budi, S.Pd") ignored.
func canonTokens(name string, buf []byte, toks [][]byte) ([]byte, [][]byte) {
	if i := strings.IndexByte(name, ','); i >= 0 {
		name = name[:i]
	}
	var raw [64]byte
	r := raw[:0]
	leading := true
	emit := func() {
		if len(r) == 0 {
			return
		}
		start := len(buf)
		buf = spellToken(buf, r)
		r = r[:0]
		t := buf[start:]
		// The map lookups only for words that can be in them: most are not.
		aliased := false
		maybe := len(t) <= aliasMaxLen && aliasFirst[t[0]]
		if a, ok := lookupIf(maybe, aliasOf, t); ok {
			buf = append(buf[:start], a...)
			t = buf[start:]
			aliased = true
		}
		if !aliased && leading && maybe && titles[string(t)] {
			buf = buf[:start]
			return
		}
		leading = false
		toks = append(toks, t[:len(t):len(t)])
	}
	for i := 0; i < len(name); {
		f := rune(asciiFold[name[i]&0x7f])
		if name[i] < utf8.RuneSelf {
			i++
		} else {
			c, n := utf8.DecodeRuneInString(name[i:])
			f = foldRune(c)
			i += n
		}
		switch {
		case f == 0:
			emit()
		case f > 0:
			r = utf8.AppendRune(r, f)
		}
	}
	emit()
	return buf, toks
}

// lookupIf looks t up in m only when maybe.
func lookupIf(maybe bool, m map[string]string, t []byte) (string, bool) {
	if !maybe {
		return "", false
	}
	a, ok := m[string(t)]
	return a, ok
}

// asciiFold is foldRune for ASCII, by table: this runs for every byte of every imported name.
var asciiFold = func() (t [128]int8) {
	for c := range t {
		t[c] = int8(foldRune(rune(c)))
	}
	return t
}()

// normRegion normalises a kecamatan or desa name, or a Kemendagri region code, for comparison:
// "Desa Sumber Rejo", "SUMBERREJO" and "sumber-rejo" are equal. A leading "desa", "kelurahan" or
// "kecamatan" is dropped, spaces and punctuation ignored, and spellings merged as in names.
func normRegion(s string) string {
	s = strings.TrimSpace(s)
	if s != "" && isDigit(s[0]) {
		if name, ok := Regions().Name(s); ok {
			s = name
		}
	}
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return foldRune(r) == 0 })
	if len(words) > 1 {
		switch strings.TrimFunc(words[0], func(r rune) bool { return foldRune(r) <= 0 }) {
		case "desa", "ds", "kelurahan", "kel", "kecamatan", "kec":
			words = words[1:]
		}
	}
	var raw []byte
	for _, w := range words {
		for _, c := range w {
			if f := foldRune(c); f > 0 {
				raw = utf8.AppendRune(raw, f)
			}
		}
	}
	return string(spellToken(nil, raw))
}

const nameKeyMask = 1<<48 - 1

// regionHash is the FNV-1a state after (kecamatan, desa), both normalised; 0 when either is
// empty, which the import takes as "not indexable".
func regionHash(kec, desa string) uint64 {
	if kec == "" || desa == "" {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, s := range [...]string{kec, desa} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * 1099511628211
		}
		h = (h ^ 0xff) * 1099511628211 // a byte no normalised name has
	}
	return h
}

// tokenHash is the name-index key of a token in the region: FNV-1a continued over the token,
// then mixed, 48 bits.
func tokenHash(region uint64, tok []byte) uint64 {
	h := region
	for _, c := range tok {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return bloomHash(h) & nameKeyMask
}

// tokenMatch: equal, or one is a single letter (an initial) starting the other.
func tokenMatch(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	return len(a) == 1 && len(b) > 0 && b[0] == a[0] || len(b) == 1 && len(a) > 0 && a[0] == b[0]
}

func concatEqual(whole, a, b []byte) bool {
	return len(whole) == len(a)+len(b) && bytes.HasPrefix(whole, a) && bytes.HasSuffix(whole, b)
}

// namesMatch reports whether the typed tokens q appear in order among the name's tokens n, any
// name token may be missing from q (a middle name left out), and spacing may differ: one token on
// one side may be two adjacent ones on the other ("Nurhaliza" / "Nur Haliza").
func namesMatch(q, n [][]byte) bool {
	if len(q) == 0 {
		return true
	}
	for j := range n {
		if tokenMatch(q[0], n[j]) && namesMatch(q[1:], n[j+1:]) {
			return true
		}
		if j+1 < len(n) && concatEqual(q[0], n[j], n[j+1]) && namesMatch(q[1:], n[j+2:]) {
			return true
		}
		if len(q) > 1 && concatEqual(n[j], q[0], q[1]) && namesMatch(q[2:], n[j+1:]) {
			return true
		}
	}
	return false
}

// SearchName returns up to limit registry entries of the desa whose name matches name tolerantly
// (see namesMatch and canonTokens), in NIK order, and whether more match. kecamatan and desa are
// names (or Kemendagri codes), compared normalised. It returns ErrNameNotFound when nothing
// matches, ErrNotLoaded when no registry was imported, ErrClosed when the registry is not open.
func (r *Registry) SearchName(ctx context.Context, kecamatan, desa, name string, limit int) ([]Match, bool, error) {
	if limit <= 0 {
		limit = 5
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	kecN, desaN := normRegion(kecamatan), normRegion(desa)
	rh := regionHash(kecN, desaN)
	if rh == 0 {
		return nil, false, ErrNoRegion
	}
	_, q := canonTokens(name, nil, nil)
	if !slices.ContainsFunc(q, func(t []byte) bool { return len(t) >= 2 }) {
		return nil, false, ErrNameTooShort
	}
	for {
		s := r.cur.Load()
		if s == nil {
			return nil, false, ErrClosed
		}
		s.mu.RLock()
		if s.closed {
			s.mu.RUnlock()
			continue
		}
		m, more, err := s.searchName(rh, kecN, desaN, q, limit)
		s.mu.RUnlock()
		return m, more, err
	}
}

func (s *state) searchName(rh uint64, kecN, desaN string, q [][]byte, limit int) ([]Match, bool, error) {
	if s.db == nil || s.nik == nil {
		return nil, false, ErrNotLoaded
	}
	nb := s.tx.Bucket([]byte(bucketName))
	if nb == nil {
		return nil, false, ErrNoNameIndex
	}
	var key [8]byte
	c := nb.Cursor() // one cursor for every posting: Bucket.Get allocates one each time
	posting := func(dst []uint64, tok []byte) ([]uint64, error) {
		binary.BigEndian.PutUint64(key[:], tokenHash(rh, tok))
		k, v := c.Seek(key[:])
		if !bytes.Equal(k, key[:]) {
			return dst, nil
		}
		return decodePosting(dst, v)
	}
	var (
		cand    []uint64
		started bool
		tmp     []uint64
		joined  []byte
	)
	for j, t := range q {
		if len(t) < 2 {
			continue
		}
		// The NIKs whose name has this token, or it joined with a neighbour ("nur haliza" typed,
		// "Nurhaliza" registered), or it split in two ("nurhaliza" typed, "Nur Haliza").
		set, err := posting(nil, t)
		if err != nil {
			return nil, false, err
		}
		for _, pair := range [][2]int{{j - 1, j}, {j, j + 1}} {
			if pair[0] < 0 || pair[1] >= len(q) {
				continue
			}
			joined = append(append(joined[:0], q[pair[0]]...), q[pair[1]]...)
			if tmp, err = posting(tmp[:0], joined); err != nil {
				return nil, false, err
			}
			set = union(set, tmp)
		}
		// Halves of three letters or more: shorter ones are rarely a name word, and each split
		// costs a tree search.
		for i := 3; i+3 <= len(t); i++ {
			a, err := posting(nil, t[:i])
			if err != nil {
				return nil, false, err
			}
			if len(a) == 0 {
				continue
			}
			if tmp, err = posting(tmp[:0], t[i:]); err != nil {
				return nil, false, err
			}
			set = union(set, intersect(a, tmp))
		}
		if !started {
			cand, started = set, true
		} else {
			cand = intersect(cand, set)
		}
		if len(cand) == 0 {
			return nil, false, ErrNameNotFound
		}
	}

	var (
		out   []Match
		buf   []byte
		ntoks [][]byte
		norm  = map[string]string{} // candidates share a few region names: normalise each once
		bad   error
	)
	regionOK := func(kec, desa string) bool {
		for _, c := range [...][2]string{{kec, kecN}, {desa, desaN}} {
			n, ok := norm[c[0]]
			if !ok {
				n = normRegion(c[0])
				norm[c[0]] = n
			}
			if n != c[1] {
				return false
			}
		}
		return true
	}
	for _, nik := range cand {
		progs, err := s.lookup(nik)
		if err == ErrNotFound {
			continue // a hash collision with a NIK of no record: not possible, but harmless
		} else if err != nil {
			bad = err
			continue
		}
		var m *Match
		for _, p := range progs {
			if !regionOK(p.Kecamatan, p.Desa) {
				continue
			}
			buf, ntoks = canonTokens(p.Name, buf[:0], ntoks[:0])
			if !namesMatch(q, ntoks) {
				continue
			}
			if m == nil {
				if len(out) == limit {
					return out, true, nil
				}
				out = append(out, Match{NIK: nikFromUint64(nik), Name: MaskName(p.Name), Desa: p.Desa, Kecamatan: p.Kecamatan})
				m = &out[len(out)-1]
			}
			m.Programs = append(m.Programs, MatchProgram{Program: p.Program, Period: p.Period, Status: p.Status})
		}
	}
	if len(out) == 0 {
		if bad != nil {
			return nil, false, bad
		}
		return nil, false, ErrNameNotFound
	}
	return out, false, nil
}

func nikFromUint64(v uint64) NIK {
	var b [nikLen]byte
	for i := nikLen - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return NIK(b[:])
}

// union and intersect merge sorted, duplicate-free lists.
func union(a, b []uint64) []uint64 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return append([]uint64(nil), b...)
	}
	out := make([]uint64, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

func intersect(a, b []uint64) []uint64 {
	out := a[:0:0]
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}
