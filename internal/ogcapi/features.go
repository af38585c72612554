package ogcapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/twpayne/go-geom/encoding/geojson"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// Conformance classes, each one implemented here and tested.
var conformsTo = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
	"http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
	"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
	"http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
}

const relTilesetsVector = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"

func (h *handlers) landing(c echo.Context) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	r := root(c)
	site := strings.TrimSuffix(r, "/ogc")
	return sendJSON(c, typeJSON, map[string]any{
		"title": "Atlas Santé-Travail",
		"description": "Territoires français (régions, départements, zones d'emploi, communes) et indicateurs de santé au travail, " +
			"en OGC API Features et Tiles. Les valeurs sous le secret statistique ne sont jamais publiées.",
		"links": []link{
			{Href: r, Rel: "self", Type: typeJSON, Title: "Cette page"},
			{Href: r + "/api", Rel: "service-desc", Type: typeOpenAPI, Title: "Définition OpenAPI de l'API OGC"},
			{Href: site + "/api/docs#tag-ogc", Rel: "service-doc", Type: typeHTML, Title: "Documentation de l'API"},
			{Href: r + "/conformance", Rel: "conformance", Type: typeJSON, Title: "Classes de conformité"},
			{Href: r + "/collections", Rel: "data", Type: typeJSON, Title: "Collections"},
			{Href: r + "/tileMatrixSets", Rel: "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", Type: typeJSON, Title: "Grilles de tuiles"},
		},
	})
}

func (h *handlers) conformance(c echo.Context) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	return sendJSON(c, typeJSON, map[string]any{"conformsTo": conformsTo})
}

// coll is one collection: a level's territories, or one indicator's values
// at a level (Entry set).
type coll struct {
	ID    string
	Layer *tiles.Layer
	Entry *diagnostic.Entry
}

// collections lists every collection: the levels from the coarsest, then
// each indicator at each of its loaded levels.
func (h *handlers) all(ctx context.Context) ([]coll, error) {
	c, err := h.diag.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var out []coll
	for _, l := range h.tiles.Layers() {
		out = append(out, coll{ID: l.Name, Layer: l})
	}
	for _, l := range h.tiles.Layers() {
		for i := range c.Entries {
			if e := &c.Entries[i]; e.Indicator.HasLevel(l.Level) {
				out = append(out, coll{ID: l.Name + "." + e.ID(), Layer: l, Entry: e})
			}
		}
	}
	return out, nil
}

// find resolves a collection id: "departements", "departements.taux-at".
func (h *handlers) find(ctx context.Context, id string) (coll, error) {
	name, ind, _ := strings.Cut(id, ".")
	l, ok := h.tiles.Layer(name)
	if !ok {
		return coll{}, httpx.NotFound("collection « " + id + " » introuvable : voir /ogc/collections")
	}
	if ind == "" {
		return coll{ID: id, Layer: l}, nil
	}
	e, err := h.diag.Indicator(ctx, ind)
	if err != nil || !e.Indicator.HasLevel(l.Level) {
		return coll{}, httpx.NotFound("collection « " + id + " » introuvable : voir /ogc/collections")
	}
	return coll{ID: id, Layer: l, Entry: &e}, nil
}

// properties are the names of the collection's feature properties, in
// the order features carry them.
func (k coll) properties() []string {
	p := []string{"code", "name"}
	for _, pl := range k.Layer.Level.Parents() {
		p = append(p, pl.Field())
	}
	if k.Entry != nil {
		p = append(p, "indicator", "period", "sex", "sector", "status", "value")
		if k.Entry.Notice() != "" {
			p = append(p, "notice")
		}
	}
	return p
}

// indicatorParams are the query parameters of an indicator's collection.
var indicatorParams = []string{"period", "sex", "sector"}

// checkQueryFor is checkQuery with the indicator's parameters allowed on
// an indicator's collection, and told apart on the others.
func checkQueryFor(c echo.Context, k coll, allowed ...string) error {
	if k.Entry == nil {
		for _, p := range indicatorParams {
			if c.QueryParams().Has(p) {
				return httpx.BadParam(p, "ne vaut que pour les collections d'un indicateur (par exemple "+k.Layer.Name+".<indicateur>)")
			}
		}
		return checkQuery(c, allowed...)
	}
	return checkQuery(c, append(allowed, indicatorParams...)...)
}

type extent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

type collectionDoc struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Links       []link   `json:"links"`
	Extent      extent   `json:"extent"`
	ItemType    string   `json:"itemType"`
	CRS         []string `json:"crs"`
	StorageCRS  string   `json:"storageCrs"`
}

// outward rounds a WGS84 box outward to 1e-4 degree: the extent must
// contain every geometry, edge points included.
func outward(b [4]float64) [4]float64 {
	const k = 1e4
	return [4]float64{math.Floor(b[0]*k) / k, math.Floor(b[1]*k) / k, math.Ceil(b[2]*k) / k, math.Ceil(b[3]*k) / k}
}

func (h *handlers) describe(r string, k coll) collectionDoc {
	lv := k.Layer.Level
	base := r + "/collections/" + k.ID
	d := collectionDoc{ID: k.ID, ItemType: "feature", CRS: crsURIs(), StorageCRS: crs84.URI,
		Title:       "Territoires : " + lv.Plural(),
		Description: fmt.Sprintf("%d territoires, géométrie complète. Propriétés : code INSEE, nom, codes des territoires d'appartenance.", k.Layer.Territories.Len()),
		Links: []link{
			{Href: base, Rel: "self", Type: typeJSON, Title: "Cette collection"},
			{Href: base + "/items", Rel: "items", Type: typeGeoJSON, Title: "Objets"},
			{Href: base + "/schema", Rel: "describedby", Type: typeSchema, Title: "Schéma des objets"},
			// GDAL 3.6 compares the relation's case (RFC 8288 says not to).
			{Href: base + "/schema", Rel: "describedBy", Type: typeSchema, Title: "Schéma des objets"},
			{Href: base + "/tiles", Rel: relTilesetsVector, Type: typeJSON, Title: "Tuiles vectorielles"},
		}}
	if k.Layer.Vintage != "" {
		d.Description += " Millésime : " + k.Layer.Vintage + "."
	}
	if k.Layer.Attribution != "" {
		d.Description += " Source : " + k.Layer.Attribution + "."
	}
	if e := k.Entry; e != nil {
		ind := e.Indicator
		d.Title = ind.Label + " : " + lv.Plural()
		d.Description = fmt.Sprintf("%s (%s), par %s. Propriété value : la valeur de la période choisie (paramètre period, "+
			"par défaut la plus récente ; périodes : %s), nulle quand elle est sous le secret statistique ou manquante ; "+
			"status : published, provisional, estimated, secret ou missing. %s",
			ind.Label, ind.Unit, lv.Label(), strings.Join(ind.Vintages, ", "), e.Source(""))
	}
	d.Extent.Spatial.BBox = [][4]float64{outward(k.Layer.Bounds)}
	d.Extent.Spatial.CRS = crs84.URI
	return d
}

func (h *handlers) collections(c echo.Context) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	all, err := h.all(c.Request().Context())
	if err != nil {
		return err
	}
	r := root(c)
	docs := make([]collectionDoc, len(all))
	for i, k := range all {
		docs[i] = h.describe(r, k)
	}
	return sendJSON(c, typeJSON, map[string]any{
		"links":       []link{{Href: r + "/collections", Rel: "self", Type: typeJSON, Title: "Collections"}},
		"collections": docs,
		"crs":         crsURIs(),
	})
}

func (h *handlers) collection(c echo.Context) error {
	k, err := h.find(c.Request().Context(), c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQuery(c); err != nil {
		return err
	}
	return sendJSON(c, typeJSON, h.describe(root(c), k))
}

// schema is the JSON Schema of a collection's features (the describedby
// link), from which GIS clients take the fields' types instead of guessing
// them from a first page: a value field that is null in every feature of
// the first page would otherwise become text. It describes the GeoJSON
// feature, its properties under "properties", as GDAL 3.6 reads it.
func (h *handlers) schema(c echo.Context) error {
	k, err := h.find(c.Request().Context(), c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQuery(c); err != nil {
		return err
	}
	props := map[string]any{}
	for _, p := range k.properties() {
		s := map[string]any{"type": "string"}
		switch p {
		case "code":
			s["title"] = "code INSEE"
		case "name":
			s["title"] = "nom"
		case "value":
			s = map[string]any{"type": "number", "nullable": true, "title": "valeur, nulle sous le secret statistique ou manquante"}
			if k.Entry != nil {
				s["description"] = "en " + k.Entry.Indicator.Unit
			}
		case "status":
			s["enum"] = []string{string(indicator.StatusPublished), string(indicator.StatusProvisional), string(indicator.StatusEstimated),
				string(indicator.StatusSecret), string(indicator.StatusMissing)}
		default:
			s["title"] = p
		}
		props[p] = s
	}
	return sendJSON(c, typeSchema, map[string]any{
		"$schema":  "https://json-schema.org/draft/2019-09/schema",
		"$id":      root(c) + "/collections/" + k.ID + "/schema",
		"title":    h.describe(root(c), k).Title,
		"type":     "object",
		"required": []string{"type", "id", "geometry", "properties"},
		"properties": map[string]any{
			"type":       map[string]any{"type": "string", "enum": []string{"Feature"}},
			"id":         map[string]any{"type": "integer", "title": "identifiant du territoire"},
			"geometry":   map[string]any{"type": "object", "title": "MultiPolygon GeoJSON"},
			"properties": map[string]any{"type": "object", "required": []string{"code", "name"}, "properties": props},
		},
	})
}

// prop is one feature property; props keep their order in JSON.
type prop struct {
	k string
	v any
}

type props []prop

func (p props) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, x := range p {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(x.k)
		v, err := json.Marshal(x.v)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type feature struct {
	Type       string            `json:"type"`
	ID         uint64            `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties props             `json:"properties"`
	Links      []link            `json:"links,omitempty"`
}

type featureCollection struct {
	Type           string    `json:"type"`
	TimeStamp      string    `json:"timeStamp"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	Features       []feature `json:"features"`
	Links          []link    `json:"links"`
}

// encodeFeature gives a feature its GeoJSON geometry and the properties
// chosen. A value is a figure only when the read side gave one (never for
// a secret or missing value); an empty parent code is null.
func encodeFeature(f diagnostic.Feature, vals *diagnostic.FeatureValues, names []string, c crs) (feature, error) {
	g, err := geojson.Encode(f.Geometry, geojson.EncodeGeometryWithMaxDecimalDigits(c.Decimals))
	if err != nil {
		return feature{}, fmt.Errorf("feature %d: %w", f.FID, err)
	}
	out := feature{Type: "Feature", ID: f.FID, Geometry: g, Properties: make(props, 0, len(names))}
	for _, n := range names {
		var v any
		switch n {
		case "code":
			v = f.Code
		case "name":
			v = f.Name
		case "indicator":
			v = vals.Indicator
		case "period":
			v = vals.Period
		case "sex":
			v = vals.Sex
		case "sector":
			v = vals.Sector
		case "status":
			v = string(f.Status)
		case "notice":
			v = vals.Notice
		case "value":
			// null, never a figure, when secret or missing: the key stays,
			// since GDAL 3.6 takes its fields from the first page alone and
			// would drop every value of a page that starts with a secret.
			if f.Value != nil {
				v = *f.Value
			}
		default: // a parent's code: region, departement, zone_emploi
			if pc := parentCode(f, n); pc != "" {
				v = pc
			}
		}
		out.Properties = append(out.Properties, prop{n, v})
	}
	return out, nil
}

func parentCode(f diagnostic.Feature, field string) string {
	switch field {
	case "region":
		return f.Region
	case "departement":
		return f.Departement
	case "zone_emploi":
		return f.ZoneEmploi
	}
	return ""
}

// featureParams are the query parameters of the items route.
var featureParams = []string{"bbox", "bbox-crs", "crs", "limit", "offset", "properties"}

// pageURL is the items URL with the request's parameters and limit and
// offset set: next and prev links carry every filter, as clients page on
// them alone (GDAL keeps paging whatever a next link says).
func pageURL(base string, q url.Values, limit, offset int) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("limit", strconv.Itoa(limit))
	v.Set("offset", strconv.Itoa(offset))
	// Commas, colons and slashes are allowed in a query: keep them readable.
	return base + "?" + strings.NewReplacer("%2C", ",", "%3A", ":", "%2F", "/").Replace(v.Encode())
}

func (h *handlers) items(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := h.find(ctx, c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQueryFor(c, k, featureParams...); err != nil {
		return err
	}
	q := c.QueryParams()
	outCRS, err := parseCRS("crs", q.Get("crs"))
	if err != nil {
		return err
	}
	boxCRS, err := parseCRS("bbox-crs", q.Get("bbox-crs"))
	if err != nil {
		return err
	}
	if q.Has("bbox-crs") && !q.Has("bbox") {
		return httpx.BadParam("bbox-crs", "sans bbox, bbox-crs n'a pas d'objet")
	}
	boxes, err := parseBBox(q.Get("bbox"), boxCRS)
	if err != nil {
		return err
	}
	limit, err := parseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	offset, err := parseOffset(q.Get("offset"))
	if err != nil {
		return err
	}
	names, err := parseProperties(q.Get("properties"), q.Has("properties"), k.properties())
	if err != nil {
		return err
	}
	fq := diagnostic.FeatureQuery{Level: k.Layer.Level, Boxes: boxes, BoxSRID: boxCRS.EPSG, SRID: outCRS.EPSG, Limit: limit, Offset: offset}
	if k.Entry != nil {
		fq.Indicator, fq.Period, fq.Sex, fq.Sector = k.Entry.ID(), q.Get("period"), q.Get("sex"), q.Get("sector")
	}
	page, err := h.diag.Features(ctx, fq)
	if err != nil {
		return err
	}
	fc := featureCollection{Type: "FeatureCollection", NumberMatched: page.Matched, NumberReturned: len(page.Features),
		Features: make([]feature, len(page.Features))}
	for i, f := range page.Features {
		if fc.Features[i], err = encodeFeature(f, page.Values, names, outCRS); err != nil {
			return err
		}
	}
	r := root(c)
	base := r + "/collections/" + k.ID + "/items"
	fc.Links = []link{{Href: pageURL(base, q, limit, offset), Rel: "self", Type: typeGeoJSON, Title: "Cette page"}}
	if offset+len(page.Features) < page.Matched {
		fc.Links = append(fc.Links, link{Href: pageURL(base, q, limit, offset+limit), Rel: "next", Type: typeGeoJSON, Title: "Page suivante"})
	}
	if offset > 0 {
		fc.Links = append(fc.Links, link{Href: pageURL(base, q, limit, max(0, offset-limit)), Rel: "prev", Type: typeGeoJSON, Title: "Page précédente"})
	}
	fc.Links = append(fc.Links, link{Href: r + "/collections/" + k.ID, Rel: "collection", Type: typeJSON, Title: "La collection"})
	// Not before the request: to the millisecond, as the ETS compares.
	fc.TimeStamp = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	c.Response().Header().Set("Content-Crs", "<"+outCRS.URI+">")
	return sendJSON(c, typeGeoJSON, fc)
}

func (h *handlers) item(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := h.find(ctx, c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQueryFor(c, k, "crs", "properties"); err != nil {
		return err
	}
	q := c.QueryParams()
	fid, err := strconv.ParseUint(c.Param("featureId"), 10, 64)
	if err != nil || fid == 0 {
		return httpx.NotFound("objet « " + c.Param("featureId") + " » introuvable dans la collection " + k.ID + " : les identifiants sont des entiers")
	}
	outCRS, err := parseCRS("crs", q.Get("crs"))
	if err != nil {
		return err
	}
	names, err := parseProperties(q.Get("properties"), q.Has("properties"), k.properties())
	if err != nil {
		return err
	}
	fq := diagnostic.FeatureQuery{Level: k.Layer.Level, FID: fid, SRID: outCRS.EPSG, Limit: 1}
	if k.Entry != nil {
		fq.Indicator, fq.Period, fq.Sex, fq.Sector = k.Entry.ID(), q.Get("period"), q.Get("sex"), q.Get("sector")
	}
	page, err := h.diag.Features(ctx, fq)
	if err != nil {
		return err
	}
	if len(page.Features) == 0 {
		return httpx.NotFound("objet " + c.Param("featureId") + " introuvable dans la collection " + k.ID)
	}
	f, err := encodeFeature(page.Features[0], page.Values, names, outCRS)
	if err != nil {
		return err
	}
	r := root(c)
	f.Links = []link{
		{Href: r + "/collections/" + k.ID + "/items/" + c.Param("featureId"), Rel: "self", Type: typeGeoJSON, Title: "Cet objet"},
		{Href: r + "/collections/" + k.ID, Rel: "collection", Type: typeJSON, Title: "La collection"},
	}
	c.Response().Header().Set("Content-Crs", "<"+outCRS.URI+">")
	return sendJSON(c, typeGeoJSON, f)
}
