package httpx_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// TestHeadAsGet: over a real net/http server, HEAD on a GET route answers
// the GET's status and headers with no body, says the length of an
// encoded body, ends a stream at its headers, and is HEAD again in the
// logs' eyes once answered.
func TestHeadAsGet(t *testing.T) {
	body, err := blob.New([]byte(strings.Repeat(`{"a":1}`, 500)))
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(nil)
	var after []string // the method once answered, as the error handler and net/http see it
	e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			after = append(after, c.Request().Method)
			return err
		}
	})
	e.Pre(httpx.HeadAsGet)
	e.GET("/encoded", func(c echo.Context) error { return httpx.SendEncoded(c, body, "application/json", "no-cache") })
	e.GET("/json", func(c echo.Context) error {
		if head := c.Request().Header.Get("X-Head") != ""; httpx.IsHead(c) != head || c.Request().Method != http.MethodGet {
			t.Errorf("handler sees %s, IsHead %v", c.Request().Method, httpx.IsHead(c))
		}
		return c.JSON(http.StatusOK, map[string]int{"a": 1})
	})
	e.GET("/stream", func(c echo.Context) error {
		s, err := httpx.StartSSE(c)
		if err != nil {
			return err
		}
		for {
			if err := s.Heartbeat(); err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	srv := httptest.NewServer(e)
	defer srv.Close()

	for _, c := range []struct {
		path, encoding string
		status         int
		contentType    string
		length         int // -1: not said
	}{
		{"/encoded", "gzip", 200, "application/json", len(body.Gzip)},
		{"/encoded", "", 200, "application/json", len(body.Raw)},
		{"/json", "", 200, "application/json", -1},
		{"/stream", "", 200, "text/event-stream; charset=utf-8", -1},
		{"/nowhere", "", 404, "application/problem+json", -1},
	} {
		req, _ := http.NewRequest(http.MethodHead, srv.URL+c.path, nil)
		req.Header.Set("X-Head", "1")
		if c.encoding != "" {
			req.Header.Set("Accept-Encoding", c.encoding)
		}
		tr := &http.Transport{DisableCompression: true}
		client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("HEAD %s: %v", c.path, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != c.status || !strings.HasPrefix(res.Header.Get("Content-Type"), c.contentType) || len(b) != 0 {
			t.Errorf("HEAD %s: %d %q, %d bytes; want %d %q, none", c.path, res.StatusCode, res.Header.Get("Content-Type"), len(b), c.status, c.contentType)
		}
		if c.length >= 0 && res.Header.Get("Content-Length") != strconv.Itoa(c.length) {
			t.Errorf("HEAD %s (%s): Content-Length %q, want %d", c.path, c.encoding, res.Header.Get("Content-Length"), c.length)
		}
	}
	for _, m := range after {
		if m != http.MethodHead {
			t.Errorf("after the answer the method is %s", m)
		}
	}
	// GET is untouched.
	res, err := http.Get(srv.URL + "/json")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "{\"a\":1}\n" {
		t.Errorf("GET body %q", b)
	}
}
