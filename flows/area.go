package flows

import (
	"fmt"

	"github.com/laporbansos/laporbansos/registry"
)

// Area is the service area: one regency and the kecamatan whose residents may be reported.
// Living in one of them is the domicile requirement.
type Area struct {
	Regency   registry.Region
	Kecamatan []registry.Region
}

// NewArea builds the service area from a regency code ("35.10") and, optionally, a subset of
// its kecamatan codes. It fails when a code is not in the official list.
func NewArea(regency string, only []string) (Area, error) {
	w := registry.Regions()
	name, ok := w.Name(regency)
	if !ok {
		return Area{}, fmt.Errorf("regency %s is not in the official region list", regency)
	}
	a := Area{Regency: registry.Region{Code: regency, Name: name}}
	all := w.Kecamatan(regency)
	if len(only) == 0 {
		a.Kecamatan = all
		return a, nil
	}
	for _, code := range only {
		found := false
		for _, k := range all {
			if k.Code == code {
				a.Kecamatan = append(a.Kecamatan, k)
				found = true
			}
		}
		if !found {
			return Area{}, fmt.Errorf("kecamatan %s is not in %s", code, name)
		}
	}
	return a, nil
}

func regionOptions(rs []registry.Region) []option {
	opts := make([]option, len(rs))
	for i, r := range rs {
		opts[i] = option{Key: r.Code, Label: r.Name}
	}
	return opts
}

func (a Area) kecamatanOptions() []option { return regionOptions(a.Kecamatan) }

func (a Area) desaOptions(kecamatan string) []option {
	return regionOptions(registry.Regions().Desa(kecamatan))
}

func (a Area) findKecamatan(text string) (registry.Region, bool) {
	i := pick(a.kecamatanOptions(), placeName(text))
	if i < 0 {
		return registry.Region{}, false
	}
	return a.Kecamatan[i], true
}

func (a Area) findDesa(kecamatan, text string) (string, bool) {
	opts := a.desaOptions(kecamatan)
	i := pick(opts, placeName(text))
	if i < 0 {
		return "", false
	}
	return opts[i].Label, true
}
