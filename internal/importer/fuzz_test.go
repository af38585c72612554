package importer

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// FuzzReadMeta: indicator metadata, as JSON or YAML, is either an
// indicator that Validate accepts and that reads back the same once
// written as JSON (levels canonical), or a *MetaError naming the file;
// never a panic, whatever the nesting, aliases or types of the document.
func FuzzReadMeta(f *testing.F) {
	valid := `{"id":"taux-at","label":"Taux","theme":"accidents","unit":"‰","producer":"CARSAT","source":"s","licence":"Licence Ouverte",
"vintages":["2022","2023-T3"],"levels":["departements","region"],"sexes":["ensemble","femmes"],"sectors":["ensemble","C"],
"decimals":1,"polarity":"negative","aggregation":"ratio","threshold":5,"threshold_on":"numerator","scale":1000}`
	yml := "id: taux-at\nlabel: Taux\ntheme: accidents\nunit: ‰\nproducer: CARSAT\nsource: s\nlicence: LO\nvintages: [2022, 2023]\n" +
		"levels: [departement]\nsexes: [ensemble]\nsectors: [01, ensemble]\ndecimals: 1\npolarity: negative\naggregation: ratio\nscale: 1e3\n"
	for _, s := range []struct {
		name string
		data string
	}{
		{"m.json", valid}, {"m.yaml", yml}, {"m.yml", "a: &x [1, *x]\n"}, {"m.yaml", "- 1\n- 2\n"}, {"m.yaml", ""},
		{"m.json", `{"id":1}`}, {"m.json", `{"vintages":"2023"}`}, {"m.json", `{"extra":true}`}, {"m.txt", "id: x"},
		{"m.yaml", "threshold: .inf\ndecimals: 1e400\n"}, {"m.yaml", "id: !!binary aGVsbG8=\nlevels: {a: b}\n"},
		{"m.json", strings.Replace(valid, `"region"`, `"canton"`, 1)},
	} {
		f.Add(s.name, []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ind, err := readMeta(name, data)
		if err != nil {
			var me *MetaError
			if !errors.As(err, &me) || me.File != name {
				t.Fatalf("readMeta(%q): %v (%T), want a *MetaError of the file", name, err, err)
			}
			return
		}
		if err := ind.Validate(); err != nil {
			t.Fatalf("readMeta(%q) accepted an invalid indicator: %v", name, err)
		}
		for _, l := range ind.Levels {
			if lv, err := territory.ParseLevel(string(l)); err != nil || lv != l {
				t.Fatalf("level %q not canonical", l)
			}
		}
		js, err := json.Marshal(ind)
		if err != nil {
			t.Fatalf("marshal %+v: %v", ind, err)
		}
		back, err := readMeta("back.json", js)
		if err != nil || !reflect.DeepEqual(back, ind) {
			t.Fatalf("round trip of %s:\n%+v\n%v\nwant %+v", js, back, err, ind)
		}
	})
}

// FuzzReadParentTable: a territory import's parent table, with any
// preamble, encoding and columns, is either codes mapped to parent codes
// (each the level's normalised code) or a *ValueError naming the file.
func FuzzReadParentTable(f *testing.F) {
	for _, s := range []struct {
		csv  string
		skip uint8
		enc  string
	}{
		{"CODGEO;DEP;REG\n31555;31;76\n09122;9;76\n;;\n", 0, ""},
		{"Titre\nSous-titre\nCODGEO,DEP,REG\n2A004,2A,94\n", 2, "utf-8"},
		{"CODGEO;DEP;REG\n31555;31;76\n31555;32;76\n", 0, ""},
		{"CODGEO;DEP;REG\n31555;31\n", 0, "windows-1252"},
		{"CODGEO;DEP\n1;2;3\n", 0, ""},
		{"\ufeffCODGEO;DEP;REG\n\"31555;31;00\n", 0, "latin9"},
		{"x\n", 5, ""},
	} {
		f.Add([]byte(s.csv), s.skip, s.enc)
	}
	f.Fuzz(func(t *testing.T, data []byte, skip uint8, enc string) {
		opt := TerritoryOptions{FS: fstest.MapFS{"parents.csv": {Data: data}}, Level: territory.Commune,
			ParentTable: "parents.csv", ParentKey: "CODGEO", ParentSkip: int(skip % 8), ParentEncoding: enc,
			ParentColumns: map[territory.Level]string{territory.Departement: "DEP", territory.Region: "REG"}}
		out, err := readParentTable(opt)
		if err != nil {
			var ve *ValueError
			if !errors.As(err, &ve) || ve.File != "parents.csv" || out != nil {
				t.Fatalf("readParentTable: %d codes, %v (%T); want codes or a *ValueError of the file", len(out), err, err)
			}
			return
		}
		for code, parents := range out {
			if territory.NormaliseCode(territory.Commune, code) != code || len(parents) != 2 {
				t.Fatalf("code %q → %v", code, parents)
			}
			for l, p := range parents {
				if territory.NormaliseCode(l, p) != p {
					t.Fatalf("code %q: %s parent %q not normalised", code, l, p)
				}
			}
		}
	})
}
