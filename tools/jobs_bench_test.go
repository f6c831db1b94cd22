package tools

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// BenchmarkJobOverhead compares a bulk update of 2,000 customers (20 ms
// latency) run in the call with the same update run as a job, timed from
// the call to the job's end (waited for, not polled: how often a model polls
// is its own affair). ticket_ms is how long the call that starts a job takes.
func BenchmarkJobOverhead(b *testing.B) {
	const n = 2000
	for _, background := range []bool{false, true} {
		name := map[bool]string{false: "synchronous", true: "job"}[background]
		b.Run(name, func(b *testing.B) {
			var ticket time.Duration
			for b.Loop() {
				b.StopTimer()
				store := bcsim.New(bcsim.WithCustomers(n), bcsim.WithLatency(20*time.Millisecond, 0))
				client, err := bc.New(bc.Config{StoreHash: "t", AccessToken: "x", BaseURL: "http://bcsim", HTTPClient: store.Client()})
				if err != nil {
					b.Fatal(err)
				}
				cfg, runner := jobConfig(time.Hour)
				tool := bulkUpdateCustomers(client, cfg.Jobs)
				req := mcp.CallToolRequest{}
				req.Params.Name = "bulk_update_customers"
				args := companies(n, "Bench")
				args["background"] = background
				req.Params.Arguments = args
				b.StartTimer()

				start := time.Now()
				res, err := tool.Handler(b.Context(), req)
				ticket += time.Since(start)
				if err != nil || res.IsError {
					b.Fatalf("%v %+v", err, res)
				}
				var out BulkUpdateCustomersResult
				data, _ := json.Marshal(res.StructuredContent)
				json.Unmarshal(data, &out)
				if background {
					rec, err := runner.Wait(b.Context(), out.Job.JobID)
					if err != nil || rec.Progress.Updated != n {
						b.Fatalf("%+v, %v", rec, err)
					}
				} else if out.Counts.Updated != n {
					b.Fatalf("%+v", out.Counts)
				}
				b.StopTimer()
				runner.Shutdown(b.Context())
				b.StartTimer()
			}
			if background {
				b.ReportMetric(float64(ticket.Microseconds())/1000/float64(b.N), "ticket_ms")
			}
		})
	}
}
