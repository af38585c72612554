// Package archtest guards the floors of ARCHITECTURE.md: a package imports
// only from floors below its own (and the few same-floor imports listed
// here), and the "nevers" hold. Its test parses every package of the
// module and fails on a broken rule, the way the OpenAPI test guards the
// routes; a new package must be given a floor here before it builds.
package archtest

// Floors, from the ground up.
const (
	Ground   = 1 // pure domain, PostGIS access, shared pieces
	Services = 2 // tiles, imports
	Read     = 3 // the read side: every value that leaves
	Products = 4 // what is built on the read side and the services
	Surfaces = 5 // one package per API surface
	Wiring   = 6 // mounts the surfaces; reads flags and environment
)

// Floor of every package of the module, by import path below the module.
var Floor = map[string]int{
	"internal/territory":           Ground,
	"internal/indicator":           Ground,
	"internal/store":               Ground,
	"internal/store/storetest":     Ground,
	"internal/blob":                Ground,
	"internal/httpx":               Ground,
	"internal/dataset":             Ground,
	"internal/dataset/datasettest": Ground,
	"geodata":                      Ground,
	"web-map":                      Ground,
	"api":                          Ground,
	"internal/archtest":            Ground,
	"internal/auth":                Ground,

	"internal/tiles":            Services,
	"internal/importer":         Services,
	"internal/importer/geofile": Services,

	"internal/diagnostic": Read,

	"internal/demodata":      Products,
	"internal/tilebench":     Products,
	"internal/workshop":      Products,
	"internal/workshopbench": Products,

	// The admin API's work: uploads through the importer, datasets, deletions.
	"internal/admin": Products,

	// Writers of the files other tools read.
	"internal/export/gpkg": Products,

	// Tile files for tile servers and static hosts, and what they share.
	"internal/export/tileset": Products,
	"internal/export/mbtiles": Products,
	"internal/export/pmtiles": Products,

	// The diagnostic's documents: their layout model and its renderers
	// (plain values), and their assembly from the read side.
	"internal/report":      Products,
	"internal/report/html": Products,
	"internal/report/svg":  Products,
	"internal/report/pdf":  Products,
	"internal/document":    Products,

	"internal/httpapi": Surfaces,
	"internal/ogcapi":  Surfaces,

	// Administration, behind its bearer tokens.
	"internal/adminapi": Surfaces,

	"internal/server": Wiring,
	"cmd/atlas":       Wiring,
}

// SameFloor lists the imports allowed between packages of one floor.
var SameFloor = map[string][]string{
	// The pure core speaks of levels; the store keeps them typed.
	"internal/indicator":       {"internal/territory"},
	"internal/store":           {"internal/territory"},
	"internal/store/storetest": {"internal/store"},
	// Problems and bodies are sent with their encoded form.
	"internal/httpx": {"internal/blob"},
	// The importer reads files with its own readers.
	"internal/importer": {"internal/importer/geofile"},
	// The workshop bench starts servers as the other benches do.
	"internal/workshopbench": {"internal/tilebench"},
	// The tile file formats share one description of a tile set.
	"internal/export/mbtiles": {"internal/export/tileset"},
	"internal/export/pmtiles": {"internal/export/tileset"},
	// The renderers draw the layout model; HTML and PDF draw maps and
	// charts the SVG way; the documents are assembled in that model.
	"internal/report/svg":  {"internal/report"},
	"internal/report/html": {"internal/report", "internal/report/svg"},
	"internal/report/pdf":  {"internal/report", "internal/report/svg"},
	"internal/document": {"internal/report", "internal/report/html", "internal/report/pdf", "internal/report/svg",
		"internal/workshop"}, // the synthèse du diagnostic reads the workshops' syntheses
	// The command starts the server it wires.
	"cmd/atlas": {"internal/server"},
}

// Pure packages know no database, no HTTP, no process, and no package of
// the module but other pure ones: the rules live there, testable alone.
var Pure = []string{"internal/territory", "internal/indicator", "internal/importer/geofile", "internal/auth"}

// Rules beyond the floors: who may import what.
var (
	// HTTP framework and plumbing: httpx itself, the surfaces and the wiring.
	HTTPPackages = []string{"github.com/labstack/echo/v4", "internal/httpx"}
	HTTPUsers    = []string{"internal/httpx", "internal/httpapi", "internal/ogcapi", "internal/adminapi", "internal/server", "cmd/atlas"}
	// Database drivers: the store and its test helper, and the bench,
	// whose baseline measures PostGIS itself; the GeoPackage writer, whose
	// file is an SQLite database (database/sql over modernc.org/sqlite).
	DatabasePackages = []string{"github.com/jackc/pgx/v5", "database/sql"}
	DatabaseUsers    = []string{"internal/store", "internal/store/storetest", "internal/tilebench", "internal/export/gpkg",
		"internal/export/mbtiles"} // MBTiles too is an SQLite file
	// Writers and renderers take plain values, so that each format is
	// testable without a database: none of these below them.
	WriterPrefixes = []string{"internal/export", "internal/report"}
	WriterNevers   = []string{"internal/store", "internal/diagnostic", "internal/tiles"}
	// Values are read for output by the read side only, and written by
	// the importer only (store methods, by name).
	ValueReaders = map[string][]string{
		"IndicatorValues":  {"internal/store", "internal/diagnostic"},
		"IndicatorPeriods": {"internal/store", "internal/diagnostic"},
		"ReplaceIndicator": {"internal/store", "internal/importer"},
	}
	// Configuration comes from flags and the environment in the command
	// only (and in test helpers, which read the test cluster's address).
	ConfigReaders = []string{"cmd/atlas", "internal/store/storetest", "internal/dataset/datasettest"}
)
