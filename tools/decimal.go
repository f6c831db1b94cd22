package tools

import "github.com/invopop/jsonschema"

// decimalPattern is a plain decimal: no exponent, no spaces, no "NaN" or
// "Inf" (which strconv would read).
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

// decimalSchema describes an amount as a model may write it: a number, or a
// decimal string as BigCommerce documents and returns amounts ("5.0000"),
// both of which bc.Amount reads. The length bound keeps a string of digits
// within what a float64 can hold.
func decimalSchema(description string) *jsonschema.Schema {
	return &jsonschema.Schema{Description: description, AnyOf: []*jsonschema.Schema{
		{Type: "number"},
		{Type: "string", Pattern: decimalPattern, MaxLength: new(uint64(32)), Description: `a decimal number, like "5.0000"`},
	}}
}
