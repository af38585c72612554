package importer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestParseRecipes(t *testing.T) {
	tests := []struct {
		name, json, wantErr string
	}{
		{"pinned recipes", string(geodata.RecipesJSON), ""},
		{"unknown field", `[{"level":"region","filez":[]}]`, `unknown field "filez"`},
		{"unknown level", `[{"level":"canton"}]`, "recipe 0"},
		{"unknown parent level", `[{"level":"commune","parent_columns":{"canton":"CAN"}}]`, "recipe 0: parent column"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := ParseRecipes([]byte(tc.json))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(rs) == 0 {
				t.Fatalf("%d recipes, %v", len(rs), err)
			}
		})
	}
}

func TestRecipeOptions(t *testing.T) {
	paths := map[string]string{
		"communes/occitanie/communes-31.geojson": "/cache/c31.geojson",
		"communes/occitanie/communes-09.geojson": "/cache/c09.geojson",
		"communes/occitanie/README.md":           "/cache/readme",
		"tables/parents.csv":                     "/cache/parents.csv",
	}
	r := Recipe{Level: territory.Commune, Files: []string{"communes/occitanie/"}, CodeField: "code", NameField: "nom",
		ParentTable: "tables/parents.csv", ParentKey: "CODGEO", ParentColumns: map[string]string{"departement": "DEP"},
		ParentSkip: 5, ParentEncoding: "windows-1252"}
	opt, err := r.Options(paths)
	if err != nil {
		t.Fatal(err)
	}
	want := TerritoryOptions{Level: territory.Commune, Files: []string{"/cache/c09.geojson", "/cache/c31.geojson"}, CodeField: "code", NameField: "nom",
		ParentTable: "/cache/parents.csv", ParentKey: "CODGEO", ParentColumns: map[territory.Level]string{territory.Departement: "DEP"},
		ParentSkip: 5, ParentEncoding: "windows-1252"}
	if !reflect.DeepEqual(opt, want) {
		t.Errorf("options %+v, want %+v", opt, want)
	}
	if got := r.Prefixes(); !reflect.DeepEqual(got, []string{"communes/occitanie/", "tables/parents.csv"}) {
		t.Errorf("prefixes %v", got)
	}

	for _, c := range []struct {
		name    string
		r       Recipe
		wantErr string
	}{
		{"empty directory", Recipe{Level: territory.Commune, Files: []string{"communes/bretagne/"}}, "no file under communes/bretagne/"},
		{"file not fetched", Recipe{Level: territory.Region, Files: []string{"regions/regions.geojson"}}, "regions/regions.geojson was not fetched"},
		{"parent table not fetched", Recipe{Level: territory.Commune, Files: []string{"communes/occitanie/"}, ParentTable: "tables/other.csv"}, "tables/other.csv was not fetched"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := c.r.Options(paths); err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
			}
		})
	}
}
