package bc_test

import (
	"context"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
)

// TestARunEndedMidwayFinishesTheBatchesInFlight ends a run after its first
// batch in each way a run can be ended from outside: BulkOptions.Stop and a
// server drain. Either way no new batch starts, those in flight complete, and
// the rest are not attempted, with a reason that says which.
func TestARunEndedMidwayFinishesTheBatchesInFlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, reason string
		end          func(ctx context.Context, opts *bc.BulkOptions) (context.Context, func())
	}{
		{"stop", "the run was stopped before these were sent", func(ctx context.Context, opts *bc.BulkOptions) (context.Context, func()) {
			stop := make(chan struct{})
			opts.Stop = stop
			return ctx, func() { close(stop) }
		}},
		{"drain", "the server began shutting down before these were sent; sending them again is safe", func(ctx context.Context, _ *bc.BulkOptions) (context.Context, func()) {
			begun := make(chan struct{})
			return drain.WithSignal(ctx, begun), func() { close(begun) }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New(bcsim.WithLatency(5*time.Millisecond, 0))
			c := bulkClient(t, store, nil)
			updates := companyUpdates(1, 300)
			var opts bc.BulkOptions
			ctx, end := tc.end(t.Context(), &opts)
			sentAtEnd := 0
			opts.Progress = func(p bc.BulkProgress) {
				if p.Batches == 1 {
					sentAtEnd = store.Total("PUT /v3/customers")
					end()
				}
			}
			res, err := c.Customers.BulkUpdate(ctx, bc.Listed(updates), opts)
			if err != nil {
				t.Fatal(err)
			}
			mustAccount(t, store, res, updates)
			sent := store.Total("PUT /v3/customers")
			if sent > sentAtEnd+bc.MaxUpdateRequestsInFlight {
				t.Errorf("%d batches were sent after the run was ended; at most %d were in flight", sent-sentAtEnd, bc.MaxUpdateRequestsInFlight)
			}
			if len(res.Failed) != 0 {
				t.Errorf("the batches in flight were cut short: %+v", res.Failed)
			}
			if len(res.NotAttempted) == 0 || res.NotAttemptedReason != tc.reason {
				t.Errorf("%d not attempted because %q, want %q", len(res.NotAttempted), res.NotAttemptedReason, tc.reason)
			}
			if len(res.Updated) != bc.MaxCustomersPerUpdate*sent {
				t.Errorf("%d updated by %d calls: every batch sent should have completed", len(res.Updated), sent)
			}
		})
	}
}

func TestProgressCountsEachOutcome(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	updates := append(companyUpdates(1, 19), bc.CustomerUpdate{ID: 200}) // the last one is invalid
	var last bc.BulkProgress

	if _, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{Progress: func(p bc.BulkProgress) { last = p }}); err != nil {
		t.Fatal(err)
	}
	if last.Updated != 19 || last.Failed != 1 || last.Unchanged != 0 || last.Done != 20 {
		t.Errorf("last report %+v", last)
	}
}

func TestPaceReportsTheMeasuredLatencyAndQuota(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithLatency(20*time.Millisecond, 0), bcsim.WithQuota(500, 10*time.Second))
	c := bulkClient(t, store, nil)
	if p := c.Pace(); p.Measured || p.Quota != 0 {
		t.Fatalf("pace before any request: %+v", p)
	}
	if _, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(companyUpdates(1, 30)), bc.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	p := c.Pace()
	if !p.Measured || p.Latency < 20*time.Millisecond || p.Latency > time.Second {
		t.Errorf("latency %v (measured %v) after requests that each took 20ms or more", p.Latency, p.Measured)
	}
	if p.Quota != 500 || p.Window != 10*time.Second {
		t.Errorf("quota %d per %v, want 500 per 10s", p.Quota, p.Window)
	}
}

func TestEstimateBulkUpdate(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithLatency(10*time.Millisecond, 0), bcsim.WithQuota(50, time.Minute))
	c := bulkClient(t, store, nil)
	// Unmeasured: the assumed second per round. 1,000 customers are 4 reads
	// (one round) and 100 batches (34 rounds).
	if got := c.EstimateBulkUpdate(1000); got != 35*time.Second {
		t.Errorf("before any request: %v, want 35s", got)
	}
	if _, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(companyUpdates(1, 20)), bc.BulkOptions{}); err != nil {
		t.Fatal(err)
	}
	// Measured: 104 requests at 50 a minute wait for 2 windows to end, far
	// longer than 35 rounds of about 10ms.
	if got := c.EstimateBulkUpdate(1000); got != 2*time.Minute {
		t.Errorf("with the quota binding: %v, want 2m", got)
	}
	if got := c.EstimateBulkUpdate(10); got <= 0 || got > time.Second {
		t.Errorf("one read and one batch at about 10ms: %v", got)
	}
	if got := c.EstimateBulkUpdate(0); got != 0 {
		t.Errorf("no customers: %v", got)
	}
}
