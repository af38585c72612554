package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Recipe says how one level of the demo geography is imported from files
// of the pinned manifest.
type Recipe struct {
	Level          territory.Level   `json:"level"`
	Files          []string          `json:"files"` // names; a trailing "/" means every .geojson/.shp under it
	Needs          []string          `json:"needs"` // other names to fetch (shapefile companions)
	CodeField      string            `json:"code_field"`
	NameField      string            `json:"name_field"`
	ParentTable    string            `json:"parent_table"`
	ParentKey      string            `json:"parent_key"`
	ParentColumns  map[string]string `json:"parent_columns"`
	ParentSkip     int               `json:"parent_skip"`
	ParentEncoding string            `json:"parent_encoding"`
	Dissolve       *Dissolve         `json:"dissolve"`
	Vintage        string            `json:"vintage"`
	Attribution    string            `json:"attribution"`
}

// ParseRecipes reads recipes and checks their levels.
func ParseRecipes(b []byte) ([]Recipe, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var rs []Recipe
	if err := dec.Decode(&rs); err != nil {
		return nil, fmt.Errorf("recipes: %w", err)
	}
	for i, r := range rs {
		if _, err := territory.ParseLevel(string(r.Level)); err != nil {
			return nil, fmt.Errorf("recipe %d: %w", i, err)
		}
		for l := range r.ParentColumns {
			if _, err := territory.ParseLevel(l); err != nil {
				return nil, fmt.Errorf("recipe %d: parent column: %w", i, err)
			}
		}
	}
	return rs, nil
}

// Prefixes lists the manifest names or prefixes a recipe needs fetched.
func (r Recipe) Prefixes() []string {
	out := append([]string{}, r.Files...)
	out = append(out, r.Needs...)
	if r.ParentTable != "" {
		out = append(out, r.ParentTable)
	}
	return out
}

// Options turns the recipe into import options, resolving manifest names to
// the fetched files' paths.
func (r Recipe) Options(paths map[string]string) (TerritoryOptions, error) {
	opt := TerritoryOptions{
		Level: r.Level, CodeField: r.CodeField, NameField: r.NameField,
		Vintage: r.Vintage, Attribution: r.Attribution, ParentKey: r.ParentKey, Dissolve: r.Dissolve,
	}
	for _, f := range r.Files {
		if strings.HasSuffix(f, "/") {
			var names []string
			for n := range paths {
				if strings.HasPrefix(n, f) && (strings.HasSuffix(n, ".geojson") || strings.HasSuffix(n, ".shp")) {
					names = append(names, n)
				}
			}
			if len(names) == 0 {
				return opt, fmt.Errorf("recipe %s: no file under %s", r.Level, f)
			}
			sort.Strings(names)
			for _, n := range names {
				opt.Files = append(opt.Files, paths[n])
			}
			continue
		}
		p, ok := paths[f]
		if !ok {
			return opt, fmt.Errorf("recipe %s: %s was not fetched", r.Level, f)
		}
		opt.Files = append(opt.Files, p)
	}
	if r.ParentTable != "" {
		p, ok := paths[r.ParentTable]
		if !ok {
			return opt, fmt.Errorf("recipe %s: %s was not fetched", r.Level, r.ParentTable)
		}
		opt.ParentTable = p
		opt.ParentSkip, opt.ParentEncoding = r.ParentSkip, r.ParentEncoding
		opt.ParentColumns = map[territory.Level]string{}
		for l, c := range r.ParentColumns {
			opt.ParentColumns[territory.Level(l)] = c
		}
	}
	return opt, nil
}
