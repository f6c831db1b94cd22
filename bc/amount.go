package bc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Amount is a sum of money: a discount or a store credit. BigCommerce sends
// it as a number or as a numeric string ("5.0000") and accepts either; we
// always send a number.
type Amount float64

func (a *Amount) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		*a = 0
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		s, err := strconv.Unquote(string(data))
		if err != nil {
			return fmt.Errorf("amount: %w", err)
		}
		data = []byte(s)
		if len(data) == 0 {
			*a = 0
			return nil
		}
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil {
		return fmt.Errorf("amount %q is not a number", data)
	}
	*a = Amount(f)
	return nil
}

func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(float64(a)) }

// BigCommerce keeps amounts to 4 decimal places.
const amountScale = 1e4

// MaxAmount is the largest amount accepted. BigCommerce documents none; this
// is where a float64 stops holding every 4-decimal amount exactly (2^53/10^4,
// about 9.007e11), so an amount above it would not be stored as written.
// No price or discount in any currency comes near it.
const MaxAmount Amount = 900_000_000_000

// Stored is the amount as BigCommerce keeps it, rounded to 4 decimal places.
func (a Amount) Stored() Amount { return Amount(math.Round(float64(a)*amountScale) / amountScale) }
