package tiles_test

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// mercator projects lon/lat to Web Mercator metres, as the generalised
// geometry is stored.
func mercator(lon, lat float64) orb.Point {
	r := territory.EarthCircumference / (2 * math.Pi)
	return orb.Point{lon * math.Pi / 180 * r, math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * r}
}

// A layer is built once from a level's territories and their generalised
// geometry (here a square around Toulouse instead of the store's rows),
// then cut into tiles from memory: each feature carries its stable id, its
// code, its name and its parents' codes.
func ExampleLayer_Encode() {
	ring := orb.Ring{mercator(1.2, 43.4), mercator(1.7, 43.4), mercator(1.7, 43.8), mercator(1.2, 43.8), mercator(1.2, 43.4)}
	square, _ := wkb.Marshal(orb.Polygon{ring})
	toulouse := territory.Territory{Level: territory.ZoneEmploi, Code: "7625", Name: "Toulouse", Region: "76",
		FID: territory.FeatureID(territory.ZoneEmploi, "7625")}
	geoms := func(_ context.Context, _ territory.Level, fn func(store.LoadedGeometry) error) error {
		for z := 0; z <= 11; z++ {
			if err := fn(store.LoadedGeometry{Code: "7625", Zoom: z, WKB: square}); err != nil {
				return err
			}
		}
		return nil
	}
	l, err := tiles.NewLayer(context.Background(), store.LevelData{Level: territory.ZoneEmploi, DatasetID: 1,
		Territories: []territory.Territory{toulouse}}, geoms, 0, 11)
	if err != nil {
		panic(err)
	}
	raw, err := l.Encode(8, 129, 93) // the tile holding Toulouse
	if err != nil {
		panic(err)
	}
	layers, _ := mvt.Unmarshal(raw)
	f := layers[0].Features[0]
	fmt.Printf("%s %.0f %s %s %s\n", layers[0].Name, f.ID, f.Properties["code"], f.Properties["name"], f.Properties["region"])
	empty, _ := l.Encode(8, 0, 0)
	fmt.Println(empty == nil)
	// Output:
	// zones-emploi 300334445 7625 Toulouse 76
	// true
}
