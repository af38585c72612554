// Package importer loads Atlas's two kinds of data into the store:
// territories (ImportTerritories: the boundaries of a level, from GeoJSON or
// shapefiles) and indicators (ImportIndicator: an indicator's metadata and
// its values, from JSON or YAML and CSV).
//
// Both imports follow the same steps. They read every input into memory
// (territory files through package geofile), validate all of it (codes,
// names and parents of territories; levels, codes, periods, sexes, sectors
// and figures of values) and report the first problem with its file, line
// or feature (geofile.FileError, ValueError, MetaError). Territories are then
// generalised for every zoom; indicator values are aggregated to the coarser
// levels the indicator declares and the secret statistique is applied.
// Finally the level or the indicator is replaced in one transaction, so that
// nothing is written unless the whole input is valid.
//
// Each import is fingerprinted from its input bytes and options: importing
// the same files again is a no-op detected before anything is parsed.
//
// Inputs are named by paths of the OS filesystem, as the command line gives
// them, or by names in an fs.FS (TerritoryOptions.FS, IndicatorOptions.FS),
// as an upload gives them; both are read the same way.
package importer
