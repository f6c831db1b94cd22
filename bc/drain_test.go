package bc_test

import (
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
)

func TestADrainStartsNoNewBatchButFinishesThoseInFlight(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithLatency(5*time.Millisecond, 0))
	c := bulkClient(t, store, nil)
	begun := make(chan struct{})
	ctx := drain.WithSignal(t.Context(), begun)
	updates := companyUpdates(1, 300)

	sentAtDrain := 0
	res, err := c.Customers.BulkUpdate(ctx, bc.Listed(updates), bc.BulkOptions{Progress: func(p bc.BulkProgress) {
		if p.Batches == 1 {
			sentAtDrain = store.Total("PUT /v3/customers")
			close(begun)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	if sent := store.Total("PUT /v3/customers"); sent > sentAtDrain+bc.MaxUpdateRequestsInFlight {
		t.Errorf("%d batches were sent after the drain began; at most %d were in flight", sent-sentAtDrain, bc.MaxUpdateRequestsInFlight)
	}
	if len(res.Failed) != 0 {
		t.Errorf("batches in flight at the drain failed instead of finishing: %+v", res.Failed)
	}
	if len(res.Updated) < sentAtDrain*bc.MaxCustomersPerUpdate || len(res.NotAttempted) == 0 ||
		res.NotAttemptedReason != "the server began shutting down before these were sent; sending them again is safe" {
		t.Errorf("%d updated (%d batches sent at the drain), %d not attempted because %q",
			len(res.Updated), sentAtDrain, len(res.NotAttempted), res.NotAttemptedReason)
	}
}
