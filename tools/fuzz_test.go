package tools

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
)

// decoder decodes a call's arguments into a tool's input as newTool's
// handler does, and says which schema it checks them against.
type decoder struct {
	schema json.RawMessage
	decode func(arguments any) (any, error)
}

func decoderFor[In any]() decoder {
	schema, published := inputSchemas[In]()
	compiled := newArgumentSchema(schema)
	return decoder{
		schema: schemas.Marshal(published),
		decode: func(arguments any) (any, error) { return decodeArguments[In](compiled, arguments) },
	}
}

var decoders = map[string]decoder{
	"list_customer_groups":  decoderFor[ListCustomerGroupsInput](),
	"get_customer_group":    decoderFor[CustomerGroupID](),
	"count_customer_groups": decoderFor[CountCustomerGroupsInput](),
	"create_customer_group": decoderFor[CreateCustomerGroupInput](),
	"update_customer_group": decoderFor[UpdateCustomerGroupInput](),
	"delete_customer_group": decoderFor[CustomerGroupID](),
	"bulk_update_customers": decoderFor[BulkUpdateCustomersInput](),
	"get_bulk_job":          decoderFor[BulkJobInput](),
	"cancel_bulk_job":       decoderFor[BulkJobInput](),
	"list_changes":          decoderFor[ListChangesInput](),
	"undo_change":           decoderFor[UndoChangeInput](),
	"list_customers":        decoderFor[ListCustomersInput](),
}

// fuzzedTools lists the tools in a fixed order, so that a corpus entry's
// tool number always means the same tool; it fails when decoders does not
// decode exactly the registered tools with their published schemas.
func fuzzedTools(tb testing.TB) []string {
	var names []string
	for _, tool := range Registry(nil, nil) {
		d, ok := decoders[tool.Tool.Name]
		if !ok || !bytes.Equal(d.schema, tool.Tool.RawInputSchema) {
			tb.Fatalf("the fuzz decoders do not decode %s's input as registered", tool.Tool.Name)
		}
		names = append(names, tool.Tool.Name)
	}
	if len(names) != len(decoders) {
		tb.Fatalf("the fuzz decoders name %d tools, the registry %d", len(decoders), len(names))
	}
	return names
}

// FuzzToolArguments feeds arbitrary JSON to each tool's argument decoding:
// it never panics, refuses with invalid_argument and the problems named, and
// what it accepts it accepts again, unchanged, once re-encoded.
func FuzzToolArguments(f *testing.F) {
	tools := fuzzedTools(f)
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
		f.Add(uint8(slices.Index(tools, seed.tool)), []byte(seed.args))
	}
	f.Fuzz(func(t *testing.T, tool uint8, data []byte) {
		name := tools[int(tool)%len(tools)]
		d := decoders[name]
		// The server hands a tool its arguments already decoded from the
		// JSON-RPC frame; a frame that is not JSON never reaches the tool.
		var decoded any
		if json.Unmarshal(data, &decoded) == nil {
			checkDecoding(t, name, d, decoded)
		}
		checkDecoding(t, name, d, json.RawMessage(data))
	})
}

func checkDecoding(t *testing.T, tool string, d decoder, arguments any) {
	in, err := d.decode(arguments)
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
	again, err := d.decode(json.RawMessage(encoded))
	if err != nil {
		t.Fatalf("%s accepted %v but refuses it re-encoded as %s: %v", tool, arguments, encoded, err)
	}
	if reencoded, _ := json.Marshal(again); !bytes.Equal(reencoded, encoded) {
		t.Fatalf("%s decodes %s as %s", tool, encoded, reencoded)
	}
}
