package soak

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

// atOnce is how soon a call that cannot succeed in time must return: far below
// the 30 s waits the store asks for, and far above what a loaded CI machine
// running the race detector needs for the reads before the write (a bound of
// 200 ms failed there now and then).
const atOnce = 2 * time.Second

// calls of every tool, valid against the demo store.
var everyTool = []struct {
	tool string
	args map[string]any
}{
	{"list_customer_groups", map[string]any{"all_pages": true}},
	{"get_customer_group", map[string]any{"id": 1}},
	{"count_customer_groups", nil},
	{"create_customer_group", map[string]any{"name": "Distributors", "discount_rules": rules(5)}},
	{"update_customer_group", map[string]any{"id": 2, "discount_rules": rules(12)}},
	{"delete_customer_group", map[string]any{"id": 6}},
	{"bulk_update_customers", map[string]any{"where": map[string]any{"customer_group_ids": []int{3}}, "set": map[string]any{"notes": "vip"}}},
}

func TestACallThatCannotWaitOutTheRateLimitReturnsAtOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range everyTool {
		t.Run(tc.tool, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New(bcsim.WithFaults(bcsim.Faults{RateLimit429: 1, RetryAfter: 30 * time.Second}))
			r := newRig(t, store, rigConfig{})

			// The first call meets the 429; the second finds the client
			// already holding back, and asks nothing of the store.
			for _, sent := range []int{1, 0} {
				before := sum(store.Stats().Requests)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				start := time.Now()
				res, err := r.call(ctx, tc.tool, tc.args)
				elapsed := time.Since(start)
				cancel()
				if err != nil {
					t.Fatal(err)
				}
				te, err := outcome(res, &struct{}{})
				if err != nil || te == nil || te.Code != "rate_limited" || te.RetryAfterMS < 25_000 {
					t.Fatalf("got %+v (%v), want rate_limited with retry_after_ms near 30000", te, err)
				}
				if elapsed > atOnce {
					t.Errorf("the call took %v to say it could not wait", elapsed)
				}
				if n := sum(store.Stats().Requests) - before; n != sent {
					t.Errorf("the call sent %d requests, want %d", n, sent)
				}
			}
		})
	}
}

// throttledWrites answers every customer update with a 429 asking for a
// 30s wait, and passes everything else to the store.
type throttledWrites struct{ next http.RoundTripper }

func (tw throttledWrites) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPut || !strings.HasSuffix(req.URL.Path, "/v3/customers") {
		return tw.next.RoundTrip(req)
	}
	body := `{"status": 429, "title": "Too many requests"}`
	return &http.Response{StatusCode: http.StatusTooManyRequests, Request: req, Body: io.NopCloser(strings.NewReader(body)),
		Header: http.Header{"X-Rate-Limit-Time-Reset-Ms": {"30000"}, "Content-Type": {"application/json"}}}, nil
}

func TestABulkUpdateWhoseWritesCannotWaitStopsAtOnceAndSaysWhy(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	r := newRig(t, store, rigConfig{http: throttledWrites{store.Client().Transport}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	start := time.Now()
	res, err := r.call(ctx, "bulk_update_customers", map[string]any{"where": map[string]any{"ids": ids(1, 60)}, "set": map[string]any{"notes": "later"}})
	elapsed := time.Since(start)
	var out tools.BulkUpdateCustomersResult
	if te, decodeErr := outcome(res, &out); err != nil || decodeErr != nil || te != nil {
		t.Fatalf("got %+v (%v, %v), want a result", te, err, decodeErr)
	}
	if out.Counts.NotAttempted != 60 || out.Counts.Updated != 0 || out.NotAttemptedReason == "" {
		t.Errorf("counts %+v, reason %q: want all 60 not attempted, and why", out.Counts, out.NotAttemptedReason)
	}
	if elapsed > atOnce {
		t.Errorf("the update took %v to give up", elapsed)
	}
}

func TestACancelledBulkUpdateAccountsForEveryCustomer(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithLatency(5*time.Millisecond, 0))
	r := newRig(t, store, rigConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled sync.Once
	r.mcp.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == string(mcp.MethodNotificationProgress) {
			cancelled.Do(cancel) // as a shutdown would, once the first batch is done
		}
	})
	req := mcp.CallToolRequest{}
	req.Params.Name = "bulk_update_customers"
	req.Params.Arguments = map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"notes": "interrupted"}, "expect_count": 300, "details": true}
	req.Params.Meta = &mcp.Meta{ProgressToken: "shutdown"}

	start := time.Now()
	res, err := r.mcp.CallTool(ctx, req)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	var out tools.BulkUpdateCustomersResult
	if te, err := outcome(res, &out); err != nil || te != nil {
		t.Fatalf("got %+v (%v), want a result accounting for every customer", te, err)
	}
	c := out.Counts
	if c.Updated == 0 || c.NotAttempted == 0 || c.Updated+c.Unchanged+c.Failed+c.NotAttempted != 300 {
		t.Errorf("counts %+v: want some updated, some not attempted, 300 in all", c)
	}
	if elapsed > time.Second {
		t.Errorf("the cancelled update took %v to return", elapsed)
	}
	unconfirmed := map[int]bool{}
	for _, f := range out.Failed {
		unconfirmed[f.ID] = f.Code == "unconfirmed"
	}
	for _, customer := range store.Customers() {
		id, written := customer.ID, customer.Notes == "interrupted"
		switch {
		case slices.Contains(out.Updated, id) && !written:
			t.Errorf("customer %d was reported updated but is not", id)
		case !slices.Contains(out.Updated, id) && !unconfirmed[id] && written:
			t.Errorf("customer %d was updated but reported otherwise", id)
		}
	}
}

func TestAWriteThatFailsAmbiguouslySaysItMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		faults  bcsim.Faults
		tool    string
		args    map[string]any
		mayHave bool
	}{
		{"an update whose answers are all lost after it was applied", bcsim.Faults{ResetAfterApply: 1},
			"update_customer_group", map[string]any{"id": 2, "name": "Trade Partners"}, true},
		{"an update that keeps meeting 503s", bcsim.Faults{Error503: 1},
			"update_customer_group", map[string]any{"id": 2, "name": "Trade Partners"}, true},
		{"a delete that keeps meeting 500s", bcsim.Faults{Error500: 1},
			"delete_customer_group", map[string]any{"id": 6}, true},
		{"a create that meets a 500", bcsim.Faults{Error500: 1},
			"create_customer_group", map[string]any{"name": "Trade Partners"}, true},
		{"a create whose connection keeps dropping", bcsim.Faults{ResetBeforeApply: 1},
			"create_customer_group", map[string]any{"name": "Trade Partners"}, true},
		{"a create refused for the quota", bcsim.Faults{RateLimit429: 1, RetryAfter: time.Millisecond},
			"create_customer_group", map[string]any{"name": "Trade Partners"}, false},
		{"an update refused as not found", bcsim.Faults{},
			"update_customer_group", map[string]any{"id": 999, "name": "Trade Partners"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New(bcsim.WithFaults(tc.faults))
			r := newRig(t, store, rigConfig{})
			res, err := r.call(context.Background(), tc.tool, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			te, err := outcome(res, &struct{}{})
			if err != nil || te == nil {
				t.Fatalf("got %v, %v; want a failure", te, err)
			}
			if says := mayHaveApplied.MatchString(te.Hint + te.Message); says != tc.mayHave {
				t.Errorf("%s: saying it may have been applied is %v, want %v: %+v", te.Code, says, tc.mayHave, te)
			}
			for _, g := range store.Groups() {
				if !tc.mayHave && g.Name == "Trade Partners" {
					t.Errorf("the store has group %d %q, though the error promised nothing was written", g.ID, g.Name)
				}
			}
		})
	}
}

func ids(first, last int) []int {
	var out []int
	for id := first; id <= last; id++ {
		out = append(out, id)
	}
	return out
}
