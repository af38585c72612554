// Package api holds the HTTP contract of Atlas, openapi.yaml, embedded in
// the binary: the server serves the very document it was built and tested
// against, with no file to ship beside it.
package api

import (
	_ "embed"
	"slices"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the OpenAPI 3.0 document, as YAML (a copy: callers may
// keep or change it).
func OpenAPI() []byte { return slices.Clone(openapiYAML) }
