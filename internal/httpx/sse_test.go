package httpx

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// A stream outlives the server's write timeout and is flushed frame by
// frame.
func TestSSEOutlivesTheWriteTimeout(t *testing.T) {
	e := echo.New()
	e.GET("/events", func(c echo.Context) error {
		s, err := StartSSE(c)
		if err != nil {
			return err
		}
		for i := 0; i < 3; i++ {
			time.Sleep(150 * time.Millisecond)
			if err := s.Write([]byte("id: 1\nevent: view\ndata: {}\n\n")); err != nil {
				return err
			}
		}
		return s.Heartbeat()
	})
	srv := httptest.NewUnstartedServer(e)
	srv.Config.WriteTimeout = 200 * time.Millisecond
	srv.Start()
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") || resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Errorf("headers %v", resp.Header)
	}
	sc := bufio.NewScanner(resp.Body)
	events, pings := 0, 0
	for sc.Scan() {
		switch {
		case strings.HasPrefix(sc.Text(), "event: view"):
			events++
		case sc.Text() == ": ping":
			pings++
		}
	}
	if events != 3 || pings != 1 {
		t.Errorf("%d events and %d heartbeats read past a 200 ms write timeout, want 3 and 1", events, pings)
	}
}

func TestBearer(t *testing.T) {
	e := echo.New()
	for h, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "Basic abc": "", "Bearer": "", "": ""} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		if got := Bearer(e.NewContext(req, httptest.NewRecorder())); got != want {
			t.Errorf("Bearer(%q) = %q, want %q", h, got, want)
		}
	}
}
