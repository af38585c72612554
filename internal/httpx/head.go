package httpx

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// headKey marks, in the echo context, a HEAD request routed as its GET.
const headKey = "httpx.head"

// ErrHeadOnly ends a stream opened by a HEAD request once its headers are
// sent: there is no body to stream.
var ErrHeadOnly = errors.New("HEAD: headers only")

// HeadAsGet is a pre-routing middleware that answers HEAD on every GET
// route (RFC 9110: HEAD is GET without the body: link checkers, monitors
// and CDNs ask it) without declaring each route twice. The request is
// routed and handled as GET, its body writes are dropped, and IsHead tells
// the handlers that care (SendEncoded says the length, a stream stops at
// its headers). The method is HEAD again for the logs once it is answered.
func HeadAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodHead {
			return next(c)
		}
		// echo's router reads the method of this very request.
		req.Method = http.MethodGet
		c.Set(headKey, true)
		res := c.Response()
		res.Writer = headWriter{res.Writer}
		err := next(c)
		req.Method = http.MethodHead
		return err
	}
}

// IsHead tells whether the request is a HEAD, routed as GET or not.
func IsHead(c echo.Context) bool {
	v, _ := c.Get(headKey).(bool)
	return v || c.Request().Method == http.MethodHead
}

// headWriter drops the body of a HEAD answer, as net/http does for a
// request whose method it still sees as HEAD.
type headWriter struct{ http.ResponseWriter }

func (w headWriter) Write(p []byte) (int, error) { return len(p), nil }

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (w headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
