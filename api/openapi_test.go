package api_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/atlas-sante-travail/atlas/api"
)

// TestOpenAPIIsTheFile: the embedded document is openapi.yaml as it is in
// the tree, an OpenAPI 3.0 document, and callers cannot change it.
func TestOpenAPIIsTheFile(t *testing.T) {
	file, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := api.OpenAPI()
	if !bytes.Equal(doc, file) {
		t.Fatalf("embedded %d bytes, file %d", len(doc), len(file))
	}
	var head struct {
		OpenAPI string         `yaml:"openapi"`
		Paths   map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil {
		t.Fatal(err)
	}
	if head.OpenAPI != "3.0.3" || len(head.Paths) == 0 {
		t.Errorf("openapi %q with %d paths", head.OpenAPI, len(head.Paths))
	}
	doc[0] = 'x'
	if api.OpenAPI()[0] == 'x' {
		t.Error("a caller changed the embedded document")
	}
}

// TestOpenAPIIsValid: the document passes an OpenAPI 3.0 validator (every
// $ref resolves, schemas are schemas, examples match them), the check GIS
// clients and the OGC suites make before reading the parameters.
func TestOpenAPIIsValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestScoped: the OGC API's own description holds the paths under /ogc,
// relative to the server /ogc, and is a valid document by itself.
func TestScoped(t *testing.T) {
	raw, err := api.Scoped("/ogc", "/ogc")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/ogc" {
		t.Errorf("servers %v", doc.Servers)
	}
	for _, p := range []string{"/", "/conformance", "/collections", "/collections/{collectionId}/items"} {
		if doc.Paths.Find(p) == nil {
			t.Errorf("no path %s", p)
		}
	}
	for p := range doc.Paths.Map() {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "/ogc") || strings.HasPrefix(p, "/api/v1") || strings.HasPrefix(p, "/tiles") {
			t.Errorf("path %s", p)
		}
	}
	if _, err := api.Scoped("/nothing", "/"); err == nil {
		t.Error("a prefix with no path gave a document")
	}
}
