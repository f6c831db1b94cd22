package bc

import (
	"errors"
	"slices"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestSelectPage(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithAccessToken("secret-token"))
	c := newTestClient(t, store)
	ctx := t.Context()

	// One query: BigCommerce pages it and counts every match.
	page, err := c.Customers.SelectPage(ctx, CustomerSelector{All: true}, 2, 100)
	if err != nil || page.Total != 300 || len(page.Customers) != 100 || page.Customers[0].ID != 101 {
		t.Fatalf("all, page 2 of 100: %+v, %v; want customers 101-200 of 300", page, err)
	}

	// 300 ids take two queries: selected whole, paged here, in id order.
	ids := make([]int, 0, 301)
	for id := 301; id >= 1; id-- {
		ids = append(ids, id)
	}
	page, err = c.Customers.SelectPage(ctx, CustomerSelector{IDs: ids}, 3, 120)
	if err != nil || page.Total != 300 || len(page.Customers) != 60 || page.Customers[0].ID != 241 ||
		!slices.IsSortedFunc(page.Customers, func(a, b Customer) int { return a.ID - b.ID }) {
		t.Errorf("300 ids, page 3 of 120: %d customers from %d of %d, %v; want 241-300 of 300", len(page.Customers), page.Customers[0].ID, page.Total, err)
	}

	for _, bad := range []struct {
		sel   CustomerSelector
		limit int
		field string
	}{
		{CustomerSelector{}, 10, "body"},
		{CustomerSelector{All: true}, 0, "limit"},
		{CustomerSelector{All: true}, MaxPageSize + 1, "limit"},
	} {
		_, err := c.Customers.SelectPage(ctx, bad.sel, 1, bad.limit)
		if invalid, ok := errors.AsType[*ValidationError](err); !ok || invalid.Fields[bad.field] == "" {
			t.Errorf("%+v, limit %d: %v, want a validation error on %s", bad.sel, bad.limit, err, bad.field)
		}
	}
}
