package indicator

import (
	"fmt"
	"math"
	"testing"
)

func TestGate(t *testing.T) {
	statuses := []struct {
		status      Status
		publishable bool
	}{
		{StatusPublished, true},
		{StatusProvisional, true},
		{StatusEstimated, true},
		{StatusSecret, false},
		{StatusMissing, false},
		{"", false},         // never set: cannot be shown to be safe
		{"withheld", false}, // unknown to this version: withheld until decided
	}
	figures := []struct {
		name   string
		value  *float64
		finite bool
	}{
		{"positive", ptr(12.5), true},
		{"zero", ptr(0), true},
		{"negative", ptr(-3), true},
		{"NaN", ptr(math.NaN()), false},
		{"+Inf", ptr(math.Inf(1)), false},
		{"-Inf", ptr(math.Inf(-1)), false},
		{"nil", nil, false},
	}
	for _, st := range statuses {
		if got := Publishable(st.status); got != st.publishable {
			t.Errorf("Publishable(%q) = %v, want %v", st.status, got, st.publishable)
		}
		for _, f := range figures {
			t.Run(fmt.Sprintf("%s/%s", st.status, f.name), func(t *testing.T) {
				in := Value{
					Key:       Key{Indicator: "x", Level: "departement", Code: "31", Period: "2023", Sex: "ensemble", Sector: SectorAll},
					Value:     f.value,
					Numerator: ptr(3), Denominator: ptr(240),
					Status: st.status, Computed: true, Dataset: "d",
				}
				got, x, ok := Gate(in)

				if want := st.publishable && f.finite; ok != want {
					t.Fatalf("Gate() ok = %v, want %v", ok, want)
				}
				if ok && (x != *f.value || got.Value == nil || *got.Value != x) {
					t.Errorf("Gate() figure = %v (value %v), want %v", x, got.Value, *f.value)
				}
				if !ok && x != 0 {
					t.Errorf("Gate() figure = %v with ok false, want 0", x)
				}
				if got.Key != in.Key || got.Status != in.Status || got.Computed != in.Computed || got.Dataset != in.Dataset {
					t.Errorf("Gate() changed more than figures: %+v", got)
				}
				if st.publishable {
					if got.Numerator != in.Numerator || got.Denominator != in.Denominator {
						t.Errorf("Gate() dropped the counts of a publishable value: %+v", got)
					}
				} else if got.Value != nil || got.Numerator != nil || got.Denominator != nil {
					t.Errorf("Gate() let figures of status %q through: %+v", st.status, got)
				}
				if in.Numerator == nil || in.Denominator == nil || in.Value != f.value {
					t.Error("Gate() modified its argument")
				}
			})
		}
	}
}

func TestRedact(t *testing.T) {
	v := Value{Value: ptr(12.5), Numerator: ptr(3), Denominator: ptr(240), Status: StatusSecret}
	r := redact(v)
	if r.Value != nil || r.Numerator != nil || r.Denominator != nil || r.Status != StatusSecret {
		t.Errorf("redact(secret) = %+v, want no figures", r)
	}
	for _, s := range []Status{StatusPublished, StatusProvisional, StatusEstimated} {
		v.Status = s
		if r := redact(v); r.Value == nil || r.Numerator == nil {
			t.Errorf("redact(%s) removed figures", s)
		}
	}
	v.Status = StatusMissing
	if r := redact(v); r.Value != nil {
		t.Error("redact(missing) kept a figure")
	}
}
