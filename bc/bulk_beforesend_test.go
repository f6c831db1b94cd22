package bc_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestBeforeSendSeesTheValuesReplacedAndCanStopTheRun(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithCustomers(30))
	c := bulkClient(t, store, nil)
	one, _ := store.Customer(1)
	company := "Journaled Ltd"
	updates := []bc.CustomerUpdate{{ID: 1, CustomerFields: bc.CustomerFields{Company: &company}}, {ID: 2, CustomerFields: bc.CustomerFields{Company: &company}}}
	refused := errors.New("journal unavailable")
	var seen []bc.CustomerChange
	opts := bc.BulkOptions{SkipUnchanged: true, BeforeSend: func(changes []bc.CustomerChange) error {
		seen = changes
		return refused
	}}
	if _, err := c.Customers.BulkUpdate(context.Background(), bc.Listed(updates), opts); !errors.Is(err, refused) {
		t.Fatalf("BulkUpdate returned %v, want BeforeSend's error", err)
	}
	if n := store.Stats().CustomersUpdated; n != 0 {
		t.Fatalf("%d customers were updated after BeforeSend refused", n)
	}
	if len(seen) != 2 || seen[0].ID != 1 || seen[0].Fields["company"].Before != one.Company || seen[0].Fields["company"].After != company {
		t.Fatalf("BeforeSend saw %+v, want customer 1's company %q replaced by %q", seen, one.Company, company)
	}

	all, _, err := c.Customers.Select(context.Background(), bc.CustomerSelector{IDs: []int{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Customers.BulkUpdate(context.Background(), bc.SetOn(all, bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Company: &company}}), opts); !errors.Is(err, refused) {
		t.Fatalf("BulkUpdate of a set returned %v, want BeforeSend's error", err)
	}
	if len(seen) != 3 || store.Stats().CustomersUpdated != 0 {
		t.Fatalf("BulkUpdate of a set: BeforeSend saw %d changes, %d customers updated", len(seen), store.Stats().CustomersUpdated)
	}
	if _, err := c.Customers.BulkUpdate(context.Background(), bc.Listed(updates), bc.BulkOptions{BeforeSend: opts.BeforeSend}); err == nil {
		t.Fatal("BeforeSend without the customers read was accepted")
	}
}
