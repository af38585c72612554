package indicator

// Check validates the user's choices for a map (method, classes, manual
// breaks, palette) independently of the values: callers check a request
// before any database work, and BuildChoropleth applies the same rules.
// Errors are *FieldError naming the option (method, classes, manual or
// manual[i], palette).
func (o ChoroplethOptions) Check() error {
	if err := checkClassification(o.Method, o.Classes, o.Manual); err != nil {
		return err
	}
	_, err := Colors(o.Palette, o.Classes, Neutral)
	return err
}
