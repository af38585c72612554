package tiles

import (
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func TestEncodeWithAddsPropertiesWithoutTouchingTheLayer(t *testing.T) {
	sq := orb.MultiPolygon{{{{0.1, 0.1}, {0.1, 0.4}, {0.4, 0.4}, {0.4, 0.1}, {0.1, 0.1}}}}
	hg := territory.Territory{Level: territory.Departement, Code: "31", Name: "Haute-Garonne", FID: 7}
	l := &Layer{
		Name: "test", MinZoom: 0, MaxZoom: 0,
		Territories: territory.NewSet(territory.Departement, []territory.Territory{hg}),
		props:       []map[string]any{tileProps(hg)},
		zooms:       [][]geom{{{feature: 0, shape: sq, bound: sq.Bound()}}},
	}
	plain, err := l.Encode(0, 0, 0)
	if err != nil || plain == nil {
		t.Fatal(err)
	}
	raw, err := l.EncodeWith(0, 0, 0, func(territory.Territory) map[string]any {
		return map[string]any{"value": 12.5, "class": 2, "status": "published"}
	})
	if err != nil {
		t.Fatal(err)
	}
	layers, err := mvt.Unmarshal(raw)
	if err != nil || len(layers) != 1 || len(layers[0].Features) != 1 {
		t.Fatalf("%v %v", layers, err)
	}
	p := layers[0].Features[0].Properties
	if p["value"] != 12.5 || p["class"] != float64(2) || p["status"] != "published" || p["code"] != "31" {
		t.Errorf("properties %v", p)
	}
	if _, ok := l.props[0]["value"]; ok {
		t.Error("the layer's properties were modified")
	}
	again, _ := l.EncodeWith(0, 0, 0, nil)
	if string(again) != string(plain) {
		t.Error("EncodeWith(nil) differs from Encode")
	}
}
