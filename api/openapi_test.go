package api_test

import (
	"bytes"
	"context"
	"os"
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
