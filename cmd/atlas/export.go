package main

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
)

// exporters are the `atlas export` formats: files that other tools read
// (GIS desktops, static hosts, tile servers), made from the same read side
// as the API.
var exporters = map[string]func(ctx context.Context, log *slog.Logger, args []string) error{
	"gpkg":    cmdExportGpkg,
	"mbtiles": cmdExportMBTiles,
	"pmtiles": cmdExportPMTiles,
}

func cmdExport(ctx context.Context, log *slog.Logger, args []string) error {
	names := make([]string, 0, len(exporters))
	for n := range exporters {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 {
		return fmt.Errorf("usage: atlas export %s [flags]", strings.Join(names, "|"))
	}
	run, ok := exporters[args[0]]
	if !ok {
		return fmt.Errorf("unknown export %q (%s)", args[0], strings.Join(names, ", "))
	}
	return run(ctx, log, args[1:])
}
