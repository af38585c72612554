package tiles

import "maps"

// EncodeWith cuts tile z/x/y like Encode, with the properties of each
// feature given by props (nil keeps the territory's own properties). It is
// how values are baked into tiles: such tiles depend on a request's
// indicator parameters and are not cached by the Service.
func (l *Layer) EncodeWith(z, x, y int, props func(*Feature) map[string]any) ([]byte, error) {
	return l.encode(z, x, y, props)
}

// WithProps returns a copy of the feature's properties with extra ones
// added (extra wins on a clash); the layer's own maps are never modified.
func WithProps(f *Feature, extra map[string]any) map[string]any {
	out := make(map[string]any, len(f.Props)+len(extra))
	maps.Copy(out, f.Props)
	maps.Copy(out, extra)
	return out
}
