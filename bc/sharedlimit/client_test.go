package sharedlimit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
	"golang.org/x/sync/errgroup"
)

// sharedClient is one "process": its own Redis connections and bc.Client.
func sharedClient(t testing.TB, url string, store *bcsim.Store) *bc.Client {
	t.Helper()
	c, err := bc.New(bc.Config{StoreHash: "sim", AccessToken: "token", BaseURL: "http://bcsim",
		HTTPClient: store.Client(), RetryBaseDelay: time.Millisecond, RetryMaxDelay: 20 * time.Millisecond,
		Limits: open(t, url).Limits("http://bcsim", "sim")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func updates(from, n int, note string) []bc.CustomerUpdate {
	batch := make([]bc.CustomerUpdate, n)
	for i := range batch {
		batch[i] = bc.CustomerUpdate{ID: from + i, CustomerFields: bc.CustomerFields{Notes: &note}}
	}
	return batch
}

// getGroups starts n customer-group reads in g.
func getGroups(g *errgroup.Group, c *bc.Client, n int) {
	for i := range n {
		g.Go(func() error {
			_, _, err := c.CustomerGroups.Get(context.Background(), 1+i%6)
			return err
		})
	}
}

func TestClientsSharingRedisKeepTheStoresCaps(t *testing.T) {
	url := testsvc.Redis(t)
	store := bcsim.New(bcsim.WithCustomers(900), bcsim.WithLatency(5*time.Millisecond, 5*time.Millisecond))
	var g errgroup.Group
	for p := range 3 {
		c := sharedClient(t, url, store)
		g.Go(func() error {
			res, err := c.Customers.BulkUpdate(context.Background(), bc.Listed(updates(1+p*300, 300, fmt.Sprint("process ", p))), bc.BulkOptions{})
			if err == nil && len(res.Updated) != 300 {
				err = fmt.Errorf("process %d updated %d of 300: %+v", p, len(res.Updated), res)
			}
			return err
		})
		getGroups(&g, c, 60)
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	stats := store.Stats()
	if got := stats.MaxInFlight["customers_update"]; got != bc.MaxUpdateRequestsInFlight {
		t.Errorf("max Update Customers in flight across 3 clients = %d, want exactly %d", got, bc.MaxUpdateRequestsInFlight)
	}
	if got := stats.MaxInFlight["customer_groups"]; got > bc.MaxGroupRequestsInFlight {
		t.Errorf("max group requests in flight = %d, over the cap of %d", got, bc.MaxGroupRequestsInFlight)
	}
	for class, n := range stats.ConcurrencyRejections {
		if n > 0 {
			t.Errorf("%d requests of class %s were refused for concurrency", n, class)
		}
	}
}

func TestClientsSharingRedisShareTheQuota(t *testing.T) {
	url := testsvc.Redis(t)
	const quota = 40
	store := bcsim.New(bcsim.WithQuota(quota, 300*time.Millisecond), bcsim.WithLatency(time.Millisecond, time.Millisecond))
	clients := []*bc.Client{sharedClient(t, url, store), sharedClient(t, url, store), sharedClient(t, url, store)}
	// Each learns the quota before the burst, as a long-running process would have.
	for _, c := range clients {
		if _, _, err := c.CustomerGroups.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	var g errgroup.Group
	for _, c := range clients {
		getGroups(&g, c, 40)
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if got := store.Stats().QuotaRejections; got > 0 {
		t.Errorf("the store refused %d requests for a spent quota: the clients did not share it", got)
	}
}

func TestLosingRedisMidBulkStopsItAndSaysWhatWasDone(t *testing.T) {
	srv := testsvc.StartRedis(t)
	store := bcsim.New(bcsim.WithCustomers(300), bcsim.WithLatency(50*time.Millisecond, 0))
	c := sharedClient(t, srv.URL, store)
	var stoppedAt time.Time
	res, err := c.Customers.BulkUpdate(context.Background(), bc.Listed(updates(1, 300, "moved")), bc.BulkOptions{
		Progress: func(p bc.BulkProgress) {
			if p.Done >= 60 && stoppedAt.IsZero() {
				srv.Stop()
				stoppedAt = time.Now()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Updated) < 60 || len(res.NotAttempted) == 0 {
		t.Fatalf("updated %d, not attempted %d: want the first batches done and the rest not sent", len(res.Updated), len(res.NotAttempted))
	}
	if len(res.Updated)+len(res.NotAttempted)+len(res.Failed) != 300 || len(res.Failed) > 0 {
		t.Fatalf("the result does not account for every customer as updated or not sent: %+v", res)
	}
	if !strings.Contains(res.NotAttemptedReason, "shared limits cannot be reached") {
		t.Errorf("not-sent reason = %q, want it to name the shared limits", res.NotAttemptedReason)
	}
	if got := store.Stats().CustomersUpdated; got != len(res.Updated) {
		t.Errorf("the store changed %d customers, the result says %d", got, len(res.Updated))
	}
	t.Logf("Redis lost after 60 customers; the bulk returned %v later: %d updated, %d not sent: %s",
		time.Since(stoppedAt).Round(time.Millisecond), len(res.Updated), len(res.NotAttempted), res.NotAttemptedReason)
}
