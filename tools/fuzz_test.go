package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// decodeInput runs tool's registered handler on arguments only as far as its
// decoding (see decoding).
func decodeInput(tb testing.TB, tool server.ServerTool, arguments any) (any, error) {
	tb.Helper()
	var d decoding
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = tool.Tool.Name, arguments
	res, err := tool.Handler(context.WithValue(tb.Context(), decodingKey{}, &d), req)
	if res != nil || err != nil || d.in == nil {
		tb.Fatalf("%s did not stop at its decoding: it returned %v, %v", tool.Tool.Name, res, err)
	}
	return d.in, d.err
}

// FuzzToolArguments feeds arbitrary JSON to each tool's argument decoding:
// it never panics, refuses with invalid_argument and the problems named, and
// what it accepts it accepts again, unchanged, once re-encoded.
func FuzzToolArguments(f *testing.F) {
	// A corpus entry's tool number indexes Registry's order: a new tool goes
	// at the end of Registry, so that the committed entries keep their tools.
	tools := Registry(nil, nil)
	names := make([]string, len(tools))
	for i, tool := range tools {
		names[i] = tool.Tool.Name
	}
	for _, seed := range []struct {
		tool string
		args string
	}{
		{"list_customer_groups", `{"name_like": "VIP", "page": 2, "limit": 250, "is_default": false}`},
		{"list_customer_groups", `{"all_pages": true, "date_modified_min": "2024-01-01T00:00:00Z"}`},
		{"get_customer_group", `{"id": 1}`},
		{"get_customer_group", `{"id": -1, "extra": null}`},
		{"count_customer_groups", `{}`},
		{"count_customer_groups", `null`},
		{"create_customer_group", `{"name": "Trade", "category_access": {"type": "specific", "categories": [18]}, "discount_rules": [{"type": "all", "method": "percent", "amount": 10}, {"type": "product", "method": "price", "amount": 4.5, "product_id": 77}]}`},
		{"create_customer_group", `{"name": "\u202eedarT", "discount_rules": [{"type": "price_list", "price_list_id": 3}]}`},
		{"update_customer_group", `{"id": 2, "name": "Trade", "discount_rules": []}`},
		{"delete_customer_group", `{"id": 7}`},
		{"bulk_update_customers", `{"customers": [{"id": 1, "company": "Acme", "customer_group_id": 0}, {"id": 2, "store_credit_amounts": [{"amount": 0}]}]}`},
		{"bulk_update_customers", `{"where": {"customer_group_ids": [0, 2], "date_created_min": "2024-01-01"}, "set": {"notes": "moved", "force_password_reset": true}, "expect_count": 150, "dry_run": true}`},
		{"bulk_update_customers", `{"where": {"all": true}, "set": {"date_created": "2020-01-01"}}`},
		{"list_changes", `{"tool": "undo_change", "since": "2026-01-01", "limit": 5}`},
		{"undo_change", `{"change_id": 3, "dry_run": true, "expect_count": 101}`},
		{"get_customer_group", `{"id": "x", "id": 1, "ID": 2}`},
		{"create_customer_group", `{"name": "VIP \ud800", "discount_rules": [{"type": "all", "method": "fixed", "amount": 1e999}]}`},
		{"update_customer_group", `{"id": 2, "category_access": {"type": "none", "categories": [[[[[[[[[[1]]]]]]]]]]}}`},
		{"get_customer_group", `{"id": 9007199254740993}`},
		{"bulk_update_customers", `{"customers": [{"id": 1, "notes": "x", "notes": "y"}], "dry_run": true, "dry_run": false}`},
		{"create_customer_group", `{"name": "Trade", "discount_rules": [{"type": "all", "method": "fixed", "amount": "5.0000"}, {"type": "product", "method": "price", "amount": "abc", "product_id": 2147483648}]}`},
		{"bulk_update_customers", `{"where": {"ids": [1]}, "set": {"store_credit_amounts": [{"amount": "10.00"}], "customerId": 3}}`},
	} {
		f.Add(uint8(slices.Index(names, seed.tool)), []byte(seed.args))
	}
	f.Fuzz(func(t *testing.T, tool uint8, data []byte) {
		fuzzed := tools[int(tool)%len(tools)]
		// The server hands a tool its arguments already decoded from the
		// JSON-RPC frame; a frame that is not JSON never reaches the tool.
		var decoded any
		if json.Unmarshal(data, &decoded) == nil {
			checkDecoding(t, fuzzed, decoded)
		}
		checkDecoding(t, fuzzed, json.RawMessage(data))
	})
}

func checkDecoding(t *testing.T, fuzzed server.ServerTool, arguments any) {
	tool := fuzzed.Tool.Name
	in, err := decodeInput(t, fuzzed, arguments)
	if err != nil {
		if got := toToolError(err); got.Code != codeInvalidArgument || got.Message == "" || len(got.Fields) == 0 {
			t.Fatalf("%s refused %v with %+v, want invalid_argument naming the problems", tool, arguments, got)
		}
		return
	}
	encoded, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("%s accepted %v as %+v, which does not encode: %v", tool, arguments, in, err)
	}
	again, err := decodeInput(t, fuzzed, json.RawMessage(encoded))
	if err != nil {
		t.Fatalf("%s accepted %v but refuses it re-encoded as %s: %v", tool, arguments, encoded, err)
	}
	if reencoded, _ := json.Marshal(again); !bytes.Equal(reencoded, encoded) {
		t.Fatalf("%s decodes %s as %s", tool, encoded, reencoded)
	}
}
