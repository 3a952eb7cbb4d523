package dashboard

import (
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// msgNoNIK stands in the NIK column for a report on a person without NIK/KTP.
const msgNoNIK = "TANPA NIK"

// nikShown is the NIK as a page shows it: in full or masked, or TANPA NIK.
func nikShown(rep *storage.Report, full bool) string {
	switch {
	case rep.NoNIK:
		return msgNoNIK
	case full:
		return rep.NIK
	}
	return registry.NIK(rep.NIK).Masked()
}
