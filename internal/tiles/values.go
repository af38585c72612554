package tiles

import "maps"

// WithProps returns a copy of the feature's properties with extra ones
// added (extra wins on a clash); the layer's own maps are never modified.
func WithProps(f *Feature, extra map[string]any) map[string]any {
	out := make(map[string]any, len(f.Props)+len(extra))
	maps.Copy(out, f.Props)
	maps.Copy(out, extra)
	return out
}
