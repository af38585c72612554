package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"gopkg.in/yaml.v3"
)

// OpenAPIJSON returns the document as JSON, with the keys in the YAML's
// order (the two read the same).
func OpenAPIJSON() ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml: %w", err)
	}
	return NodeJSON(&doc)
}

// Scoped returns, as JSON, the document of the routes under prefix only,
// with prefix taken off their paths and server as the one server: the
// description of an API that lives under a path of this one, such as the
// OGC API under /ogc, whose clients (GDAL, QGIS, the OGC test suites)
// look its paths up relative to its landing page. Components are kept
// whole: the paths refer to them.
func Scoped(prefix, server string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("api/openapi.yaml: %w", err)
	}
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "servers":
			top.Content[i+1] = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{
				Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Tag: "!!str", Value: "url"},
					{Kind: yaml.ScalarNode, Tag: "!!str", Value: server},
				}}}}
		case "paths":
			paths := top.Content[i+1]
			var kept []*yaml.Node
			for j := 0; j+1 < len(paths.Content); j += 2 {
				p := paths.Content[j].Value
				// The prefix itself is the server's URL, not one of its
				// paths: its landing page is prefix + "/".
				rest, ok := strings.CutPrefix(p, prefix)
				if !ok || !strings.HasPrefix(rest, "/") {
					continue
				}
				k := *paths.Content[j]
				k.Value = rest
				kept = append(kept, &k, paths.Content[j+1])
			}
			if len(kept) == 0 {
				return nil, fmt.Errorf("api/openapi.yaml: no path under %s", prefix)
			}
			paths.Content = kept
		}
	}
	return NodeJSON(&doc)
}

// NodeJSON encodes a YAML document as JSON, keeping the order of its keys,
// resolving aliases, and typing scalars by their YAML tags.
func NodeJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, n); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: one document expected", n.Line)
		}
		return writeJSON(b, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			return fmt.Errorf("line %d: %s has no JSON form", n.Line, n.Value)
		}
		out, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %w", n.Line, err)
		}
		b.Write(out)
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}
