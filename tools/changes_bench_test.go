package tools

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/jobs"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

// timedJournal adds up the time spent in the journal's writes.
type timedJournal struct {
	journal.Store
	spent atomic.Int64
}

func (j *timedJournal) Record(ctx context.Context, c journal.Change, items []journal.Item) (int64, error) {
	defer j.time(time.Now())
	return j.Store.Record(ctx, c, items)
}

func (j *timedJournal) Settle(ctx context.Context, id int64, outcomes []journal.Outcome, counts map[string]int) error {
	defer j.time(time.Now())
	return j.Store.Settle(ctx, id, outcomes, counts)
}

func (j *timedJournal) time(start time.Time) { j.spent.Add(int64(time.Since(start))) }

const (
	benchCustomers = 10_000
	benchLatency   = 20 * time.Millisecond
)

// BenchmarkJournaledBulkUpdate moves 10,000 customers against the simulator
// at 20 ms a request, then undoes the move. It reports the share of the run
// spent journaling, the journal's bytes per customer (SQLite), and the undo's
// speed as a fraction of the API's limit (3 update calls of 10 customers in
// flight). Run it with -benchtime=1x: one iteration takes about 15 s.
func BenchmarkJournaledBulkUpdate(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "journal.db")
		benchmarkJournal(b, path, func() float64 { return float64(fileSize(path) + fileSize(path+"-wal")) })
	})
	b.Run("postgres", func(b *testing.B) { benchmarkJournal(b, testsvc.Postgres(b), nil) })
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

func benchmarkJournal(b *testing.B, spec string, size func() float64) {
	for b.Loop() {
		j, err := journal.Open(context.Background(), spec, journal.Options{Store: "bench-" + time.Now().Format("150405.000000")})
		if err != nil {
			b.Fatal(err)
		}
		timed := &timedJournal{Store: j}
		store := bcsim.New(bcsim.WithCustomers(benchCustomers), bcsim.WithLatency(benchLatency, 0))
		c := benchClient(b, store, timed)
		before := 0.0
		if size != nil {
			before = size()
		}
		start := time.Now()
		benchCall(b, c, "bulk_update_customers", map[string]any{"where": map[string]any{"all": true},
			"set": map[string]any{"company": "Journaled"}, "expect_count": benchCustomers})
		run, journaling := time.Since(start), time.Duration(timed.spent.Load())
		b.ReportMetric(100*journaling.Seconds()/run.Seconds(), "journal-%")
		b.ReportMetric(float64(journaling.Microseconds())/benchCustomers, "journal-µs/customer")
		if size != nil {
			b.ReportMetric((size()-before)/benchCustomers, "journal-B/customer")
		}

		var list ChangeList
		data, _ := json.Marshal(benchCall(b, c, "list_changes", map[string]any{}).StructuredContent)
		json.Unmarshal(data, &list)
		if len(list.Changes) != 1 {
			b.Fatalf("list_changes: %+v", list)
		}
		start = time.Now()
		benchCall(b, c, "undo_change", map[string]any{"change_id": list.Changes[0].ID, "expect_count": benchCustomers})
		limit := float64(bc.MaxUpdateRequestsInFlight*bc.MaxCustomersPerUpdate) / benchLatency.Seconds()
		b.ReportMetric(benchCustomers/time.Since(start).Seconds()/limit, "undo-fraction-of-limit")
		j.Close()
	}
}

func benchClient(b *testing.B, store *bcsim.Store, j journal.Store) *client.Client {
	bcClient, err := bc.New(bc.Config{StoreHash: "bench", AccessToken: "x", BaseURL: "http://bcsim", HTTPClient: store.Client()})
	if err != nil {
		b.Fatal(err)
	}
	// Synchronous: the benchmark times the update in its call, not as a job.
	c, err := client.NewInProcessClient(NewServer(bcClient, Config{Journal: j, Jobs: NewJobs(jobs.NewRunner(jobs.Config{}), Synchronous)}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(context.Background(), init); err != nil {
		b.Fatal(err)
	}
	return c
}

func benchCall(b *testing.B, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(context.Background(), req)
	if err != nil || res.IsError {
		data, _ := json.Marshal(res)
		b.Fatalf("%s: %v %s", name, err, data)
	}
	return res
}
