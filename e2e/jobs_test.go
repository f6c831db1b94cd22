package e2e

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// The large update of issue 15: 10,000 customers at 300 ms a request take
// about 110 s, past the TypeScript SDK's default 60 s request timeout that a
// synchronous call would run into; the task-augmented run then rewrites the
// first 3,000 (about 35 s).
const (
	jobCustomers  = 10000
	taskCustomers = 3000
	jobLatency    = 300 * time.Millisecond
	jobToken      = "e2e-jobs-access-token"
)

// TestTheSDKFollowsALargeUpdateAsAJob serves a slow simulated store to the
// binary and has the TypeScript SDK client, with its default timeout, update
// every customer, then the first ones again as an MCP task (jobs.test.mjs).
// Here it then checks the store itself: every customer holds what the last
// call asked for.
func TestTheSDKFollowsALargeUpdateAsAJob(t *testing.T) {
	t.Parallel()
	node := nodeBinary(t)
	bin := serverBinary(t)
	store := bcsim.New(bcsim.WithCustomers(jobCustomers), bcsim.WithLatency(jobLatency, 0), bcsim.WithAccessToken(jobToken))
	sim := httptest.NewServer(store)
	t.Cleanup(sim.Close)

	runNodeTests(t, node, bin, "jobs.test.mjs",
		"JOBS_STORE_URL="+sim.URL, "JOBS_STORE_TOKEN="+jobToken, "JOBS_CUSTOMERS="+strconv.Itoa(jobCustomers),
		"JOBS_TASK_CUSTOMERS="+strconv.Itoa(taskCustomers))

	for _, c := range store.Customers() {
		want := fmt.Sprintf("Job %d", c.ID)
		if c.ID <= taskCustomers {
			want = fmt.Sprintf("Task %d", c.ID)
		}
		if c.Company != want {
			t.Fatalf("customer %d has company %q after the job, want %q", c.ID, c.Company, want)
		}
	}
}
