package registry

import (
	"bytes"
	"context"
	_ "embed"
)

// demoCSV is a small made-up registry for the console demo and the docs (see demo/README.md).
//
//go:embed demo/demo-registry.csv
var demoCSV []byte

// DemoSource is the Meta.Source of the demo registry.
const DemoSource = "demo"

// LoadDemo replaces the registry with the bundled demo registry: about 60 rows of invented
// Banyuwangi recipients, so a newcomer can try the bot without real data.
func (r *Registry) LoadDemo(ctx context.Context) (ImportResult, error) {
	return r.ImportReader(ctx, bytes.NewReader(demoCSV), DemoSource, ImportOptions{})
}
