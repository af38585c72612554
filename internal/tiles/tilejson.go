package tiles

// TileJSON is the TileJSON 3.0.0 description of a layer.
type TileJSON struct {
	TileJSON     string        `json:"tilejson"`
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Version      string        `json:"version"`
	Attribution  string        `json:"attribution,omitempty"`
	Scheme       string        `json:"scheme"`
	Tiles        []string      `json:"tiles"`
	MinZoom      int           `json:"minzoom"`
	MaxZoom      int           `json:"maxzoom"`
	Bounds       [4]float64    `json:"bounds"`
	Center       [3]float64    `json:"center"`
	VectorLayers []VectorLayer `json:"vector_layers"`
}

// VectorLayer describes the one MVT layer of a tile set.
type VectorLayer struct {
	ID          string            `json:"id"`
	Description string            `json:"description"`
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"`
}

// TileJSON describes the layer for clients; baseURL is the absolute URL of
// the tiles root (".../tiles"). maxzoom is the last generalised zoom:
// clients overzoom beyond it instead of asking for more tiles.
func (l *Layer) TileJSON(baseURL string) TileJSON {
	desc := "Territoires : " + l.Level.Label() + " (" + l.Vintage + ")"
	return TileJSON{
		TileJSON:    "3.0.0",
		Name:        l.Name,
		Description: desc,
		Version:     "1.0.0",
		Attribution: l.Attribution,
		Scheme:      "xyz",
		Tiles:       []string{baseURL + "/" + l.Name + "/{z}/{x}/{y}.mvt"},
		MinZoom:     l.MinZoom,
		MaxZoom:     l.MaxZoom,
		Bounds:      l.Bounds,
		Center:      l.Center(),
		VectorLayers: []VectorLayer{{
			ID: l.Name, Description: desc, MinZoom: l.MinZoom, MaxZoom: l.MaxZoom, Fields: l.Fields,
		}},
	}
}
