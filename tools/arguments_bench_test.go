package tools

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodeTenThousandCustomers measures the argument checks of the
// largest explicit list a bulk update takes.
func BenchmarkDecodeTenThousandCustomers(b *testing.B) {
	bulk := bulkUpdateCustomers(nil, nil)
	args, _ := json.Marshal(map[string]any{"customers": manyCustomers(10_000)})
	b.SetBytes(int64(len(args)))
	for b.Loop() {
		if _, err := decodeInput(b, bulk, json.RawMessage(args)); err != nil {
			b.Fatal(err)
		}
	}
}
