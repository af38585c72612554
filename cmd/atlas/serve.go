package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

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
	dbTimeout := fs.Duration("db-timeout", 5*time.Second, "timeout of each request's database work")
	migrate := fs.Bool("migrate", true, "apply pending schema migrations at start")
	var view httpapi.DefaultView
	fs.StringVar(&view.Region, "region", envOr("ATLAS_REGION", ""), "INSEE code of the région the map opens on, e.g. 76 or 84 (ATLAS_REGION; default France)")
	fs.StringVar(&view.Indicator, "indicator", envOr("ATLAS_INDICATOR", ""), "indicator the map opens on (ATLAS_INDICATOR; default chosen by the map)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	open := openStore
	if *migrate {
		open = func(ctx context.Context) (*store.Store, error) { return openMigrated(ctx, log) }
	}
	st, err := open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	metrics := httpx.NewMetrics()
	cache := blob.NewLRU(int64(*cacheMB) << 20)
	svc := tiles.NewService(st, cache, tiles.Options{
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
	versions := store.NewVersionWatch(st)
	go versions.Run(wctx, func(err error) { log.Warn("listening for indicator imports stopped, retrying", "err", err) })

	var origins []string
	if *cors != "" {
		origins = strings.Split(*cors, ",")
	}
	e := server.New(server.Config{Store: st, Tiles: svc, Cache: cache, CORSOrigins: origins, Timeout: *dbTimeout, View: view,
		IndicatorVersion: versions.Get, Metrics: metrics, Log: log})
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
