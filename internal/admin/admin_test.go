package admin_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/admin"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

const meta = `{
  "id": "taux-test", "label": "Taux de test", "theme": "sinistralite", "definition": "Test", "unit": "%",
  "producer": "Carsat (test)", "source": "fichier de test", "licence": "Licence Ouverte 2.0",
  "vintages": ["2023"], "levels": ["departement"], "sexes": ["ensemble"], "sectors": ["ensemble"],
  "decimals": 1, "polarity": "higher-is-worse", "aggregation": "ratio", "threshold": 5, "threshold_on": "numerator",
  "scale": 100, "demo": true
}`

const values = "level;code;period;numerator;denominator\ndepartement;31;2023;50;1000\ndepartement;81;2023;30;1000\n"

func TestImportListDelete(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	svc := admin.New(st, nil)
	deps := datasettest.File(t, "departements/departements-version-simplifiee.geojson")
	tr, err := svc.ImportTerritories(ctx, importer.TerritoryOptions{FS: os.DirFS(filepath.Dir(deps)), Files: []string{filepath.Base(deps)},
		Level: territory.Departement, CodeField: "code", NameField: "nom", Vintage: "2024"})
	if err != nil || tr.Unchanged || tr.Features < 96 || tr.Level != territory.Departement {
		t.Fatalf("territories: %+v %v", tr, err)
	}
	fsys := fstest.MapFS{"m/taux.json": {Data: []byte(meta)}, "v/taux.csv": {Data: []byte(values)}}
	opt := importer.IndicatorOptions{FS: fsys, Meta: "m/taux.json", Values: "v/taux.csv"}
	ir, err := svc.ImportIndicator(ctx, opt)
	if err != nil || ir.Indicator != "taux-test" || ir.Unchanged || ir.Rows != 2 || ir.Dataset == 0 {
		t.Fatalf("indicator: %+v %v", ir, err)
	}
	if again, err := svc.ImportIndicator(ctx, opt); err != nil || !again.Unchanged || again.Indicator != "taux-test" {
		t.Fatalf("same files again: %+v %v", again, err)
	}

	ds, err := svc.Datasets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(deps)
	sum := sha256.Sum256(raw)
	if len(ds.Territories) != 1 || ds.Territories[0].Vintage != "2024" || len(ds.Territories[0].Files) != 1 ||
		ds.Territories[0].Files[0] != (admin.File{Name: filepath.Base(deps), Size: int64(len(raw)), SHA256: hex.EncodeToString(sum[:])}) {
		t.Errorf("territories %+v", ds.Territories)
	}
	vs := sha256.Sum256([]byte(values))
	if len(ds.Indicators) != 1 || ds.Indicators[0].ID != "taux-test" || ds.Indicators[0].Source != "fichier de test" ||
		ds.Indicators[0].Producer != "Carsat (test)" || ds.Indicators[0].Rows != 2 || !ds.Indicators[0].Demo ||
		len(ds.Indicators[0].Files) != 2 || ds.Indicators[0].Files[1] != (admin.File{Name: "taux.csv", Size: int64(len(values)), SHA256: hex.EncodeToString(vs[:])}) {
		t.Errorf("indicators %+v", ds.Indicators)
	}

	var de *admin.DependentsError
	if err := svc.DeleteLevel(ctx, territory.Departement); !errors.As(err, &de) || len(de.Indicators) != 1 || de.Indicators[0] != "taux-test" {
		t.Fatalf("delete a level in use: %v", err)
	}
	var nf *admin.NotFoundError
	if err := svc.DeleteLevel(ctx, territory.Region); !errors.As(err, &nf) {
		t.Errorf("delete a level never imported: %v", err)
	}
	if err := svc.DeleteIndicator(ctx, "taux-test"); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteIndicator(ctx, "taux-test"); !errors.As(err, &nf) {
		t.Errorf("delete twice: %v", err)
	}
	if err := svc.DeleteLevel(ctx, territory.Departement); err != nil {
		t.Fatal(err)
	}
	if ds, err := svc.Datasets(ctx); err != nil || len(ds.Territories)+len(ds.Indicators) != 0 {
		t.Errorf("after deletions: %+v %v", ds, err)
	}
}

func TestImportErrorsAreLocated(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	svc := admin.New(st, nil)
	deps := datasettest.File(t, "departements/departements-version-simplifiee.geojson")
	if _, err := svc.ImportTerritories(ctx, importer.TerritoryOptions{FS: os.DirFS(filepath.Dir(deps)), Files: []string{filepath.Base(deps)},
		Level: territory.Departement, CodeField: "code", NameField: "nom"}); err != nil {
		t.Fatal(err)
	}
	geo := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"31","nom":"A"},"geometry":{"type":"Polygon","coordinates":[[[1,43],[2,43],[2,44],[1,43]]]}},` +
		`{"type":"Feature","properties":{"code":"31","nom":"B"},"geometry":{"type":"Polygon","coordinates":[[[2,43],[3,43],[3,44],[2,43]]]}}]}`
	for _, c := range []struct {
		name string
		run  func() error
		want admin.InputError
	}{
		{"bad cell", func() error {
			_, err := svc.ImportIndicator(ctx, importer.IndicatorOptions{FS: fstest.MapFS{"taux.json": {Data: []byte(meta)},
				"taux.csv": {Data: []byte(values + "departement;32;2019;1;10\n")}}, Meta: "taux.json", Values: "taux.csv"})
			return err
		}, admin.InputError{Part: "values", File: "taux.csv", Line: 4, Column: 3, Field: "period", Feature: -1}},
		{"bad metadata", func() error {
			_, err := svc.ImportIndicator(ctx, importer.IndicatorOptions{FS: fstest.MapFS{"m/taux.yaml": {Data: []byte("id: taux\nthreshold_on: nothing\n")},
				"v/taux.csv": {Data: []byte(values)}}, Meta: "m/taux.yaml", Values: "v/taux.csv"})
			return err
		}, admin.InputError{Part: "meta", File: "taux.yaml", Feature: -1}},
		{"duplicate feature", func() error {
			_, err := svc.ImportTerritories(ctx, importer.TerritoryOptions{FS: fstest.MapFS{"file/deps.geojson": {Data: []byte(geo)}},
				Files: []string{"file/deps.geojson"}, Level: territory.Departement, CodeField: "code", NameField: "nom"})
			return err
		}, admin.InputError{Part: "file", File: "deps.geojson", Feature: 1}},
		{"bad parent table", func() error {
			_, err := svc.ImportTerritories(ctx, importer.TerritoryOptions{FS: fstest.MapFS{"file/deps.geojson": {Data: []byte(geo)},
				"parent-table/p.csv": {Data: []byte("DEP;REG\n31;76\n")}}, Files: []string{"file/deps.geojson"}, Level: territory.Departement,
				CodeField: "code", NameField: "nom", ParentTable: "parent-table/p.csv", ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "NOPE"}})
			return err
		}, admin.InputError{Part: "parent-table", File: "p.csv", Line: 1, Feature: -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			var ie *admin.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("%v (%T): not an InputError", err, err)
			}
			got := *ie
			got.Err = nil
			if c.want.Field == "" && got.Part == "meta" {
				got.Field = "" // whichever field the metadata fails on first
			}
			if got != c.want || ie.Reason() == "" {
				t.Errorf("got %+v (reason %q), want %+v", got, ie.Reason(), c.want)
			}
		})
	}
	if ds, err := svc.Datasets(ctx); err != nil || len(ds.Indicators) != 0 || ds.Territories[0].Features < 96 {
		t.Errorf("a refused import changed the datasets: %+v %v", ds, err)
	}
}
