package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// readValues reads an indicator's values file b, checking every row against
// the indicator and the imported territories. The first problem is returned
// as a *ValueError giving its line and, for a cell, its column.
func readValues(ctx context.Context, opt IndicatorOptions, ind indicator.Indicator, b []byte, terr *territories) ([]indicator.Value, error) {
	name := newInput(opt.FS, opt.Values).base()
	r, err := newCSVReader(bytes.NewReader(b))
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
	vr, err := newValueReader(name, opt, ind, terr, header)
	if err != nil {
		return nil, err
	}
	vr.reserve(bytes.Count(b, []byte("\n")))
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
		if blank(rec) {
			continue // blank or ";;;" lines
		}
		line, _ := r.FieldPos(0)
		row := row{line: line, cells: rec}
		key, err := vr.key(ctx, row)
		if err == nil {
			if vr.layout == LayoutWide {
				err = vr.wide(row, key)
			} else {
				err = vr.long(row, key)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if len(vr.out) == 0 {
		return nil, &ValueError{File: name, Err: errors.New("no value: the file has a header but no data line")}
	}
	return vr.out, nil
}

// row is one data line of a values file.
type row struct {
	line  int // in the file, the header being line 1
	cells []string
}

// cell is the trimmed content of column i, "" when the column is absent
// (i < 0) or the row is short.
func (r row) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// blank reports whether a record holds only spaces, like the ";;;" lines
// spreadsheets leave at the end of an export.
func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// valueColumns are the columns of a values file, -1 when absent.
type valueColumns struct {
	level, code, period, sex, sector, value, num, den, status int
	periods                                                   []periodColumn // wide layout
}

// periodColumn is a column of the wide layout, whose header is a period.
type periodColumn struct {
	col    int
	period string // canonical ("2023-T3")
	// err is why the period cannot be one of the indicator's, found once
	// from the header but reported at the first data line, as for a cell.
	err error
}

// valueReader turns the rows of one values file into indicator values. What
// depends only on the header and the indicator (columns, period headers,
// declared sexes and sectors) is worked out once by newValueReader; key,
// wide and long then read one row each.
type valueReader struct {
	file   string // base name, for ValueErrors
	ind    indicator.Indicator
	layout string
	terr   *territories
	header []string
	cols   valueColumns
	fixed  territory.Level // the level of every row when the options give one

	vintages, sexes, sectors map[string]bool
	periods                  map[string]periodCheck              // by raw text, see period
	levelCodes               map[territory.Level]map[string]bool // imported codes, by level
	seen                     map[indicator.Key]int               // line of each value read
	out                      []indicator.Value
}

// maxReserve bounds the values reserve makes room for (about 10 MB), so
// that a long file rejected on its second line cannot make the import
// allocate much; the INSEE files hold some 25,000 values.
const maxReserve = 1 << 16

// reserve makes room for the values of a file of about lines data lines:
// growing the slice and the duplicate index as values come was most of the
// time spent on INSEE's wide files.
func (vr *valueReader) reserve(lines int) {
	n := lines
	if vr.layout == LayoutWide {
		n *= len(vr.cols.periods)
	}
	n = min(n, maxReserve)
	vr.out = make([]indicator.Value, 0, n)
	vr.seen = make(map[indicator.Key]int, n)
}

// periodCheck is the outcome of period for one text.
type periodCheck struct {
	period string
	err    error
}

// newValueReader prepares the reading of the values file name, whose
// header line is header.
func newValueReader(name string, opt IndicatorOptions, ind indicator.Indicator, terr *territories, header []string) (*valueReader, error) {
	vr := &valueReader{
		file: name, ind: ind, layout: opt.Layout, terr: terr,
		vintages: map[string]bool{}, sexes: map[string]bool{}, sectors: map[string]bool{},
		periods: map[string]periodCheck{}, levelCodes: map[territory.Level]map[string]bool{}, seen: map[indicator.Key]int{},
	}
	for _, v := range ind.Vintages {
		if p, err := indicator.ParsePeriod(v); err == nil {
			vr.vintages[p.String()] = true
		}
	}
	for _, s := range ind.Sexes {
		vr.sexes[string(s)] = true
	}
	for _, s := range ind.Sectors {
		vr.sectors[s] = true
	}
	if err := vr.columns(opt, header); err != nil {
		return nil, err
	}
	if opt.Level != "" {
		lv, err := territory.ParseLevel(opt.Level)
		if err != nil {
			return nil, &ValueError{File: name, Err: err}
		}
		vr.fixed = lv
	}
	return vr, nil
}

// columns finds the columns the options name in the header, and in the
// wide layout the period headers, each parsed and checked against the
// vintages here rather than for every row.
func (vr *valueReader) columns(opt IndicatorOptions, header []string) error {
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	vr.header = header
	find := func(n string) int {
		for i, h := range header {
			if strings.EqualFold(h, n) {
				return i
			}
		}
		return -1
	}
	headerErr := func(format string, a ...any) error {
		return &ValueError{File: vr.file, Line: 1, Err: fmt.Errorf(format+" (columns: %s)", append(a, strings.Join(header, ", "))...)}
	}
	c := valueColumns{
		level: find(opt.LevelColumn), code: find(opt.CodeColumn), period: -1, sex: find(opt.SexColumn),
		sector: find(opt.SectorColumn), value: -1, num: -1, den: -1, status: -1,
	}
	if c.code < 0 {
		return headerErr("no code column %q", opt.CodeColumn)
	}
	if opt.Level != "" {
		c.level = -1 // the fixed level wins over a level column
	} else if c.level < 0 {
		return headerErr("no level column %q and no fixed level given", opt.LevelColumn)
	}
	if opt.Layout == LayoutWide {
		for i, h := range header {
			switch i {
			case c.code, c.level, c.sex, c.sector:
				continue
			}
			if _, err := indicator.ParsePeriod(h); err == nil {
				pc := vr.period(h)
				c.periods = append(c.periods, periodColumn{col: i, period: pc.period, err: pc.err})
			}
		}
		if len(c.periods) == 0 {
			return headerErr("wide layout: no period column (headers such as 2021, 2021-T3 or T3_2021)")
		}
	} else {
		c.period, c.value, c.num, c.den, c.status = find(opt.PeriodColumn), find(opt.ValueColumn), find(opt.NumeratorColumn), find(opt.DenominatorColumn), find(opt.StatusColumn)
		if c.period < 0 {
			return headerErr("no period column %q", opt.PeriodColumn)
		}
		if c.value < 0 && c.num < 0 {
			return headerErr("no value column %q nor numerator column %q", opt.ValueColumn, opt.NumeratorColumn)
		}
		if vr.ind.Aggregation == indicator.AggregateRatio && c.value < 0 && c.den < 0 {
			return headerErr("a ratio needs a value column %q or a denominator column %q", opt.ValueColumn, opt.DenominatorColumn)
		}
	}
	vr.cols = c
	return nil
}

// period parses a period and checks that it is one of the indicator's
// vintages (a year covering its quarters). Outcomes are kept by text:
// a long file repeats a few periods on every row.
func (vr *valueReader) period(raw string) periodCheck {
	if pc, ok := vr.periods[raw]; ok {
		return pc
	}
	var pc periodCheck
	p, err := indicator.ParsePeriod(raw)
	switch ps := p.String(); {
	case err != nil:
		pc.err = err
	case !vr.vintages[ps] && !(p.Quarter > 0 && vr.vintages[fmt.Sprintf("%04d", p.Year)]):
		pc.err = fmt.Errorf("period %s is not a vintage of indicator %s (vintages: %s; a year covers its quarters)", ps, vr.ind.ID, strings.Join(vr.ind.Vintages, ", "))
	default:
		pc.period = ps
	}
	vr.periods[raw] = pc
	return pc
}

// cellErr locates a problem in column col (0-based) of line.
func (vr *valueReader) cellErr(line, col int, format string, a ...any) error {
	return &ValueError{File: vr.file, Line: line, Col: col + 1, Column: vr.header[col], Err: fmt.Errorf(format, a...)}
}

// key reads and checks the level, code, sex and sector of a row: every
// value of the row has them.
func (vr *valueReader) key(ctx context.Context, r row) (indicator.Key, error) {
	var none indicator.Key
	c := vr.cols
	level := vr.fixed
	if c.level >= 0 {
		lv, err := territory.ParseLevel(r.cell(c.level))
		if err != nil {
			return none, vr.cellErr(r.line, c.level, "%v", err)
		}
		level = lv
	}
	if !vr.ind.HasLevel(level) {
		err := fmt.Errorf("level %q is not declared by indicator %s (levels: %s)", level, vr.ind.ID, levelList(vr.ind.Levels))
		if c.level >= 0 {
			return none, vr.cellErr(r.line, c.level, "%v", err)
		}
		return none, &ValueError{File: vr.file, Err: err}
	}
	known, ok := vr.levelCodes[level]
	if !ok {
		var err error
		if known, err = vr.terr.codes(ctx, level); err != nil {
			return none, err
		}
		if known == nil {
			return none, &ValueError{File: vr.file, Line: r.line, Err: fmt.Errorf("territorial level %q has not been imported: run `atlas import territories --level %s` first", level, level)}
		}
		vr.levelCodes[level] = known
	}
	code := territory.NormaliseCode(level, r.cell(c.code))
	if !known[code] {
		return none, vr.cellErr(r.line, c.code, "unknown %s code %q (expected an INSEE code of the imported %s territories)", level, r.cell(c.code), level)
	}
	sex := string(indicator.SexEnsemble)
	if c.sex >= 0 {
		s, err := indicator.ParseSex(r.cell(c.sex))
		if err != nil {
			return none, vr.cellErr(r.line, c.sex, "%v", err)
		}
		sex = string(s)
	}
	if !vr.sexes[sex] {
		return none, colOrLine(vr.file, r.line, c.sex, vr.header, fmt.Errorf("sex %q is not declared by indicator %s", sex, vr.ind.ID))
	}
	sector := indicator.SectorAll
	if c.sector >= 0 {
		sector = vr.sector(r.cell(c.sector))
	}
	if !vr.sectors[sector] {
		return none, colOrLine(vr.file, r.line, c.sector, vr.header, fmt.Errorf("sector %q is not declared by indicator %s (sectors: %s)", sector, vr.ind.ID, strings.Join(vr.ind.Sectors, ", ")))
	}
	return indicator.Key{Indicator: vr.ind.ID, Level: level, Code: code, Sex: sex, Sector: sector}, nil
}

// sector spells s as the indicator declares it: declared sectors match
// case-insensitively ("ensemble", NAF "c" for "C").
func (vr *valueReader) sector(s string) string {
	if vr.sectors[s] {
		return s
	}
	for _, d := range vr.ind.Sectors {
		if strings.EqualFold(d, s) {
			return d
		}
	}
	return s
}

// wide reads a row of the wide layout: one value per period column, an
// empty cell being a missing value.
func (vr *valueReader) wide(r row, key indicator.Key) error {
	for _, pc := range vr.cols.periods {
		if pc.err != nil {
			return vr.cellErr(r.line, pc.col, "%v", pc.err)
		}
		v := indicator.Value{Key: key}
		v.Period = pc.period
		if raw := r.cell(pc.col); raw == "" {
			v.Status = indicator.StatusMissing
		} else {
			x, err := parseNumber(raw)
			if err != nil {
				return vr.cellErr(r.line, pc.col, "%v", err)
			}
			if err := checkValue(vr.ind, x); err != nil {
				return vr.cellErr(r.line, pc.col, "%v", err)
			}
			v.Value, v.Status = &x, indicator.StatusPublished
		}
		if err := vr.add(r.line, pc.col, v); err != nil {
			return err
		}
	}
	return nil
}

// long reads a row of the long layout: one value, given as a figure or as
// its counts, with an optional status.
func (vr *valueReader) long(r row, key indicator.Key) error {
	c := vr.cols
	v := indicator.Value{Key: key}
	pc := vr.period(r.cell(c.period))
	if pc.err != nil {
		return vr.cellErr(r.line, c.period, "%v", pc.err)
	}
	v.Period = pc.period
	status := indicator.StatusPublished
	explicit := false
	if s := r.cell(c.status); s != "" {
		status = indicator.Status(strings.ToLower(s))
		if !status.Valid() {
			return vr.cellErr(r.line, c.status, "unknown status %q (expected published, provisional, estimated, missing or secret)", s)
		}
		explicit = true
	}
	var err error
	if v.Value, err = vr.number(r, c.value, ""); err != nil {
		return err
	}
	if v.Value != nil {
		if err := checkValue(vr.ind, *v.Value); err != nil {
			return vr.cellErr(r.line, c.value, "%v", err)
		}
	}
	if v.Numerator, err = vr.number(r, c.num, "numerator"); err != nil {
		return err
	}
	if v.Denominator, err = vr.number(r, c.den, "denominator"); err != nil {
		return err
	}
	if vr.ind.Aggregation == indicator.AggregateRatio && v.Numerator != nil && v.Denominator != nil {
		if *v.Numerator > *v.Denominator {
			return vr.cellErr(r.line, c.num, "numerator %v is greater than the denominator %v: impossible for a ratio", *v.Numerator, *v.Denominator)
		}
		if v.Value == nil {
			if *v.Denominator == 0 {
				// No population: the rate is undefined (as Aggregate says).
				status = indicator.StatusMissing
			} else {
				x := *v.Numerator / *v.Denominator * vr.ind.Scale
				v.Value = &x
			}
		}
	}
	empty := v.Value == nil && v.Numerator == nil && v.Denominator == nil
	switch {
	case empty && !explicit:
		status = indicator.StatusMissing
	case empty && status != indicator.StatusMissing:
		col := c.value
		if col < 0 {
			col = c.num
		}
		return vr.cellErr(r.line, col, "status %s but no figure: expected a number (or status missing)", status)
	case !empty && v.Value == nil && vr.ind.Aggregation != indicator.AggregateSum && status != indicator.StatusMissing:
		// A file with neither a value nor a denominator column (a
		// numerator alone, not a count) has no cell to point at.
		col := c.value
		if col < 0 {
			col = c.den
		}
		return colOrLine(vr.file, r.line, col, vr.header, errors.New("no value: expected a number (or, for a ratio, both numerator and denominator)"))
	}
	v.Status = status
	return vr.add(r.line, c.period, v)
}

// number reads the figure in column col of a row, nil when the cell is
// empty; a count (what != "") cannot be negative.
func (vr *valueReader) number(r row, col int, what string) (*float64, error) {
	raw := r.cell(col)
	if raw == "" {
		return nil, nil
	}
	x, err := parseNumber(raw)
	if err != nil {
		return nil, vr.cellErr(r.line, col, "%v", err)
	}
	if what != "" && x < 0 {
		return nil, vr.cellErr(r.line, col, "negative %s %v: a count cannot be negative", what, x)
	}
	return &x, nil
}

// add records a value read on line, refusing a second value for the same
// key; periodCol locates the duplicate.
func (vr *valueReader) add(line, periodCol int, v indicator.Value) error {
	if prev, dup := vr.seen[v.Key]; dup {
		return vr.cellErr(line, periodCol, "duplicate value for %s %s, period %s, sex %s, sector %s (already given on line %d)", v.Level, v.Code, v.Period, v.Sex, v.Sector, prev)
	}
	vr.seen[v.Key] = line
	v.Dataset = vr.file
	vr.out = append(vr.out, v)
	return nil
}

// colOrLine locates err in column col of line, or on the line alone when
// the column is absent (col < 0).
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
