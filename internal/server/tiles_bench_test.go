package server

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// discardWriter is the cheapest ResponseWriter: the benchmark measures the
// server's own work per request, not a recorder's buffering.
type discardWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// warmTileServer is the whole server (every shared middleware) over one
// in-memory layer of a single département drawn as a 400-point ring around
// Toulouse, its z6 tile under a kB.
func warmTileServer(b *testing.B) *Server {
	b.Helper()
	ring := make(orb.Ring, 0, 401)
	for i := range 400 {
		a := 2 * math.Pi * float64(i) / 400
		r := 60000 * (1 + 0.1*math.Sin(7*a))
		ring = append(ring, orb.Point{160000 + r*math.Cos(a), 5400000 + r*math.Sin(a)})
	}
	ring = append(ring, ring[0])
	wk, err := wkb.Marshal(orb.Polygon{ring})
	if err != nil {
		b.Fatal(err)
	}
	d := store.LevelData{Level: territory.Departement, DatasetID: 1,
		Territories: []territory.Territory{{Level: territory.Departement, Code: "31", Name: "Haute-Garonne", Region: "76"}}}
	geoms := func(_ context.Context, _ territory.Level, fn func(store.LoadedGeometry) error) error {
		for z := 5; z <= 8; z++ {
			if err := fn(store.LoadedGeometry{Code: "31", Zoom: z, WKB: wk}); err != nil {
				return err
			}
		}
		return nil
	}
	l, err := tiles.NewLayer(context.Background(), d, geoms, 5, 8)
	if err != nil {
		b.Fatal(err)
	}
	return New(Config{Tiles: tiles.NewMemoryService(blob.NewLRU(16<<20), l)})
}

// BenchmarkWarmTile is one request for a cached tile through the whole
// middleware chain (metrics, logs, framing, recovery, CORS, routing, the
// conditional and encoding choice), as a browser sends it.
func BenchmarkWarmTile(b *testing.B) {
	for _, c := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"identity", nil, http.StatusOK},
		{"gzip", map[string]string{"Accept-Encoding": "gzip, deflate"}, http.StatusOK},
		{"browser", map[string]string{"Accept-Encoding": "gzip, deflate, br, zstd", "Origin": "https://portail.example"}, http.StatusOK},
		{"revalidate", map[string]string{"If-None-Match": "*"}, http.StatusNotModified},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := warmTileServer(b)
			req := httptest.NewRequest(http.MethodGet, "/tiles/departements/6/32/23.mvt", nil)
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			w := &discardWriter{h: http.Header{}}
			s.ServeHTTP(w, req) // the miss that fills the cache
			if w.code != c.want || (c.want == http.StatusOK && w.n < 200) {
				b.Fatalf("status %d, %d bytes", w.code, w.n)
			}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.n = 0
				s.ServeHTTP(w, req)
			}
			if w.code != c.want {
				b.Fatalf("status %d", w.code)
			}
		})
	}
}

// BenchmarkWarmTileHTTP is the same tile over loopback HTTP with
// keep-alive, through the whole server and through a bare net/http handler
// writing the same bytes and cache headers: the ratio of the two is what
// the middleware costs once the network stack is counted.
func BenchmarkWarmTileHTTP(b *testing.B) {
	s := warmTileServer(b)
	const path = "/tiles/departements/6/32/23.mvt"
	w := &discardWriter{h: http.Header{}}
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	body := make([]byte, w.n)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	copy(body, rec.Body.Bytes())
	hdr := rec.Header().Clone()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range hdr {
			h[k] = v
		}
		w.Write(body) //nolint:errcheck // the client went away
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"atlas", s}, {"bare", bare}} {
		b.Run(c.name, func(b *testing.B) {
			srv := httptest.NewServer(c.h)
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			b.SetParallelism(8) // 16 clients on 2 cores, as bench tiles
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				buf := make([]byte, 64<<10)
				for pb.Next() {
					res, err := client.Get(srv.URL + path)
					if err != nil {
						b.Error(err)
						return
					}
					for {
						if _, err := res.Body.Read(buf); err != nil {
							break
						}
					}
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}
