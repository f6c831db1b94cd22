package main

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
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

// TestAJobKilledMidRunReadsAsInterruptedAfterARestart SIGKILLs a server
// running a job (its records in the journal file); the next process reads the
// job as interrupted, with progress no greater than what the store took, once
// the killed process's heartbeat has gone stale (10 s at most).
func TestAJobKilledMidRunReadsAsInterruptedAfterARestart(t *testing.T) {
	t.Parallel()
	const customers = 3000
	const token = "bc-access-token-jobs-0123456789ab"
	store := bcsim.New(bcsim.WithAccessToken(token), bcsim.WithCustomers(customers), bcsim.WithLatency(50*time.Millisecond, 0))
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	env := cleanEnv("BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN="+token, "BIGCOMMERCE_API_URL="+srv.URL,
		"BIGCOMMERCE_MCP_JOURNAL="+filepath.Join(t.TempDir(), "journal.db"), "BIGCOMMERCE_MCP_JOB_AFTER=0")
	items := make([]map[string]any, customers)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "company": "Killed job"}
	}
	s := startStdioWith(t, env)
	request, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call",
		"params": map[string]any{"name": "bulk_update_customers", "arguments": map[string]any{"customers": items}}})
	s.send(t, initializeRequest, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, string(request))
	var ticket struct {
		Result struct {
			StructuredContent struct {
				Job struct {
					JobID string `json:"job_id"`
				}
			}
		}
	}
	data, _ := json.Marshal(s.collect(t, 2)[1])
	if json.Unmarshal(data, &ticket); ticket.Result.StructuredContent.Job.JobID == "" {
		t.Fatalf("no job: %s", data)
	}
	// Past the first heartbeat (2s), which saves the job's progress.
	for deadline := time.Now().Add(30 * time.Second); store.Stats().CustomersUpdated < 1500; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the job never got going")
		}
	}
	s.cmd.Process.Kill()
	<-s.exited
	applied := 0
	for _, c := range store.Customers() {
		if c.Company == "Killed job" {
			applied++
		}
	}
	if applied == customers {
		t.Fatal("the job finished before the kill")
	}

	var job struct {
		Status   string
		Progress struct{ Updated, Done int }
		Next     string
	}
	args := `{"job_id": "` + ticket.Result.StructuredContent.Job.JobID + `"}`
	for deadline := time.Now().Add(30 * time.Second); job.Status != "interrupted"; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the killed job still reads as %q", job.Status)
		}
		callJSON(t, env, &job, "get_bulk_job", args)
	}
	if job.Progress.Updated == 0 || job.Progress.Updated > applied || !strings.Contains(job.Next, "again with the same arguments") {
		t.Errorf("interrupted with %+v, %q; the store took %d", job.Progress, job.Next, applied)
	}
}
