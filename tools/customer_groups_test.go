package tools

import (
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestListCustomerGroups(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})

	all := succeed[CustomerGroupList](s, "list_customer_groups", nil)
	if all.Count != 6 || len(all.CustomerGroups) != 6 || all.MorePages || all.Page != 1 || all.Limit != 50 {
		t.Errorf("default page = %+v, want the 6 demo groups on page 1 of 50 with no more pages", all)
	}

	guests := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"is_group_for_guests": true})
	if guests.Count != 1 || guests.CustomerGroups[0].Name != "Guests" {
		t.Errorf("is_group_for_guests=true = %+v, want only Guests", guests.CustomerGroups)
	}

	like := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"name_like": "sale", "date_created_min": "2000-01-01"})
	if like.Count != 1 || like.CustomerGroups[0].Name != "Wholesale" {
		t.Errorf("name_like=sale = %+v, want only Wholesale", like.CustomerGroups)
	}
}

func TestListCustomerGroupsPages(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{}, bcsim.WithGroups(260))

	first := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"limit": 250})
	if first.Count != 250 || !first.MorePages || first.NextPage != 2 {
		t.Errorf("first page: count %d, more %v, next %d; want 250, true, 2", first.Count, first.MorePages, first.NextPage)
	}
	res := s.call("list_customer_groups", map[string]any{"limit": 250})
	if summary := text(res); !strings.Contains(summary, "page=2") || !strings.Contains(summary, "all_pages=true") {
		t.Errorf("summary %q does not say how to get the next page", summary)
	}

	last := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"limit": 250, "page": 2})
	if last.Count != 10 || last.MorePages || last.NextPage != 0 {
		t.Errorf("last page: count %d, more %v, next %d; want 10, false, 0", last.Count, last.MorePages, last.NextPage)
	}

	every := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"all_pages": true})
	if every.Count != 260 || every.MorePages || every.Page != 0 {
		t.Errorf("all_pages: count %d, more %v, page %d; want 260, false, 0", every.Count, every.MorePages, every.Page)
	}
}

func TestGetAndCountCustomerGroups(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})

	got := succeed[CustomerGroupResult](s, "get_customer_group", map[string]any{"id": 1})
	if g := got.CustomerGroup; g.ID != 1 || g.Name != "Retail" || !g.IsDefault || g.DiscountRules == nil {
		t.Errorf("get 1 = %+v, want Retail, the default group", g)
	}
	if count := succeed[CustomerGroupCount](s, "count_customer_groups", map[string]any{}); count.Count != 6 {
		t.Errorf("count = %d, want 6", count.Count)
	}
}

func TestCreateUpdateDeleteCustomerGroup(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})

	created := succeed[CustomerGroupResult](s, "create_customer_group", map[string]any{
		"name":            "Distributors",
		"category_access": map[string]any{"type": "specific", "categories": []int{18, 19}},
		"discount_rules": []map[string]any{
			{"type": "all", "method": "percent", "amount": 10},
			{"type": "category", "method": "fixed", "amount": 2.5, "category_id": 18},
		},
	})
	id := created.CustomerGroup.ID
	if stored, ok := s.store.Group(id); !ok || stored.Name != "Distributors" || len(stored.DiscountRules) != 2 {
		t.Fatalf("store has %+v after create, want Distributors with 2 rules", stored)
	}
	if created.Warning != "" {
		t.Errorf("unexpected warning %q", created.Warning)
	}

	updated := succeed[CustomerGroupResult](s, "update_customer_group", map[string]any{
		"id": id, "discount_rules": []map[string]any{{"type": "all", "method": "percent", "amount": 12}},
	})
	if rules := updated.CustomerGroup.DiscountRules; len(rules) != 1 || rules[0].Amount != 12 || updated.CustomerGroup.Name != "Distributors" {
		t.Errorf("after update: %+v, want the one new rule replacing both and the name kept", updated.CustomerGroup)
	}

	deleted := succeed[DeletedCustomerGroup](s, "delete_customer_group", map[string]any{"id": id})
	if !deleted.Deleted || !strings.Contains(deleted.Note, "no group") {
		t.Errorf("delete = %+v", deleted)
	}
	if _, ok := s.store.Group(id); ok {
		t.Error("the group is still in the store after delete")
	}
}

func TestPartialSuccessIsAWarning(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{}, bcsim.WithFaults(bcsim.Faults{Partial207: 1}))
	rules := []map[string]any{{"type": "all", "method": "percent", "amount": 5}}

	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"create_customer_group", map[string]any{"name": "Partners", "discount_rules": rules}},
		{"update_customer_group", map[string]any{"id": 2, "discount_rules": rules}},
	} {
		res := s.call(tc.tool, tc.args)
		got := decode[CustomerGroupResult](t, res)
		if got.CustomerGroup.ID == 0 || !strings.Contains(got.Warning, "update_customer_group") || !strings.Contains(got.Warning, "discount_rules") {
			t.Errorf("%s: %+v, want the saved group and a warning that says how to finish", tc.tool, got)
		}
		if summary := text(res); !strings.Contains(summary, "WARNING") {
			t.Errorf("%s: summary %q does not mention the warning", tc.tool, summary)
		}
	}
}

func TestCustomerGroupErrors(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})

	for _, tc := range []struct {
		name      string
		tool      string
		args      map[string]any
		code      string
		field     string // a key expected in fields, if any
		mentions  string // text expected in the message, field problem or hint
		retryable bool
	}{
		{"a missing group is not_found", "get_customer_group", map[string]any{"id": 9999}, codeNotFound, "", "list_customer_groups", false},
		{"a taken name is a conflict", "create_customer_group", map[string]any{"name": "Wholesale"}, codeConflict, "", "name", false},
		{"a second guest group is a conflict", "update_customer_group", map[string]any{"id": 2, "is_group_for_guests": true}, codeConflict, "", "guest", false},
		{"a misspelled argument is named with a suggestion", "list_customer_groups", map[string]any{"nmae_like": "x"}, codeInvalidArgument, "nmae_like", `did you mean "name_like"`, false},
		{"an argument of a tool without any is refused", "count_customer_groups", map[string]any{"id": 1}, codeInvalidArgument, "id", "no arguments", false},
		{"a nested unknown field is named by path", "create_customer_group", map[string]any{"name": "X", "discount_rules": []map[string]any{{"type": "all", "method": "percent", "amout": 5}}}, codeInvalidArgument, "discount_rules[0].amout", `did you mean "amount"`, false},
		{"a wrong type is named", "get_customer_group", map[string]any{"id": "seven"}, codeInvalidArgument, "id", "must be an integer, not a string", false},
		{"an id below 1 is refused", "delete_customer_group", map[string]any{"id": 0}, codeInvalidArgument, "id", "1 or more", false},
		{"a missing required argument is named", "create_customer_group", map[string]any{}, codeInvalidArgument, "name", "is required", false},
		{"a limit over 250 is refused", "list_customer_groups", map[string]any{"limit": 251}, codeInvalidArgument, "limit", "250 or less", false},
		{"an unknown enum value lists the valid ones", "create_customer_group", map[string]any{"name": "X", "category_access": map[string]any{"type": "some"}}, codeInvalidArgument, "category_access.type", "all, specific, none", false},
		{"a too long name is refused", "create_customer_group", map[string]any{"name": strings.Repeat("n", 256)}, codeInvalidArgument, "name", "at most 255", false},
		{"bc's rules apply before any request", "create_customer_group", map[string]any{"name": "X", "discount_rules": []map[string]any{{"type": "all", "method": "percent", "amount": 150}}}, codeInvalidArgument, "discount_rules[0].amount", "100", false},
		{"an update with nothing to change is refused", "update_customer_group", map[string]any{"id": 2}, codeInvalidArgument, "body", "nothing to update", false},
		{"a bad date names the argument", "list_customer_groups", map[string]any{"date_created_min": "yesterday"}, codeInvalidArgument, "date_created_min", "YYYY-MM-DD", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.fail(tc.tool, tc.args)
			if got.Code != tc.code || got.Retryable != tc.retryable {
				t.Fatalf("got %+v, want code %s, retryable %v", got, tc.code, tc.retryable)
			}
			if tc.field != "" {
				if _, ok := got.Fields[tc.field]; !ok {
					t.Errorf("fields %v do not name %s", got.Fields, tc.field)
				}
			}
			if all := got.Message + " " + got.Fields[tc.field] + " " + got.Hint; !strings.Contains(all, tc.mentions) {
				t.Errorf("error %+v does not mention %q", got, tc.mentions)
			}
			if got.Hint == "" {
				t.Errorf("error %+v has no hint", got)
			}
		})
	}
}

func TestWriteWithoutModifyScopeIsForbidden(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{}, bcsim.WithReadOnlyScope())

	got := s.fail("create_customer_group", map[string]any{"name": "Partners"})
	if got.Code != codeForbidden || got.Retryable || !strings.Contains(got.Hint, "modify scope") {
		t.Errorf("got %+v, want forbidden, not retryable, with a hint about the modify scope", got)
	}
	succeed[CustomerGroupCount](s, "count_customer_groups", nil) // reads still work
}

func TestWrongTokenIsUnauthorizedAndNotEchoed(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithAccessToken("the-right-token"))
	s := newSessionWith(t, store, testToken, Config{})

	got := s.fail("count_customer_groups", nil)
	if got.Code != codeUnauthorized || got.Retryable || !strings.Contains(got.Hint, "BIGCOMMERCE_ACCESS_TOKEN") {
		t.Errorf("got %+v, want unauthorized with a hint naming the variable", got)
	}
}

func TestStoreFailuresAreRetryable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults bcsim.Faults
		code   string
	}{
		{"a spent quota is rate_limited with the wait", bcsim.Faults{RateLimit429: 1}, codeRateLimited},
		{"a server error is upstream_error", bcsim.Faults{Error500: 1}, codeUpstream},
		{"a dropped connection is unavailable", bcsim.Faults{ResetBeforeApply: 1}, codeUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSession(t, Config{}, bcsim.WithFaults(tc.faults))
			got := s.fail("count_customer_groups", nil)
			if got.Code != tc.code || !got.Retryable || got.Hint == "" {
				t.Errorf("got %+v, want %s, retryable, with a hint", got, tc.code)
			}
			if tc.code == codeRateLimited && got.RetryAfterMS <= 0 {
				t.Errorf("rate_limited without retry_after_ms: %+v", got)
			}
		})
	}
}

func TestDiscountAmountsAtTheLimitsAreAccepted(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	created := succeed[CustomerGroupResult](s, "create_customer_group", map[string]any{
		"name": "Limits",
		"discount_rules": []map[string]any{
			{"type": "all", "method": "percent", "amount": 0.0001},
			{"type": "product", "method": "price", "amount": 900_000_000_000, "product_id": 77},
		},
	})
	if rules := created.CustomerGroup.DiscountRules; len(rules) != 2 {
		t.Errorf("created %+v, want both rules", created.CustomerGroup)
	}
}

// TestDecimalStringsAreAccepted checks that amounts written as BigCommerce
// writes them ("5.0000") are taken as numbers, and that other text is not.
func TestDecimalStringsAreAccepted(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	created := succeed[CustomerGroupResult](s, "create_customer_group", map[string]any{
		"name":           "Decimal",
		"discount_rules": []map[string]any{{"type": "all", "method": "percent", "amount": "5.0000"}},
	})
	if stored, _ := s.store.Group(created.CustomerGroup.ID); len(stored.DiscountRules) != 1 || stored.DiscountRules[0].Amount != 5 {
		t.Errorf("the store has %+v, want one rule of 5", stored.DiscountRules)
	}
	succeed[BulkUpdateCustomersResult](s, bulkTool, map[string]any{
		"customers": []map[string]any{{"id": 1, "store_credit_amounts": []map[string]any{{"amount": "10.00"}}}},
	})
	if c, _ := s.store.Customer(1); len(c.StoreCredit) != 1 || c.StoreCredit[0] != 10 {
		t.Errorf("customer 1 has store credit %v, want [10]", c.StoreCredit)
	}

	for _, tc := range []struct {
		tool, field string
		args        map[string]any
	}{
		{"create_customer_group", "discount_rules[0].amount",
			map[string]any{"name": "X", "discount_rules": []map[string]any{{"type": "all", "method": "percent", "amount": "abc"}}}},
		{bulkTool, "customers[0].store_credit_amounts[0].amount",
			map[string]any{"customers": []map[string]any{{"id": 1, "store_credit_amounts": []map[string]any{{"amount": "1e3"}}}}}},
	} {
		if got := s.fail(tc.tool, tc.args); got.Code != codeInvalidArgument || !strings.Contains(got.Fields[tc.field], "decimal") {
			t.Errorf("%s: got %+v, want invalid_argument saying %s must be a decimal", tc.tool, got, tc.field)
		}
	}
}

// TestNameCheckAdviceFindsACaseVariant follows the advice for checking that a
// name is free: the store's names are unique ignoring case, while the name
// filter is exact, so the check must be the name_like filter.
func TestNameCheckAdviceFindsACaseVariant(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})

	clash := s.fail("create_customer_group", map[string]any{"name": "wholesale"})
	if clash.Code != codeConflict || !strings.Contains(clash.Hint, "name_like") {
		t.Errorf("got %+v, want conflict with a hint that points at name_like", clash)
	}
	if exact := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"name": "wholesale"}); exact.Count != 0 {
		t.Fatalf("name=wholesale found %+v; the store's name filter is exact, so the advice below is moot", exact.CustomerGroups)
	}
	like := succeed[CustomerGroupList](s, "list_customer_groups", map[string]any{"name_like": "wholesale"})
	if like.Count != 1 || !strings.EqualFold(like.CustomerGroups[0].Name, "wholesale") {
		t.Errorf("name_like=wholesale found %+v, want the group Wholesale", like.CustomerGroups)
	}
	for tool, description := range map[string]string{"create_customer_group": createDescription, "list_customer_groups": listDescription} {
		if !strings.Contains(description, "name_like") || !strings.Contains(description, "ignoring case") {
			t.Errorf("%s's description does not say to check names with name_like, ignoring case:\n%s", tool, description)
		}
	}
}
