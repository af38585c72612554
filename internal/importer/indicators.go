package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// IndicatorOptions describes one import of an indicator: its metadata and
// its values.
type IndicatorOptions struct {
	// FS holds the files when not nil, Meta and Values then being names in
	// it (an upload, say); nil: the names are paths of the OS filesystem.
	FS     fs.FS
	Meta   string // metadata file: JSON (.json) or YAML (.yaml/.yml), the fields of indicator.Indicator
	Values string // CSV of values, ',' or ';' separated, UTF-8 (BOM ok); decimal comma accepted ("8,2")
	Layout string // "long" (default): one row per value; "wide": one column per period (INSEE layout)
	Level  string // fixed level when the file has no level column
	// Column names, matched case-insensitively; an empty one takes its
	// default from DefaultColumns. Sex and sector columns may be absent
	// (→ "ensemble").
	LevelColumn       string
	CodeColumn        string
	PeriodColumn      string // long layout
	SexColumn         string
	SectorColumn      string
	ValueColumn       string // long layout
	NumeratorColumn   string // long layout
	DenominatorColumn string // long layout
	StatusColumn      string // long layout
	Log               *slog.Logger
}

// Column is one column option of an indicator import: the field of
// IndicatorOptions that names the column, the header it names when left
// empty, and the command-line flag that sets it.
type Column struct {
	Flag    string // "code-column"
	Default string // "code"
	// Field returns the option in opt.
	Field func(opt *IndicatorOptions) *string
}

// DefaultColumns lists the column options in the order of the command
// line's flags. It is the one place their defaults are written: the import
// fills empty options from it, and `atlas import indicators` builds its
// flags from it.
func DefaultColumns() []Column {
	return []Column{
		{"level-column", "level", func(o *IndicatorOptions) *string { return &o.LevelColumn }},
		{"code-column", "code", func(o *IndicatorOptions) *string { return &o.CodeColumn }},
		{"period-column", "period", func(o *IndicatorOptions) *string { return &o.PeriodColumn }},
		{"sex-column", "sex", func(o *IndicatorOptions) *string { return &o.SexColumn }},
		{"sector-column", "sector", func(o *IndicatorOptions) *string { return &o.SectorColumn }},
		{"value-column", "value", func(o *IndicatorOptions) *string { return &o.ValueColumn }},
		{"numerator-column", "numerator", func(o *IndicatorOptions) *string { return &o.NumeratorColumn }},
		{"denominator-column", "denominator", func(o *IndicatorOptions) *string { return &o.DenominatorColumn }},
		{"status-column", "status", func(o *IndicatorOptions) *string { return &o.StatusColumn }},
	}
}

// Layouts of a values file.
const (
	LayoutLong = "long"
	LayoutWide = "wide"
)

// indicatorImportVersion changes when the import computes different rows
// from the same input (aggregation, secret rules), so that a re-import is
// not mistaken for a no-op.
const indicatorImportVersion = "indicator-import/1"

// ValueError locates a problem in a CSV file (an indicator's values, the
// parent table of territories): the line (1-based, the header is line 1)
// and, when the problem is one cell, its column number (1-based) and
// header name.
type ValueError struct {
	File   string
	Line   int
	Col    int
	Column string
	Err    error
}

// Error reads like "values.csv: line 12, column 3 (period): ...".
func (e *ValueError) Error() string {
	switch {
	case e.Line <= 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Column == "":
		return fmt.Sprintf("%s: line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: line %d, column %d (%s): %v", e.File, e.Line, e.Col, e.Column, e.Err)
}

// Unwrap gives the cause to errors.Is and errors.As.
func (e *ValueError) Unwrap() error { return e.Err }

// MetaError reports invalid indicator metadata: the file and, when known,
// the field (as in the file: "threshold_on", "vintages[2]").
type MetaError struct {
	File  string
	Field string
	Err   error
}

// Error reads like "taux-at.json: field threshold_on: ...".
func (e *MetaError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: field %s: %v", e.File, e.Field, e.Err)
}

// Unwrap gives the cause to errors.Is and errors.As.
func (e *MetaError) Unwrap() error { return e.Err }

// ImportIndicator reads an indicator's metadata and values, validates every
// value against the metadata and the imported territories, computes the
// coarser levels the indicator declares but the file does not give,
// applies the secret statistique, and replaces the indicator in the store
// in one transaction: nothing is written unless the whole file is valid.
// Re-importing the same bytes with the same options (and the same
// territories) is a no-op detected before the values are parsed.
func ImportIndicator(ctx context.Context, st *store.Store, opt IndicatorOptions) (store.IndicatorImportResult, error) {
	var none store.IndicatorImportResult
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opt.Meta == "" || opt.Values == "" {
		return none, errors.New("import indicator: both the metadata and the values file are required")
	}
	opt = withDefaults(opt)
	if opt.Layout != LayoutLong && opt.Layout != LayoutWide {
		return none, fmt.Errorf("import indicator: unknown layout %q (long or wide)", opt.Layout)
	}
	metaIn, valuesIn := newInput(opt.FS, opt.Meta), newInput(opt.FS, opt.Values)
	metaBytes, err := metaIn.read()
	if err != nil {
		return none, err
	}
	ind, err := readMeta(metaIn.base(), metaBytes)
	if err != nil {
		return none, err
	}
	valueBytes, err := valuesIn.read()
	if err != nil {
		return none, err
	}
	sum, err := indicatorFingerprint(ctx, st, opt, ind, metaBytes, valueBytes)
	if err != nil {
		return none, err
	}
	if cur, err := st.ActiveIndicatorSHA(ctx, ind.ID); err != nil {
		return none, err
	} else if cur == sum {
		return store.IndicatorImportResult{ID: ind.ID, NoOp: true}, nil
	}

	terr := &territories{st: st, loaded: map[territory.Level]*store.LevelData{}}
	values, err := readValues(ctx, opt, ind, valueBytes, terr)
	if err != nil {
		return none, err
	}
	given := len(values)
	values, parents, err := aggregateUp(ctx, ind, values, terr, log)
	if err != nil {
		return none, err
	}
	values = indicator.ApplySecret(ind, values, parents)

	meta, err := json.Marshal(ind)
	if err != nil {
		return none, err
	}
	rows := make([]store.IndicatorValueRow, len(values))
	nSecret := 0
	for i, v := range values {
		if v.Status == indicator.StatusSecret {
			nSecret++
		}
		rows[i] = store.IndicatorValueRow{
			Level: v.Level, Code: v.Code, Period: v.Period, Sex: v.Sex, Sector: v.Sector,
			Value: v.Value, Numerator: v.Numerator, Denominator: v.Denominator,
			Status: string(v.Status), Computed: v.Computed,
		}
	}
	res, err := st.ReplaceIndicator(ctx, store.IndicatorImport{
		ID: ind.ID, Theme: string(ind.Theme), Demo: ind.Demo, Meta: meta,
		Files:   []string{metaIn.base(), valuesIn.base()},
		Sources: []store.SourceFile{sourceFile(metaIn.base(), metaBytes), sourceFile(valuesIn.base(), valueBytes)},
		SHA256:  sum, Rows: rows,
	})
	if err != nil {
		return res, fmt.Errorf("import indicator %s: %w", ind.ID, err)
	}
	log.Info("indicator values", "indicator", ind.ID, "given", given, "computed", len(values)-given, "secret", nSecret)
	return res, nil
}

// sourceFile is the provenance of one input file read whole.
func sourceFile(name string, b []byte) store.SourceFile {
	sum := sha256.Sum256(b)
	return store.SourceFile{Name: name, Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

func withDefaults(opt IndicatorOptions) IndicatorOptions {
	def := func(p *string, d string) {
		if strings.TrimSpace(*p) == "" {
			*p = d
		}
	}
	def(&opt.Layout, LayoutLong)
	opt.Layout = strings.ToLower(opt.Layout)
	for _, c := range DefaultColumns() {
		def(c.Field(&opt), c.Default)
	}
	return opt
}

// readMeta decodes and validates the metadata of the file name; levels are
// canonicalised ("zones-emploi" → "zone-emploi") so that values and
// catalogue agree.
func readMeta(name string, b []byte) (indicator.Indicator, error) {
	var ind indicator.Indicator
	var js []byte
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		js = b
	case ".yaml", ".yml":
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return ind, &MetaError{File: name, Err: fmt.Errorf("invalid YAML: %w", err)}
		}
		if len(doc.Content) == 0 {
			return ind, &MetaError{File: name, Err: errors.New("empty document")}
		}
		v, err := yamlToJSON(doc.Content[0], false)
		if err != nil {
			return ind, &MetaError{File: name, Err: err}
		}
		if js, err = json.Marshal(v); err != nil {
			return ind, &MetaError{File: name, Err: err}
		}
	default:
		return ind, &MetaError{File: name, Err: errors.New("unsupported metadata format: expected .json, .yaml or .yml")}
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ind); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return ind, &MetaError{File: name, Field: te.Field, Err: fmt.Errorf("expected a %s, got a JSON %s", te.Type, te.Value)}
		}
		return ind, &MetaError{File: name, Err: err}
	}
	if err := ind.Validate(); err != nil {
		var fe *indicator.FieldError
		if errors.As(err, &fe) {
			return ind, &MetaError{File: name, Field: fe.Field, Err: errors.New(fe.Message)}
		}
		return ind, &MetaError{File: name, Err: err}
	}
	for i, l := range ind.Levels {
		lv, err := territory.ParseLevel(string(l))
		if err != nil {
			return ind, &MetaError{File: name, Field: fmt.Sprintf("levels[%d]", i), Err: err}
		}
		ind.Levels[i] = lv
	}
	return ind, nil
}

// Bounds on the YAML metadata as converted: a document is a few dozen
// nodes, and aliases must not make it a cycle (an alias inside the node it
// names) nor an exponential expansion (aliases of aliases).
const (
	maxYAMLDepth = 32
	maxYAMLNodes = 10000
)

// yamlToJSON converts a YAML node to values encoding/json can marshal.
// Scalars inside sequences stay strings whatever they look like (vintages
// 2021, sectors 01): every list of the metadata is a list of strings.
func yamlToJSON(n *yaml.Node, inSeq bool) (any, error) {
	nodes := 0
	return yamlValue(n, inSeq, 0, &nodes)
}

// yamlValue is yamlToJSON at depth, *nodes counting the nodes converted,
// aliases expanded.
func yamlValue(n *yaml.Node, inSeq bool, depth int, nodes *int) (any, error) {
	if *nodes++; *nodes > maxYAMLNodes {
		return nil, fmt.Errorf("line %d: more than %d YAML nodes once aliases are expanded", n.Line, maxYAMLNodes)
	}
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("line %d: YAML nested more than %d levels deep (or an alias inside what it names)", n.Line, maxYAMLDepth)
	}
	switch n.Kind {
	case yaml.AliasNode:
		return yamlValue(n.Alias, inSeq, depth+1, nodes)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlValue(n.Content[i+1], false, depth+1, nodes)
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			v, err := yamlValue(c, true, depth+1, nodes)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		if inSeq {
			return n.Value, nil
		}
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
			return b, nil
		case "!!int", "!!float":
			var f float64
			if err := n.Decode(&f); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
			return f, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// indicatorFingerprint hashes the input bytes, the options that change how
// they are read, and the territories they are checked and aggregated
// against.
func indicatorFingerprint(ctx context.Context, st *store.Store, opt IndicatorOptions, ind indicator.Indicator, meta, values []byte) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", indicatorImportVersion, newInput(opt.FS, opt.Meta).base())
	h.Write(meta)
	fmt.Fprintf(h, "\x00%s\x00", newInput(opt.FS, opt.Values).base())
	h.Write(values)
	rec, _ := json.Marshal(map[string]string{
		"layout": opt.Layout, "level": opt.Level, "level_column": opt.LevelColumn, "code_column": opt.CodeColumn,
		"period_column": opt.PeriodColumn, "sex_column": opt.SexColumn, "sector_column": opt.SectorColumn,
		"value_column": opt.ValueColumn, "numerator_column": opt.NumeratorColumn,
		"denominator_column": opt.DenominatorColumn, "status_column": opt.StatusColumn,
	})
	h.Write(rec)
	levels := slices.Clone(ind.Levels)
	slices.Sort(levels)
	for _, l := range levels {
		sum, err := st.ActiveTerritorySHA(ctx, l)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "\x00%s=%s", l, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// territories loads each level's territories once.
type territories struct {
	st     *store.Store
	loaded map[territory.Level]*store.LevelData
}

// level returns the level's territories, or nil when it is not imported.
func (t *territories) level(ctx context.Context, level territory.Level) (*store.LevelData, error) {
	if d, ok := t.loaded[level]; ok {
		return d, nil
	}
	d, ok, err := t.st.LoadLevel(ctx, level)
	if err != nil {
		return nil, err
	}
	var p *store.LevelData
	if ok {
		p = &d
	}
	t.loaded[level] = p
	return p, nil
}

// codes returns the set of codes of an imported level.
func (t *territories) codes(ctx context.Context, level territory.Level) (map[string]bool, error) {
	d, err := t.level(ctx, level)
	if err != nil || d == nil {
		return nil, err
	}
	m := make(map[string]bool, len(d.Territories))
	for _, tr := range d.Territories {
		m[tr.Code] = true
	}
	return m, nil
}

// levelList writes levels for messages: "departement, region".
func levelList(ls []territory.Level) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

// aggregation edges, finest first so that computed départements feed the
// régions. Zones d'emploi are not aggregated to régions: the inter-regional
// zones (00xx) have no région, so a région's total over its zones would
// silently miss the parts of those zones.
var aggregationEdges = []struct{ child, parent territory.Level }{
	{territory.Commune, territory.ZoneEmploi},
	{territory.Commune, territory.Departement},
	{territory.Departement, territory.Region},
}

// levelCode names one territory.
type levelCode struct {
	level territory.Level
	code  string
}

// aggregateUp computes the levels the indicator declares but the file does
// not give, from the finer ones, and returns every value with the
// hierarchy ApplySecret needs (parents[ParentKey(child, parent)]).
func aggregateUp(ctx context.Context, ind indicator.Indicator, values []indicator.Value, terr *territories, log *slog.Logger) ([]indicator.Value, map[string]map[string]string, error) {
	parents := map[string]map[string]string{}
	if ind.Aggregation == indicator.AggregateNone {
		return values, parents, nil
	}
	given := map[territory.Level]bool{}
	givenCode := map[levelCode]bool{}
	for _, v := range values {
		given[v.Level] = true
		givenCode[levelCode{v.Level, v.Code}] = true
	}
	have := map[territory.Level]bool{}
	for l := range given {
		have[l] = true
	}
	for _, e := range aggregationEdges {
		child, parent := e.child, e.parent
		if !have[child] || !ind.HasLevel(parent) {
			continue
		}
		d, err := terr.level(ctx, child)
		if err != nil {
			return nil, nil, err
		}
		if pd, err := terr.level(ctx, parent); err != nil {
			return nil, nil, err
		} else if pd == nil {
			log.Warn("parent level not imported: not aggregated", "indicator", ind.ID, "from", child, "to", parent)
			continue
		}
		// A parent the file gives is the producer's figure: its children
		// are not summed into it (nor bound to it by the secret's
		// equations). A file may give communes where it has them and
		// départements elsewhere; the others are computed.
		parentOf := map[string]string{}
		hasParent := map[string]bool{}
		for _, t := range d.Territories {
			p := t.Parent(e.parent)
			hasParent[t.Code] = p != ""
			if p != "" && !givenCode[levelCode{parent, p}] {
				parentOf[t.Code] = p
			}
		}
		if len(parentOf) == 0 {
			continue
		}
		var children []indicator.Value
		orphans := 0
		for _, v := range values {
			if v.Level != child {
				continue
			}
			if _, ok := parentOf[v.Code]; !ok {
				if !hasParent[v.Code] {
					orphans++
				}
				continue
			}
			children = append(children, v)
		}
		if orphans > 0 {
			log.Warn("values without a parent territory are left out of the aggregation", "indicator", ind.ID, "level", child, "parent", parent, "values", orphans)
		}
		computed, err := indicator.Aggregate(ind, children, parentOf, parent)
		if err != nil {
			return nil, nil, fmt.Errorf("aggregate %s to %s: %w", child, parent, err)
		}
		values = append(values, computed...)
		have[parent] = true
		parents[indicator.ParentKey(child, parent)] = parentOf
	}
	return values, parents, nil
}
