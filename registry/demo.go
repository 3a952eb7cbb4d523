package registry

import (
	"bytes"
	"context"
	_ "embed"
)

// demoCSV is a small synthetic registry: invented names ("… Contoh", "… Rekaan"), never real
// people, with valid Banyuwangi NIKs. It lets a newcomer try the bot with no configuration.
//
//go:embed demo/demo-registry.csv
var demoCSV []byte

// LoadDemo imports the bundled demo registry (source "demo").
func (r *Registry) LoadDemo(ctx context.Context) (ImportResult, error) {
	return r.ImportReader(ctx, bytes.NewReader(demoCSV), "demo", ImportOptions{})
}
