package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// SSE writes a Server-Sent Events stream. Streams outlive the server's
// write timeout, which would cut them: the deadline is cleared for this
// response only, and heartbeats keep proxies and the client's reader
// from taking a quiet stream for a dead one.
type SSE struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// StartSSE sends the stream's headers.
func StartSSE(c echo.Context) (*SSE, error) {
	w := c.Response()
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && err != http.ErrNotSupported {
		return nil, err
	}
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-transform")
	// nginx and the like would buffer the stream otherwise.
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if IsHead(c) {
		return nil, ErrHeadOnly
	}
	s := &SSE{w: w, rc: rc}
	return s, s.flush()
}

// Write sends frames (complete events, each ending with a blank line).
func (s *SSE) Write(frames ...[]byte) error {
	for _, f := range frames {
		if _, err := s.w.Write(f); err != nil {
			return err
		}
	}
	return s.flush()
}

// Heartbeat sends a comment, which clients ignore.
func (s *SSE) Heartbeat() error {
	if _, err := s.w.Write([]byte(": ping\n\n")); err != nil {
		return err
	}
	return s.flush()
}

// Retry tells the client how long to wait before reconnecting.
func (s *SSE) Retry(d time.Duration) error {
	if _, err := s.w.Write([]byte("retry: " + strconv.FormatInt(d.Milliseconds(), 10) + "\n\n")); err != nil {
		return err
	}
	return s.flush()
}

func (s *SSE) flush() error {
	err := s.rc.Flush()
	if err == http.ErrNotSupported {
		return nil
	}
	return err
}

// Bearer is the token of an "Authorization: Bearer TOKEN" header, or "".
func Bearer(c echo.Context) string {
	scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}
