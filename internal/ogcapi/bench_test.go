package ogcapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// BenchmarkItems pages through the départements as GDAL 3.6 does (10 a
// page, following next) and as QGIS does (1,000 a page): a whole walk per
// iteration, which is what the OGC test suite and a full read cost.
func BenchmarkItems(b *testing.B) {
	f := setup(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	for _, limit := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			var pages, bytes int
			for b.Loop() {
				u := fmt.Sprintf("%s/ogc/collections/departements.taux-at/items?limit=%d", f.srv.URL, limit)
				for u != "" {
					resp, err := client.Get(u)
					if err != nil {
						b.Fatal(err)
					}
					raw, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Fatalf("%s: %d %v", u, resp.StatusCode, err)
					}
					var p struct {
						Links []link `json:"links"`
					}
					if err := json.Unmarshal(raw, &p); err != nil {
						b.Fatal(err)
					}
					pages++
					bytes += len(raw)
					next, _ := linkOf(p.Links, "next")
					u = next.Href
				}
			}
			b.ReportMetric(float64(pages)/float64(b.N), "pages/walk")
			b.ReportMetric(float64(bytes)/float64(b.N)/1e6, "MB/walk")
		})
	}
}
