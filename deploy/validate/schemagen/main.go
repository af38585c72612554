// Command schemagen writes the JSON schemas that the manifests of
// deploy/k8s are validated against, offline, in kubeconform's layout
// ({kind}-{group}-{version}.json, strict: no property a schema does not
// name). It reads Kubernetes' own OpenAPI v3 documents (api/openapi-spec/v3
// of the k8s.io/kubernetes module) and CustomResourceDefinition files, and
// keeps only what validation needs: $refs are inlined, descriptions and
// defaults dropped. deploy/validate/schemas.sh runs it; SOURCES.md in the
// output says where each schema came from.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// builtin are the Kubernetes kinds the manifests use, by OpenAPI document.
var builtin = []struct{ doc, group, version, kind string }{
	{"api__v1_openapi.json", "", "v1", "Namespace"},
	{"api__v1_openapi.json", "", "v1", "ConfigMap"},
	{"api__v1_openapi.json", "", "v1", "Secret"},
	{"api__v1_openapi.json", "", "v1", "Service"},
	{"apis__apps__v1_openapi.json", "apps", "v1", "Deployment"},
	{"apis__batch__v1_openapi.json", "batch", "v1", "Job"},
	{"apis__policy__v1_openapi.json", "policy", "v1", "PodDisruptionBudget"},
	{"apis__autoscaling__v2_openapi.json", "autoscaling", "v2", "HorizontalPodAutoscaler"},
	{"apis__networking.k8s.io__v1_openapi.json", "networking.k8s.io", "v1", "Ingress"},
}

func main() {
	openapi := flag.String("openapi", "", "directory of Kubernetes' OpenAPI v3 documents (k8s.io/kubernetes module: api/openapi-spec/v3)")
	out := flag.String("out", "", "directory to write the schemas to")
	flag.Parse()
	if *openapi == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: schemagen -openapi DIR -out DIR [CRD.yaml ...]")
		os.Exit(2)
	}
	if err := run(*openapi, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(openapi, out string, crds []string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, b := range builtin {
		raw, err := os.ReadFile(filepath.Join(openapi, b.doc))
		if err != nil {
			return err
		}
		var doc struct {
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", b.doc, err)
		}
		name, err := findKind(doc.Components.Schemas, b.group, b.version, b.kind)
		if err != nil {
			return fmt.Errorf("%s: %w", b.doc, err)
		}
		c := converter{defs: doc.Components.Schemas, open: map[string]bool{}}
		if err := write(out, b.kind, b.group, b.version, c.ref(name)); err != nil {
			return err
		}
	}
	for _, f := range crds {
		if err := writeCRD(out, f); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

// findKind is the definition whose x-kubernetes-group-version-kind is the
// kind's.
func findKind(defs map[string]any, group, version, kind string) (string, error) {
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d, _ := defs[n].(map[string]any)
		gvks, _ := d["x-kubernetes-group-version-kind"].([]any)
		for _, g := range gvks {
			m, _ := g.(map[string]any)
			if m["group"] == group && m["version"] == version && m["kind"] == kind {
				return n, nil
			}
		}
	}
	return "", fmt.Errorf("no definition of %s %s/%s", kind, group, version)
}

func writeCRD(out, file string) error {
	raw, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var crd struct {
		Spec struct {
			Group string `json:"group"`
			Names struct {
				Kind string `json:"kind"`
			} `json:"names"`
			Versions []struct {
				Name   string `json:"name"`
				Served bool   `json:"served"`
				Schema struct {
					OpenAPIV3Schema any `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		return err
	}
	for _, v := range crd.Spec.Versions {
		if !v.Served || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		c := converter{open: map[string]bool{}}
		if err := write(out, crd.Spec.Names.Kind, crd.Spec.Group, v.Name, c.node(v.Schema.OpenAPIV3Schema)); err != nil {
			return err
		}
	}
	return nil
}

// write saves a schema where kubeconform's template
// "{{ .ResourceKind }}{{ .KindSuffix }}.json" looks for it: the kind in
// lower case, then the group's first label and the version.
func write(out, kind, group, version string, schema any) error {
	suffix := "-" + version
	if group != "" {
		suffix = "-" + strings.ToLower(strings.Split(group, ".")[0]) + suffix
	}
	b, err := json.MarshalIndent(schema, "", " ")
	if err != nil {
		return err
	}
	path := filepath.Join(out, strings.ToLower(kind)+suffix+".json")
	fmt.Println(path)
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// converter inlines an OpenAPI document's $refs into one standalone JSON
// schema.
type converter struct {
	defs map[string]any
	open map[string]bool // definitions being inlined: a cycle stays open
}

func (c *converter) ref(name string) any {
	if c.open[name] {
		return map[string]any{} // a recursive type (none in the kinds above): anything
	}
	c.open[name] = true
	defer delete(c.open, name)
	return c.node(c.defs[name])
}

// node converts one schema: $ref and single-element allOf (how OpenAPI v3
// wraps a ref with a default) are inlined; objects that list their
// properties refuse others, which is kubeconform's -strict; Kubernetes'
// int-or-string marker becomes the alternative it means.
func (c *converter) node(n any) any {
	switch v := n.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = c.node(e)
		}
		return out
	case map[string]any:
		if r, ok := v["$ref"].(string); ok {
			return c.ref(strings.TrimPrefix(r, "#/components/schemas/"))
		}
		if all, ok := v["allOf"].([]any); ok && len(all) == 1 {
			return c.node(all[0])
		}
		out := map[string]any{}
		for k, e := range v {
			switch {
			case k == "description" || k == "default" || k == "example":
			case k == "properties" || k == "patternProperties" || k == "definitions":
				props := map[string]any{}
				for pk, pv := range e.(map[string]any) {
					props[pk] = c.node(pv)
				}
				out[k] = props
			case strings.HasPrefix(k, "x-kubernetes-"):
			default:
				out[k] = c.node(e)
			}
		}
		if v["x-kubernetes-int-or-string"] == true && out["anyOf"] == nil && out["oneOf"] == nil {
			delete(out, "type")
			out["oneOf"] = []any{map[string]any{"type": "integer"}, map[string]any{"type": "string"}}
		}
		if v["nullable"] == true {
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
		}
		delete(out, "nullable")
		if _, ok := out["properties"]; ok && out["additionalProperties"] == nil && v["x-kubernetes-preserve-unknown-fields"] != true {
			out["additionalProperties"] = false
		}
		return out
	}
	return n
}
