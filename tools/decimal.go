package tools

import (
	"github.com/invopop/jsonschema"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// Decimal is an amount as a model may write it: a number, or a decimal string
// as BigCommerce documents and returns discount amounts ("5.0000"). It is
// always written back as a number.
type Decimal float64

// decimalPattern is a plain decimal: no exponent, no spaces, no "NaN" or
// "Inf" (which strconv would read).
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

func (d *Decimal) UnmarshalJSON(data []byte) error {
	var a bc.Amount
	err := a.UnmarshalJSON(data)
	*d = Decimal(a)
	return err
}

// JSONSchema says "number or decimal string"; the length bound keeps a
// string of digits within what a float64 can hold.
func (Decimal) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
		{Type: "number"},
		{Type: "string", Pattern: decimalPattern, MaxLength: new(uint64(32)), Description: `a decimal number, like "5.0000"`},
	}}
}
