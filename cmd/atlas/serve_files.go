package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/export/mbtiles"
	"github.com/atlas-sante-travail/atlas/internal/export/pmtiles"
	"github.com/atlas-sante-travail/atlas/internal/httpapi"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/server"
)

// tileFileFlag is the repeatable --mbtiles flag of atlas serve.
type tileFileFlag []string

func (f *tileFileFlag) String() string { return strings.Join(*f, ",") }

func (f *tileFileFlag) Set(s string) error {
	*f = append(*f, s)
	return nil
}

// fileServing is what `atlas serve --mbtiles` takes of serve's flags.
type fileServing struct {
	Addr    string
	CacheMB int
	CORS    string
	Timeout time.Duration
	View    httpapi.DefaultView
}

// openTileFile opens a PMTiles file (.pmtiles) or else an MBTiles one, and
// counts its tiles.
func openTileFile(path string) (httpapi.TileFile, func() error, int, error) {
	if strings.EqualFold(filepath.Ext(path), ".pmtiles") {
		r, err := pmtiles.Open(path)
		if err != nil {
			return nil, nil, 0, err
		}
		return r, r.Close, int(r.Header().AddressedTiles), nil
	}
	r, err := mbtiles.Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	n := 0
	err = r.Each(context.Background(), func(int, int, int, []byte) error { n++; return nil })
	if err != nil {
		r.Close()
		return nil, nil, 0, err
	}
	return r, r.Close, n, nil
}

// openTileFiles opens every --mbtiles file, each named by its file name
// without extension; two files of one name are refused.
func openTileFiles(log *slog.Logger, paths []string) ([]httpapi.NamedTileFile, func(), error) {
	var files []httpapi.NamedTileFile
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	name := func(p string) string { return strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)) }
	seen := map[string]string{}
	for _, p := range paths {
		if prev, dup := seen[name(p)]; dup {
			return nil, nil, fmt.Errorf("--mbtiles : %s et %s seraient servis sous le même nom /tiles/%s : renommez l'un des deux", prev, p, name(p))
		}
		seen[name(p)] = p
	}
	for _, p := range paths {
		f, closer, n, err := openTileFile(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("--mbtiles : %w", err)
		}
		closers = append(closers, closer)
		md := f.Metadata()
		log.Info("tile file", "file", p, "layer", name(p), "tiles", n, "zooms", fmt.Sprintf("%d-%d", md.MinZoom, md.MaxZoom), "name", md.Name)
		files = append(files, httpapi.NamedTileFile{Name: name(p), File: f, Tiles: n})
	}
	return files, closeAll, nil
}

// serveFiles is `atlas serve --mbtiles F...`: the files' tiles, TileJSON
// and the map limited to them, with no database.
func serveFiles(ctx context.Context, log *slog.Logger, paths []string, o fileServing) error {
	if o.View.Region != "" || o.View.Indicator != "" {
		log.Warn("--region and --indicator need the database: ignored with --mbtiles")
	}
	files, closeAll, err := openTileFiles(log, paths)
	if err != nil {
		return err
	}
	defer closeAll()
	origins, err := httpx.ParseOrigins(o.CORS)
	if err != nil {
		return fmt.Errorf("--cors: %w", err)
	}
	metrics := httpx.NewMetrics()
	e := server.NewFiles(server.Config{Cache: blob.NewLRU(int64(o.CacheMB) << 20), CORSOrigins: origins, Timeout: o.Timeout, Metrics: metrics, Log: log}, files)
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	log.Info("serving tile files, no database", "addr", "http://"+ln.Addr().String(), "files", len(files))
	return serveUntil(ctx, log, ln, e, nil, nil)
}
