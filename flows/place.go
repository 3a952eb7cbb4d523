package flows

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/laporbansos/laporbansos/registry"
)

// Places are matched forgivingly: prefixes ("ds", "desa", "kel.", "kec.") are ignored, a desa
// typed at the kecamatan step fills both, and a typo gets the one or two closest names as
// choices ("maksud Anda Genteng?") instead of a refusal or the whole list again.

var placePrefixes = []string{"kecamatan", "kelurahan", "desa", "kec", "kel", "ds", "dsn"}

// placeName drops the prefixes people put before a place name and folds the rest.
func placeName(s string) string {
	t := fold(s)
	for changed := true; changed; {
		changed = false
		for _, p := range placePrefixes {
			if rest, ok := strings.CutPrefix(t, p); ok && rest != "" && (rest[0] == ' ' || rest[0] == '.') {
				t = strings.TrimLeft(rest, " .")
				changed = true
			}
		}
	}
	return t
}

// squash is a name reduced to its letters and digits, for comparing spellings.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance, on runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// place is a desa or a kecamatan of the service area.
type place struct {
	kec  registry.Region
	desa string // "" for the kecamatan itself
}

// key is how a suggestion comes back as an answer: the kecamatan code, or code/desa.
func (p place) key() string {
	if p.desa == "" {
		return p.kec.Code
	}
	return p.kec.Code + "/" + p.desa
}

// label names the place; a desa of the kecamatan being asked about needs no "Kec." after it.
func (p place) label(kec string) string {
	if p.desa == "" {
		return p.kec.Name
	}
	if p.kec.Code == kec {
		return p.desa
	}
	return fmt.Sprintf(msgDesaInKec, p.desa, p.kec.Name)
}

// placeByKey reads a suggestion's key back.
func (a Area) placeByKey(key string) (place, bool) {
	code, desa, _ := strings.Cut(key, "/")
	for _, k := range a.Kecamatan {
		if k.Code != code {
			continue
		}
		if desa == "" {
			return place{kec: k}, true
		}
		for _, d := range registry.Regions().Desa(k.Code) {
			if d.Name == desa {
				return place{kec: k, desa: d.Name}, true
			}
		}
	}
	return place{}, false
}

// findDesaAnywhere finds desa of that exact name (prefixes ignored) in every kecamatan of the
// area; a name may exist in more than one.
func (a Area) findDesaAnywhere(text string) []place {
	t := squash(placeName(text))
	if t == "" {
		return nil
	}
	var out []place
	for _, k := range a.Kecamatan {
		for _, d := range registry.Regions().Desa(k.Code) {
			if squash(d.Name) == t {
				out = append(out, place{kec: k, desa: d.Name})
			}
		}
	}
	return out
}

// closest returns up to two places whose names are a small typo away from text: desa only
// when withDesa, and limited to kecamatan only when it is not "".
func (a Area) closest(text string, withKec, withDesa bool, only string) []place {
	t := squash(placeName(text))
	if len([]rune(t)) < 3 {
		return nil
	}
	type cand struct {
		p place
		d int
	}
	var cs []cand
	consider := func(p place, name string) {
		n := squash(name)
		d := editDistance(t, n)
		limit := 1
		if len([]rune(n)) >= 6 {
			limit = 2
		}
		if len([]rune(n)) >= 10 {
			limit = 3
		}
		if d <= limit {
			cs = append(cs, cand{p, d})
		}
	}
	for _, k := range a.Kecamatan {
		if only != "" && k.Code != only {
			continue
		}
		if withKec {
			consider(place{kec: k}, k.Name)
		}
		if withDesa {
			for _, d := range registry.Regions().Desa(k.Code) {
				consider(place{kec: k, desa: d.Name}, d.Name)
			}
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []place
	for i, c := range cs {
		if i == 2 || (i > 0 && c.d > cs[0].d+1) {
			break
		}
		out = append(out, c.p)
	}
	return out
}

// suggest asks "maksud Anda …?" with the places as choices, and remembers them so that a
// number or a press answers from these choices, not from the full list.
func (c *conv) suggest(typed string, ps []place) {
	opts := make([]option, len(ps))
	keys := make([]string, len(ps))
	for i, p := range ps {
		opts[i] = option{Key: p.key(), Label: p.label(c.askedKec())}
		keys[i] = p.key()
	}
	c.d.Suggest = strings.Join(keys, "\n")
	names := make([]string, len(ps))
	for i, o := range opts {
		names[i] = o.Label
	}
	c.choose(fmt.Sprintf(msgPlaceDidYouMean, truncate(typed, 40), strings.Join(names, msgOr)), opts, 1)
}

// suggested takes an answer to the last suggestion, if it is one.
func (c *conv) suggested(text string) (place, bool) {
	if c.d.Suggest == "" {
		return place{}, false
	}
	keys := strings.Split(c.d.Suggest, "\n")
	c.d.Suggest = ""
	opts := make([]option, 0, len(keys))
	var ps []place
	for _, k := range keys {
		if p, ok := c.e.Area.placeByKey(k); ok {
			ps = append(ps, p)
			opts = append(opts, option{Key: p.key(), Label: p.label(c.askedKec())})
		}
	}
	if i := pick(opts, text); i >= 0 {
		return ps[i], true
	}
	if i := pickSynonym([]option{{Key: "ya"}}, fold(text)); i == 0 && len(ps) == 1 {
		return ps[0], true // "ya" to a single suggestion
	}
	return place{}, false
}

// setPlace records a kecamatan (and desa, when known) in the draft.
func (c *conv) setPlace(p place) {
	if c.d.KecCode != p.kec.Code {
		c.d.Desa = ""
	}
	c.d.KecCode, c.d.Kec = p.kec.Code, p.kec.Name
	if p.desa != "" {
		c.d.Desa = p.desa
	}
}

// askedKec is the kecamatan the desa question is about, if that is the question (Lapor's,
// pengaduan's, or that of a Cek or Sanggah by name): a desa in it needs no "(Kec. …)".
func (c *conv) askedKec() string {
	switch c.s.State {
	case stDesa, stPgDesa, stCekNameDesa, stSgNameDesa:
		return c.d.KecCode
	}
	return ""
}
