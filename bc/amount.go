package bc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Amount is a discount value. BigCommerce sends it as a number or as a numeric
// string ("5.0000") and accepts either; we always send a number.
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
