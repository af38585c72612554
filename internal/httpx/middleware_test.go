package httpx

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

func TestTimeoutBoundsTheRequest(t *testing.T) {
	e := echo.New()
	var left time.Duration
	e.GET("/", func(c echo.Context) error {
		d, ok := c.Request().Context().Deadline()
		if !ok {
			t.Error("no deadline")
		}
		left = time.Until(d)
		<-c.Request().Context().Done()
		return c.Request().Context().Err()
	}, Timeout(50*time.Millisecond))
	start := time.Now()
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if left <= 0 || left > 50*time.Millisecond || time.Since(start) > 5*time.Second {
		t.Errorf("deadline %s ahead, request took %s", left, time.Since(start))
	}
}

func TestRequestLogAndMetricsSeeTheStatusSent(t *testing.T) {
	var logs bytes.Buffer
	m := NewMetrics()
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.DiscardHandler))
	e.Use(m.Middleware)
	e.Use(RequestLog(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	e.GET("/tiles/:layer", func(echo.Context) error { return UnknownParam("layer", "couche inconnue") })
	e.GET("/metrics", echo.WrapHandler(m.Handler()))
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/tiles/nulle", nil))
	m.CacheHit("regions")
	m.CacheMiss("regions")
	if !strings.Contains(logs.String(), "status=404") {
		t.Errorf("log %q", logs.String())
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{
		`atlas_http_requests_total{route="/tiles/:layer",status="404"} 1`,
		`atlas_tile_cache_total{layer="regions",result="hit"} 1`,
		`atlas_tile_cache_total{layer="regions",result="miss"} 1`,
		`atlas_http_request_duration_seconds_count{route="/tiles/:layer"} 1`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
