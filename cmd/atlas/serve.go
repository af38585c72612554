package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/adminapi"
	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpapi"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

func cmdServe(ctx context.Context, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", envOr("ATLAS_ADDR", "127.0.0.1:8080"), "listen address (ATLAS_ADDR)")
	cacheMB := fs.Int("cache-mb", 256, "memory bound of the cache of encoded tiles and maps, in MiB")
	prewarm := fs.Int("prewarm-maxzoom", 6, "encode the tiles covering each layer up to this zoom after loading; -1 disables")
	cors := fs.String("cors", envOr("ATLAS_CORS_ORIGINS", ""), "comma-separated origins allowed to GET (default any)")
	embedOrigins := fs.String("embed-origins", envOr("ATLAS_EMBED_ORIGINS", ""), "comma-separated exact origins (https://portail.example.fr) allowed to frame /embed and talk to it over postMessage, besides this server's pages (ATLAS_EMBED_ORIGINS)")
	dbTimeout := fs.Duration("db-timeout", 5*time.Second, "timeout of each request's database work")
	publicURL := fs.String("public-url", envOr("ATLAS_PUBLIC_URL", ""), "address that workshop links and QR codes name, e.g. http://192.168.1.20:8080 (ATLAS_PUBLIC_URL; default: this machine's network address when listening on all interfaces, else the request's)")
	migrate := fs.Bool("migrate", true, "apply pending schema migrations at start")
	retention := fs.Duration("workshop-retention", durationEnv("ATLAS_WORKSHOP_RETENTION", 90*24*time.Hour), "how long a closed workshop keeps its participants' names, contributions' authors and event log (ATLAS_WORKSHOP_RETENTION; 0 keeps them until the workshop is deleted)")
	adminTokens := fs.String("admin-token-sha256", envOr("ATLAS_ADMIN_TOKENS_SHA256", ""), "comma-separated SHA-256 (hex) of the admin API's bearer tokens, several while one is replaced (ATLAS_ADMIN_TOKENS_SHA256; `atlas admin token` makes one); none: every admin route answers 403")
	adminMaxMB := fs.Int("admin-max-upload-mb", 256, "size limit of an admin upload, in MiB (413 beyond)")
	adminDir := fs.String("admin-upload-dir", envOr("ATLAS_ADMIN_UPLOAD_DIR", ""), "where admin uploads are written while they are imported, and removed after (ATLAS_ADMIN_UPLOAD_DIR; default the system's temporary directory)")
	var view httpapi.DefaultView
	fs.StringVar(&view.Region, "region", envOr("ATLAS_REGION", ""), "INSEE code of the région the map opens on, e.g. 76 or 84 (ATLAS_REGION; default France)")
	fs.StringVar(&view.Indicator, "indicator", envOr("ATLAS_INDICATOR", ""), "indicator the map opens on (ATLAS_INDICATOR; default chosen by the map)")
	var files tileFileFlag
	fs.Var(&files, "mbtiles", "serve this MBTiles (or PMTiles) file's tiles, with no database; repeatable, each under its file name (departements.mbtiles: /tiles/departements)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(files) > 0 {
		return serveFiles(ctx, log, files, fileServing{Addr: *addr, CacheMB: *cacheMB, CORS: *cors, Timeout: *dbTimeout, View: view})
	}
	embeds, err := httpx.ParseOrigins(*embedOrigins)
	if err != nil {
		return fmt.Errorf("--embed-origins: %w", err)
	}
	// The read replica, when set: the read side's queries go there, the
	// writes to DATABASE_URL, which must then accept them.
	readURL := os.Getenv("DATABASE_READ_URL")
	st, err := openReplicated(ctx, readURL)
	if err != nil {
		return err
	}
	if *migrate {
		if st, err = migrated(ctx, log, st); err != nil {
			return err
		}
	}
	defer st.Close()
	if st.Replicated() {
		log.Info("reads on the replica", "url", store.Redact(readURL))
	}
	metrics := httpx.NewMetrics()
	cache := blob.NewLRU(int64(*cacheMB) << 20)
	svc := tiles.NewService(st.ReadSide(), cache, tiles.Options{
		PrewarmMaxZoom: *prewarm,
		Observer:       metrics,
		Log:            log,
	})
	if err := svc.LoadAll(ctx); err != nil {
		return err
	}
	if len(svc.Layers()) == 0 {
		log.Warn("no territories imported yet: run `atlas import demo` or `atlas import territories`")
	}
	if view.Region != "" || view.Indicator != "" {
		entries, err := st.Indicators(ctx)
		if err != nil {
			return err
		}
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.ID
		}
		if err := view.Check(svc.Territories(), ids); err != nil {
			return err
		}
	}
	wctx, cancelWatch := context.WithCancel(ctx)
	defer cancelWatch()
	go svc.Watch(wctx)
	versions := store.NewVersionWatch(st.ReadSide())
	go versions.Run(wctx, func(err error) { log.Warn("listening for indicator imports stopped, retrying", "err", err) })

	origins, err := httpx.ParseOrigins(*cors)
	if err != nil {
		return fmt.Errorf("--cors: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	public := *publicURL
	if public == "" {
		public = roomURL(ln.Addr())
	}
	if public != "" {
		log.Info("workshop links name", "url", public)
	}
	adminHashes, err := parseTokenHashes(*adminTokens)
	if err != nil {
		return fmt.Errorf("--admin-token-sha256: %w", err)
	}
	srv := server.New(server.Config{Store: st, Tiles: svc, Cache: cache, CORSOrigins: origins, EmbedOrigins: embeds, Timeout: *dbTimeout, View: view,
		IndicatorVersion: versions.Get, PublicURL: public, WorkshopRetention: *retention, Metrics: metrics, Log: log,
		Admin: adminapi.Options{TokenHashes: adminHashes, MaxUpload: int64(*adminMaxMB) << 20, TempDir: *adminDir}})
	ran := make(chan struct{})
	go func() { srv.Run(wctx); close(ran) }()
	log.Info("serving", "addr", "http://"+ln.Addr().String())
	return serveUntil(ctx, log, ln, srv, func(sctx context.Context) {
		// Workshop streams never go idle: stopping the fan-out ends them,
		// so that the drain waits for ordinary requests only.
		cancelWatch()
	}, func(sctx context.Context) {
		// The fan-out writes who left before the store closes.
		select {
		case <-ran:
		case <-sctx.Done():
		}
	})
}

// serveUntil serves h on ln until ctx ends, then drains it within 10 s:
// stopping runs before the drain, stopped after it.
func serveUntil(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, stopping, stopped func(context.Context)) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if stopping != nil {
		stopping(sctx)
	}
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if stopped != nil {
		stopped(sctx)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// roomURL is the address phones in the room reach this server at, when it
// listens on every interface (ATLAS_ADDR=0.0.0.0:8080) and none was
// configured: its first private IPv4 address. Empty otherwise: links then
// name the address the facilitator's browser used.
func roomURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return ""
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && ipn.IP.IsPrivate() {
				return "http://" + net.JoinHostPort(ipn.IP.String(), strconv.Itoa(tcp.Port))
			}
		}
	}
	return ""
}

// durationEnv is the environment variable name as a duration (e.g. 720h),
// else def.
func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}
