package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
)

// hostileCall is a tool call a confused or manipulated model might make. It
// must be refused as invalid_argument, naming field, before any request.
type hostileCall struct {
	name  string
	tool  string
	args  any // a map, or json.RawMessage for what Go literals cannot hold
	field string
}

// maxErrorBytes bounds an error's text: a huge or repeated mistake must not
// come back as a huge error.
const maxErrorBytes = 8 << 10

func TestHostileCallsAreRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileCalls() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSession(t, Config{})
			got := s.fail(tc.tool, tc.args)
			if got.Code != codeInvalidArgument || got.Message == "" {
				t.Fatalf("got %+v, want invalid_argument with a message", got)
			}
			if _, named := got.Fields[tc.field]; !named || !strings.Contains(got.Message, tc.field) {
				t.Errorf("the error does not name %s: message %q, fields %v", tc.field, got.Message, got.Fields)
			}
			if data, _ := json.Marshal(got); len(data) > maxErrorBytes {
				t.Errorf("the error is %d bytes, want at most %d", len(data), maxErrorBytes)
			}
			if requests := s.store.Stats().Requests; len(requests) != 0 {
				t.Errorf("the store received requests: %v", requests)
			}
		})
	}
}

func hostileCalls() []hostileCall {
	type args = map[string]any
	const (
		list, get, count  = "list_customer_groups", "get_customer_group", "count_customer_groups"
		create, update    = "create_customer_group", "update_customer_group"
		deleteGroup, bulk = "delete_customer_group", bulkTool
	)
	rules := func(rules ...args) args { return args{"name": "Hostile", "discount_rules": rules} }
	set := func(fields args) args { return args{"where": args{"ids": []int{1}}, "set": fields} }
	item := func(fields args) args { fields["id"] = 1; return args{"customers": []args{fields}} }
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }

	return []hostileCall{
		// Shapes and types.
		{"arguments that are an array are refused", list, raw(`[1, 2]`), "arguments"},
		{"arguments that are a string are refused", get, raw(`"id=1"`), "arguments"},
		{"a limit written as a string is refused", list, args{"limit": "50"}, "limit"},
		{"a fractional page is refused", list, args{"page": 1.5}, "page"},
		{"a page past the largest integer is refused", list, raw(`{"page": 9223372036854775808}`), "page"},
		{"all_pages written as a string is refused", list, args{"all_pages": "true"}, "all_pages"},
		{"a filter holding a query object is refused", list, args{"date_created": args{"$gt": "2024-01-01"}}, "date_created"},
		{"an id written as SQL is refused", get, args{"id": "1 OR 1=1"}, "id"},
		{"a fractional id is refused", get, args{"id": 2.5}, "id"},
		{"a list of ids to delete at once is refused", deleteGroup, args{"id": []int{1, 2, 3}}, "id"},
		{"a null id is refused", get, raw(`{"id": null}`), "id"},
		{"is_default written as a word is refused", update, args{"id": 2, "is_default": "yes"}, "is_default"},
		{"dry_run written as a string is refused", bulk, args{"customers": []args{{"id": 1, "company": "A"}}, "dry_run": "false"}, "dry_run"},
		{"a group id written as a string is refused", bulk, item(args{"customer_group_id": "2"}), "customers[0].customer_group_id"},
		{"ids written as one string are refused", bulk, args{"where": args{"ids": "1,2,3"}, "set": args{"notes": "x"}}, "where.ids"},

		// Repeated keys: JSON decoders keep one of them, silently.
		{"dry_run given twice is refused", bulk, raw(`{"customers": [{"id": 1, "notes": "x"}], "dry_run": true, "dry_run": false}`), "dry_run"},
		{"an amount given twice in a rule is refused", create, raw(`{"name": "X", "discount_rules": [{"type": "all", "method": "percent", "amount": 5, "amount": 50}]}`), "discount_rules[0].amount"},
		{"ids given twice in a selector are refused", bulk, raw(`{"where": {"ids": [1], "ids": [2]}, "set": {"notes": "x"}}`), "where.ids"},
		{"an id given twice in the second item is refused", bulk, raw(`{"customers": [{"id": 1, "notes": "x"}, {"id": 2, "id": 3, "notes": "y"}]}`), "customers[1].id"},

		// Unknown and misspelled arguments.
		{"a misspelled filter is refused", list, args{"is_defualt": true}, "is_defualt"},
		{"a camelCase filter is refused", list, args{"nameLike": "VIP"}, "nameLike"},
		{"any argument to count is refused", count, args{"limit": 5}, "limit"},
		{"a force flag on delete is refused", deleteGroup, args{"id": 2, "force": true}, "force"},
		{"a group's read-only date is refused", update, args{"id": 2, "date_created": "2020-01-01"}, "date_created"},
		{"an id inside a discount rule is refused", create, rules(args{"id": 7, "type": "all", "method": "percent", "amount": 5}), "discount_rules[0].id"},
		{"an id inside set is refused", bulk, set(args{"id": 5, "notes": "x"}), "set.id"},
		{"an unknown argument with a 100,000-character name is refused briefly", list, args{strings.Repeat("x", 100_000): 1}, strings.Repeat("x", maxKeyRunes) + "…"},

		// Empty, blank and over-long strings.
		{"an empty group name is refused", create, args{"name": ""}, "name"},
		{"a blank group name is refused", create, args{"name": "   \t "}, "name"},
		{"an empty new name is refused", update, args{"id": 2, "name": ""}, "name"},
		{"a 256-character name of multibyte runes is refused", create, args{"name": strings.Repeat("日", 256)}, "name"},
		{"a first name over 100 characters in set is refused", bulk, set(args{"first_name": strings.Repeat("é", 101)}), "set.first_name"},
		{"a 100,000-character enum value is refused briefly", create, args{"name": "X", "category_access": args{"type": strings.Repeat("a", 100_000)}}, "category_access.type"},

		// Unicode oddities.
		{"a NUL in a group name is refused", create, args{"name": "Whole\x00sale"}, "name"},
		{"a lone surrogate in a group name is refused", create, raw(`{"name": "VIP \ud800"}`), "name"},
		{"a right-to-left override in a group name is refused", update, args{"id": 2, "name": "\u202eelaselohW"}, "name"},
		{"a tab in a group name is refused", create, args{"name": "Whole\tsale"}, "name"},
		{"a newline in a new group name is refused", update, args{"id": 2, "name": "Whole\nsale"}, "name"},
		{"a line separator in a group name is refused", create, args{"name": "Whole\u2028sale"}, "name"},
		{"a leading space in a group name is refused", create, args{"name": " VIP"}, "name"},
		{"a trailing no-break space in a new group name is refused", update, args{"id": 2, "name": "VIP\u00a0"}, "name"},
		{"a control character in a name filter is refused", list, args{"name": "Retail\x1b[2J"}, "name"},
		{"a NUL in notes set on customers is refused", bulk, set(args{"notes": "ok\x00hidden"}), "set.notes"},

		// Ids.
		{"a group id of zero is refused", get, args{"id": 0}, "id"},
		{"a negative group id is refused", deleteGroup, args{"id": -1}, "id"},
		{"an update without an id is refused", update, args{"name": "Renamed"}, "id"},
		{"a customer without an id is refused", bulk, args{"customers": []args{{"company": "A"}}}, "customers[0].id"},
		{"a negative group to move customers to is refused", bulk, set(args{"customer_group_id": -1}), "set.customer_group_id"},
		{"a group id past 2^53 is refused, not rounded", get, raw(`{"id": 9007199254740993}`), "id"},
		{"a group id of 2^63-1 is refused", deleteGroup, raw(`{"id": 9223372036854775807}`), "id"},
		{"a group id of 2^31 is refused", update, raw(`{"id": 2147483648, "name": "X"}`), "id"},
		{"a customer id of 2^31 in a list is refused", bulk, raw(`{"customers": [{"id": 2147483648, "notes": "x"}]}`), "customers[0].id"},
		{"a customer id past 2^53 in a selector is refused", bulk, raw(`{"where": {"ids": [9007199254740993]}, "set": {"notes": "x"}}`), "where.ids[0]"},
		{"a target group id of 2^31 is refused", bulk, raw(`{"where": {"ids": [1]}, "set": {"customer_group_id": 2147483648}}`), "set.customer_group_id"},
		{"a product id of 2^31 in a rule is refused", create, raw(`{"name": "X", "discount_rules": [{"type": "product", "method": "fixed", "amount": 1, "product_id": 2147483648}]}`), "discount_rules[0].product_id"},
		{"a page of 2^31 is refused", list, raw(`{"page": 2147483648}`), "page"},
		{"a negative expect_count is refused", bulk, args{"where": args{"all": true}, "set": args{"notes": "x"}, "expect_count": -1}, "expect_count"},
		{"a zero category id is refused", create, args{"name": "X", "category_access": args{"type": "specific", "categories": []int{0}}}, "category_access.categories[0]"},

		// Huge arrays.
		{"10,001 customers are refused", bulk, args{"customers": manyCustomers(10_001)}, "customers"},
		{"ten thousand store-wide rules are refused briefly", create, rules(repeated(10_000, args{"type": "all", "method": "percent", "amount": 1})...), "discount_rules[1].type"},
		{"ten thousand items with a misspelled field are refused briefly", bulk, args{"customers": misspelledCustomers(10_000)}, "customers[0].compnay"},

		// Discount rules, one documented rule broken at a time.
		{"a price_list rule beside another rule is refused", create, rules(args{"type": "price_list", "price_list_id": 1}, args{"type": "all", "method": "percent", "amount": 5}), "discount_rules[0].type"},
		{"a price_list rule without its price list is refused", create, rules(args{"type": "price_list"}), "discount_rules[0].price_list_id"},
		{"a price_list rule with an amount is refused", create, rules(args{"type": "price_list", "price_list_id": 1, "method": "percent", "amount": 5}), "discount_rules[0].type"},
		{"a second store-wide rule is refused", update, args{"id": 2, "discount_rules": []args{{"type": "all", "method": "percent", "amount": 5}, {"type": "all", "method": "fixed", "amount": 1}}}, "discount_rules[1].type"},
		{"a category rule without a category is refused", create, rules(args{"type": "category", "method": "percent", "amount": 5}), "discount_rules[0].category_id"},
		{"a product rule without a product is refused", create, rules(args{"type": "product", "method": "fixed", "amount": 5}), "discount_rules[0].product_id"},
		{"a percent discount over 100 is refused", create, rules(args{"type": "all", "method": "percent", "amount": 100.5}), "discount_rules[0].amount"},
		{"a zero discount is refused", create, rules(args{"type": "all", "method": "fixed", "amount": 0}), "discount_rules[0].amount"},
		{"a negative discount is refused", create, rules(args{"type": "product", "method": "price", "amount": -3, "product_id": 77}), "discount_rules[0].amount"},
		{"the smallest float as a discount is refused", create, rules(args{"type": "all", "method": "percent", "amount": 5e-324}), "discount_rules[0].amount"},
		{"a discount that rounds to 0.0000 is refused", create, rules(args{"type": "all", "method": "fixed", "amount": 0.00004}), "discount_rules[0].amount"},
		{"a fixed discount of 1e300 is refused", create, rules(args{"type": "all", "method": "fixed", "amount": 1e300}), "discount_rules[0].amount"},
		{"a fixed price past a float64's 4 decimals is refused", update, args{"id": 2, "discount_rules": []args{{"type": "product", "method": "price", "amount": 1e12, "product_id": 77}}}, "discount_rules[0].amount"},
		{"a fractional category id is refused", create, rules(args{"type": "category", "method": "percent", "amount": 5, "category_id": 18.5}), "discount_rules[0].category_id"},
		{"an unknown discount method is refused", create, rules(args{"type": "all", "method": "bogo", "amount": 5}), "discount_rules[0].method"},
		{"an unknown rule type is refused", create, rules(args{"type": "coupon", "method": "percent", "amount": 5}), "discount_rules[0].type"},
		{"a price list on a category rule is refused", create, rules(args{"type": "category", "method": "percent", "amount": 5, "category_id": 18, "price_list_id": 2}), "discount_rules[0].price_list_id"},
		{"specific category access without categories is refused", create, args{"name": "X", "category_access": args{"type": "specific"}}, "category_access.categories"},

		// Read-only customer fields, in an item and in set.
		{"registration_ip_address in an item is refused", bulk, item(args{"registration_ip_address": "10.0.0.1"}), "customers[0].registration_ip_address"},
		{"date_created in set is refused", bulk, set(args{"date_created": "2020-01-01T00:00:00Z"}), "set.date_created"},
		{"date_modified in an item is refused", bulk, item(args{"date_modified": "2020-01-01T00:00:00Z"}), "customers[0].date_modified"},
		{"origin_channel_id in set is refused", bulk, set(args{"origin_channel_id": 2}), "set.origin_channel_id"},

		// The two forms of a bulk update.
		{"both customers and where are refused", bulk, args{"customers": []args{{"id": 1, "notes": "x"}}, "where": args{"ids": []int{1}}, "set": args{"notes": "x"}}, "customers"},
		{"an empty where is refused", bulk, args{"where": args{}, "set": args{"notes": "x"}}, "where"},
		{"where with all set to false is refused", bulk, args{"where": args{"all": false}, "set": args{"notes": "x"}}, "where"},
		{"an empty list of customers is refused", bulk, args{"customers": []args{}}, "customers"},
		{"set with nothing to change is refused", bulk, set(args{}), "set"},
		{"two emails smuggled into one are refused", bulk, args{"where": args{"emails": []string{"a@example.com,b@example.com"}}, "set": args{"notes": "x"}}, "where.emails[0]"},
		{"an empty channel list is refused", bulk, set(args{"channel_ids": []int{}}), "set.channel_ids"},
		{"an empty list of store credits is refused", bulk, set(args{"store_credit_amounts": []args{}}), "set.store_credit_amounts"},
		{"negative store credit is refused", bulk, set(args{"store_credit_amounts": []args{{"amount": -5}}}), "set.store_credit_amounts[0].amount"},
	}
}

// manyCustomers is n valid items of an explicit list.
func manyCustomers(n int) []map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "notes": "bulk"}
	}
	return items
}

// misspelledCustomers is n items that each misspell company.
func misspelledCustomers(n int) []map[string]any {
	items := manyCustomers(n)
	for _, item := range items {
		item["compnay"] = "Acme"
	}
	return items
}

func repeated[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestLargeIntegersAreNamedAsSent checks that an integer beyond BigCommerce's
// 32-bit ids is refused with the value as the model wrote it, not as a
// float64 rounded it, and that the largest id still reaches the store.
func TestLargeIntegersAreNamedAsSent(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	for _, id := range []string{"9007199254740993", "9223372036854775807", "-9223372036854775809"} {
		got := s.fail("get_customer_group", json.RawMessage(`{"id": `+id+`}`))
		if problem := got.Fields["id"]; !strings.Contains(problem, id) || !strings.Contains(problem, "2147483647") {
			t.Errorf("id %s: problem %q, want it to quote %s and name the limit 2147483647", id, problem, id)
		}
	}
	if got := s.fail("get_customer_group", json.RawMessage(`{"id": 2147483647}`)); got.Code != codeNotFound {
		t.Errorf("id 2147483647: got %+v, want the store's not_found", got)
	}
}

// TestRepeatedKeysAreSaidToBeRepeated checks that a repeated key is reported
// as repeated even when one of its values would be wrong on its own.
func TestRepeatedKeysAreSaidToBeRepeated(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	got := s.fail("get_customer_group", json.RawMessage(`{"id": 1, "id": "two"}`))
	if problem := got.Fields["id"]; !strings.Contains(problem, "more than once") {
		t.Errorf("problem %q, want it to say id is given more than once", problem)
	}
}

// TestSuggestionsPointAtTheFieldMeant checks "did you mean" against the
// mistakes models make: a resource's name before a field, a field without its
// resource, camelCase and misspellings.
func TestSuggestionsPointAtTheFieldMeant(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	item := func(field string) map[string]any {
		return map[string]any{"customers": []map[string]any{{"id": 1, field: 5}}}
	}
	for _, tc := range []struct {
		tool  string
		args  map[string]any
		field string
		want  string
	}{
		{bulkTool, item("customer_id"), "customers[0].customer_id", "id"},
		{bulkTool, item("customerId"), "customers[0].customerId", "id"},
		{bulkTool, item("group_id"), "customers[0].group_id", "customer_group_id"},
		{bulkTool, item("customerGroupId"), "customers[0].customerGroupId", "customer_group_id"},
		{bulkTool, item("compnay"), "customers[0].compnay", "company"},
		{"update_customer_group", map[string]any{"group_id": 2, "name": "X"}, "group_id", "id"},
		{"list_customer_groups", map[string]any{"nameLike": "VIP"}, "nameLike", "name_like"},
		{"list_customer_groups", map[string]any{"IsDefault": true}, "IsDefault", "is_default"},
		{"create_customer_group", map[string]any{"name": "X", "discount_rules": []map[string]any{{"type": "all", "list_id": 3}}}, "discount_rules[0].list_id", "price_list_id"},
	} {
		got := s.fail(tc.tool, tc.args)
		if want := fmt.Sprintf("did you mean %q?", tc.want); !strings.HasSuffix(got.Fields[tc.field], want) {
			t.Errorf("%s: %s: %q, want it to end %s", tc.tool, tc.field, got.Fields[tc.field], want)
		}
	}
	// A bare id where none belongs suggests nothing rather than some other id.
	got := s.fail("create_customer_group", map[string]any{"name": "X", "discount_rules": []map[string]any{{"type": "all", "id": 3}}})
	if problem := got.Fields["discount_rules[0].id"]; strings.Contains(problem, "did you mean") {
		t.Errorf("discount_rules[0].id: %q, want no suggestion", problem)
	}
}

// taggedInput uses constraints no tool uses yet: a tag added to a tool's
// input must be enforced as well as published.
type taggedInput struct {
	Code  string  `json:"code" jsonschema:"pattern=^[A-Z]+$"`
	Ratio float64 `json:"ratio,omitempty" jsonschema:"exclusiveMaximum=1"`
	Email string  `json:"email,omitempty" jsonschema:"format=email"`
	Kind  string  `json:"kind,omitempty" jsonschema:"enum=a,enum=b"`
}

func TestEveryPublishedConstraintIsEnforced(t *testing.T) {
	t.Parallel()
	compiled := newArgumentSchema(schemas.Reflect[taggedInput]())
	for _, tc := range []struct{ args, field string }{
		{`{"code": "abc"}`, "code"},
		{`{"code": "ABC", "ratio": 1}`, "ratio"},
		{`{"code": "ABC", "email": "not an address"}`, "email"},
		{`{"code": "ABC", "kind": "c"}`, "kind"},
	} {
		_, err := decodeArguments[taggedInput](compiled, json.RawMessage(tc.args))
		if got := toToolError(err); got.Code != codeInvalidArgument || got.Fields[tc.field] == "" {
			t.Errorf("%s: got %v, want invalid_argument naming %s", tc.args, err, tc.field)
		}
	}
	if _, err := decodeArguments[taggedInput](compiled, json.RawMessage(`{"code": "ABC", "ratio": 0.5, "email": "a@example.com", "kind": "b"}`)); err != nil {
		t.Errorf("valid arguments refused: %v", err)
	}
}
