package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestParseOrigins(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "", want: nil},
		{in: " , ", want: nil},
		{in: "https://portail.example.fr", want: []string{"https://portail.example.fr"}},
		{in: "https://Portail.Example.FR/, http://localhost:5173", want: []string{"https://portail.example.fr", "http://localhost:5173"}},
		{in: "https://a.fr:443,http://b.fr:80,http://c.fr:8080", want: []string{"https://a.fr", "http://b.fr", "http://c.fr:8080"}},
		{in: "HTTPS://a.fr,https://a.fr", want: []string{"https://a.fr"}},
		{in: "http://[::1]:8080", want: []string{"http://[::1]:8080"}},
		{in: "*", wantErr: `origine "*" : pas de joker`},
		{in: "https://*.example.fr", wantErr: "pas de joker"},
		{in: "portail.example.fr", wantErr: `origine "portail.example.fr" : schéma http ou https attendu`},
		{in: "ftp://a.fr", wantErr: "schéma http ou https"},
		{in: "https://a.fr/carte", wantErr: "ni chemin"},
		{in: "https://a.fr?x=1", wantErr: "ni chemin"},
		{in: "https://a.fr#x", wantErr: "ni chemin"},
		{in: "https://moi@a.fr", wantErr: "identifiants"},
		{in: "https://", wantErr: "hôte absent"},
		{in: "https://a.fr, https://b.fr/x", wantErr: `origine "https://b.fr/x"`},
	} {
		got, err := ParseOrigins(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseOrigins(%q) = %v, %v; want error containing %q", c.in, got, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseOrigins(%q): %v", c.in, err)
			continue
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ParseOrigins(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFrameAncestors(t *testing.T) {
	if got := FrameAncestors(nil); got != "frame-ancestors 'self'" {
		t.Errorf("no origins: %q", got)
	}
	if got := FrameAncestors([]string{"https://a.fr", "http://b.fr:8080"}); got != "frame-ancestors 'self' https://a.fr http://b.fr:8080" {
		t.Errorf("two origins: %q", got)
	}
}

func TestDenyFraming(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(nil)
	e.Use(DenyFraming)
	e.GET("/json", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]int{"a": 1}) })
	e.GET("/page", func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; object-src 'none';")
		return c.HTML(http.StatusOK, "<p>carte</p>")
	})
	e.GET("/embed", func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; "+FrameAncestors([]string{"https://a.fr"}))
		return c.HTML(http.StatusOK, "<p>intégrée</p>")
	})
	e.GET("/fails", func(c echo.Context) error { return BadParam("x", "mauvais") })
	for _, c := range []struct {
		path, csp, xfo string
		status         int
	}{
		{"/json", "frame-ancestors 'none'", "DENY", 200},
		// The map's own policy is kept, with the directive added to it.
		{"/page", "default-src 'self'; object-src 'none'; frame-ancestors 'none'", "DENY", 200},
		{"/embed", "default-src 'self'; frame-ancestors 'self' https://a.fr", "", 200},
		{"/fails", "frame-ancestors 'none'", "DENY", 400},
		{"/absent", "frame-ancestors 'none'", "DENY", 404},
	} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != c.status {
			t.Errorf("%s: status %d, want %d", c.path, rec.Code, c.status)
		}
		if got := rec.Header().Values("Content-Security-Policy"); len(got) != 1 || got[0] != c.csp {
			t.Errorf("%s: CSP %q, want %q", c.path, got, c.csp)
		}
		if got := rec.Header().Get("X-Frame-Options"); got != c.xfo {
			t.Errorf("%s: X-Frame-Options %q, want %q", c.path, got, c.xfo)
		}
	}
}
