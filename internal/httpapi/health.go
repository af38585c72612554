package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is ready when the database (and the read replica, when there is
// one) answers and territories are loaded in memory: before that, tiles
// would all be 404.
func (h *handlers) readyz(c echo.Context) error {
	out := map[string]any{}
	status := http.StatusOK
	if h.cfg.Ping == nil || h.cfg.Ping(c.Request().Context()) != nil {
		out["database"] = "unreachable"
		status = http.StatusServiceUnavailable
	} else {
		out["database"] = "ok"
	}
	if h.cfg.Replica != nil {
		rep, ok := h.replica(c.Request().Context())
		out["replica"] = rep
		if !ok {
			status = http.StatusServiceUnavailable
		}
	}
	layers := map[string]int{}
	for _, l := range h.tiles.Layers() {
		layers[l.Name] = l.Territories.Len()
	}
	out["layers"] = layers
	if len(layers) == 0 {
		out["territories"] = "aucun territoire chargé : lancez `atlas import territories` ou `atlas import demo`"
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusOK {
		out["status"] = "ready"
	} else {
		out["status"] = "not ready"
	}
	return c.JSON(status, out)
}

// ReplicaState is what /readyz says of the read replica (DATABASE_READ_URL).
type ReplicaState struct {
	// Standby is false when the read URL names a primary, whose reads are
	// current.
	Standby bool
	// Behind is the WAL the replica has still to replay, in bytes; Paused
	// is true while its replay is paused.
	Behind int64
	Paused bool
	// Waiting is how long an announced import has been waiting for the
	// replica to replay it, during which the previous version is served.
	Waiting time.Duration
	// LastWait is how long the last announced import took to be replayed.
	LastWait time.Duration
}

// replica reports the read replica for /readyz; ok is false when it does
// not answer, since the read side then cannot serve. A replica that lags
// leaves the server ready: the previous version is served, whole.
func (h *handlers) replica(ctx context.Context) (_ map[string]any, ok bool) {
	st, err := h.cfg.Replica(ctx)
	if err != nil {
		return map[string]any{"status": "unreachable"}, false
	}
	out := map[string]any{
		"status":        "ok",
		"standby":       st.Standby,
		"behind_bytes":  st.Behind,
		"last_wait_ms":  st.LastWait.Milliseconds(),
		"replay_paused": st.Paused,
	}
	if st.Waiting > 0 {
		// An import is committed on the primary and announced, not yet
		// replayed here: the server still serves the previous version.
		out["status"] = "replaying"
		out["waiting_ms"] = st.Waiting.Milliseconds()
	}
	return out, true
}
