package tools

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

func (s *session) listCustomers(args map[string]any) CustomerList {
	s.t.Helper()
	return succeed[CustomerList](s, "list_customers", args)
}

// pageThrough collects the ids of every page of where, checking each page's
// account of the total.
func (s *session) pageThrough(where map[string]any, limit int) []int {
	s.t.Helper()
	var ids []int
	for page := 1; ; page++ {
		list := s.listCustomers(map[string]any{"where": where, "page": page, "limit": limit})
		for _, c := range list.Customers {
			ids = append(ids, c.ID)
		}
		if !list.MorePages {
			if len(ids) != list.Total {
				s.t.Errorf("the pages listed %d customers, the total says %d", len(ids), list.Total)
			}
			return ids
		}
		if list.NextPage != page+1 || len(list.Customers) != limit {
			s.t.Fatalf("page %d: %d customers, next page %d", page, len(list.Customers), list.NextPage)
		}
	}
}

func TestListCustomersByGroupPagesThroughExactlyItsMembers(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	members := s.inGroup(2)
	if len(members) < 25 {
		t.Fatalf("the demo store has %d customers in group 2, too few to page", len(members))
	}
	got := s.pageThrough(map[string]any{"customer_group_ids": []int{2}}, 10)
	slices.Sort(got)
	if !slices.Equal(got, members) {
		t.Errorf("group 2 listed %v, want %v", got, members)
	}

	none := s.pageThrough(map[string]any{"customer_group_ids": []int{0}}, 250)
	if want := s.inGroup(0); len(none) != len(want) {
		t.Errorf("no group: listed %d customers, want %d", len(none), len(want))
	}
}

func TestListCustomersByEmailFindsTheCustomer(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	want, _ := s.store.Customer(7)

	list := s.listCustomers(map[string]any{"where": map[string]any{"emails": []string{want.Email}}})
	if list.Total != 1 || len(list.Customers) != 1 || list.MorePages {
		t.Fatalf("by email: %+v, want one customer", list)
	}
	got := list.Customers[0]
	if got.ID != 7 || got.Email != want.Email || got.FirstName != want.FirstName || got.LastName != want.LastName ||
		got.CustomerGroupID != want.CustomerGroupID || got.DateCreated == "" {
		t.Errorf("row %+v, want customer 7 %+v", got, want)
	}
	if summary := text(s.call("list_customers", map[string]any{"where": map[string]any{"emails": []string{want.Email}}})); !strings.Contains(summary, "1-1 of 1") {
		t.Errorf("summary %q", summary)
	}
}

func TestListCustomersPagesALongIDListItself(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	ids := make([]int, 0, 300)
	for id := 300; id >= 1; id-- { // more than one query takes, in no order
		ids = append(ids, id)
	}
	got := s.pageThrough(map[string]any{"ids": append(ids, 9999)}, 120)
	if len(got) != 300 || !slices.IsSorted(got) {
		t.Errorf("listed %d customers (sorted: %v), want the 300 in id order", len(got), slices.IsSorted(got))
	}
}

func TestListCustomersWorksReadOnly(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{ReadOnly: true})
	listed := slices.ContainsFunc(s.listTools(), func(tool mcp.Tool) bool { return tool.Name == "list_customers" })
	if !listed {
		t.Error("list_customers is not listed in read-only mode")
	}
	if list := s.listCustomers(map[string]any{"where": map[string]any{"all": true}, "limit": 1}); list.Total != 300 || len(list.Customers) != 1 {
		t.Errorf("read-only, all customers, limit 1: %+v, want a total of 300", list)
	}
}

func TestListCustomersRefusesWhatBulkUpdateRefuses(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	for _, tc := range []struct {
		args  map[string]any
		field string
	}{
		{map[string]any{"where": map[string]any{}}, "where"},
		{map[string]any{}, "where"},
		{map[string]any{"where": map[string]any{"all": true, "ids": []int{1}}}, "where.all"},
		{map[string]any{"where": map[string]any{"ids": []int{0}}}, "where.ids[0]"},
		{map[string]any{"where": map[string]any{"date_created_min": "yesterday"}}, "where.date_created_min"},
		{map[string]any{"where": map[string]any{"all": true}, "limit": 251}, "limit"},
		{map[string]any{"where": map[string]any{"all": true}, "page": 0}, "page"},
	} {
		got := s.fail("list_customers", tc.args)
		if _, named := got.Fields[tc.field]; got.Code != codeInvalidArgument || !named {
			t.Errorf("%v: %+v, want invalid_argument naming %s", tc.args, got, tc.field)
		}
	}
	if n := s.store.Total("GET /v3/customers"); n != 0 {
		t.Errorf("refused calls read the store %d times", n)
	}
}

// TestCustomerRowSize pins what a row costs a model: the typical (median)
// demo customer's row, as JSON.
func TestCustomerRowSize(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	list := s.listCustomers(map[string]any{"where": map[string]any{"all": true}, "limit": 250})
	sizes := make([]int, len(list.Customers))
	for i, row := range list.Customers {
		data, _ := json.Marshal(row)
		sizes[i] = len(data)
	}
	slices.Sort(sizes)
	median := sizes[len(sizes)/2]
	t.Logf("a list_customers row: median %d bytes, largest %d", median, sizes[len(sizes)-1])
	if median > 180 {
		t.Errorf("a typical row is %d bytes, want at most 180", median)
	}
}
