package bc_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"golang.org/x/sync/errgroup"
)

func newSimClient(t testing.TB, opts ...bcsim.Option) (*bc.Client, *bcsim.Store) {
	t.Helper()
	store := bcsim.New(opts...)
	c, err := bc.New(bc.Config{StoreHash: "sim", AccessToken: "token", BaseURL: "http://bcsim",
		HTTPClient: store.Client(), RetryBaseDelay: time.Millisecond, RetryMaxDelay: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

func TestOneClientNeverExceedsTheConcurrencyCaps(t *testing.T) {
	t.Parallel()
	c, store := newSimClient(t, bcsim.WithLatency(5*time.Millisecond, 5*time.Millisecond))
	ctx := context.Background()
	var g errgroup.Group
	for i := range 200 {
		g.Go(func() error {
			_, _, err := c.CustomerGroups.Get(ctx, 1+i%6)
			return err
		})
	}
	for i := range 100 {
		g.Go(func() error {
			batch := make([]bc.CustomerUpdate, 3)
			for j := range batch {
				notes := fmt.Sprintf("batch %d", i)
				batch[j] = bc.CustomerUpdate{ID: 1 + i*3 + j, CustomerFields: bc.CustomerFields{Notes: &notes}}
			}
			_, _, err := c.Customers.Update(ctx, batch)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	stats := store.Stats()
	if got := stats.MaxInFlight["customer_groups"]; got > bc.MaxGroupRequestsInFlight || got < 10 {
		t.Errorf("max group requests in flight = %d, want 10..40 (busy but capped)", got)
	}
	if got := stats.MaxInFlight["customers_update"]; got != bc.MaxUpdateRequestsInFlight {
		t.Errorf("max updates in flight = %d, want exactly 3", got)
	}
	for class, n := range stats.ConcurrencyRejections {
		if n > 0 {
			t.Errorf("%d requests of class %s were refused for concurrency", n, class)
		}
	}
	if stats.QuotaRejections > 0 {
		t.Errorf("%d quota rejections", stats.QuotaRejections)
	}
}

func TestTheClientPacesItselfInsteadOfHittingTheQuota(t *testing.T) {
	t.Parallel()
	c, store := newSimClient(t, bcsim.WithQuota(15, 200*time.Millisecond), bcsim.WithLatency(2*time.Millisecond, 0))
	var g errgroup.Group
	for i := range 60 {
		g.Go(func() error {
			_, _, err := c.CustomerGroups.Get(context.Background(), 1+i%6)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	// The first requests go out before any quota is known; after that the
	// client must stay inside the window.
	if n := store.Stats().QuotaRejections; n > 0 {
		t.Errorf("%d requests hit the quota: the client should have waited for the reset", n)
	}
}

func TestListAllReadsEveryGroupInIDOrder(t *testing.T) {
	t.Parallel()
	c, store := newSimClient(t, bcsim.WithGroups(1234))
	groups, _, err := c.CustomerGroups.ListAll(context.Background(), bc.ListCustomerGroupsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1234 {
		t.Fatalf("got %d groups, want 1234", len(groups))
	}
	for i, g := range groups {
		if want := store.Groups()[i].ID; g.ID != want {
			t.Fatalf("groups[%d].ID = %d, want %d", i, g.ID, want)
		}
	}
	filtered, _, err := c.CustomerGroups.ListAll(context.Background(), bc.ListCustomerGroupsOptions{NameLike: "Group 01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(filtered) != 100 {
		t.Fatalf("name_like 'Group 01' matched %d groups, want 100", len(filtered))
	}
}

// BenchmarkListAllGroups lists 5,000 groups at 100ms a round trip (a typical
// BigCommerce latency). The metric
// round_trips is the wall time over one page's latency (target: at most 3).
func BenchmarkListAllGroups(b *testing.B) {
	const latency = 100 * time.Millisecond
	c, _ := newSimClient(b, bcsim.WithGroups(5000), bcsim.WithLatency(latency, 0))
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		groups, _, err := c.CustomerGroups.ListAll(context.Background(), bc.ListCustomerGroupsOptions{})
		if err != nil || len(groups) != 5000 {
			b.Fatalf("got %d groups, %v", len(groups), err)
		}
	}
	perOp := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(perOp)/float64(latency), "round_trips")
	b.ReportMetric(5000/perOp.Seconds(), "groups/s")
}
