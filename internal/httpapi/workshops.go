package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

const (
	// maxBody bounds what a workshop request may send: a view is a few
	// hundred bytes.
	maxBody = 64 << 10
	// heartbeat keeps a quiet stream alive through proxies and tells the
	// client's reader the stream is not dead.
	heartbeat = 15 * time.Second
)

// publicBase is the scheme and host that links and QR codes name: the
// configured public address (a room's Wi-Fi address), else the request's.
func (h *handlers) publicBase(c echo.Context) string {
	if h.cfg.PublicURL != "" {
		return strings.TrimSuffix(h.cfg.PublicURL, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}

// decodeBody reads a JSON body into v: unknown fields, a wrong type or a
// body too large are refused, naming the field.
func decodeBody(c echo.Context, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mb *http.MaxBytesError
	switch {
	case err == nil:
		if _, err := dec.Token(); err != io.EOF {
			return httpx.BadParam("body", "un seul objet JSON est attendu")
		}
		return nil
	case errors.As(err, &te) && te.Field != "":
		return httpx.BadParam(te.Field, "attendu : "+jsonType(te.Type.Kind().String()))
	case errors.As(err, &mb):
		return httpx.BadParam("body", "corps trop volumineux ("+strconv.Itoa(maxBody>>10)+" Kio au plus)")
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return httpx.BadParam("body", "JSON invalide ou absent")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json quotes the key with %q.
		raw := strings.TrimPrefix(err.Error(), "json: unknown field ")
		name, qerr := strconv.Unquote(raw)
		if qerr != nil {
			name = raw
		}
		if name == "" {
			// {"": …}: a problem must name its parameter.
			return httpx.BadParam("body", "champ sans nom")
		}
		return httpx.BadParam(name, "champ inconnu")
	}
	return httpx.BadParam("body", "JSON invalide")
}

// jsonType names a Go kind in JSON's words.
func jsonType(kind string) string {
	switch kind {
	case "string":
		return "une chaîne"
	case "bool":
		return "un booléen"
	case "slice", "array":
		return "une liste"
	case "struct", "map":
		return "un objet"
	}
	return "un nombre"
}

func (h *handlers) createWorkshop(c echo.Context) error {
	var req workshop.Create
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.Create(c.Request().Context(), req, c.RealIP(), h.publicBase(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, out)
}

func (h *handlers) getWorkshop(c echo.Context) error {
	out, err := h.ws.Get(c.Request().Context(), c.Param("code"), httpx.Bearer(c), h.publicBase(c))
	if err != nil {
		return err
	}
	// The state changes at every event: always ask again.
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) updateWorkshop(c echo.Context) error {
	var set workshop.Settings
	if err := decodeBody(c, &set); err != nil {
		return err
	}
	out, err := h.ws.Update(c.Request().Context(), c.Param("code"), httpx.Bearer(c), set, h.publicBase(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) closeWorkshop(c echo.Context) error {
	out, err := h.ws.Close(c.Request().Context(), c.Param("code"), httpx.Bearer(c), h.publicBase(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) reopenWorkshop(c echo.Context) error {
	out, err := h.ws.Reopen(c.Request().Context(), c.Param("code"), httpx.Bearer(c), h.publicBase(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) joinWorkshop(c echo.Context) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	out, err := h.ws.Join(c.Request().Context(), c.Param("code"), req.Name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, out)
}

func (h *handlers) listParticipants(c echo.Context) error {
	ps, err := h.ws.Participants(c.Request().Context(), c.Param("code"), httpx.Bearer(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"participants": ps})
}

func (h *handlers) putPresence(c echo.Context) error {
	var req struct {
		Following *bool `json:"following"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if req.Following == nil {
		return httpx.BadParam("following", "requis : true ou false")
	}
	if err := h.ws.SetFollowing(c.Request().Context(), c.Param("code"), httpx.Bearer(c), *req.Following); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// committed is the answer to a write that made one event.
type committed struct {
	Seq int64 `json:"seq"`
}

func (h *handlers) putView(c echo.Context) error {
	var v workshop.View
	if err := decodeBody(c, &v); err != nil {
		return err
	}
	seq, err := h.ws.SetView(c.Request().Context(), c.Param("code"), httpx.Bearer(c), v)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, committed{seq})
}

func (h *handlers) postPointer(c echo.Context) error {
	var req struct {
		Level string `json:"level"`
		Code  string `json:"code"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	seq, err := h.ws.Point(c.Request().Context(), c.Param("code"), httpx.Bearer(c), req.Level, req.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, committed{seq})
}

func (h *handlers) addStep(c echo.Context) error {
	var req struct {
		Title string        `json:"title"`
		View  workshop.View `json:"view"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	step, err := h.ws.AddStep(c.Request().Context(), c.Param("code"), httpx.Bearer(c), req.Title, req.View)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, step)
}

// stepID reads the :step parameter.
func stepID(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("step"))
	if err != nil || n < 1 {
		return 0, httpx.BadParam("step", "un numéro d'étape, 1 ou plus")
	}
	return n, nil
}

func (h *handlers) renameStep(c echo.Context) error {
	id, err := stepID(c)
	if err != nil {
		return err
	}
	var req struct {
		Title string `json:"title"`
	}
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	step, err := h.ws.RenameStep(c.Request().Context(), c.Param("code"), httpx.Bearer(c), id, req.Title)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, step)
}

func (h *handlers) deleteStep(c echo.Context) error {
	id, err := stepID(c)
	if err != nil {
		return err
	}
	if err := h.ws.DeleteStep(c.Request().Context(), c.Param("code"), httpx.Bearer(c), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// resumeAfter is where a stream starts: after the Last-Event-ID a client
// reconnecting sends, else after the query's `after` (a first connection,
// after a snapshot), else from the start.
func resumeAfter(c echo.Context) (int64, error) {
	raw, name := c.Request().Header.Get("Last-Event-ID"), "Last-Event-ID"
	if raw == "" {
		raw, name = c.QueryParam("after"), "after"
	}
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return 0, httpx.BadParam(name, "un numéro d'événement, 0 ou plus")
	}
	return n, nil
}

// workshopEvents streams a workshop's events as Server-Sent Events: the
// backlog since the resume point, then each event as it is committed. It
// ends when the client leaves, or when it lags too far behind (it then
// resumes from its last id, as after any drop).
func (h *handlers) workshopEvents(c echo.Context) error {
	after, err := resumeAfter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	sub, err := h.ws.Subscribe(ctx, c.Param("code"), httpx.Bearer(c), after)
	if err != nil {
		return err
	}
	defer sub.Close()
	sse, err := httpx.StartSSE(c)
	if err != nil {
		return err
	}
	frames := make([][]byte, 0, len(sub.Backlog)+1)
	for _, e := range sub.Backlog {
		frames = append(frames, e.Frame())
	}
	if err := sse.Write(frames...); err != nil {
		return nil // the client left
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			if sse.Heartbeat() != nil {
				return nil
			}
		case e, ok := <-sub.C:
			if !ok {
				return nil
			}
			// Whatever else is already there goes in the same write.
			frames = append(frames[:0], e.Frame())
		drain:
			for len(frames) < 64 {
				select {
				case e, ok := <-sub.C:
					if !ok {
						break drain
					}
					frames = append(frames, e.Frame())
				default:
					break drain
				}
			}
			if sse.Write(frames...) != nil {
				return nil
			}
		}
	}
}

// workshopSeq answers every write with the seq of the last event it
// committed, in the Workshop-Seq header.
func workshopSeq(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, rec := workshop.WithReceipt(c.Request().Context())
		c.SetRequest(c.Request().WithContext(ctx))
		c.Response().Before(func() {
			if seq := rec.Seq(); seq > 0 {
				c.Response().Header().Set("Workshop-Seq", strconv.FormatInt(seq, 10))
			}
		})
		return next(c)
	}
}
