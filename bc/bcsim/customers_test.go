package bcsim_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestListingCustomersFiltersAndPaginates(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	api := inProcess(t, s)
	all := s.Customers()
	inGroup := func(id int) (n int) {
		for _, c := range all {
			if c.CustomerGroupID == id {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name      string
		query     string
		wantIDs   []int // checked when set
		wantTotal int
		wantCount int
	}{
		{"the first page has 50 customers", "", nil, 300, 50},
		{"limit and page select a page", "limit=100&page=3", nil, 300, 100},
		{"a page past the end is empty, not an error", "page=7", nil, 300, 0},
		{"id:in returns those customers in id order", "id:in=3,1,2", []int{1, 2, 3}, 3, 3},
		{"customer_group_id:in=0 finds customers in no group", "customer_group_id:in=0&limit=250", nil, inGroup(0), inGroup(0)},
		{"customer_group_id:in takes several groups", "customer_group_id:in=1,6&limit=250", nil, inGroup(1) + inGroup(6), inGroup(1) + inGroup(6)},
		{"email:in matches case-insensitively", "email:in=" + strings.ToUpper(all[4].Email) + "," + all[9].Email, []int{5, 10}, 2, 2},
		{"date_created:min and :max bound the creation date", "date_created:min=2030-01-01", nil, 0, 0},
		{"date_modified:max before the data matches nothing", "date_modified:max=2022-12-31", nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := api.get("/v3/customers?" + tt.query)
			wantStatus(t, res, http.StatusOK)
			list := decode[customerList](t, res)
			p := list.Meta.Pagination
			if p.Total != tt.wantTotal || p.Count != tt.wantCount || len(list.Data) != tt.wantCount {
				t.Fatalf("total %d count %d len %d, want %d and %d", p.Total, p.Count, len(list.Data), tt.wantTotal, tt.wantCount)
			}
			if tt.wantIDs != nil && !slices.Equal(customerIDs(list.Data), tt.wantIDs) {
				t.Fatalf("ids = %v, want %v", customerIDs(list.Data), tt.wantIDs)
			}
			if !slices.IsSorted(customerIDs(list.Data)) {
				t.Fatal("customers are not in id order")
			}
		})
	}
}

func TestCustomerPaginationMetaDescribesThePage(t *testing.T) {
	t.Parallel()
	list := decode[customerList](t, overTCP(t, bcsim.New()).get("/v3/customers?limit=40&page=8"))
	p := list.Meta.Pagination
	if p.Total != 300 || p.Count != 20 || p.PerPage != 40 || p.CurrentPage != 8 || p.TotalPages != 8 {
		t.Fatalf("pagination = %+v", p)
	}
	if list.Data[0].ID != 281 {
		t.Fatalf("first id on page 8 = %d, want 281", list.Data[0].ID)
	}
}

func TestCustomerDateFiltersSplitTheData(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New())
	total := func(query string) int {
		return decode[customerList](t, api.get("/v3/customers?"+query)).Meta.Pagination.Total
	}
	for _, field := range []string{"date_created", "date_modified"} {
		before, after := total(field+":max=2024-06-30"), total(field+":min=2024-07-01")
		if before == 0 || after == 0 || before+after != 300 {
			t.Fatalf("%s: %d before and %d after, want a split of 300", field, before, after)
		}
	}
}

func TestListingCustomersRejectsInvalidParameters(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New())
	for _, query := range []string{"limit=251", "limit=0", "page=x", "id:in=1,two", "customer_group_id:in=", "date_created:min=soon"} {
		t.Run(query, func(t *testing.T) {
			t.Parallel()
			res := api.get("/v3/customers?" + query)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if e := decode[v3Error](t, res); e.Status != http.StatusUnprocessableEntity || e.Type == "" {
				t.Fatalf("body = %s, want a V3 error", res.body)
			}
		})
	}
}

func TestUpdatingCustomersAppliesTheBatch(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s := bcsim.New(bcsim.WithClock(func() time.Time { return now }))
	res := inProcess(t, s).do(http.MethodPut, "/v3/customers", []map[string]any{
		{"id": 1, "customer_group_id": 2, "first_name": "Ada", "authentication": map[string]any{"force_password_reset": true}},
		{"id": 2, "customer_group_id": 0, "store_credit_amounts": []any{map[string]any{"amount": 12.5}}, "channel_ids": []int{1, 2}},
		{"id": 3},
	})
	wantStatus(t, res, http.StatusOK)
	body := decode[struct {
		Data []wireCustomer `json:"data"`
		Meta map[string]any `json:"meta"`
	}](t, res)
	if !slices.Equal(customerIDs(body.Data), []int{1, 2, 3}) || len(body.Meta) != 0 {
		t.Fatalf("body = %s", res.body)
	}
	if body.Data[0].DateModified != "2026-03-04T05:06:07Z" {
		t.Fatalf("date_modified = %q", body.Data[0].DateModified)
	}
	c1, _ := s.Customer(1)
	c2, _ := s.Customer(2)
	if c1.CustomerGroupID != 2 || c1.FirstName != "Ada" || !c1.ForcePasswordReset || !c1.DateModified.Equal(now) {
		t.Fatalf("customer 1 = %+v", c1)
	}
	if c2.CustomerGroupID != 0 || !slices.Equal(c2.StoreCredit, []float64{12.5}) || !slices.Equal(c2.ChannelIDs, []int{1, 2}) {
		t.Fatalf("customer 2 = %+v", c2)
	}
	if got := s.Stats().CustomersUpdated; got != 3 {
		t.Fatalf("CustomersUpdated = %d, want 3", got)
	}
}

func TestUpdatingCustomersRejectsTheWholeBatchOnAnyError(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	taken := s.Customers()[9].Email
	tests := []struct {
		name    string
		bad     map[string]any
		wantKey string
	}{
		{"a missing id", map[string]any{"first_name": "X"}, "1.id"},
		{"an unknown customer", map[string]any{"id": 9999}, "1.id"},
		{"a repeated id", map[string]any{"id": 1}, "1.id"},
		{"a non-integer id", map[string]any{"id": "2"}, "1.id"},
		{"a read-only date_created", map[string]any{"id": 2, "date_created": "2024-01-01T00:00:00Z"}, "1.date_created"},
		{"a read-only registration_ip_address", map[string]any{"id": 2, "registration_ip_address": "1.2.3.4"}, "1.registration_ip_address"},
		{"a read-only origin_channel_id", map[string]any{"id": 2, "origin_channel_id": 2}, "1.origin_channel_id"},
		{"an unknown field", map[string]any{"id": 2, "nickname": "Bo"}, "1.nickname"},
		{"an invalid email", map[string]any{"id": 2, "email": "not-an-email"}, "1.email"},
		{"a too-short email", map[string]any{"id": 2, "email": "a@"}, "1.email"},
		{"an email in use", map[string]any{"id": 2, "email": taken}, "1.email"},
		{"an empty first_name", map[string]any{"id": 2, "first_name": ""}, "1.first_name"},
		{"a last_name over 100 characters", map[string]any{"id": 2, "last_name": strings.Repeat("x", 101)}, "1.last_name"},
		{"a phone over 50 characters", map[string]any{"id": 2, "phone": strings.Repeat("1", 51)}, "1.phone"},
		{"a company over 255 characters", map[string]any{"id": 2, "company": strings.Repeat("c", 256)}, "1.company"},
		{"a missing customer group", map[string]any{"id": 2, "customer_group_id": 99}, "1.customer_group_id"},
		{"a customer_group_id of the wrong type", map[string]any{"id": 2, "customer_group_id": "2"}, "1.customer_group_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" rejects everything", func(t *testing.T) {
			t.Parallel()
			s := bcsim.New()
			before := s.Customers()
			res := inProcess(t, s).do(http.MethodPut, "/v3/customers", []map[string]any{
				{"id": 1, "first_name": "Changed"},
				tt.bad,
			})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			e := decode[v3Error](t, res)
			if _, ok := e.Errors[tt.wantKey]; !ok || len(e.Errors) != 1 {
				t.Fatalf("errors = %v, want only %q", e.Errors, tt.wantKey)
			}
			after := s.Customers()
			if after[0].FirstName != before[0].FirstName || !after[0].DateModified.Equal(before[0].DateModified) {
				t.Fatal("the valid item was applied although the batch was refused")
			}
		})
	}
}

func TestUpdatingCustomersReportsEveryFailingItem(t *testing.T) {
	t.Parallel()
	res := inProcess(t, bcsim.New()).do(http.MethodPut, "/v3/customers", []map[string]any{
		{"id": 1, "email": "bad"},
		{"id": 2},
		{"id": 3, "first_name": ""},
	})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	e := decode[v3Error](t, res)
	if _, ok := e.Errors["0.email"]; !ok {
		t.Fatalf("errors = %v, want 0.email", e.Errors)
	}
	if _, ok := e.Errors["2.first_name"]; !ok {
		t.Fatalf("errors = %v, want 2.first_name", e.Errors)
	}
}

func TestUpdatingCustomersAllowsSwappingEmails(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	c1, _ := s.Customer(1)
	c2, _ := s.Customer(2)
	res := inProcess(t, s).do(http.MethodPut, "/v3/customers", []map[string]any{
		{"id": 1, "email": c2.Email},
		{"id": 2, "email": c1.Email},
	})
	wantStatus(t, res, http.StatusOK)
	if got, _ := s.Customer(1); got.Email != c2.Email {
		t.Fatalf("customer 1 email = %q, want %q", got.Email, c2.Email)
	}
}

func TestUpdatingMoreThanTenCustomersIsTooLarge(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	items := make([]map[string]any, 11)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "notes": fmt.Sprint("n", i)}
	}
	res := overTCP(t, s).do(http.MethodPut, "/v3/customers", items)
	wantStatus(t, res, http.StatusRequestEntityTooLarge)
	if e := decode[v3Error](t, res); e.Status != http.StatusRequestEntityTooLarge || !strings.Contains(e.Title, "10") {
		t.Fatalf("body = %s", res.body)
	}
	if c, _ := s.Customer(1); c.Notes != "" {
		t.Fatal("an item of a refused batch was applied")
	}
}

func TestUpdatingCustomersNeedsANonEmptyJSONArray(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New())
	for _, tt := range []struct {
		name   string
		body   any
		status int
	}{
		{"an object", map[string]any{"id": 1}, http.StatusUnprocessableEntity},
		{"an empty array", []any{}, http.StatusUnprocessableEntity},
		{"an array of numbers", []int{1}, http.StatusUnprocessableEntity},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, api.do(http.MethodPut, "/v3/customers", tt.body), tt.status)
		})
	}
}
