package flows

import (
	"fmt"

	"github.com/laporbansos/laporbansos/registry"
)

// contactLine names the office to contact, or nothing when LAPOR_CONTACT is not set.
func (e *Engine) contactLine() string {
	if e.Contact == "" {
		return ""
	}
	return "\n" + fmt.Sprintf(msgContact, e.Agency, e.Contact)
}

// helpText is the help: the services, how to get into DTSEN through the desa, and the office.
func (e *Engine) helpText() string {
	return msgHelp + "\n\n" + msgHowToDTSEN + e.contactLine()
}

// metaer is a registry that knows when its data was imported (*registry.Registry).
type metaer interface{ Meta() registry.Meta }

// Meta passes the guarded registry's description through.
func (g guardedRegistry) Meta() registry.Meta {
	if m, ok := g.Registry.(metaer); ok {
		return m.Meta()
	}
	return registry.Meta{}
}

// dataAsOf is the Cek line saying how fresh the registry is ("Data penerima per 29/11/2026."),
// or nothing when the registry cannot tell.
func (e *Engine) dataAsOf() string {
	m, ok := e.Registry.(metaer)
	if !ok {
		return ""
	}
	at := m.Meta().ImportedAt
	if at.IsZero() {
		return ""
	}
	return "\n" + fmt.Sprintf(msgCekDataAsOf, at.In(wib).Format("02/01/2006"))
}
