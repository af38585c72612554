package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestErrorHandler(t *testing.T) {
	var logs bytes.Buffer
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.NewTextHandler(&logs, nil)))
	e.GET("/param", func(echo.Context) error { return BadParam("level", "niveau inconnu", "region", "departement") })
	e.GET("/unknown", func(echo.Context) error { return UnknownParam("layer", "couche inconnue", "regions") })
	missing := func(echo.Context) error { return NotFound("indicateur « x » introuvable") }
	e.GET("/missing", missing)
	e.HEAD("/missing", missing)
	e.GET("/internal", func(echo.Context) error { return errors.New("pq: password authentication failed for user secret") })
	e.GET("/wrapped", func(echo.Context) error { return errors.Join(errors.New("context"), BadParam("z", "trop grand")) })
	for _, c := range []struct {
		path, method string
		status       int
		typ, param   string
	}{
		{"/param", http.MethodGet, 400, TypeInvalidParameter, "level"},
		{"/unknown", http.MethodGet, 404, TypeNotFound, "layer"},
		{"/missing", http.MethodGet, 404, TypeNotFound, ""},
		{"/internal", http.MethodGet, 500, "about:blank", ""},
		{"/wrapped", http.MethodGet, 400, TypeInvalidParameter, "z"},
		{"/nowhere", http.MethodGet, 404, "about:blank", ""},
		{"/param", http.MethodPost, 405, "about:blank", ""},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(c.method, c.path+"?q=1", nil))
		var p Problem
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s %s: not a problem: %v %q", c.method, c.path, err, rec.Body)
		}
		if rec.Code != c.status || p.Status != c.status || p.Type != c.typ || p.Instance != c.path+"?q=1" {
			t.Errorf("%s %s: %d %+v", c.method, c.path, rec.Code, p)
		}
		if c.param != "" && (len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param) {
			t.Errorf("%s: invalid params %+v", c.path, p.InvalidParams)
		}
		if p.Title == "" || strings.Contains(p.Title, "Not Found") {
			t.Errorf("%s: title %q: problems are in French", c.path, p.Title)
		}
	}
	// An internal error is logged, never shown.
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/internal", nil))
	if strings.Contains(rec.Body.String(), "secret") || !strings.Contains(logs.String(), "password authentication failed") {
		t.Errorf("internal error: body %q, log %q", rec.Body, logs.String())
	}
	// HEAD gets the status without a body.
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/missing", nil))
	if rec.Code != 404 || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}
