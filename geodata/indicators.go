package geodata

import "embed"

// Indicators holds the directory indicators/: one metadata file per
// indicator (<id>.json, the fields of indicator.Indicator) and
// recipes.json, which says for each indicator where its values come from
// (a mirror file, with its layout and columns, and the converter that turns
// it into the importer's long layout when needed, or the demodata
// generator for fictive demonstration figures).
//
//go:embed indicators
var Indicators embed.FS
