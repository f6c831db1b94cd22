package bc_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

const benchLatency = 20 * time.Millisecond

// A regime is a store whose limit on updates is either the concurrency cap
// (3 in flight × 10 customers per round trip) or the request quota (10
// customers per request the window allows), whichever is smaller.
type regime struct {
	name     string
	quota    int // requests per window; 0 leaves the simulator's generous default
	window   time.Duration
	parallel bool // false sends one batch at a time, as a naive client would
}

func (r regime) limit() float64 {
	limit := float64(bc.MaxUpdateRequestsInFlight*bc.MaxCustomersPerUpdate) / benchLatency.Seconds()
	if !r.parallel {
		limit /= bc.MaxUpdateRequestsInFlight
	}
	if r.quota > 0 {
		limit = min(limit, float64(r.quota*bc.MaxCustomersPerUpdate)/r.window.Seconds())
	}
	return limit
}

// BenchmarkBulkUpdate reports customers/s and the fraction of the regime's
// limit; the sequential regime is the baseline for the speed-up.
func BenchmarkBulkUpdate(b *testing.B) {
	for _, r := range []regime{
		{name: "concurrency_binds", parallel: true},
		{name: "quota_binds", quota: 100, window: time.Second, parallel: true},
		{name: "one_batch_at_a_time"},
	} {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/%d", r.name, n), func(b *testing.B) { benchmarkRegime(b, r, n) })
		}
	}
}

func benchmarkRegime(b *testing.B, r regime, n int) {
	var elapsed time.Duration
	var quota429s, rateLimited int
	for b.Loop() {
		opts := []bcsim.Option{bcsim.WithCustomers(n), bcsim.WithLatency(benchLatency, 0)}
		if r.quota > 0 {
			opts = append(opts, bcsim.WithQuota(r.quota, r.window))
		}
		store := bcsim.New(opts...)
		c := bulkClient(b, store, nil)
		updates := companyUpdates(1, n)
		start := time.Now()
		if r.parallel {
			res, err := c.Customers.BulkUpdate(b.Context(), bc.Listed(updates), bc.BulkOptions{})
			if err != nil || len(res.Updated) != n {
				b.Fatalf("updated %d of %d: %v", len(res.Updated), n, err)
			}
			rateLimited += res.RateLimited
		} else {
			sendOneBatchAtATime(b, c, updates)
		}
		elapsed += time.Since(start)
		quota429s += store.Stats().QuotaRejections
	}
	rate := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "customers/s")
	b.ReportMetric(rate/r.limit(), "frac_of_limit")
	b.ReportMetric(float64(quota429s)/float64(b.N), "quota_429s")
	b.ReportMetric(float64(rateLimited)/float64(b.N), "429s_seen")
}

func sendOneBatchAtATime(b *testing.B, c *bc.Client, updates []bc.CustomerUpdate) {
	for batch := range slices.Chunk(updates, bc.MaxCustomersPerUpdate) {
		if _, _, err := c.Customers.Update(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBulkBySelector is the selector path of issue 7: read the 2,000
// matching customers (8 pages, fetched concurrently), then update them all.
// Its limit is the concurrency limit's; the reads are part of the cost.
func BenchmarkBulkBySelector(b *testing.B) {
	const n = 2000
	var elapsed time.Duration
	for b.Loop() {
		store := bcsim.New(bcsim.WithCustomers(n), bcsim.WithLatency(benchLatency, 0))
		c := bulkClient(b, store, nil)
		start := time.Now()
		selected, _, err := c.Customers.Select(b.Context(), bc.CustomerSelector{All: true})
		if err != nil || len(selected) != n {
			b.Fatalf("selected %d of %d: %v", len(selected), n, err)
		}
		res, err := c.Customers.BulkUpdate(b.Context(), bc.SetOn(selected, bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Company: new("Selected Co")}}), bc.BulkOptions{SkipUnchanged: true})
		if err != nil || len(res.Updated) != n {
			b.Fatalf("updated %d of %d: %v", len(res.Updated), n, err)
		}
		elapsed += time.Since(start)
	}
	rate := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "customers/s")
	b.ReportMetric(rate/regime{parallel: true}.limit(), "frac_of_limit")
}

// BenchmarkBulkUnderConcurrencyRefusals updates 1,000 customers at 50ms a
// round trip, once against a well-behaved store and once against one that
// refuses 10% of requests as BigCommerce does when a concurrency cap is hit
// (429 with quota left, X-Retry-After: 1). The metric x_fault_free is the
// second time over the first (target: at most 3).
func BenchmarkBulkUnderConcurrencyRefusals(b *testing.B) {
	const n, latency = 1000, 50 * time.Millisecond
	var clean, refused time.Duration
	var refusals int
	for b.Loop() {
		elapsed, _ := timeBulkUpdate(b, n, latency, nil)
		clean += elapsed
		elapsed, res := timeBulkUpdate(b, n, latency, badstore.ConcurrencyRefusals(0.1))
		refused += elapsed
		refusals += res.RateLimited
	}
	b.ReportMetric(clean.Seconds()/float64(b.N), "s_fault_free")
	b.ReportMetric(refused.Seconds()/float64(b.N), "s_refused")
	b.ReportMetric(refused.Seconds()/clean.Seconds(), "x_fault_free")
	b.ReportMetric(float64(refusals)/float64(b.N), "429s_seen")
}

// timeBulkUpdate times one bulk update of customers 1..n on a badstore.Store
// misbehaving as m, with the client's default retry delays.
func timeBulkUpdate(b *testing.B, n int, latency time.Duration, m badstore.Misbehaviour) (time.Duration, *bc.BulkResult) {
	store := badstore.New(b, bcsim.WithCustomers(n), bcsim.WithLatency(latency, 0))
	store.Misbehave(m)
	c := bc.BadStoreClient(b, store, func(cfg *bc.Config) { cfg.RetryBaseDelay, cfg.RetryMaxDelay = 0, 0 })
	start := time.Now()
	res, err := c.Customers.BulkUpdate(b.Context(), bc.Listed(companyUpdates(1, n)), bc.BulkOptions{})
	if err != nil || len(res.Updated) != n {
		b.Fatalf("updated %d of %d: %v", len(res.Updated), n, err)
	}
	return time.Since(start), res
}
