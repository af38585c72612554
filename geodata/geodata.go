// Package geodata carries the pinned manifest of the demo geography and
// statistics used by Atlas Santé-Travail (département, région, zone d'emploi
// and commune polygons, INSEE and Assurance Maladie tables).
//
// The data files themselves are not in the repository: manifest.json lists,
// for every file, where it comes from (repository, commit, path, raw URL
// pinned by commit, or for files under derived/ the files and transformation
// it was made from), its producer, licence and vintage, and the sha256 and
// size of its bytes. The full provenance notes it was generated from are in
// the SOURCES.md file kept beside the data mirror. Parse it with
// internal/dataset.ParseManifest and fetch the files with dataset.Fetch.
package geodata

import _ "embed"

// ManifestJSON is the content of manifest.json.
//
// It is embedded rather than read from disk at run time so that a built
// binary carries its own pins: whatever directory it runs from, `fetch`
// verifies the files it downloads or copies against the sha256 digests this
// exact build was made and tested with, and an edited manifest.json on disk
// cannot silently change what the binary accepts.
//
//go:embed manifest.json
var ManifestJSON []byte

// RecipesJSON lists how the demo geography is imported: for each level,
// which files, which properties carry code and name, and where the parent
// codes come from. File names ending in "/" stand for every file under them.
//
//go:embed recipes.json
var RecipesJSON []byte
