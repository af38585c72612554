package importer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// preloaded returns territories as if the given levels had been imported
// with these codes and no other level had, so that values can be read
// without a database.
func preloaded(codes map[territory.Level][]string) *territories {
	t := &territories{loaded: map[territory.Level]*store.LevelData{}}
	for _, l := range territory.Levels {
		t.loaded[l] = nil
	}
	for l, cs := range codes {
		d := &store.LevelData{Level: l}
		for _, c := range cs {
			d.Territories = append(d.Territories, territory.Territory{Level: l, Code: c})
		}
		t.loaded[l] = d
	}
	return t
}

// testIndicator declares two years, three sexes, two sectors and the
// départements and régions of testTerritories.
func testIndicator(agg indicator.Aggregation) indicator.Indicator {
	return indicator.Indicator{
		ID: "test", Vintages: []string{"2022", "2023"}, Levels: []territory.Level{territory.Departement, territory.Region},
		Sexes:   []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes},
		Sectors: []string{indicator.SectorAll, "C"}, Aggregation: agg, Scale: 1000,
	}
}

func testTerritories() *territories {
	return preloaded(map[territory.Level][]string{
		territory.Departement: {"09", "31", "32"},
		territory.Region:      {"76"},
	})
}

func TestReadValues(t *testing.T) {
	tests := []struct {
		name    string
		agg     indicator.Aggregation
		opt     IndicatorOptions
		csv     string
		want    string // values as level:code:period:sex:sector:value:status, or
		wantErr string // the error
	}{
		{
			name: "long, counts give the ratio",
			agg:  indicator.AggregateRatio, opt: IndicatorOptions{Level: "departement"},
			csv:  "code;period;sex;numerator;denominator\n31;2023;femmes;10;1000\n9;2023;hommes;0;0\n",
			want: "departement:31:2023:femmes:ensemble:10:published departement:09:2023:hommes:ensemble:nil:missing",
		},
		{
			name: "long, empty sector",
			agg:  indicator.AggregateSum,
			csv:  "level,code,period,sector,value,status\nregion,76,2023-T2,c,5,estimated\n,,,,,\n\ndepartement,32,2022,,,\n",
			// an empty sector cell is not "ensemble"
			wantErr: `v.csv: line 5, column 4 (sector): sector "" is not declared`,
		},
		{
			name: "long, level column, sector spelt as declared, blank lines",
			agg:  indicator.AggregateSum,
			csv:  "level,code,period,sector,value,status\nregion,76,2023-T2,c,5,estimated\n,,,,,\n\ndepartement,32,2022,ensemble,,\n",
			want: "region:76:2023-T2:ensemble:C:5:estimated departement:32:2022:ensemble:ensemble:nil:missing",
		},
		{
			name: "wide, empty cells missing",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Layout: LayoutWide, Level: "departement", CodeColumn: "Code"},
			csv:  "Code,Libellé,T4_2022,2023\n31,Haute-Garonne,\"8,2\",\n",
			want: "departement:31:2022-T4:ensemble:ensemble:8.2:published departement:31:2023:ensemble:ensemble:nil:missing",
		},
		{
			name: "wide, a period header that is no vintage is reported on the first data line",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Layout: LayoutWide, Level: "departement"},
			csv:     "code,2023,2019\n31,1,2\n32,3,4\n",
			wantErr: "v.csv: line 2, column 3 (2019): period 2019 is not a vintage of indicator test",
		},
		{
			name: "wide, a bad code is found before the bad period header",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Layout: LayoutWide, Level: "departement"},
			csv:     "code,2019\n99,1\n",
			wantErr: `v.csv: line 2, column 1 (code): unknown departement code "99"`,
		},
		{
			name: "wide, duplicate line",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Layout: LayoutWide, Level: "departement"},
			csv:     "code,2023\n31,1\n31,2\n",
			wantErr: "v.csv: line 3, column 2 (2023): duplicate value for departement 31, period 2023, sex ensemble, sector ensemble (already given on line 2)",
		},
		{
			name: "fixed level not declared",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Level: "zone-emploi"},
			csv:     "code,period,value\n7625,2023,1\n",
			wantErr: `v.csv: level "zone-emploi" is not declared by indicator test`,
		},
		{
			name:    "level column, level not declared",
			agg:     indicator.AggregateNone,
			csv:     "level,code,period,value\ncommune,31555,2023,1\n",
			wantErr: `v.csv: line 2, column 1 (level): level "commune" is not declared`,
		},
		{
			name: "sex column named but absent: every value is for both sexes",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Level: "departement", SexColumn: "genre"},
			csv:  "code,period,value,sex\n31,2023,1,femmes\n",
			want: "departement:31:2023:ensemble:ensemble:1:published",
		},
		{
			name: "no value column and no denominator: the row is located without a column",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Level: "departement"},
			csv:     "code,period,numerator\n31,2023,5\n",
			wantErr: "v.csv: line 2: no value: expected a number (or, for a ratio, both numerator and denominator)",
		},
		{
			name: "header only",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Level: "departement"},
			csv:     "code,period,value\n",
			wantErr: "v.csv: no value: the file has a header but no data line",
		},
		{
			name: "empty file",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Level: "departement"},
			csv:     "",
			wantErr: "v.csv: empty file: expected a header line",
		},
		{
			name: "bare quote",
			agg:  indicator.AggregateNone, opt: IndicatorOptions{Level: "departement"},
			csv:     "code,period,value\n31,2023,\"1\n",
			wantErr: "v.csv: line 2: extraneous or missing \" in quoted-field",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			opt.Values = "dir/v.csv"
			values, err := readValues(context.Background(), withDefaults(opt), testIndicator(tc.agg), []byte(tc.csv), testTerritories())
			if tc.wantErr != "" {
				var ve *ValueError
				if !errors.As(err, &ve) || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a ValueError starting with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range values {
				x := "nil"
				if v.Value != nil {
					x = fmt.Sprint(*v.Value)
				}
				got = append(got, strings.Join([]string{string(v.Level), v.Code, v.Period, v.Sex, v.Sector, x, string(v.Status)}, ":"))
				if v.Dataset != "v.csv" {
					t.Errorf("dataset %q, want v.csv", v.Dataset)
				}
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("values\n %s\nwant\n %s", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr string
	}{
		{"8.2", 8.2, ""},
		{"8,2", 8.2, ""},
		{"1 234,5", 1234.5, ""},
		{"1\u00a0234", 1234, ""},
		{"1\u202f234,5", 1234.5, ""},
		{"-3", -3, ""},
		{"1e3", 1000, ""},
		{"1.234,5", 0, "use either a decimal comma or a decimal point"},
		{"1,2,3", 0, "expected a number"},
		{"douze", 0, `"douze": expected a number`},
		{"NaN", 0, "expected a number"},
		{"Inf", 0, "expected a number"},
		{"1e400", 0, "expected a number"},
		{"", 0, "expected a number"},
	}
	for _, tc := range tests {
		got, err := parseNumber(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseNumber(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseNumber: parseNumber returns a finite number or an error that
// quotes its input.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"8.2", "8,2", "1 234,5", "1\u00a0234", "1\u202f234,5", "-3", "1e3", "1.234,5", "douze", "NaN", "1e400", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := parseNumber(s)
		switch {
		case err != nil && (x != 0 || !strings.HasPrefix(err.Error(), fmt.Sprintf("%q", s))):
			t.Fatalf("parseNumber(%q) = %v, %v", s, x, err)
		case err == nil && (math.IsNaN(x) || math.IsInf(x, 0)):
			t.Fatalf("parseNumber(%q) = %v", s, x)
		}
	})
}

// FuzzReadValues: whatever the file, readValues returns values of the
// indicator's declared levels, codes, periods, sexes and sectors, or a
// *ValueError; never a panic.
func FuzzReadValues(f *testing.F) {
	long := "level;code;period;sex;numerator;denominator\n"
	for _, s := range []struct {
		csv         string
		wide, fixed bool
		agg         uint8
	}{
		{"code;period;sex;numerator;denominator\n31;2023;femmes;10;1000\n9;2023;hommes;0;0\n", false, true, 1},
		{long + "departement;31;2023;femmes;10;1000\ndepartement;96;2023;femmes;1;10\n", false, false, 1},
		{long + "departement;31;2023;femmes;10;1000\ndepartement;31;2023;femmes;1;10\n", false, false, 1},
		{long + "region;76;2023-T5;F;douze;-10\n", false, false, 2},
		{"level,code,period,sector,value,status\nregion,76,2023-T2,c,5,estimated\n,,,,,\n", false, false, 0},
		{"level;code;period;sex;numerator;denominator;status\ndepartement;32;2023;femmes;;;published\n", false, false, 1},
		{"\ufeffcode;period;value;status\n31;T3_2023;\"8,2\";provisional\n32;2023;;\n", false, true, 2},
		{"Code,Libellé,T4_2022,2023\n31,Haute-Garonne,\"8,2\",\n09,Ariège,1 234,5\n", true, true, 2},
		{"code,2023,2019\n31,1,2\n", true, true, 0},
	} {
		f.Add([]byte(s.csv), s.wide, s.fixed, s.agg)
	}
	aggs := []indicator.Aggregation{indicator.AggregateSum, indicator.AggregateRatio, indicator.AggregateNone}
	f.Fuzz(func(t *testing.T, data []byte, wide, fixed bool, agg uint8) {
		ind := testIndicator(aggs[int(agg)%len(aggs)])
		opt := IndicatorOptions{Values: "v.csv"}
		if wide {
			opt.Layout = LayoutWide
		}
		if fixed {
			opt.Level = "departement"
		}
		values, err := readValues(context.Background(), withDefaults(opt), ind, data, testTerritories())
		if err != nil {
			var ve *ValueError
			if !errors.As(err, &ve) || values != nil {
				t.Fatalf("readValues = %d values, %v (%T); want values or a *ValueError", len(values), err, err)
			}
			return
		}
		codes := map[string]bool{"departement:09": true, "departement:31": true, "departement:32": true, "region:76": true}
		for _, v := range values {
			switch {
			case !codes[string(v.Level)+":"+v.Code], !v.Status.Valid(), !strings.HasPrefix(v.Period, "2022") && !strings.HasPrefix(v.Period, "2023"),
				!indicator.Sex(v.Sex).Valid(), v.Sector != indicator.SectorAll && v.Sector != "C",
				v.Value != nil && (math.IsNaN(*v.Value) || math.IsInf(*v.Value, 0)):
				t.Fatalf("value %+v", v)
			}
		}
	})
}

// BenchmarkReadValues reads INSEE's quarterly unemployment rates by zone
// d'emploi (wide: 302 zones × 83 quarters) and a long file of counts by
// département, year and sex (95 × 21 × 3 rows), without a database.
func BenchmarkReadValues(b *testing.B) {
	ctx := context.Background()
	var years []string
	for y := 2003; y <= 2023; y++ {
		years = append(years, fmt.Sprint(y))
	}

	wide, err := os.ReadFile(datasettest.File(b, "derived/chomage_ze2020_2003T1-2023T3.csv"))
	if err != nil {
		b.Fatal(err)
	}
	var zones []string
	for _, line := range strings.Split(string(wide), "\n")[1:] {
		if code, _, ok := strings.Cut(line, ","); ok {
			zones = append(zones, code)
		}
	}
	wideInd := indicator.Indicator{ID: "chomage-ze", Vintages: years, Levels: []territory.Level{territory.ZoneEmploi},
		Sexes: []indicator.Sex{indicator.SexEnsemble}, Sectors: []string{indicator.SectorAll}, Aggregation: indicator.AggregateNone}
	wideOpt := withDefaults(IndicatorOptions{Values: "chomage_ze.csv", Layout: LayoutWide, Level: "zone-emploi", CodeColumn: "ZE2020"})
	wideTerr := map[territory.Level][]string{territory.ZoneEmploi: zones}

	var long strings.Builder
	long.WriteString("code;period;sex;numerator;denominator\n")
	var deps []string
	for d := 1; d <= 95; d++ {
		deps = append(deps, fmt.Sprintf("%02d", d))
		for y := 2003; y <= 2023; y++ {
			for _, s := range []string{"ensemble", "femmes", "hommes"} {
				fmt.Fprintf(&long, "%02d;%d;%s;%d;%d\n", d, y, s, 10+y%7, 1000+y)
			}
		}
	}
	longInd := indicator.Indicator{ID: "taux-at", Vintages: years, Levels: []territory.Level{territory.Departement},
		Sexes:   []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes},
		Sectors: []string{indicator.SectorAll}, Aggregation: indicator.AggregateRatio, Scale: 1000}
	longOpt := withDefaults(IndicatorOptions{Values: "taux.csv", Level: "departement"})
	longTerr := map[territory.Level][]string{territory.Departement: deps}

	for _, bc := range []struct {
		name string
		opt  IndicatorOptions
		ind  indicator.Indicator
		data []byte
		terr map[territory.Level][]string
	}{
		{"wide", wideOpt, wideInd, wide, wideTerr},
		{"long", longOpt, longInd, []byte(long.String()), longTerr},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := readValues(ctx, bc.opt, bc.ind, bc.data, preloaded(bc.terr)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
