package main

import (
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMStopsAJobAfterItsBatchesInFlight runs a bulk update as a job
// (--job-after 0), so the call has answered long before the signal: the
// shutdown stops the job itself, after the batches in flight, and none of
// them is cut short.
func TestSIGTERMStopsAJobAfterItsBatchesInFlight(t *testing.T) {
	t.Parallel()
	const customers = 2000
	items := make([]map[string]any, customers)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "company": "Job at shutdown"}
	}
	store, env, writing := slowStore(t, customers, 50*time.Millisecond, 5)
	p, called := startBulkCall(t, "stdio", append(env, "BIGCOMMERCE_MCP_JOB_AFTER=0"), map[string]any{"customers": items})
	if ticket := waitFor(t, called, "the job's ticket"); ticket.Counts.Updated != 0 || len(ticket.Updated) != 0 {
		t.Fatalf("the call ran the update itself: %+v", ticket.Counts)
	}
	waitFor(t, writing, "the job to be under way")
	p.cmd.Process.Signal(syscall.SIGTERM)

	if code := p.waitExit(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	renamed := 0
	for _, c := range store.Customers() {
		if c.Company == "Job at shutdown" {
			renamed++
		}
	}
	sent := store.Total("PUT /v3/customers")
	if renamed == 0 || renamed == customers || renamed != 10*sent {
		t.Errorf("%d customers renamed by %d batches of 10: want some, not all, and every batch sent complete", renamed, sent)
	}
}
