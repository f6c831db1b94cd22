package bcsim_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestListingGroupsAppliesEveryDocumentedFilter(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New())
	tests := []struct {
		name  string
		query string
		want  []int // nil: 204 No Content
	}{
		{"no filter lists every group in id order", "", []int{1, 2, 3, 4, 5, 6}},
		{"name matches exactly", "name=VIP", []int{3}},
		{"name is case sensitive", "name=vip", nil},
		{"name:like matches a case-insensitive substring", "name:like=TA", []int{1, 6}},
		{"is_default finds the default group", "is_default=true", []int{1}},
		{"is_group_for_guests finds the guest group", "is_group_for_guests=true", []int{4}},
		{"is_group_for_guests=false excludes it", "is_group_for_guests=false", []int{1, 2, 3, 5, 6}},
		{"date_created matches a whole day", "date_created=2023-02-14", []int{2}},
		{"date_created matches an exact second", "date_created=2023-02-14T09:30:00", []int{2}},
		{"date_created accepts RFC 1123Z", "date_created=" + url.QueryEscape("Tue, 14 Feb 2023 09:30:00 +0000"), []int{2}},
		{"date_created:min is inclusive", "date_created:min=2023-04-21", []int{4, 5, 6}},
		{"a date-only date_created:max includes that whole day", "date_created:max=2023-03-03", []int{1, 2, 3}},
		{"date_created:max accepts RFC 3339", "date_created:max=2023-03-03T09:29:59Z", []int{1, 2}},
		{"date_modified:min filters on modification", "date_modified:min=2024-01-01", []int{6}},
		{"date_modified:max filters on modification", "date_modified:max=2023-07-10", []int{1}},
		{"filters combine", "name:like=a&is_default=false", []int{2, 5, 6}},
		{"page and limit select a page", "page=2&limit=4", []int{5, 6}},
		{"a page past the end is empty", "page=3&limit=4", nil},
		{"a limit above 250 is clamped", "limit=1000", []int{1, 2, 3, 4, 5, 6}},
		{"no match is empty", "name=Nobody", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := api.get("/v2/customer_groups?" + tt.query)
			if tt.want == nil {
				wantStatus(t, res, http.StatusNoContent)
				if len(res.body) != 0 {
					t.Fatalf("204 body = %q, want empty", res.body)
				}
				return
			}
			wantStatus(t, res, http.StatusOK)
			if got := groupIDs(decode[[]wireGroup](t, res)); !slices.Equal(got, tt.want) {
				t.Fatalf("ids = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestListingGroupsRejectsInvalidParameters(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New())
	for _, query := range []string{
		"is_default=maybe",
		"is_group_for_guests=2x",
		"date_created:min=yesterday",
		"date_modified=2023-13-01",
		"page=0",
		"limit=-5",
		"page=abc",
	} {
		t.Run(query, func(t *testing.T) {
			t.Parallel()
			res := api.get("/v2/customer_groups?" + query)
			wantStatus(t, res, http.StatusBadRequest)
			if errs := decode[v2Error](t, res); len(errs) != 1 || errs[0].Status != http.StatusBadRequest {
				t.Fatalf("body = %s, want one V2 error", res.body)
			}
		})
	}
}

func TestGroupsAreServedInTheDocumentedShape(t *testing.T) {
	t.Parallel()
	api := overTCP(t, bcsim.New())

	retail := decode[wireGroup](t, api.get("/v2/customer_groups/1"))
	if retail.Name != "Retail" || !retail.IsDefault || retail.DateCreated != "Tue, 10 Jan 2023 09:30:00 +0000" {
		t.Fatalf("group 1 = %+v", retail)
	}
	if retail.DiscountRules == nil || len(retail.DiscountRules) != 0 {
		t.Fatalf("discount_rules = %#v, want an empty array", retail.DiscountRules)
	}
	wholesale := decode[wireGroup](t, api.get("/v2/customer_groups/2"))
	if got := wholesale.DiscountRules[0]; got["type"] != "all" || got["method"] != "percent" || got["amount"] != "10.0000" {
		t.Fatalf("wholesale rule = %v", got)
	}
	trade := decode[wireGroup](t, api.get("/v2/customer_groups/5"))
	if got := trade.DiscountRules[0]; got["type"] != "price_list" || got["price_list_id"] != 3.0 || got["amount"] != nil {
		t.Fatalf("price list rule = %v, want type and price_list_id only", got)
	}
	staff := decode[wireGroup](t, api.get("/v2/customer_groups/6"))
	if staff.CategoryAccess.Type != "specific" || !slices.Equal(staff.CategoryAccess.Categories, []int{18, 19}) {
		t.Fatalf("staff category_access = %+v", staff.CategoryAccess)
	}
}

func TestGettingAMissingGroupAnswers404(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New())
	for _, path := range []string{"/v2/customer_groups/99", "/v2/customer_groups/abc", "/v2/nothing_here"} {
		res := api.get(path)
		wantStatus(t, res, http.StatusNotFound)
		if errs := decode[v2Error](t, res); errs[0].Status != http.StatusNotFound {
			t.Fatalf("%s body = %s", path, res.body)
		}
	}
}

func TestCountingGroupsCountsThemAll(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []bcsim.Option
		want int
	}{
		{"the demo store has six groups", nil, 6},
		{"WithGroups sets the number", []bcsim.Option{bcsim.WithGroups(27)}, 27},
		{"a store can have none", []bcsim.Option{bcsim.WithGroups(0)}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := inProcess(t, bcsim.New(tt.opts...)).get("/v2/customer_groups/count?name=Retail")
			if got := decode[map[string]int](t, res)["count"]; got != tt.want {
				t.Fatalf("count = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestCreatingGroupsValidatesLikeBigCommerce(t *testing.T) {
	t.Parallel()
	rule := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		body    map[string]any
		status  int
		message string
	}{
		{"a name alone creates a group", map[string]any{"name": "Partners"}, http.StatusCreated, ""},
		{"a price list rule alone is accepted", map[string]any{"name": "PL", "discount_rules": []any{rule("type", "price_list", "price_list_id", 7)}}, http.StatusCreated, ""},
		{"an amount may be a numeric string", map[string]any{"name": "S", "discount_rules": []any{rule("type", "all", "method", "fixed", "amount", "7.5")}}, http.StatusCreated, ""},
		{"a missing name is refused", map[string]any{"is_default": false}, http.StatusBadRequest, "name"},
		{"a blank name is refused", map[string]any{"name": "  "}, http.StatusBadRequest, "name"},
		{"a name over 255 characters is refused", map[string]any{"name": strings.Repeat("x", 256)}, http.StatusBadRequest, "name"},
		{"a duplicate name conflicts regardless of case", map[string]any{"name": "retail"}, http.StatusConflict, "already in use"},
		{"a second guest group conflicts", map[string]any{"name": "Visitors", "is_group_for_guests": true}, http.StatusConflict, "guests"},
		{"a price list rule must be alone", map[string]any{"name": "X", "discount_rules": []any{rule("type", "price_list", "price_list_id", 3), rule("type", "all", "method", "percent", "amount", 5)}}, http.StatusBadRequest, "only discount rule"},
		{"a price list rule needs its id", map[string]any{"name": "X", "discount_rules": []any{rule("type", "price_list")}}, http.StatusBadRequest, "price_list_id"},
		{"only one all rule is allowed", map[string]any{"name": "X", "discount_rules": []any{rule("type", "all", "method", "percent", "amount", 5), rule("type", "all", "method", "fixed", "amount", 1)}}, http.StatusBadRequest, "at most one"},
		{"a category rule needs category_id", map[string]any{"name": "X", "discount_rules": []any{rule("type", "category", "method", "percent", "amount", 5)}}, http.StatusBadRequest, "category_id"},
		{"a product rule needs product_id", map[string]any{"name": "X", "discount_rules": []any{rule("type", "product", "method", "percent", "amount", 5)}}, http.StatusBadRequest, "product_id"},
		{"an unknown rule type is refused", map[string]any{"name": "X", "discount_rules": []any{rule("type", "brand", "method", "percent", "amount", 5)}}, http.StatusBadRequest, "type"},
		{"an unknown method is refused", map[string]any{"name": "X", "discount_rules": []any{rule("type", "all", "method", "half", "amount", 5)}}, http.StatusBadRequest, "method"},
		{"a negative amount is refused", map[string]any{"name": "X", "discount_rules": []any{rule("type", "all", "method", "fixed", "amount", -1)}}, http.StatusBadRequest, "amount"},
		{"a missing amount is refused", map[string]any{"name": "X", "discount_rules": []any{rule("type", "all", "method", "fixed")}}, http.StatusBadRequest, "amount"},
		{"a percent above 100 is refused", map[string]any{"name": "X", "discount_rules": []any{rule("type", "all", "method", "percent", "amount", 101)}}, http.StatusBadRequest, "100"},
		{"a bad category access type is refused", map[string]any{"name": "X", "category_access": map[string]any{"type": "some"}}, http.StatusBadRequest, "category_access"},
		{"an unknown field is refused", map[string]any{"name": "X", "id": 42}, http.StatusBadRequest, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := bcsim.New()
			res := inProcess(t, s).do(http.MethodPost, "/v2/customer_groups", tt.body)
			wantStatus(t, res, tt.status)
			if tt.status == http.StatusCreated {
				g := decode[wireGroup](t, res)
				if g.ID != 7 || g.Name != tt.body["name"] {
					t.Fatalf("created %+v", g)
				}
				if _, ok := s.Group(7); !ok {
					t.Fatal("the group was not stored")
				}
				return
			}
			if errs := decode[v2Error](t, res); !strings.Contains(errs[0].Message, tt.message) {
				t.Fatalf("message = %q, want it to mention %q", errs[0].Message, tt.message)
			}
			if got := len(s.Groups()); got != 6 {
				t.Fatalf("%d groups after a refused create, want 6", got)
			}
		})
	}
}

func TestCreatingADefaultGroupMovesTheDefaultFlag(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	res := overTCP(t, s).do(http.MethodPost, "/v2/customer_groups", map[string]any{"name": "New default", "is_default": true})
	wantStatus(t, res, http.StatusCreated)
	var defaults []string
	for _, g := range s.Groups() {
		if g.IsDefault {
			defaults = append(defaults, g.Name)
		}
	}
	if !slices.Equal(defaults, []string{"New default"}) {
		t.Fatalf("default groups = %v", defaults)
	}
}

func TestUpdatingAGroupReplacesItsDiscountRules(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	api := inProcess(t, s)
	res := api.do(http.MethodPut, "/v2/customer_groups/3", map[string]any{
		"discount_rules": []any{map[string]any{"type": "product", "product_id": 9, "method": "price", "amount": 12.5}},
	})
	wantStatus(t, res, http.StatusOK)
	g, _ := s.Group(3)
	want := []bcsim.DiscountRule{{Type: "product", Method: "price", Amount: 12.5, ProductID: 9}}
	if !slices.Equal(g.DiscountRules, want) || g.Name != "VIP" {
		t.Fatalf("group 3 = %+v, want only the new rule and the old name", g)
	}
	if got := decode[wireGroup](t, res).DiscountRules[0]["amount"]; got != "12.5000" {
		t.Fatalf("amount = %v, want \"12.5000\"", got)
	}
}

func TestUpdatingAGroupValidatesAndFindsIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		status int
	}{
		{"a missing group answers 404", "/v2/customer_groups/99", map[string]any{"name": "X"}, http.StatusNotFound},
		{"renaming onto another group's name conflicts", "/v2/customer_groups/2", map[string]any{"name": "VIP"}, http.StatusConflict},
		{"renaming a group to its own name is fine", "/v2/customer_groups/2", map[string]any{"name": "wholesale"}, http.StatusOK},
		{"the guest group may stay the guest group", "/v2/customer_groups/4", map[string]any{"is_group_for_guests": true}, http.StatusOK},
		{"another group cannot become the guest group", "/v2/customer_groups/2", map[string]any{"is_group_for_guests": true}, http.StatusConflict},
		{"an empty rule set clears the rules", "/v2/customer_groups/2", map[string]any{"discount_rules": []any{}}, http.StatusOK},
		{"invalid rules are refused", "/v2/customer_groups/2", map[string]any{"discount_rules": []any{map[string]any{"type": "category"}}}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantStatus(t, inProcess(t, bcsim.New()).do(http.MethodPut, tt.path, tt.body), tt.status)
		})
	}
}

func TestDeletingAGroupUnassignsItsCustomers(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	api := overTCP(t, s)
	members := 0
	for _, c := range s.Customers() {
		if c.CustomerGroupID == 2 {
			members++
		}
	}
	if members == 0 {
		t.Fatal("the demo data has nobody in group 2")
	}
	wantStatus(t, api.do(http.MethodDelete, "/v2/customer_groups/2", nil), http.StatusNoContent)
	wantStatus(t, api.get("/v2/customer_groups/2"), http.StatusNotFound)
	wantStatus(t, api.do(http.MethodDelete, "/v2/customer_groups/2", nil), http.StatusNotFound)
	for _, c := range s.Customers() {
		if c.CustomerGroupID == 2 {
			t.Fatalf("customer %d is still in the deleted group", c.ID)
		}
	}
	list := decode[customerList](t, api.get("/v3/customers?customer_group_id:in=2"))
	if list.Meta.Pagination.Total != 0 {
		t.Fatalf("%d customers still listed in group 2", list.Meta.Pagination.Total)
	}
}
