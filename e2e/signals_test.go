package e2e

// SIGTERM: every transport ends promptly, and a bulk update in the call or in
// a job stops after its batches in flight, reporting what it did.

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestSignalEndsTheServerPromptly(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"stdio", "sse", "http"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var p *process
			if kind == "stdio" {
				s := startStdio(t, "--sandbox")
				s.send(t, initializeRequest)
				s.collect(t, 1)
				p = s.process
			} else {
				var base string
				p, base = serveHTTP(t, cleanEnv(), kind, "--sandbox")
				httpClient(t, kind, base, nil) // holds a stream open
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if code := p.waitExit(t, 5*time.Second); code != 0 {
				t.Errorf("exit %d after SIGTERM", code)
			}
		})
	}
}

// bulkReport is the part of bulk_update_customers' result the shutdown tests read.
type bulkReport struct {
	Job struct {
		JobID string `json:"job_id"`
	}
	Counts struct {
		Updated, Failed int
		NotAttempted    int `json:"not_attempted"`
	}
	Updated            []int
	NotAttempted       []int  `json:"not_attempted"`
	NotAttemptedReason string `json:"not_attempted_reason"`
}

func TestSIGTERMDuringABulkUpdateDeliversItsReport(t *testing.T) {
	t.Parallel()
	const customers = 2000
	args := map[string]any{"customers": renaming(customers, "Renamed at shutdown")}
	for _, kind := range []string{"stdio", "sse", "http"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			store, env, writing := slowStore(t, customers, 50*time.Millisecond, 5)
			p, called := startBulkCall(t, kind, env, args)
			waitFor(t, writing, "the update to be under way")
			p.cmd.Process.Signal(syscall.SIGTERM)

			report := waitFor(t, called, "the final report")
			t.Logf("%s: after SIGTERM the client got counts %+v, not attempted because %q", kind, report.Counts, report.NotAttemptedReason)
			if report.Counts.Updated == 0 || report.Counts.NotAttempted == 0 || report.Counts.Failed != 0 ||
				report.Counts.Updated+report.Counts.NotAttempted != customers {
				t.Errorf("counts %+v; want some updated, the rest not attempted, none failed", report.Counts)
			}
			if !strings.Contains(report.NotAttemptedReason, "shutting down") {
				t.Errorf("not attempted because %q", report.NotAttemptedReason)
			}
			for _, id := range report.Updated {
				if c, _ := store.Customer(id); c.Company != "Renamed at shutdown" {
					t.Fatalf("customer %d reported updated, but the store has %q", id, c.Company)
				}
			}
			for _, id := range report.NotAttempted {
				if c, _ := store.Customer(id); c.Company == "Renamed at shutdown" {
					t.Fatalf("customer %d reported not attempted, but the store has it renamed", id)
				}
			}
			if code := p.waitExit(t, 10*time.Second); code != 0 {
				t.Errorf("exit %d after SIGTERM", code)
			}
		})
	}
}

// TestSIGTERMStopsAJobAfterItsBatchesInFlight runs a bulk update as a job
// (--job-after 0), so the call has answered long before the signal: the
// shutdown stops the job itself, after the batches in flight, and none of
// them is cut short.
func TestSIGTERMStopsAJobAfterItsBatchesInFlight(t *testing.T) {
	t.Parallel()
	const customers = 2000
	store, env, writing := slowStore(t, customers, 50*time.Millisecond, 5)
	p, called := startBulkCall(t, "stdio", append(env, "BIGCOMMERCE_MCP_JOB_AFTER=0"), map[string]any{"customers": renaming(customers, "Job at shutdown")})
	if ticket := waitFor(t, called, "the job's ticket"); ticket.Counts.Updated != 0 || len(ticket.Updated) != 0 {
		t.Fatalf("the call ran the update itself: %+v", ticket.Counts)
	}
	waitFor(t, writing, "the job to be under way")
	p.cmd.Process.Signal(syscall.SIGTERM)

	if code := p.waitExit(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	renamed, sent := withCompany(store, "Job at shutdown"), store.Total("PUT /v3/customers")
	if renamed == 0 || renamed == customers || renamed != 10*sent {
		t.Errorf("%d customers renamed by %d batches of 10: want some, not all, and every batch sent complete", renamed, sent)
	}
}

// startBulkCall starts the binary on kind and calls bulk_update_customers
// with args; the report arrives on the channel.
func startBulkCall(t *testing.T, kind string, env []string, args map[string]any) (*process, <-chan bulkReport) {
	t.Helper()
	called := make(chan bulkReport, 1)
	if kind == "stdio" {
		s := startStdioWith(t, env)
		request, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call",
			"params": map[string]any{"name": "bulk_update_customers", "arguments": args}})
		s.send(t, initializeRequest, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, string(request))
		go func() {
			var report struct {
				Result struct{ StructuredContent bulkReport } `json:"result"`
			}
			for msg := range s.responses {
				if msg["id"] == 2.0 {
					data, _ := json.Marshal(msg)
					json.Unmarshal(data, &report)
					called <- report.Result.StructuredContent
					return
				}
			}
		}()
		return s.process, called
	}
	p, base := serveHTTP(t, env, kind)
	c := httpClient(t, kind, base, nil)
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = "bulk_update_customers", args
		res, err := c.CallTool(t.Context(), req)
		var report bulkReport
		if err == nil {
			data, _ := json.Marshal(res.StructuredContent)
			json.Unmarshal(data, &report)
		}
		called <- report
	}()
	return p, called
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
