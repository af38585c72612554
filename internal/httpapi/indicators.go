package httpapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// DatasetInfo says where an indicator's values come from.
type DatasetInfo struct {
	ID         int64     `json:"id"`
	Files      []string  `json:"files"`
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
}

// IndicatorInfo is a catalogue entry as the API serves it.
type IndicatorInfo struct {
	indicator.Indicator
	ThemeLabel string      `json:"theme_label"`
	Dataset    DatasetInfo `json:"dataset"`
	Notice     string      `json:"notice,omitempty"`
}

// ValueItem is one value in the values endpoint. The figures are those
// left by indicator.Gate: absent for secret and missing values.
type ValueItem struct {
	Level       string           `json:"level"`
	Code        string           `json:"code"`
	Name        string           `json:"name"`
	Period      string           `json:"period"`
	Sex         string           `json:"sex"`
	Sector      string           `json:"sector"`
	Value       *float64         `json:"value"`
	Numerator   *float64         `json:"numerator"`
	Denominator *float64         `json:"denominator"`
	Status      indicator.Status `json:"status"`
	Computed    bool             `json:"computed"`
	Dataset     int64            `json:"dataset"`
}

// ValuesResponse is the JSON body of the values endpoint.
type ValuesResponse struct {
	Indicator string      `json:"indicator"`
	Notice    string      `json:"notice,omitempty"`
	Source    string      `json:"source"`
	Values    []ValueItem `json:"values"`
}

// ChoroplethTerritory is one territory of a map.
type ChoroplethTerritory struct {
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	ID     uint64           `json:"id"`
	Value  *float64         `json:"value"`
	Class  int              `json:"class"`
	Status indicator.Status `json:"status"`
}

// ChoroplethResponse is the JSON body of the choropleth endpoint.
type ChoroplethResponse struct {
	Indicator string                  `json:"indicator"`
	Label     string                  `json:"label"`
	Unit      string                  `json:"unit"`
	Level     string                  `json:"level"`
	Period    string                  `json:"period"`
	Sex       string                  `json:"sex"`
	Sector    string                  `json:"sector"`
	Method    indicator.Method        `json:"method"`
	Palette   string                  `json:"palette"`
	Polarity  indicator.Polarity      `json:"polarity"`
	Breaks    *indicator.Breaks       `json:"breaks"`
	Colors    []string                `json:"colors"`
	Legend    []indicator.LegendEntry `json:"legend"`
	Note      string                  `json:"note,omitempty"`
	// Within is the territory the classes were computed in (within=).
	Within      *TerritoryRef         `json:"within,omitempty"`
	Territories []ChoroplethTerritory `json:"territories"`
	References  []indicator.Reference `json:"references"`
	Source      string                `json:"source"`
	Notice      string                `json:"notice,omitempty"`
}

// ProfileEntry is one indicator in a territory's profile.
type ProfileEntry struct {
	Indicator  string               `json:"indicator"`
	Label      string               `json:"label"`
	Theme      indicator.Theme      `json:"theme"`
	ThemeLabel string               `json:"theme_label"`
	Unit       string               `json:"unit"`
	Decimals   int                  `json:"decimals"`
	Polarity   indicator.Polarity   `json:"polarity"`
	Period     string               `json:"period"`
	Value      *float64             `json:"value"`
	Status     indicator.Status     `json:"status"`
	Rank       *ProfileRank         `json:"rank,omitempty"`
	Region     *indicator.Reference `json:"region,omitempty"`
	Series     []SeriesPoint        `json:"series"`
	Source     string               `json:"source"`
	Notice     string               `json:"notice,omitempty"`
}

// ProfileRank places a territory among its siblings (1 = highest value).
type ProfileRank struct {
	Rank  int    `json:"rank"`
	Of    int    `json:"of"`
	Among string `json:"among"`
}

// SeriesPoint is one period of a time series.
type SeriesPoint struct {
	Period string           `json:"period"`
	Value  *float64         `json:"value"`
	Status indicator.Status `json:"status"`
}

type catalogueEntry struct {
	ind   indicator.Indicator
	entry store.IndicatorEntry
	// version of the catalogue this entry was read in: part of the keys
	// of responses computed from it.
	version string
}

func (e catalogueEntry) demo() bool { return e.entry.Demo || e.ind.Demo }

func (e catalogueEntry) notice() string {
	if e.demo() {
		return indicator.DemoNotice
	}
	return ""
}

func (e catalogueEntry) info() IndicatorInfo {
	ind := e.ind
	ind.Demo = e.demo()
	return IndicatorInfo{
		Indicator:  ind,
		ThemeLabel: ind.Theme.Label(),
		Dataset:    DatasetInfo{ID: e.entry.DatasetID, Files: e.entry.Files, SHA256: e.entry.SHA256, ImportedAt: e.entry.ImportedAt},
		Notice:     e.notice(),
	}
}

func (e catalogueEntry) source(period string) string {
	s := "Source : " + e.ind.Producer
	if e.ind.Source != "" {
		s += ", " + e.ind.Source
	}
	if period != "" {
		s += " (" + period + ")"
	}
	if e.demo() {
		s += " – " + indicator.DemoNotice
	}
	return s
}

// catalogueEntries returns the parsed catalogue, read again only when an
// import has changed the indicator version.
func (h *handlers) catalogueEntries(ctx context.Context) ([]catalogueEntry, error) {
	ver, err := h.cfg.IndicatorVersion(ctx)
	if err != nil {
		return nil, err
	}
	h.catMu.Lock()
	defer h.catMu.Unlock()
	if h.catEntries != nil && h.catVersion == ver {
		return h.catEntries, nil
	}
	out, err := h.readCatalogue(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].version = ver
	}
	h.catVersion, h.catEntries = ver, out
	return out, nil
}

func (h *handlers) readCatalogue(ctx context.Context) ([]catalogueEntry, error) {
	rows, err := h.cfg.Store.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]catalogueEntry, 0, len(rows))
	for _, r := range rows {
		var ind indicator.Indicator
		if err := json.Unmarshal(r.Meta, &ind); err != nil {
			return nil, fmt.Errorf("metadata of %s: %w", r.ID, err)
		}
		if ind.ID == "" {
			ind.ID = r.ID
		}
		if ind.Theme == "" {
			ind.Theme = indicator.Theme(r.Theme)
		}
		out = append(out, catalogueEntry{ind: ind, entry: r})
	}
	return out, nil
}

func (h *handlers) indicatorByID(ctx context.Context, id string) (catalogueEntry, error) {
	all, err := h.catalogueEntries(ctx)
	if err != nil {
		return catalogueEntry{}, err
	}
	for _, e := range all {
		if e.entry.ID == id {
			return e, nil
		}
	}
	return catalogueEntry{}, NotFound("no indicator with id " + strconv.Quote(id))
}

// names lists identifiers as plain strings, for the allowed values of a
// problem's invalid parameter.
func names[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func (h *handlers) listIndicators(c echo.Context) error {
	var theme indicator.Theme
	if s := c.QueryParam("theme"); s != "" {
		t, err := indicator.ParseTheme(s)
		if err != nil {
			return BadParam("theme", "unknown theme", names(indicator.Themes())...)
		}
		theme = t
	}
	var level territory.Level
	if s := c.QueryParam("level"); s != "" {
		l, err := territory.ParseLevel(s)
		if err != nil {
			return BadParam("level", "unknown level", levelNames()...)
		}
		level = l
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	all, err := h.catalogueEntries(ctx)
	if err != nil {
		return err
	}
	out := []IndicatorInfo{}
	for _, e := range all {
		if theme != "" && e.ind.Theme != theme {
			continue
		}
		if level != "" && !e.ind.HasLevel(string(level)) {
			continue
		}
		out = append(out, e.info())
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, map[string]any{"count": len(out), "indicators": out})
}

func (h *handlers) getIndicator(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	e, err := h.indicatorByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, e.info())
}

// selection is the validated (level, period, sex, sector) of a request.
type selection struct {
	level  territory.Level
	period string
	sex    string
	sector string
	// within restricts to the territories inside a coarser one (a regional
	// map classifies its own territories only).
	withinLevel territory.Level
	withinCode  string
}

// query is the store query of the selection.
func (s selection) query(id string) store.ValueQuery {
	return store.ValueQuery{Indicator: id, Level: string(s.level), Period: s.period, Sex: s.sex, Sector: s.sector,
		WithinLevel: string(s.withinLevel), WithinCode: s.withinCode}
}

// parseSelection validates level, period, sex and sector against the
// indicator. Empty parameters stay empty unless defaults is set, in which
// case sex and sector default to ensemble and level to the indicator's
// first level.
func (h *handlers) parseSelection(c echo.Context, ind indicator.Indicator, defaults bool) (selection, error) {
	var s selection
	if lv := c.QueryParam("level"); lv != "" {
		l, err := territory.ParseLevel(lv)
		if err != nil || !ind.HasLevel(string(l)) {
			return s, BadParam("level", "level not available for this indicator", ind.Levels...)
		}
		s.level = l
	} else if defaults && len(ind.Levels) > 0 {
		s.level = territory.Level(ind.Levels[0])
	}
	if p := c.QueryParam("period"); p != "" {
		pp, err := indicator.ParsePeriod(p)
		if err != nil {
			return s, BadParam("period", err.Error(), ind.Vintages...)
		}
		s.period = pp.String()
	}
	if x := c.QueryParam("sex"); x != "" {
		sx, err := indicator.ParseSex(x)
		if err != nil {
			return s, BadParam("sex", "unknown sex", string(indicator.SexEnsemble), string(indicator.SexFemmes), string(indicator.SexHommes))
		}
		s.sex = string(sx)
	} else if defaults {
		s.sex = string(indicator.SexEnsemble)
	}
	if x := c.QueryParam("sector"); x != "" {
		ok := false
		for _, sec := range ind.Sectors {
			ok = ok || sec == x
		}
		if !ok && x != indicator.SectorAll {
			return s, BadParam("sector", "sector not available for this indicator", ind.Sectors...)
		}
		s.sector = x
	} else if defaults {
		s.sector = indicator.SectorAll
	}
	if w := c.QueryParam("within"); w != "" {
		ls, code, ok := strings.Cut(w, ":")
		l, err := territory.ParseLevel(ls)
		if !ok || err != nil || l == territory.Commune || code == "" {
			return s, BadParam("within", "expected LEVEL:CODE, e.g. region:76", "region", "departement", "zone-emploi")
		}
		code = territory.NormaliseCode(l, code)
		if territory.ValidateCode(l, code) != nil {
			return s, BadParam("within", "invalid code for level "+string(l))
		}
		// An unknown territory would give an empty map that looks like
		// missing data: name it instead.
		if !h.knownTerritory(l, code) {
			return s, UnknownParam("within", "no "+l.Label()+" with code "+code)
		}
		s.withinLevel, s.withinCode = l, code
	}
	return s, nil
}

// knownTerritory tells whether a territory exists: imported itself, or
// named as the parent of an imported one (a base may hold départements
// with their région codes but not the régions' outlines).
func (h *handlers) knownTerritory(l territory.Level, code string) bool {
	if layer, ok := h.cfg.Tiles.Layer(l.Layer()); ok {
		_, ok := layer.Feature(code)
		return ok
	}
	field := l.Field()
	for _, layer := range h.cfg.Tiles.Layers() {
		for _, f := range layer.Features {
			if f.Props[field] == code {
				return true
			}
		}
	}
	return false
}

func (h *handlers) territoryName(level, code string) (string, uint64) {
	lv, err := territory.ParseLevel(level)
	if err != nil {
		return "", 0
	}
	if l, ok := h.cfg.Tiles.Layer(lv.Layer()); ok {
		if f, ok := l.Feature(code); ok {
			return f.Name, f.ID
		}
	}
	return "", territory.FeatureID(lv, code)
}

func toValue(id string, r store.IndicatorValueRow) indicator.Value {
	return indicator.Value{
		Key:   indicator.Key{Indicator: id, Level: r.Level, Code: r.Code, Period: r.Period, Sex: r.Sex, Sector: r.Sector},
		Value: r.Value, Numerator: r.Numerator, Denominator: r.Denominator,
		Status: indicator.Status(r.Status), Computed: r.Computed, Dataset: strconv.FormatInt(r.DatasetID, 10),
	}
}

func (h *handlers) indicatorValues(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	e, err := h.indicatorByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	sel, err := h.parseSelection(c, e.ind, false)
	if err != nil {
		return err
	}
	q := sel.query(e.entry.ID)
	format := c.QueryParam("format")
	if format == "" {
		format = "json"
		if strings.Contains(c.Request().Header.Get(echo.HeaderAccept), "text/csv") {
			format = "csv"
		}
	}
	if format != "json" && format != "csv" {
		return BadParam("format", "unknown format", "json", "csv")
	}
	sep := c.QueryParam("sep")
	if sep == "" && (strings.HasPrefix(c.Request().URL.RawQuery, "sep=;") || strings.Contains(c.Request().URL.RawQuery, "&sep=;")) {
		// Go drops query pairs holding a literal ';': accept it anyway,
		// it is what people type for French Excel.
		sep = ";"
	}
	switch sep {
	case "semicolon":
		sep = ";"
	case "comma":
		sep = ","
	}
	if sep != "" && sep != "," && sep != ";" {
		return BadParam("sep", "CSV separator must be ',' or ';'", ",", ";")
	}
	rows, err := h.cfg.Store.IndicatorValues(ctx, q)
	if err != nil {
		return err
	}
	items := make([]ValueItem, 0, len(rows))
	for _, r := range rows {
		v, _, _ := indicator.Gate(toValue(e.entry.ID, r))
		name, _ := h.territoryName(v.Level, v.Code)
		items = append(items, ValueItem{Level: v.Level, Code: v.Code, Name: name, Period: v.Period, Sex: v.Sex, Sector: v.Sector,
			Value: v.Value, Numerator: v.Numerator, Denominator: v.Denominator, Status: v.Status, Computed: v.Computed, Dataset: r.DatasetID})
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	if format == "csv" {
		return writeValuesCSV(c, e, items, sep)
	}
	return c.JSON(http.StatusOK, ValuesResponse{Indicator: e.entry.ID, Notice: e.notice(), Source: e.source(""), Values: items})
}

func writeValuesCSV(c echo.Context, e catalogueEntry, items []ValueItem, sep string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if sep == ";" {
		buf.WriteString("\uFEFF") // lets French Excel read UTF-8
		w.Comma = ';'
	}
	header := []string{"indicator", "level", "code", "name", "period", "sex", "sector", "value", "numerator", "denominator", "status", "computed", "dataset", "source"}
	if e.demo() {
		header = append(header, "notice")
	}
	w.Write(header) //nolint:errcheck // bytes.Buffer
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	src := e.source("")
	for _, it := range items {
		rec := []string{e.entry.ID, it.Level, it.Code, it.Name, it.Period, it.Sex, it.Sector,
			num(it.Value), num(it.Numerator), num(it.Denominator), string(it.Status), strconv.FormatBool(it.Computed),
			strconv.FormatInt(it.Dataset, 10), src}
		if e.demo() {
			rec = append(rec, indicator.DemoNotice)
		}
		w.Write(rec) //nolint:errcheck // bytes.Buffer
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+e.entry.ID+`.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// parseChoroplethOptions reads method, classes, palette and breaks.
func parseChoroplethOptions(c echo.Context) (indicator.ChoroplethOptions, error) {
	opt := indicator.DefaultChoroplethOptions()
	if s := c.QueryParam("method"); s != "" {
		m, err := indicator.ParseMethod(s)
		if err != nil {
			return opt, BadParam("method", "unknown classification method", names(indicator.Methods())...)
		}
		opt.Method = m
	}
	if s := c.QueryParam("classes"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < indicator.MinClasses || n > indicator.MaxClasses {
			return opt, BadParam("classes", fmt.Sprintf("an integer from %d to %d", indicator.MinClasses, indicator.MaxClasses))
		}
		opt.Classes = n
	}
	if s := c.QueryParam("palette"); s != "" {
		opt.Palette = strings.ToLower(s)
		found := false
		for _, p := range indicator.Palettes() {
			found = found || p == opt.Palette
		}
		if !found {
			return opt, BadParam("palette", "unknown palette", indicator.Palettes()...)
		}
	}
	if s := c.QueryParam("breaks"); s != "" {
		if opt.Method != indicator.MethodManual {
			return opt, BadParam("breaks", "breaks are only accepted with method=manual")
		}
		for _, part := range strings.Split(s, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return opt, BadParam("breaks", "a comma-separated list of numbers (decimal point)")
			}
			opt.Manual = append(opt.Manual, x)
		}
	}
	if opt.Method == indicator.MethodManual && len(opt.Manual) != opt.Classes-1 {
		return opt, BadParam("breaks", fmt.Sprintf("method=manual with %d classes needs %d inner breaks", opt.Classes, opt.Classes-1))
	}
	return opt, nil
}

// choroplethProblem turns the domain's FieldError into a 400 naming the
// query parameter.
func choroplethProblem(err error) error {
	var fe *indicator.FieldError
	if errors.As(err, &fe) {
		name := fe.Field
		if strings.HasPrefix(name, "manual") {
			name = "breaks"
		}
		return BadParam(name, fe.Message)
	}
	return err
}

// mapData is what a choropleth needs from the database.
type mapData struct {
	sel    selection
	values []indicator.Value
	chart  indicator.Choropleth
}

// loadMap fetches the values of one level, period, sex and sector (the
// latest period when none is given) and classifies them.
func (h *handlers) loadMap(ctx context.Context, e catalogueEntry, sel selection, opt indicator.ChoroplethOptions) (mapData, error) {
	if sel.period == "" {
		periods, err := h.cfg.Store.IndicatorPeriods(ctx, e.entry.ID, string(sel.level), sel.sex, sel.sector)
		if err != nil {
			return mapData{}, err
		}
		sel.period = indicator.LatestPeriod(periods)
		if sel.period == "" {
			return mapData{}, NotFound(fmt.Sprintf("no value of %s at level %s for sex %s and sector %s", e.entry.ID, sel.level, sel.sex, sel.sector))
		}
	}
	rows, err := h.cfg.Store.IndicatorValues(ctx, sel.query(e.entry.ID))
	if err != nil {
		return mapData{}, err
	}
	vals := make([]indicator.Value, len(rows))
	for i, r := range rows {
		vals[i] = toValue(e.entry.ID, r)
	}
	ch, err := indicator.BuildChoropleth(e.ind, vals, opt)
	if err != nil {
		return mapData{}, choroplethProblem(err)
	}
	return mapData{sel: sel, values: vals, chart: ch}, nil
}

func (h *handlers) choropleth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	e, err := h.indicatorByID(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	sel, err := h.parseSelection(c, e.ind, true)
	if err != nil {
		return err
	}
	opt, err := parseChoroplethOptions(c)
	if err != nil {
		return err
	}
	// A map is the same until an import: computed once, then served from
	// memory with its gzip form, as tiles are. The key is the validated
	// request, so that spellings of the same map (case, parameter order,
	// defaults written out, unrelated parameters) share one entry.
	// The answer names territories of other levels too (région references,
	// the within territory): every layer's version is part of the key.
	lvLayer, _ := h.cfg.Tiles.Layer(sel.level.Layer())
	var layerVersions strings.Builder
	for _, l := range h.cfg.Tiles.Layers() {
		layerVersions.WriteString(strconv.FormatInt(l.Version, 10))
		layerVersions.WriteByte('.')
	}
	key := fmt.Sprintf("choropleth|%s|%s|%s|%s|%s|%s|%s|%s:%s|%s|%d|%s|%v", e.version, layerVersions.String(), e.entry.ID,
		sel.level, sel.period, sel.sex, sel.sector, sel.withinLevel, sel.withinCode, opt.Method, opt.Classes, opt.Palette, opt.Manual)
	if t, ok := h.responses.Get(ctx, key); ok {
		return sendEncoded(c, t, echo.MIMEApplicationJSON, "public, max-age=300")
	}
	md, err := h.loadMap(ctx, e, sel, opt)
	if err != nil {
		return err
	}
	sel = md.sel
	out := ChoroplethResponse{
		Indicator: e.entry.ID, Label: e.ind.Label, Unit: e.ind.Unit, Level: string(sel.level), Period: sel.period,
		Sex: sel.sex, Sector: sel.sector, Method: opt.Method, Palette: opt.Palette, Polarity: e.ind.Polarity,
		Breaks: md.chart.Breaks, Colors: md.chart.Colors, Legend: md.chart.Legend, Note: md.chart.Note,
		Territories: []ChoroplethTerritory{}, References: []indicator.Reference{},
		Source: e.source(sel.period), Notice: e.notice(),
	}
	if sel.withinLevel != "" {
		name, id := h.territoryName(string(sel.withinLevel), sel.withinCode)
		out.Within = &TerritoryRef{Level: string(sel.withinLevel), Code: sel.withinCode, Name: name, ID: id}
	}
	regionsShown := map[string]bool{}
	for _, it := range md.chart.Items {
		v := it.Value // already through indicator.Gate; v.Level is sel.level
		ct := ChoroplethTerritory{Code: v.Code, ID: territory.FeatureID(sel.level, v.Code), Value: v.Value, Class: it.Class, Status: v.Status}
		if lvLayer != nil {
			if f, ok := lvLayer.Feature(v.Code); ok {
				ct.Name, ct.ID = f.Name, f.ID
				if r, ok := f.Props[territory.Region.Field()].(string); ok && r != "" {
					regionsShown[r] = true
				}
			}
		}
		out.Territories = append(out.Territories, ct)
	}
	refs, err := h.references(ctx, e, sel, regionsShown)
	if err != nil {
		return err
	}
	out.References = refs
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	t, err := tiles.NewTile(b)
	if err != nil {
		return err
	}
	h.responses.Set(ctx, key, t)
	return sendEncoded(c, t, echo.MIMEApplicationJSON, "public, max-age=300")
}

// references returns the région values of the régions shown and the France
// value when it can be computed safely.
func (h *handlers) references(ctx context.Context, e catalogueEntry, sel selection, regionsShown map[string]bool) ([]indicator.Reference, error) {
	refs := []indicator.Reference{}
	rows, err := h.cfg.Store.IndicatorValues(ctx, store.ValueQuery{Indicator: e.entry.ID, Level: string(territory.Region), Period: sel.period, Sex: sel.sex, Sector: sel.sector})
	if err != nil {
		return nil, err
	}
	regions := make([]indicator.Value, len(rows))
	for i, r := range rows {
		regions[i] = toValue(e.entry.ID, r)
	}
	if sel.level != territory.Region {
		for _, v := range regions {
			if regionsShown[v.Code] {
				name, _ := h.territoryName(v.Level, v.Code)
				refs = append(refs, indicator.RegionReference(e.ind, v, name))
			}
		}
	}
	refs = append(refs, indicator.FranceReference(e.ind, regions, h.allRegions()))
	return refs, nil
}

// allRegions lists the codes of every région, from the région layer when
// loaded, otherwise from the départements' parents.
func (h *handlers) allRegions() []string {
	set := map[string]bool{}
	if l, ok := h.cfg.Tiles.Layer(territory.Region.Layer()); ok {
		for _, f := range l.Features {
			set[f.Code] = true
		}
	} else if l, ok := h.cfg.Tiles.Layer(territory.Departement.Layer()); ok {
		for _, f := range l.Features {
			if r, ok := f.Props[territory.Region.Field()].(string); ok && r != "" {
				set[r] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func (h *handlers) profile(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	lv, d, err := h.lookupTerritory(ctx, c)
	if err != nil {
		return err
	}
	all, err := h.catalogueEntries(ctx)
	if err != nil {
		return err
	}
	entries := []ProfileEntry{}
	for _, e := range all {
		if !e.ind.HasLevel(string(lv)) {
			continue
		}
		rows, err := h.cfg.Store.IndicatorValues(ctx, store.ValueQuery{Indicator: e.entry.ID, Level: string(lv), Code: d.Code,
			Sex: string(indicator.SexEnsemble), Sector: indicator.SectorAll})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			continue
		}
		sort.SliceStable(rows, func(i, j int) bool {
			pi, _ := indicator.ParsePeriod(rows[i].Period)
			pj, _ := indicator.ParsePeriod(rows[j].Period)
			return pi.Less(pj)
		})
		pe := ProfileEntry{Indicator: e.entry.ID, Label: e.ind.Label, Theme: e.ind.Theme, ThemeLabel: e.ind.Theme.Label(),
			Unit: e.ind.Unit, Decimals: e.ind.Decimals, Polarity: e.ind.Polarity, Series: []SeriesPoint{}, Notice: e.notice()}
		for _, r := range rows {
			v, _, _ := indicator.Gate(toValue(e.entry.ID, r))
			pe.Series = append(pe.Series, SeriesPoint{Period: v.Period, Value: v.Value, Status: v.Status})
		}
		last, _, _ := indicator.Gate(toValue(e.entry.ID, rows[len(rows)-1]))
		pe.Period, pe.Value, pe.Status = last.Period, last.Value, last.Status
		pe.Source = e.source(pe.Period)
		sib := store.ValueQuery{Indicator: e.entry.ID, Level: string(lv), Period: pe.Period, Sex: string(indicator.SexEnsemble), Sector: indicator.SectorAll}
		among := "ensemble des " + lv.Plural()
		if lv != territory.Region && d.Region != "" {
			sib.WithinLevel, sib.WithinCode = string(territory.Region), d.Region
			among = "région " + d.Region
		}
		srows, err := h.cfg.Store.IndicatorValues(ctx, sib)
		if err != nil {
			return err
		}
		// The query is at level lv: every row is a sibling.
		svals := make([]indicator.Value, len(srows))
		for i, r := range srows {
			svals[i] = toValue(e.entry.ID, r)
		}
		// France has no sibling to be ranked among.
		if rank, of, ok := indicator.Rank(svals, d.Code); ok && lv != territory.France {
			pe.Rank = &ProfileRank{Rank: rank, Of: of, Among: among}
		}
		if lv != territory.Region && d.Region != "" && e.ind.HasLevel(string(territory.Region)) {
			rr, err := h.cfg.Store.IndicatorValues(ctx, store.ValueQuery{Indicator: e.entry.ID, Level: string(territory.Region), Code: d.Region,
				Period: pe.Period, Sex: string(indicator.SexEnsemble), Sector: indicator.SectorAll})
			if err != nil {
				return err
			}
			if len(rr) == 1 {
				name, _ := h.territoryName(string(territory.Region), d.Region)
				ref := indicator.RegionReference(e.ind, toValue(e.entry.ID, rr[0]), name)
				pe.Region = &ref
			}
		}
		entries = append(entries, pe)
	}
	return c.JSON(http.StatusOK, map[string]any{
		"territory":  TerritoryRef{Level: string(lv), Code: d.Code, Name: d.Name, ID: d.FID},
		"indicators": entries,
	})
}

// tileWithValues serves a tile with an indicator's values baked in: each
// feature gets status and class, and value when it may be shown. Such tiles
// depend on the query and are encoded per request, not cached.
func (h *handlers) tileWithValues(c echo.Context, l *tiles.Layer, z, x, y int) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	e, err := h.indicatorByID(ctx, c.QueryParam("indicator"))
	if err != nil {
		var p *Problem
		if errors.As(err, &p) && p.Status == http.StatusNotFound {
			return BadParam("indicator", "unknown indicator")
		}
		return err
	}
	if !e.ind.HasLevel(string(l.Level)) {
		return BadParam("layer", "indicator "+e.entry.ID+" is not available at this level", e.ind.Levels...)
	}
	for _, p := range []string{"level", "method", "classes", "palette", "breaks"} {
		if c.QueryParam(p) != "" {
			return BadParam(p, "not accepted on tiles: tiles use the default classification")
		}
	}
	sel, err := h.parseSelection(c, e.ind, true)
	if err != nil {
		return err
	}
	sel.level = l.Level
	// Computed once per import like a choropleth: a map panned or reloaded
	// asks for the same tiles again.
	key := fmt.Sprintf("valuetile|%s|%d|%s|%s|%s|%s|%d/%d/%d", e.version, l.Version, e.entry.ID, sel.period, sel.sex, sel.sector, z, x, y)
	if t, ok := h.responses.Get(ctx, key); ok {
		return sendTile(c, t, "public, max-age=300")
	}
	md, err := h.loadMap(ctx, e, sel, indicator.DefaultChoroplethOptions())
	if err != nil {
		return err
	}
	byCode := make(map[string]indicator.ClassedValue, len(md.chart.Items))
	for _, it := range md.chart.Items {
		byCode[it.Value.Code] = it
	}
	missing := md.chart.MissingClass()
	raw, err := l.EncodeWith(z, x, y, func(f *tiles.Feature) map[string]any {
		extra := map[string]any{"status": string(indicator.StatusMissing), "class": missing}
		if n := e.notice(); n != "" {
			// Fictive figures say so in every feature: a tile can travel
			// alone into a GIS. The value table holds the text once.
			extra["notice"] = n
		}
		if it, ok := byCode[f.Code]; ok {
			extra["status"], extra["class"] = string(it.Value.Status), it.Class
			if _, v, ok := indicator.Gate(it.Value); ok {
				extra["value"] = v
			}
		}
		return tiles.WithProps(f, extra)
	})
	if err != nil {
		return err
	}
	t, err := tiles.NewTile(raw)
	if err != nil {
		return err
	}
	h.responses.Set(ctx, key, t)
	// Values change with imports, not with the geometry: a shorter life.
	return sendTile(c, t, "public, max-age=300")
}
