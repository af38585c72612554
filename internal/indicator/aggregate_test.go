package indicator

import (
	"errors"
	"math"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func ratioIndicator() Indicator {
	ind := validIndicator()
	ind.ID = "tf-at"
	return ind // ratio, scale 1000, threshold 5 on numerator
}

func commune(code, period, sex string, num, den float64, st Status, ds string) Value {
	return Value{
		Key:       Key{Indicator: "tf-at", Level: "commune", Code: code, Period: period, Sex: sex, Sector: "ensemble"},
		Numerator: ptr(num), Denominator: ptr(den), Value: ptr(num / den * 1000),
		Status: st, Dataset: ds,
	}
}

// Three communes in zone 7601, two in 7602.
var zoneOf = map[string]string{
	"31001": "7601", "31002": "7601", "31003": "7601",
	"09001": "7602", "09002": "7602",
}

func TestAggregateRatioOfSums(t *testing.T) {
	children := []Value{
		commune("31001", "2021", "ensemble", 40, 1000, StatusPublished, "carsat-2021"),
		commune("31002", "2021", "ensemble", 2, 20, StatusSecret, "carsat-2021"),
		commune("31003", "2021", "ensemble", 1, 500, StatusPublished, "carsat-2021"),
		commune("09001", "2021", "ensemble", 10, 400, StatusPublished, "carsat-2021"),
		commune("09002", "2021", "ensemble", 30, 600, StatusProvisional, "msa-2021"),
	}
	got, err := Aggregate(ratioIndicator(), children, zoneOf, "zone-emploi")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d parents, want 2: %+v", len(got), got)
	}
	z1 := got[0]
	// Hand computation: (40+2+1)/(1000+20+500)×1000 = 43/1520×1000.
	want := 43.0 / 1520.0 * 1000
	if z1.Code != "7601" || z1.Value == nil || math.Abs(*z1.Value-want) > 1e-9 {
		t.Fatalf("7601 = %+v, want value %v", z1, want)
	}
	meanOfRates := (40.0/1000 + 2.0/20 + 1.0/500) / 3 * 1000
	if math.Abs(*z1.Value-meanOfRates) < 1 {
		t.Fatalf("test data does not separate ratio of sums (%v) from mean of rates (%v)", *z1.Value, meanOfRates)
	}
	if *z1.Numerator != 43 || *z1.Denominator != 1520 {
		t.Errorf("7601 counts = %v/%v, want 43/1520", *z1.Numerator, *z1.Denominator)
	}
	// The secret commune contributed; the parent is not secret itself.
	if z1.Status != StatusPublished || !z1.Computed || z1.Level != "zone-emploi" || z1.Dataset != "carsat-2021" {
		t.Errorf("7601 metadata = %+v", z1)
	}
	z2 := got[1]
	if want := 40.0 / 1000 * 1000; z2.Code != "7602" || math.Abs(*z2.Value-want) > 1e-9 {
		t.Errorf("7602 = %v, want %v", *z2.Value, want)
	}
	if z2.Status != StatusProvisional || z2.Dataset != "carsat-2021+msa-2021" {
		t.Errorf("7602 status %q dataset %q, want provisional and both datasets", z2.Status, z2.Dataset)
	}
}

func TestAggregateSum(t *testing.T) {
	ind := validIndicator()
	ind.ID, ind.Aggregation, ind.ThresholdOn, ind.Scale = "salaries", AggregateSum, ThresholdOnValue, 0
	mk := func(code, sex string, v float64) Value {
		return Value{Key: Key{Indicator: "salaries", Level: "commune", Code: code, Period: "2021", Sex: sex, Sector: "F"}, Value: ptr(v), Status: StatusPublished}
	}
	children := []Value{
		mk("31001", "femmes", 120), mk("31002", "femmes", 3), mk("31003", "femmes", 0),
		mk("31001", "hommes", 800), mk("31002", "hommes", 40), mk("31003", "hommes", 7),
	}
	// A count loaded as a numerator only is still a count.
	children[5].Value, children[5].Numerator = nil, ptr(7)
	got, err := Aggregate(ind, children, map[string]string{"31001": "7601", "31002": "7601", "31003": "7601"}, "zone-emploi")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"femmes": 123, "hommes": 847}
	for _, v := range got {
		if v.Value == nil || *v.Value != want[v.Sex] || v.Status != StatusPublished {
			t.Errorf("%s = %+v, want %v", v.Sex, v, want[v.Sex])
		}
		if v.Numerator != nil {
			t.Errorf("%s numerator should be absent when some children lack one", v.Sex)
		}
	}
	if len(got) != 2 {
		t.Errorf("got %d groups, want 2", len(got))
	}
}

func TestAggregateCompleteness(t *testing.T) {
	tests := []struct {
		name     string
		children []Value
		want     map[string]Status
	}{
		{
			name: "missing child makes parent missing",
			children: []Value{
				commune("31001", "2021", "ensemble", 40, 1000, StatusPublished, "a"),
				commune("31002", "2021", "ensemble", 2, 20, StatusMissing, "a"),
				commune("31003", "2021", "ensemble", 1, 500, StatusPublished, "a"),
			},
			want: map[string]Status{"7601": StatusMissing},
		},
		{
			name: "absent child makes parent missing",
			children: []Value{
				commune("31001", "2021", "ensemble", 40, 1000, StatusPublished, "a"),
				commune("31003", "2021", "ensemble", 1, 500, StatusPublished, "a"),
				commune("09001", "2021", "ensemble", 10, 400, StatusPublished, "a"),
				commune("09002", "2021", "ensemble", 30, 600, StatusEstimated, "a"),
			},
			want: map[string]Status{"7601": StatusMissing, "7602": StatusEstimated},
		},
		{
			name: "child without counts makes parent missing",
			children: []Value{
				commune("09001", "2021", "ensemble", 10, 400, StatusPublished, "a"),
				{Key: Key{Indicator: "tf-at", Level: "commune", Code: "09002", Period: "2021", Sex: "ensemble", Sector: "ensemble"}, Value: ptr(3), Status: StatusSecret},
			},
			want: map[string]Status{"7602": StatusMissing},
		},
		{
			name: "zero denominator gives missing, not zero",
			children: []Value{
				{Key: Key{Indicator: "tf-at", Level: "commune", Code: "09001", Period: "2021", Sex: "femmes", Sector: "ensemble"}, Numerator: ptr(0), Denominator: ptr(0), Status: StatusPublished},
				{Key: Key{Indicator: "tf-at", Level: "commune", Code: "09002", Period: "2021", Sex: "femmes", Sector: "ensemble"}, Numerator: ptr(0), Denominator: ptr(0), Status: StatusPublished},
			},
			want: map[string]Status{"7602": StatusMissing},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Aggregate(ratioIndicator(), tt.children, zoneOf, "zone-emploi")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d parents, want %d", len(got), len(tt.want))
			}
			for _, v := range got {
				if v.Status != tt.want[v.Code] {
					t.Errorf("%s status = %q, want %q", v.Code, v.Status, tt.want[v.Code])
				}
				if v.Status == StatusMissing && v.Value != nil {
					t.Errorf("%s is missing but has value %v", v.Code, *v.Value)
				}
				if !v.Computed {
					t.Errorf("%s not marked computed", v.Code)
				}
			}
		})
	}
}

func TestAggregateGroupsAndNormalisesPeriods(t *testing.T) {
	children := []Value{
		commune("09001", "T3_2021", "femmes", 1, 100, StatusPublished, "a"),
		commune("09002", "2021-T3", "femmes", 3, 100, StatusPublished, "a"),
		commune("09001", "2021T3", "hommes", 5, 100, StatusPublished, "a"),
		commune("09002", "2021-T3", "hommes", 7, 100, StatusPublished, "a"),
		commune("09001", "2022", "hommes", 9, 100, StatusPublished, "a"),
		commune("09002", "2022", "hommes", 11, 100, StatusPublished, "a"),
	}
	got, err := Aggregate(ratioIndicator(), children, zoneOf, "zone-emploi")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		period, sex string
		value       float64
	}{{"2021-T3", "femmes", 20}, {"2021-T3", "hommes", 60}, {"2022", "hommes", 100}}
	if len(got) != len(want) {
		t.Fatalf("got %d groups, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Period != w.period || g.Sex != w.sex || math.Abs(*g.Value-w.value) > 1e-9 {
			t.Errorf("group %d = %s %s %v, want %s %s %v", i, g.Period, g.Sex, *g.Value, w.period, w.sex, w.value)
		}
	}
}

func TestAggregateErrors(t *testing.T) {
	ok := commune("31001", "2021", "ensemble", 1, 10, StatusPublished, "a")
	none := ratioIndicator()
	none.Aggregation = AggregateNone
	tests := []struct {
		name     string
		ind      Indicator
		children []Value
		level    territory.Level
		field    string
	}{
		{"aggregation none", none, []Value{ok}, "zone-emploi", "aggregation"},
		{"undeclared level", ratioIndicator(), []Value{ok}, "canton", "parentLevel"},
		{"no parent level", ratioIndicator(), []Value{ok}, "", "parentLevel"},
		{"unknown code", ratioIndicator(), []Value{commune("99999", "2021", "ensemble", 1, 10, StatusPublished, "a")}, "zone-emploi", "children[0].code"},
		{"duplicate", ratioIndicator(), []Value{ok, commune("31001", "2021", "ensemble", 2, 10, StatusPublished, "b")}, "zone-emploi", "children[1].code"},
		{"mixed levels", ratioIndicator(), []Value{ok, func() Value { v := ok; v.Level = "departement"; v.Code = "31002"; return v }()}, "zone-emploi", "children[1].level"},
		{"other indicator", ratioIndicator(), []Value{func() Value { v := ok; v.Indicator = "x"; return v }()}, "zone-emploi", "children[0].indicator"},
		{"bad period", ratioIndicator(), []Value{func() Value { v := ok; v.Period = "2021-Q1"; return v }()}, "zone-emploi", "children[0].period"},
		{"NaN", ratioIndicator(), []Value{func() Value { v := ok; v.Numerator = ptr(math.NaN()); return v }()}, "zone-emploi", "children[0].numerator"},
		{"bad status", ratioIndicator(), []Value{func() Value { v := ok; v.Status = "ok"; return v }()}, "zone-emploi", "children[0].status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Aggregate(tt.ind, tt.children, zoneOf, tt.level)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("Aggregate() error = %v, want field %q", err, tt.field)
			}
		})
	}
}
