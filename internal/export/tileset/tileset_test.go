package tileset

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
)

func valid() Metadata {
	return Metadata{
		Name: "départements", MinZoom: 0, MaxZoom: 11,
		Bounds: [4]float64{-5.2, 41.3, 9.6, 51.1}, Center: [3]float64{2.5, 46.6, 5},
		VectorLayers: []VectorLayer{{ID: "departements", MaxZoom: 11, Fields: map[string]string{"code": "String", "value": "Number"}}},
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Metadata)
		want   string // "" for valid
	}{
		{"valid", func(*Metadata) {}, ""},
		{"no name", func(m *Metadata) { m.Name = "" }, "no name"},
		{"zooms reversed", func(m *Metadata) { m.MinZoom, m.MaxZoom = 8, 2 }, "zooms 8 to 2"},
		{"bounds upside down", func(m *Metadata) { m.Bounds = [4]float64{9, 51, -5, 41} }, "bounds"},
		{"latitude beyond 90", func(m *Metadata) { m.Bounds[3] = 91 }, "bounds"},
		{"no layer", func(m *Metadata) { m.VectorLayers = nil }, "no vector layer"},
		{"layer without id", func(m *Metadata) { m.VectorLayers[0].ID = "" }, "without id"},
		{"free text field type", func(m *Metadata) { m.VectorLayers[0].Fields["name"] = "String: nom" }, `field name: type "String: nom"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.change(&m)
			err := m.Check()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestCheckTile(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("mvt"))
	zw.Close()
	gz := buf.Bytes()
	for _, tc := range []struct {
		z, x, y int
		data    []byte
		ok      bool
	}{
		{0, 0, 0, gz, true},
		{3, 7, 7, gz, true},
		{3, 8, 0, gz, false},
		{3, 0, -1, gz, false},
		{-1, 0, 0, gz, false},
		{2, 1, 1, []byte("mvt"), false},
		{2, 1, 1, nil, false},
	} {
		if err := CheckTile(tc.z, tc.x, tc.y, tc.data); (err == nil) != tc.ok {
			t.Errorf("CheckTile(%d, %d, %d, %q): %v", tc.z, tc.x, tc.y, tc.data, err)
		}
	}
	raw, err := Gunzip(gz)
	if err != nil || string(raw) != "mvt" {
		t.Fatalf("Gunzip: %q, %v", raw, err)
	}
	if _, err := Gunzip([]byte{0x1f, 0x8b, 0}); err == nil {
		t.Fatal("Gunzip of a truncated stream succeeded")
	}
}
