package tilebench

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// The limit server answers each recorded tile with its bytes and cache
// headers, 204 for an empty one, and nothing it was not given.
func TestLimitHandler(t *testing.T) {
	body := bytes.Repeat([]byte{7}, 3000)
	cold := []Fetch{
		{Tile: Tile{"departements", 5, 15, 10}, Status: 200, Bytes: len(body), Body: body, Header: http.Header{
			"Content-Type": {"application/vnd.mapbox-vector-tile"}, "Cache-Control": {"public, max-age=3600"},
			"Etag": {`"abc"`}, "Vary": {"Origin", "Accept-Encoding"}}},
		{Tile: Tile{"departements", 5, 15, 11}, Status: 204, Header: http.Header{"Cache-Control": {"public, max-age=3600"}}},
		{Tile: Tile{"departements", 5, 16, 11}, Status: 500, Err: context.DeadlineExceeded},
	}
	tiles := LimitTiles(cold)
	if len(tiles) != 2 || tiles[0].Vary != "Origin, Accept-Encoding" || tiles[1].Body != nil {
		t.Fatalf("recorded %+v", tiles)
	}
	srv := httptest.NewServer(LimitHandler(tiles))
	defer srv.Close()
	c := NewClient(2, 5*time.Second)
	for _, w := range []struct {
		path   string
		status int
		bytes  int
		etag   string
	}{
		{"/tiles/departements/5/15/10.mvt", 200, len(body), `"abc"`},
		{"/tiles/departements/5/15/11.mvt", 204, 0, ""},
		{"/tiles/departements/5/16/11.mvt", 404, 0, ""},
		{"/healthz", 200, 0, ""},
	} {
		f := FetchURL(context.Background(), c, srv.URL+w.path, "identity", nil, true)
		if f.Status != w.status || f.Bytes != w.bytes || f.Header.Get("ETag") != w.etag {
			t.Errorf("%s: %d, %d bytes, ETag %q; want %d, %d, %q", w.path, f.Status, f.Bytes, f.Header.Get("ETag"), w.status, w.bytes, w.etag)
		}
		if w.status == 200 && w.bytes > 0 && (f.Header.Get("Content-Length") != "3000" || f.Header.Get("Cache-Control") != "public, max-age=3600") {
			t.Errorf("%s: headers %v", w.path, f.Header)
		}
	}
}

func TestLimitTargets(t *testing.T) {
	for _, c := range []struct {
		name      string
		ours, lim Figures
		want      [2]bool
	}{
		{"at the limit", Figures{WarmRPS: 9000, WarmP99MS: 6}, Figures{WarmRPS: 10000, WarmP99MS: 4}, [2]bool{true, true}},
		{"slower", Figures{WarmRPS: 8000, WarmP99MS: 6.1}, Figures{WarmRPS: 10000, WarmP99MS: 4}, [2]bool{false, false}},
		{"limit failed", Figures{WarmRPS: 9000, WarmP99MS: 4}, Figures{WarmRPS: 10000, WarmP99MS: 4, WarmErrors: 1}, [2]bool{false, false}},
		{"limit not measured", Figures{WarmRPS: 9000, WarmP99MS: 4}, Figures{}, [2]bool{false, false}},
	} {
		ts := LimitTargets(c.ours, c.lim)
		if len(ts) != 2 || ts[0].Pass != c.want[0] || ts[1].Pass != c.want[1] {
			t.Errorf("%s: %+v", c.name, ts)
		}
	}
}

// Alternate sums the turns of each side and gives both the same requests.
func TestAlternate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("tuile")) }))
	defer srv.Close()
	c := NewClient(2, 5*time.Second)
	a, b := []string{srv.URL + "/a"}, []string{srv.URL + "/b"}
	ra, rb := Alternate(context.Background(), c, a, b, LoadOptions{Duration: time.Second, Concurrency: 2, MaxRequests: 40}, 4)
	if ra.Requests != 40 || rb.Requests != 40 || ra.Statuses[200] != 40 || ra.Bytes != 200 || len(rb.Latencies) != 40 {
		t.Errorf("a: %d requests %v %d bytes; b: %d requests", ra.Requests, ra.Statuses, ra.Bytes, rb.Requests)
	}
	if !slices.IsSorted(ra.Latencies) || ra.Elapsed <= 0 {
		t.Error("latencies unsorted or no elapsed time")
	}
}
