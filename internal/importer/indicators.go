package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// IndicatorOptions describes one import of an indicator: its metadata and
// its values.
type IndicatorOptions struct {
	Meta   string // metadata file: JSON (.json) or YAML (.yaml/.yml), the fields of indicator.Indicator
	Values string // CSV of values, ',' or ';' separated, UTF-8 (BOM ok); decimal comma accepted ("8,2")
	Layout string // "long" (default): one row per value; "wide": one column per period (INSEE layout)
	Level  string // fixed level when the file has no level column
	// Column names, matched case-insensitively; defaults in brackets. Sex
	// and sector columns may be absent (→ "ensemble").
	LevelColumn       string // [level]
	CodeColumn        string // [code]
	PeriodColumn      string // [period] (long layout)
	SexColumn         string // [sex]
	SectorColumn      string // [sector]
	ValueColumn       string // [value] (long layout)
	NumeratorColumn   string // [numerator] (long layout)
	DenominatorColumn string // [denominator] (long layout)
	StatusColumn      string // [status] (long layout)
	Log               *slog.Logger
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

// ValueError locates a problem in an indicator's values file: the line
// (1-based, the header is line 1) and, when the problem is one cell, its
// column number (1-based) and header name.
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
	metaBytes, err := os.ReadFile(opt.Meta)
	if err != nil {
		return none, err
	}
	ind, err := readMeta(opt.Meta, metaBytes)
	if err != nil {
		return none, err
	}
	valueBytes, err := os.ReadFile(opt.Values)
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
		return store.IndicatorImportResult{NoOp: true}, nil
	}

	terr := &territories{st: st, loaded: map[string]*store.LevelData{}}
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
		Files:  []string{filepath.Base(opt.Meta), filepath.Base(opt.Values)},
		SHA256: sum, Rows: rows,
	})
	if err != nil {
		return res, fmt.Errorf("import indicator %s: %w", ind.ID, err)
	}
	log.Info("indicator values", "indicator", ind.ID, "given", given, "computed", len(values)-given, "secret", nSecret)
	return res, nil
}

func withDefaults(opt IndicatorOptions) IndicatorOptions {
	def := func(p *string, d string) {
		if strings.TrimSpace(*p) == "" {
			*p = d
		}
	}
	def(&opt.Layout, LayoutLong)
	opt.Layout = strings.ToLower(opt.Layout)
	def(&opt.LevelColumn, "level")
	def(&opt.CodeColumn, "code")
	def(&opt.PeriodColumn, "period")
	def(&opt.SexColumn, "sex")
	def(&opt.SectorColumn, "sector")
	def(&opt.ValueColumn, "value")
	def(&opt.NumeratorColumn, "numerator")
	def(&opt.DenominatorColumn, "denominator")
	def(&opt.StatusColumn, "status")
	return opt
}

// readMeta decodes and validates the metadata; levels are canonicalised
// ("zones-emploi" → "zone-emploi") so that values and catalogue agree.
func readMeta(path string, b []byte) (indicator.Indicator, error) {
	name := filepath.Base(path)
	var ind indicator.Indicator
	var js []byte
	switch strings.ToLower(filepath.Ext(path)) {
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
		lv, err := territory.ParseLevel(l)
		if err != nil {
			return ind, &MetaError{File: name, Field: fmt.Sprintf("levels[%d]", i), Err: err}
		}
		ind.Levels[i] = string(lv)
	}
	return ind, nil
}

// yamlToJSON converts a YAML node to values encoding/json can marshal.
// Scalars inside sequences stay strings whatever they look like (vintages
// 2021, sectors 01): every list of the metadata is a list of strings.
func yamlToJSON(n *yaml.Node, inSeq bool) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return yamlToJSON(n.Alias, inSeq)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := yamlToJSON(n.Content[i+1], false)
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			v, err := yamlToJSON(c, true)
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
	fmt.Fprintf(h, "%s\x00%s\x00", indicatorImportVersion, filepath.Base(opt.Meta))
	h.Write(meta)
	fmt.Fprintf(h, "\x00%s\x00", filepath.Base(opt.Values))
	h.Write(values)
	rec, _ := json.Marshal(map[string]string{
		"layout": opt.Layout, "level": opt.Level, "level_column": opt.LevelColumn, "code_column": opt.CodeColumn,
		"period_column": opt.PeriodColumn, "sex_column": opt.SexColumn, "sector_column": opt.SectorColumn,
		"value_column": opt.ValueColumn, "numerator_column": opt.NumeratorColumn,
		"denominator_column": opt.DenominatorColumn, "status_column": opt.StatusColumn,
	})
	h.Write(rec)
	levels := append([]string(nil), ind.Levels...)
	sort.Strings(levels)
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
	loaded map[string]*store.LevelData
}

// level returns the level's territories, or nil when it is not imported.
func (t *territories) level(ctx context.Context, level string) (*store.LevelData, error) {
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
func (t *territories) codes(ctx context.Context, level string) (map[string]bool, error) {
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

// columns of a values file, -1 when absent.
type valueColumns struct {
	level, code, period, sex, sector, value, num, den, status int
	periods                                                   []periodColumn // wide layout
}

type periodColumn struct {
	col    int
	period string
}

func readValues(ctx context.Context, opt IndicatorOptions, ind indicator.Indicator, b []byte, terr *territories) ([]indicator.Value, error) {
	name := filepath.Base(opt.Values)
	fail := func(line, col int, column string, format string, a ...any) error {
		return &ValueError{File: name, Line: line, Col: col + 1, Column: column, Err: fmt.Errorf(format, a...)}
	}
	r, err := NewCSVReader(bytes.NewReader(b))
	if err != nil {
		return nil, &ValueError{File: name, Err: err}
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, &ValueError{File: name, Err: errors.New("empty file: expected a header line")}
	}
	if err != nil {
		return nil, &ValueError{File: name, Line: 1, Err: err}
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	find := func(n string) int {
		for i, h := range header {
			if strings.EqualFold(h, n) {
				return i
			}
		}
		return -1
	}
	cols := valueColumns{
		level: find(opt.LevelColumn), code: find(opt.CodeColumn), period: -1, sex: find(opt.SexColumn),
		sector: find(opt.SectorColumn), value: -1, num: -1, den: -1, status: -1,
	}
	headerErr := func(format string, a ...any) error {
		return &ValueError{File: name, Line: 1, Err: fmt.Errorf(format+" (columns: %s)", append(a, strings.Join(header, ", "))...)}
	}
	if cols.code < 0 {
		return nil, headerErr("no code column %q", opt.CodeColumn)
	}
	if opt.Level != "" {
		cols.level = -1 // the fixed level wins over a level column
	} else if cols.level < 0 {
		return nil, headerErr("no level column %q and no fixed level given", opt.LevelColumn)
	}
	if opt.Layout == LayoutWide {
		for i, h := range header {
			switch i {
			case cols.code, cols.level, cols.sex, cols.sector:
				continue
			}
			if p, err := indicator.ParsePeriod(h); err == nil {
				cols.periods = append(cols.periods, periodColumn{i, p.String()})
			}
		}
		if len(cols.periods) == 0 {
			return nil, headerErr("wide layout: no period column (headers such as 2021, 2021-T3 or T3_2021)")
		}
	} else {
		cols.period, cols.value, cols.num, cols.den, cols.status = find(opt.PeriodColumn), find(opt.ValueColumn), find(opt.NumeratorColumn), find(opt.DenominatorColumn), find(opt.StatusColumn)
		if cols.period < 0 {
			return nil, headerErr("no period column %q", opt.PeriodColumn)
		}
		if cols.value < 0 && cols.num < 0 {
			return nil, headerErr("no value column %q nor numerator column %q", opt.ValueColumn, opt.NumeratorColumn)
		}
		if ind.Aggregation == indicator.AggregateRatio && cols.value < 0 && cols.den < 0 {
			return nil, headerErr("a ratio needs a value column %q or a denominator column %q", opt.ValueColumn, opt.DenominatorColumn)
		}
	}

	var fixed string
	if opt.Level != "" {
		lv, err := territory.ParseLevel(opt.Level)
		if err != nil {
			return nil, &ValueError{File: name, Err: err}
		}
		fixed = string(lv)
	}
	vintages := map[string]bool{}
	for _, v := range ind.Vintages {
		if p, err := indicator.ParsePeriod(v); err == nil {
			vintages[p.String()] = true
		}
	}
	sexes := map[string]bool{}
	for _, s := range ind.Sexes {
		sexes[string(s)] = true
	}
	sectors := map[string]bool{}
	for _, s := range ind.Sectors {
		sectors[s] = true
	}
	levelCodes := map[string]map[string]bool{}
	seen := map[indicator.Key]int{}
	var out []indicator.Value

	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ValueError{File: name, Line: pe.StartLine, Err: pe.Err}
			}
			return nil, &ValueError{File: name, Err: err}
		}
		line, _ := r.FieldPos(0)
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // blank or ";;;" lines
		}
		cell := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		cellErr := func(i int, format string, a ...any) error {
			return fail(line, i, header[i], format, a...)
		}

		// Level.
		level := fixed
		if cols.level >= 0 {
			lv, err := territory.ParseLevel(cell(cols.level))
			if err != nil {
				return nil, cellErr(cols.level, "%v", err)
			}
			level = string(lv)
		}
		levelCol := cols.level
		if !ind.HasLevel(level) {
			if levelCol >= 0 {
				return nil, cellErr(levelCol, "level %q is not declared by indicator %s (levels: %s)", level, ind.ID, strings.Join(ind.Levels, ", "))
			}
			return nil, &ValueError{File: name, Err: fmt.Errorf("level %q is not declared by indicator %s (levels: %s)", level, ind.ID, strings.Join(ind.Levels, ", "))}
		}
		known, ok := levelCodes[level]
		if !ok {
			if known, err = terr.codes(ctx, level); err != nil {
				return nil, err
			}
			if known == nil {
				return nil, &ValueError{File: name, Line: line, Err: fmt.Errorf("territorial level %q has not been imported: run `atlas import territories --level %s` first", level, level)}
			}
			levelCodes[level] = known
		}
		// Code.
		code := territory.NormaliseCode(territory.Level(level), cell(cols.code))
		if !known[code] {
			return nil, cellErr(cols.code, "unknown %s code %q (expected an INSEE code of the imported %s territories)", level, cell(cols.code), level)
		}
		// Sex and sector.
		sex := string(indicator.SexEnsemble)
		if cols.sex >= 0 {
			s, err := indicator.ParseSex(cell(cols.sex))
			if err != nil {
				return nil, cellErr(cols.sex, "%v", err)
			}
			sex = string(s)
		}
		if !sexes[sex] {
			return nil, colOrLine(name, line, cols.sex, header, fmt.Errorf("sex %q is not declared by indicator %s", sex, ind.ID))
		}
		sector := indicator.SectorAll
		if cols.sector >= 0 {
			// Declared sectors match case-insensitively ("ensemble",
			// NAF "c" for "C").
			sector = cell(cols.sector)
			for s := range sectors {
				if strings.EqualFold(s, sector) {
					sector = s
					break
				}
			}
		}
		if !sectors[sector] {
			return nil, colOrLine(name, line, cols.sector, header, fmt.Errorf("sector %q is not declared by indicator %s (sectors: %s)", sector, ind.ID, strings.Join(ind.Sectors, ", ")))
		}

		key := indicator.Key{Indicator: ind.ID, Level: level, Code: code, Sex: sex, Sector: sector}
		addValue := func(v indicator.Value, periodCol int) error {
			if prev, dup := seen[v.Key]; dup {
				return cellErr(periodCol, "duplicate value for %s %s, period %s, sex %s, sector %s (already given on line %d)", level, code, v.Period, sex, sector, prev)
			}
			seen[v.Key] = line
			v.Dataset = name
			out = append(out, v)
			return nil
		}
		checkPeriod := func(col int, raw string) (string, error) {
			p, err := indicator.ParsePeriod(raw)
			if err != nil {
				return "", cellErr(col, "%v", err)
			}
			ps := p.String()
			if !vintages[ps] && !(p.Quarter > 0 && vintages[fmt.Sprintf("%04d", p.Year)]) {
				return "", cellErr(col, "period %s is not a vintage of indicator %s (vintages: %s; a year covers its quarters)", ps, ind.ID, strings.Join(ind.Vintages, ", "))
			}
			return ps, nil
		}

		if opt.Layout == LayoutWide {
			for _, pc := range cols.periods {
				v := indicator.Value{Key: key}
				ps, err := checkPeriod(pc.col, header[pc.col])
				if err != nil {
					return nil, err
				}
				v.Period = ps
				raw := cell(pc.col)
				if raw == "" {
					v.Status = indicator.StatusMissing
				} else {
					x, err := parseNumber(raw)
					if err != nil {
						return nil, cellErr(pc.col, "%v", err)
					}
					if err := checkValue(ind, x); err != nil {
						return nil, cellErr(pc.col, "%v", err)
					}
					v.Value, v.Status = &x, indicator.StatusPublished
				}
				if err := addValue(v, pc.col); err != nil {
					return nil, err
				}
			}
			continue
		}

		// Long layout.
		v := indicator.Value{Key: key}
		ps, err := checkPeriod(cols.period, cell(cols.period))
		if err != nil {
			return nil, err
		}
		v.Period = ps
		status := indicator.StatusPublished
		explicit := false
		if s := cell(cols.status); s != "" {
			status = indicator.Status(strings.ToLower(s))
			if !status.Valid() {
				return nil, cellErr(cols.status, "unknown status %q (expected published, provisional, estimated, missing or secret)", s)
			}
			explicit = true
		}
		num := func(col int, what string) (*float64, error) {
			raw := cell(col)
			if raw == "" {
				return nil, nil
			}
			x, err := parseNumber(raw)
			if err != nil {
				return nil, cellErr(col, "%v", err)
			}
			if what != "" && x < 0 {
				return nil, cellErr(col, "negative %s %v: a count cannot be negative", what, x)
			}
			return &x, nil
		}
		if v.Value, err = num(cols.value, ""); err != nil {
			return nil, err
		}
		if v.Value != nil {
			if err := checkValue(ind, *v.Value); err != nil {
				return nil, cellErr(cols.value, "%v", err)
			}
		}
		if v.Numerator, err = num(cols.num, "numerator"); err != nil {
			return nil, err
		}
		if v.Denominator, err = num(cols.den, "denominator"); err != nil {
			return nil, err
		}
		if ind.Aggregation == indicator.AggregateRatio && v.Numerator != nil && v.Denominator != nil {
			if *v.Numerator > *v.Denominator {
				return nil, cellErr(cols.num, "numerator %v is greater than the denominator %v: impossible for a ratio", *v.Numerator, *v.Denominator)
			}
			if v.Value == nil {
				if *v.Denominator == 0 {
					// No population: the rate is undefined (as Aggregate says).
					status = indicator.StatusMissing
				} else {
					x := *v.Numerator / *v.Denominator * ind.Scale
					v.Value = &x
				}
			}
		}
		empty := v.Value == nil && v.Numerator == nil && v.Denominator == nil
		switch {
		case empty && !explicit:
			status = indicator.StatusMissing
		case empty && status != indicator.StatusMissing:
			col := cols.value
			if col < 0 {
				col = cols.num
			}
			return nil, cellErr(col, "status %s but no figure: expected a number (or status missing)", status)
		case !empty && v.Value == nil && ind.Aggregation != indicator.AggregateSum && status != indicator.StatusMissing:
			col := cols.value
			if col < 0 {
				col = cols.den
			}
			return nil, cellErr(col, "no value: expected a number (or, for a ratio, both numerator and denominator)")
		}
		v.Status = status
		if err := addValue(v, cols.period); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, &ValueError{File: name, Err: errors.New("no value: the file has a header but no data line")}
	}
	return out, nil
}

func colOrLine(file string, line, col int, header []string, err error) error {
	if col < 0 {
		return &ValueError{File: file, Line: line, Err: err}
	}
	return &ValueError{File: file, Line: line, Col: col + 1, Column: header[col], Err: err}
}

// thousandsSeparators removes the spaces French files put between digits.
var thousandsSeparators = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "")

// parseNumber reads a French or English decimal: "8,2", "8.2", "1 234,5"
// (spaces, no-break and narrow no-break spaces as thousands separators).
func parseNumber(s string) (float64, error) {
	t := thousandsSeparators.Replace(s)
	if strings.Contains(t, ",") {
		if strings.Contains(t, ".") {
			return 0, fmt.Errorf("%q: expected a number (use either a decimal comma or a decimal point)", s)
		}
		t = strings.Replace(t, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("%q: expected a number", s)
	}
	return x, nil
}

// checkValue rejects values that cannot be those of the indicator: a
// negative count (aggregation sum). Rates and non-additive values may be
// negative (an evolution in %).
func checkValue(ind indicator.Indicator, x float64) error {
	if ind.Aggregation == indicator.AggregateSum && x < 0 {
		return fmt.Errorf("negative count %v: a count cannot be negative", x)
	}
	return nil
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

// aggregateUp computes the levels the indicator declares but the file does
// not give, from the finer ones, and returns every value with the
// hierarchy ApplySecret needs (parents[ParentKey(child, parent)]).
func aggregateUp(ctx context.Context, ind indicator.Indicator, values []indicator.Value, terr *territories, log *slog.Logger) ([]indicator.Value, map[string]map[string]string, error) {
	parents := map[string]map[string]string{}
	if ind.Aggregation == indicator.AggregateNone {
		return values, parents, nil
	}
	given := map[string]bool{}
	for _, v := range values {
		given[v.Level] = true
	}
	have := map[string]bool{}
	for l := range given {
		have[l] = true
	}
	for _, e := range aggregationEdges {
		child, parent := string(e.child), string(e.parent)
		if !have[child] || given[parent] || !ind.HasLevel(parent) {
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
		parentOf := map[string]string{}
		for _, t := range d.Territories {
			if p := t.Parent(string(e.parent)); p != "" {
				parentOf[t.Code] = p
			}
		}
		var children []indicator.Value
		orphans := 0
		for _, v := range values {
			if v.Level != child {
				continue
			}
			if _, ok := parentOf[v.Code]; !ok {
				orphans++
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
