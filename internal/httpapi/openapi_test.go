package httpapi_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/atlas-sante-travail/atlas/internal/server"
)

// templateRe matches an OpenAPI path template and whatever follows it in
// the same segment ("{y}.mvt"): echo captures the whole segment.
var templateRe = regexp.MustCompile(`\{([A-Za-z_]+)\}[^/]*`)

// TestOpenAPIMatchesRoutes checks both ways that api/openapi.yaml documents
// exactly the routes the server has, with the methods it serves, and that
// every path parameter is declared.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	raw, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]yaml.Node      `yaml:"paths"`
		Comps   map[string]map[string]map[string]any `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]string{} // "GET /tiles/:layer" -> OpenAPI path
	type param struct {
		Ref  string `yaml:"$ref"`
		Name string `yaml:"name"`
		In   string `yaml:"in"`
	}
	for p, ops := range doc.Paths {
		route := templateRe.ReplaceAllString(p, ":$1")
		// Parameters of the path item hold for each of its operations.
		var shared []param
		if node, ok := ops["parameters"]; ok {
			if err := node.Decode(&shared); err != nil {
				t.Fatalf("%s parameters: %v", p, err)
			}
		}
		for method, node := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+route] = p
			var op struct {
				Parameters []param        `yaml:"parameters"`
				Responses  map[string]any `yaml:"responses"`
			}
			if err := node.Decode(&op); err != nil {
				t.Fatalf("%s %s: %v", method, p, err)
			}
			if len(op.Responses) == 0 {
				t.Errorf("%s %s: no responses", method, p)
			}
			declared := map[string]bool{}
			for _, prm := range append(op.Parameters, shared...) {
				name, in := prm.Name, prm.In
				if prm.Ref != "" {
					c := doc.Comps["parameters"][strings.TrimPrefix(prm.Ref, "#/components/parameters/")]
					if c == nil {
						t.Errorf("%s %s: dangling %s", method, p, prm.Ref)
						continue
					}
					name, _ = c["name"].(string)
					in, _ = c["in"].(string)
				}
				if in == "path" {
					declared[name] = true
				}
			}
			for _, m := range templateRe.FindAllStringSubmatch(p, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s is not declared", method, p, m[1])
				}
			}
		}
	}
	e := server.New(server.Config{})
	served := map[string]bool{}
	for _, r := range e.Routes() {
		if strings.HasSuffix(r.Name, "glob..func1") || r.Method == "echo_route_not_found" {
			continue
		}
		key := r.Method + " " + r.Path
		served[key] = true
		if _, ok := documented[key]; !ok {
			t.Errorf("route %s is not documented in api/openapi.yaml", key)
		}
	}
	var keys []string
	for k := range documented {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !served[k] {
			t.Errorf("api/openapi.yaml documents %s (%s), which the server does not serve", k, documented[k])
		}
	}
	if len(served) < 11 {
		t.Errorf("only %d routes: %v", len(served), served)
	}
}
