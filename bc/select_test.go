package bc_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// matching returns the ids of the store's customers for which keep is true.
func matching(store *bcsim.Store, keep func(bcsim.Customer) bool) []int {
	var out []int
	for _, c := range store.Customers() {
		if keep(c) {
			out = append(out, c.ID)
		}
	}
	return out
}

func TestSelectMatchesEachFilter(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithCustomers(700))
	c := bulkClient(t, store, nil)
	seven, _ := store.Customer(7)
	many := make([]int, 0, 600)
	for id := 50; id < 650; id++ {
		many = append(many, id)
	}
	for _, tc := range []struct {
		name string
		sel  bc.CustomerSelector
		want []int
	}{
		{"every customer", bc.CustomerSelector{All: true}, matching(store, func(bcsim.Customer) bool { return true })},
		{"a group and no group", bc.CustomerSelector{CustomerGroupIDs: []int{0, 2}},
			matching(store, func(c bcsim.Customer) bool { return c.CustomerGroupID == 0 || c.CustomerGroupID == 2 })},
		{"ids, more than one query holds", bc.CustomerSelector{IDs: many}, many},
		{"emails", bc.CustomerSelector{Emails: []string{seven.Email}}, []int{7}},
		{"filters together", bc.CustomerSelector{IDs: many, CustomerGroupIDs: []int{1}},
			matching(store, func(c bcsim.Customer) bool { return c.ID >= 50 && c.ID < 650 && c.CustomerGroupID == 1 })},
		{"a creation date range", bc.CustomerSelector{DateCreatedMin: "2024-01-01", DateCreatedMax: "2024-06-30"},
			matching(store, func(c bcsim.Customer) bool {
				return c.DateCreated.Format("2006-01-02") >= "2024-01-01" && c.DateCreated.Format("2006-01-02") <= "2024-06-30"
			})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			customers, _, err := c.Customers.Select(t.Context(), tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]int, len(customers))
			for i, c := range customers {
				got[i] = c.ID
			}
			if len(tc.want) == 0 || !slices.Equal(got, tc.want) {
				t.Errorf("selected %d customers, want %d", len(got), len(tc.want))
			}
		})
	}
}

func TestSelectRefusesAnAmbiguousSelector(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	for _, tc := range []struct {
		name  string
		sel   bc.CustomerSelector
		field string
	}{
		{"an empty selector", bc.CustomerSelector{}, "body"},
		{"all with a filter", bc.CustomerSelector{All: true, IDs: []int{1}}, "all"},
		{"a list separator inside an email", bc.CustomerSelector{Emails: []string{"a@example.com,b@example.com"}}, "emails[0]"},
		{"a date that is no date", bc.CustomerSelector{DateModifiedMin: "yesterday"}, "date_modified_min"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := c.Customers.Select(t.Context(), tc.sel)
			var invalid *bc.ValidationError
			if !errors.As(err, &invalid) || invalid.Fields[tc.field] == "" {
				t.Errorf("err = %v, want a validation error on %s", err, tc.field)
			}
		})
	}
	if n := store.Total("GET /v3/customers"); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestASetIsValidatedLikeAnItemWithoutAnID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		set   bc.CustomerUpdate
		field string
	}{
		{"a valid set", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{CustomerGroupID: new(2)}}, ""},
		{"an id", bc.CustomerUpdate{ID: 4, CustomerFields: bc.CustomerFields{CustomerGroupID: new(2)}}, "id"},
		{"nothing to set", bc.CustomerUpdate{}, "body"},
		{"a field too long", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{FirstName: new("")}}, "first_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := bc.ValidateSet(tc.set)
			var invalid *bc.ValidationError
			if (tc.field == "") != (err == nil) || (err != nil && (!errors.As(err, &invalid) || invalid.Fields[tc.field] == "")) {
				t.Errorf("err = %v, want a problem with %q", err, tc.field)
			}
		})
	}
}

func TestASetIsPlannedAndAppliedFromTheSelectionWithoutReadingAgain(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	selected, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{CustomerGroupIDs: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	reads := store.Total("GET /v3/customers")
	inOne := matching(store, func(c bcsim.Customer) bool { return c.CustomerGroupID == 1 })
	inTwo := matching(store, func(c bcsim.Customer) bool { return c.CustomerGroupID == 2 })
	set := bc.CustomerUpdate{CustomerFields: bc.CustomerFields{CustomerGroupID: new(2)}}

	plan, err := c.Customers.PlanBulkUpdate(t.Context(), bc.SetOn(selected, set))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plan.Unchanged, inTwo) || len(plan.Changes) != len(inOne) {
		t.Errorf("plan: %d unchanged, %d changes; want %d and %d", len(plan.Unchanged), len(plan.Changes), len(inTwo), len(inOne))
	}
	if got := plan.Changes[0].Fields["customer_group_id"]; got != (bc.FieldChange{Before: 1, After: 2}) {
		t.Errorf("change %+v, want group 1 to 2", got)
	}
	if store.Total("PUT /v3/customers") != 0 {
		t.Error("planning wrote")
	}

	res, err := c.Customers.BulkUpdate(t.Context(), bc.SetOn(selected, set), bc.BulkOptions{SkipUnchanged: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Updated, inOne) || !slices.Equal(res.Unchanged, inTwo) || res.Batches != (len(inOne)+9)/10 {
		t.Errorf("updated %d in %d batches, %d unchanged; want the %d of group 1", len(res.Updated), res.Batches, len(res.Unchanged), len(inOne))
	}
	if n := store.Total("GET /v3/customers"); n != reads {
		t.Errorf("%d more reads", n-reads)
	}
}

func TestASetIsSentToUnchangedCustomersWithoutSkipUnchanged(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	selected, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{CustomerGroupIDs: []int{2}})
	if err != nil || len(selected) == 0 {
		t.Fatalf("selected %d, %v", len(selected), err)
	}
	res, err := c.Customers.BulkUpdate(t.Context(), bc.SetOn(selected, bc.CustomerUpdate{CustomerFields: bc.CustomerFields{CustomerGroupID: new(2)}}), bc.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Updated) != len(selected) || len(res.Unchanged) != 0 {
		t.Errorf("updated %d, unchanged %d; want all %d sent, as SkipUnchanged is off", len(res.Updated), len(res.Unchanged), len(selected))
	}
}

func TestASelectorMatchingTooManyIsRefusedAfterOnePage(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithCustomers(bc.MaxSelectorMatches + 1))
	c := bulkClient(t, store, nil)
	_, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{All: true})
	var invalid *bc.ValidationError
	if !errors.As(err, &invalid) || !strings.Contains(invalid.Fields["body"], "10001") {
		t.Fatalf("err = %v, want the match count refused", err)
	}
	if n := store.Total("GET /v3/customers"); n != 1 {
		t.Fatalf("%d list requests, want 1: the first page tells the total", n)
	}
}

func TestASelectorWithIDsAndEmailsQueriesByIDsAndChecksEmails(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	first, _ := store.Customer(1)
	second, _ := store.Customer(2)
	ids := make([]int, 300) // two id chunks
	for i := range ids {
		ids[i] = i + 1
	}
	got, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{IDs: ids,
		Emails: []string{strings.ToUpper(first.Email), second.Email, "nobody@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != 1 || got[1].ID != 2 {
		t.Fatalf("selected %v, want customers 1 and 2", got)
	}
	if n := store.Total("GET /v3/customers"); n != 2 {
		t.Fatalf("%d queries, want one per id chunk", n)
	}
}

func TestAnUnreadableCustomerPageIsAnUpstreamErrorNeverNoMatches(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "{}", "<html>ok</html>", `{"data":[]}`, `{"data":null,"meta":{"pagination":{"total":0,"count":0,"per_page":250,"current_page":1,"total_pages":0}}}`,
		`{"data":[],"meta":{"pagination":{"total":3000,"count":0,"per_page":250,"current_page":1,"total_pages":12}}}`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New()
			c := tamperedClient(t, store, http.MethodGet, "/v3/customers", func(*http.Request, int, []byte) (int, []byte) {
				return http.StatusOK, []byte(body)
			})
			_, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{CustomerGroupIDs: []int{1}})
			var apiErr *bc.Error
			if !errors.Is(err, bc.ErrBadAnswer) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusOK {
				t.Errorf("select: err = %v, want the answer refused", err)
			}
			if n := store.Total("GET /v3/customers"); n != 9 {
				t.Errorf("%d reads, want 9: the first and 8 retries, as for a 5xx", n)
			}
			res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(companyUpdates(1, 3)), bc.BulkOptions{SkipUnchanged: true})
			if !errors.Is(err, bc.ErrBadAnswer) || res != nil {
				t.Errorf("bulk update: %+v, %v; want the answer refused, no customer reported", res, err)
			}
			if n := store.Total("PUT /v3/customers"); n != 0 {
				t.Errorf("%d updates sent", n)
			}
		})
	}
}

func TestAnUnreadableCustomerPageIsRetried(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	var answered atomic.Int32
	c := tamperedClient(t, store, http.MethodGet, "/v3/customers", func(_ *http.Request, status int, body []byte) (int, []byte) {
		if answered.Add(1) <= 2 {
			return http.StatusOK, []byte("{}")
		}
		return status, body
	})
	got, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{IDs: []int{1, 2, 3}})
	if err != nil || len(got) != 3 {
		t.Fatalf("selected %d customers, %v; want the three, on the third attempt", len(got), err)
	}
}

func TestAStoreThatIgnoresAFilterIsReportedNotActedOn(t *testing.T) {
	t.Parallel()
	seven, _ := bcsim.New().Customer(7)
	for _, tc := range []struct {
		filter string
		sel    bc.CustomerSelector
	}{
		{"date_created:min", bc.CustomerSelector{DateCreatedMin: "2099-01-01"}},
		{"date_modified:max", bc.CustomerSelector{DateModifiedMax: "2000-01-01T00:00:00Z"}},
		{"customer_group_id:in", bc.CustomerSelector{CustomerGroupIDs: []int{2}}},
		{"email:in", bc.CustomerSelector{Emails: []string{seven.Email}}},
		{"id:in", bc.CustomerSelector{IDs: []int{4, 5, 6}}},
	} {
		t.Run(tc.filter, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New()
			c := tamperClient(t, store, badstore.IgnoreFilter(tc.filter))
			got, _, err := c.Customers.Select(t.Context(), tc.sel)
			if !errors.Is(err, bc.ErrBadAnswer) || !strings.Contains(err.Error(), tc.filter) {
				t.Fatalf("selected %d customers, err = %v; want the ignored filter reported", len(got), err)
			}
		})
	}
}

func TestAStoreThatIgnoresTheIDsOfAnExplicitListWritesNothing(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := tamperClient(t, store, badstore.IgnoreFilter("id:in"))
	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(companyUpdates(1, 3)), bc.BulkOptions{SkipUnchanged: true})
	if !errors.Is(err, bc.ErrBadAnswer) || res != nil {
		t.Fatalf("%+v, %v: want the answer refused", res, err)
	}
	if n := store.Total("PUT /v3/customers"); n != 0 {
		t.Errorf("%d updates sent", n)
	}
}

func TestADryRunWithASelectorPredictsTheFailuresOfTheRealCall(t *testing.T) {
	t.Parallel()
	two, _ := bcsim.New().Customer(2)
	for _, tc := range []struct {
		name   string
		set    bc.CustomerUpdate
		ids    []int
		failed []int
		field  string
	}{
		{"a group that does not exist", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{CustomerGroupID: new(777)}}, []int{5, 6}, []int{5, 6}, "customer_group_id"},
		{"one email for two customers", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Email: new("one@example.com")}}, []int{5, 6}, []int{5, 6}, "email"},
		{"an email another customer has", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Email: new(two.Email)}}, []int{5}, []int{5}, "email"},
		{"the customer's own email", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Email: new(two.Email)}}, []int{2}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New()
			c := bulkClient(t, store, nil)
			selected, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{IDs: tc.ids})
			if err != nil {
				t.Fatal(err)
			}
			plan, err := c.Customers.PlanBulkUpdate(t.Context(), bc.SetOn(selected, tc.set))
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Customers.BulkUpdate(t.Context(), bc.SetOn(selected, tc.set), bc.BulkOptions{SkipUnchanged: true})
			if err != nil {
				t.Fatal(err)
			}
			if predicted, happened := failuresOf(plan.Failed), failuresOf(res.Failed); !slices.Equal(predicted, happened) {
				t.Errorf("predicted %v, happened %v", predicted, happened)
			}
			var failed []int
			for _, f := range res.Failed {
				failed = append(failed, f.ID)
				if f.Code != bc.FailureRejected || f.Fields[tc.field] == "" || !strings.HasPrefix(f.Message, "not sent: ") {
					t.Errorf("failure %+v, want rejected on %s, not sent", f, tc.field)
				}
			}
			if !slices.Equal(failed, tc.failed) || store.Total("PUT /v3/customers 422") != 0 {
				t.Errorf("failed %v, want %v; %d batches refused by the store", failed, tc.failed, store.Total("PUT /v3/customers 422"))
			}
		})
	}
}

func TestNoMatchMayComeAsOneEmptyPage(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := tamperedClient(t, store, http.MethodGet, "/v3/customers", func(*http.Request, int, []byte) (int, []byte) {
		return http.StatusOK, []byte(`{"data":[],"meta":{"pagination":{"total":0,"count":0,"per_page":250,"current_page":1,"total_pages":1}}}`)
	})
	got, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{CustomerGroupIDs: []int{1}})
	if err != nil || len(got) != 0 {
		t.Fatalf("selected %d, %v; want no match", len(got), err)
	}
}
