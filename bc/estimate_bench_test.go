package bc_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// BenchmarkEstimateBulkUpdate measures how far EstimateBulkUpdate is from
// the run it estimates, at BigCommerce-like latency (300 ms ± 15 ms). A first small run
// measures the latency, as earlier calls would have; each size then runs
// once, reading first as the tools do. Slow by nature (about 2.5 minutes):
// run it alone, with -benchtime=1x.
func BenchmarkEstimateBulkUpdate(b *testing.B) {
	const latency = 300 * time.Millisecond
	for _, n := range []int{1000, 3000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				store := bcsim.New(bcsim.WithCustomers(n+10), bcsim.WithLatency(latency, latency/10))
				c := bulkClient(b, store, nil)
				cold := c.EstimateBulkUpdate(n)
				if _, err := c.Customers.BulkUpdate(b.Context(), bc.Listed(companyUpdates(n+1, n+10)), bc.BulkOptions{SkipUnchanged: true}); err != nil {
					b.Fatal(err)
				}
				estimate := c.EstimateBulkUpdate(n)
				start := time.Now()
				res, err := c.Customers.BulkUpdate(b.Context(), bc.Listed(companyUpdates(1, n)), bc.BulkOptions{SkipUnchanged: true})
				actual := time.Since(start)
				if err != nil || len(res.Updated) != n {
					b.Fatalf("%v, %d updated", err, len(res.Updated))
				}
				b.ReportMetric(estimate.Seconds(), "estimate_s")
				b.ReportMetric(cold.Seconds(), "cold_estimate_s")
				b.ReportMetric(actual.Seconds(), "actual_s")
				b.ReportMetric(100*(estimate-actual).Seconds()/actual.Seconds(), "error_%")
			}
		})
	}
}
