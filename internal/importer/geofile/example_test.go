package geofile_test

import (
	"fmt"
	"log"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/importer/geofile"
)

// ExampleRead reads a GeoJSON file from an in-memory file system; a file on
// disk would be read with os.DirFS, an uploaded archive with zip.Reader.
func ExampleRead() {
	fsys := fstest.MapFS{"regions.geojson": {Data: []byte(`{
	  "type": "FeatureCollection",
	  "crs": {"type": "name", "properties": {"name": "EPSG:2154"}},
	  "features": [
	    {"type": "Feature", "properties": {"code": "76", "nom": "Occitanie"},
	     "geometry": {"type": "Polygon", "coordinates": [[[500000, 6200000], [800000, 6200000], [800000, 6400000], [500000, 6200000]]]}},
	    {"type": "Feature", "properties": {"code": "84", "nom": "Auvergne-Rhône-Alpes"},
	     "geometry": {"type": "Polygon", "coordinates": [[[700000, 6400000], [1000000, 6400000], [1000000, 6600000], [700000, 6400000]]]}}
	  ]}`)}}
	src, err := geofile.Read(fsys, "regions.geojson")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SRID", src.SRID)
	for _, f := range src.Features {
		fmt.Println(f.Properties["code"], f.Properties["nom"], f.Geometry.GeoJSONType())
	}
	// Output:
	// SRID 2154
	// 76 Occitanie Polygon
	// 84 Auvergne-Rhône-Alpes Polygon
}
