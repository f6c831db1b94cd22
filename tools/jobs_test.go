package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/jobs"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

// companies asks to set a company naming the run on customers 1..n.
func companies(n int, run string) map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "company": fmt.Sprintf("%s %d", run, i+1)}
	}
	return map[string]any{"customers": items, "details": true} // every id, to check the account against the store
}

func withBackground(args map[string]any) map[string]any {
	args["background"] = true
	return args
}

func jobConfig(after time.Duration) (Config, *jobs.Runner) {
	runner := jobs.NewRunner(jobs.Config{})
	return Config{Jobs: NewJobs(runner, after)}, runner
}

// followJob polls get_bulk_job until the job stops. Each poll waits for the
// next batch or the end, not for a time.
func (s *session) followJob(id string) BulkJobResult {
	s.t.Helper()
	for {
		status := succeed[BulkJobResult](s, "get_bulk_job", map[string]any{"job_id": id})
		if status.Status != "running" {
			return status
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// mustMatchStore checks that every customer the account calls updated or
// unchanged holds the company asked for, and that none not attempted does.
func mustMatchStore(t *testing.T, store *bcsim.Store, res BulkUpdateCustomersResult, run string) {
	t.Helper()
	for _, list := range [][]int{res.Updated, res.Unchanged} {
		for _, id := range list {
			if c, _ := store.Customer(id); c.Company != fmt.Sprintf("%s %d", run, id) {
				t.Fatalf("customer %d is accounted applied but has company %q", id, c.Company)
			}
		}
	}
	for _, id := range res.NotAttempted {
		if c, _ := store.Customer(id); c.Company == fmt.Sprintf("%s %d", run, id) {
			t.Fatalf("customer %d is accounted not attempted but was written", id)
		}
	}
	if n := len(res.Updated) + len(res.Unchanged) + len(res.Failed) + len(res.NotAttempted); n != res.Total {
		t.Fatalf("%d customers accounted for of %d", n, res.Total)
	}
}

func TestABackgroundUpdateAnswersWithAJobAndItsAccountMatchesTheStore(t *testing.T) {
	t.Parallel()
	cfg, runner := jobConfig(time.Hour)
	defer runner.Shutdown(t.Context())
	s := newSession(t, cfg, bcsim.WithCustomers(500), bcsim.WithLatency(time.Millisecond, 0))

	started := s.bulk(withBackground(companies(500, "Job")))
	if started.Job == nil || started.Job.Status != "running" || started.Total != 500 || started.Counts != (BulkCounts{}) {
		t.Fatalf("the answer that starts a job: %+v", started)
	}
	if started.Job.Follow == "" || started.Job.CheckAfterSeconds < 5 {
		t.Errorf("the ticket does not say how to follow it: %+v", started.Job)
	}
	final := s.followJob(started.Job.JobID)
	if final.Status != "done" || final.Result == nil || final.Result.Counts.Updated != 500 || final.Progress.Done != 500 {
		t.Fatalf("final: %+v", final)
	}
	mustMatchStore(t, s.store, *final.Result, "Job")
}

func TestOnlyUpdatesEstimatedPastTheThresholdRunAsJobs(t *testing.T) {
	t.Parallel()
	cfg, runner := jobConfig(150 * time.Millisecond)
	defer runner.Shutdown(t.Context())
	s := newSession(t, cfg, bcsim.WithCustomers(600), bcsim.WithLatency(20*time.Millisecond, 0))
	// Before any request the latency is assumed to be a second: 10 customers
	// (a read and a batch) would be estimated at 2s.
	cold := s.bulk(companies(10, "Cold"))
	if cold.Job == nil {
		t.Fatalf("a first call, with no latency measured, ran synchronously: %+v", cold)
	}
	s.followJob(cold.Job.JobID)

	// Measured at about 20ms: 10 customers take about 40ms, 600 about 21
	// rounds (a read round and 20 of batches), 420ms.
	if small := s.bulk(companies(10, "Warm")); small.Job != nil || small.Counts.Updated != 10 {
		t.Errorf("a small update became a job: %+v", small)
	}
	if large := s.bulk(companies(600, "Warm")); large.Job == nil {
		t.Errorf("an update estimated past the threshold ran synchronously: %+v", large.Counts)
	}
}

func TestCancelBulkJobStopsAfterTheBatchesInFlightWithAnExactAccount(t *testing.T) {
	t.Parallel()
	cfg, runner := jobConfig(time.Hour)
	defer runner.Shutdown(t.Context())
	s := newSession(t, cfg, bcsim.WithCustomers(3000), bcsim.WithLatency(5*time.Millisecond, 0))

	started := s.bulk(withBackground(companies(3000, "Cancel")))
	for succeed[BulkJobResult](s, "get_bulk_job", map[string]any{"job_id": started.Job.JobID}).Progress.Updated == 0 {
		time.Sleep(time.Millisecond)
	}
	cancelled := succeed[BulkJobResult](s, "cancel_bulk_job", map[string]any{"job_id": started.Job.JobID})

	if cancelled.Status != "cancelled" || cancelled.Result == nil {
		t.Fatalf("cancelled: %+v", cancelled)
	}
	res := *cancelled.Result
	mustMatchStore(t, s.store, res, "Cancel")
	if res.Counts.NotAttempted == 0 || res.Counts.Failed != 0 {
		t.Errorf("counts %+v: the rest should be not attempted, nothing cut short", res.Counts)
	}
	if sent := s.puts(); len(res.Updated) != 10*sent {
		t.Errorf("%d batches sent, %d customers updated: a batch was cut short or sent after the cancel", sent, len(res.Updated))
	}
	if cancelled.Next != rerunHint {
		t.Errorf("next: %q", cancelled.Next)
	}
	if again := s.puts(); again != s.puts() || succeed[BulkJobResult](s, "get_bulk_job", map[string]any{"job_id": started.Job.JobID}).Status != "cancelled" {
		t.Errorf("the job went on after the cancel")
	}
}

func TestAShutdownInterruptsAJobAndARerunFinishesIt(t *testing.T) {
	t.Parallel()
	cfg, runner := jobConfig(time.Hour)
	s := newSession(t, cfg, bcsim.WithCustomers(3000), bcsim.WithLatency(5*time.Millisecond, 0))
	args := companies(3000, "Resume")

	started := s.bulk(withBackground(args))
	for succeed[BulkJobResult](s, "get_bulk_job", map[string]any{"job_id": started.Job.JobID}).Progress.Updated == 0 {
		time.Sleep(time.Millisecond)
	}
	runner.Shutdown(t.Context())
	interrupted := succeed[BulkJobResult](s, "get_bulk_job", map[string]any{"job_id": started.Job.JobID})
	if interrupted.Status != "interrupted" || interrupted.Result == nil || interrupted.Next != rerunHint {
		t.Fatalf("after the shutdown: %+v", interrupted)
	}
	mustMatchStore(t, s.store, *interrupted.Result, "Resume")
	if refused := s.fail(bulkTool, withBackground(args)); refused.Code != codeUnavailable {
		t.Errorf("a job started during shutdown: %+v", refused)
	}

	again := newSessionWith(t, s.store, testToken, Config{Jobs: NewJobs(jobs.NewRunner(jobs.Config{}), time.Hour)})
	rerun := again.bulk(companies(3000, "Resume"))
	if rerun.Counts.Updated != interrupted.Result.Counts.NotAttempted || rerun.Counts.Unchanged != interrupted.Result.Counts.Updated {
		t.Errorf("the rerun %+v after %+v", rerun.Counts, interrupted.Result.Counts)
	}
}

func TestJobToolsRefuseUnknownAndMalformedIDs(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	if err := s.fail("get_bulk_job", map[string]any{"job_id": "job_0123456789abcdef"}); err.Code != codeNotFound {
		t.Errorf("unknown id: %+v", err)
	}
	if err := s.fail("cancel_bulk_job", map[string]any{"job_id": "job_0123456789abcdef"}); err.Code != codeNotFound {
		t.Errorf("cancel of an unknown id: %+v", err)
	}
	if err := s.fail("get_bulk_job", map[string]any{"job_id": "../etc"}); err.Code != codeInvalidArgument {
		t.Errorf("malformed id: %+v", err)
	}
	if err := s.fail(bulkTool, map[string]any{"customers": []map[string]any{{"id": 1, "company": "A"}}, "dry_run": true, "background": true}); err.Fields["background"] == "" {
		t.Errorf("background with dry_run: %+v", err)
	}
}

func TestATaskAugmentedCallRunsTheJobAsAnMCPTask(t *testing.T) {
	t.Parallel()
	// Journaled, as a server runs: the task's context has ended by the time
	// the job starts, and the journal's writes must not depend on it.
	changes, err := journal.Open(t.Context(), journal.Memory, journal.Options{Store: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer changes.Close()
	runner := jobs.NewRunner(jobs.Config{Store: jobs.JournalStore{Journal: changes.(journal.JobStore)}})
	defer runner.Shutdown(t.Context())
	cfg := Config{Journal: changes, Jobs: NewJobs(runner, time.Hour)}
	s := newTaskSession(t, cfg, bcsim.WithCustomers(200), bcsim.WithLatency(time.Millisecond, 0))
	if s.init.Capabilities.Tasks == nil || s.init.Capabilities.Tasks.Requests == nil {
		t.Fatalf("the server does not offer task-augmented tools/call: %+v", s.init.Capabilities.Tasks)
	}

	task := s.callAsTask(bulkTool, companies(200, "Task"))
	if _, err := s.mcp.WaitForTask(t.Context(), mcp.GetTaskRequest{Params: mcp.GetTaskParams{TaskId: task}}, 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	out, err := s.mcp.TaskResult(t.Context(), mcp.TaskResultRequest{Params: mcp.TaskResultParams{TaskId: task}})
	if err != nil || out.IsError {
		t.Fatalf("task result: %+v, %v", out, err)
	}
	res := decode[BulkUpdateCustomersResult](t, &mcp.CallToolResult{Content: out.Content, StructuredContent: out.StructuredContent})
	if res.Counts.Updated != 200 || res.Job == nil || res.Job.Status != "done" {
		t.Fatalf("task's account: %+v", res)
	}
	mustMatchStore(t, s.store, res, "Task")
	if status := succeed[BulkJobResult](s, "get_bulk_job", map[string]any{"job_id": res.Job.JobID}); status.Status != "done" {
		t.Errorf("the task's job as get_bulk_job sees it: %+v", status)
	}
}

func TestCancellingTheTaskStopsItsJob(t *testing.T) {
	t.Parallel()
	cfg, runner := jobConfig(time.Hour)
	defer runner.Shutdown(t.Context())
	s := newTaskSession(t, cfg, bcsim.WithCustomers(3000), bcsim.WithLatency(5*time.Millisecond, 0))

	task := s.callAsTask(bulkTool, companies(3000, "TaskCancel"))
	for s.puts() == 0 {
		time.Sleep(time.Millisecond)
	}
	if _, err := s.mcp.CancelTask(t.Context(), mcp.CancelTaskRequest{Params: mcp.CancelTaskParams{TaskId: task}}); err != nil {
		t.Fatal(err)
	}
	runner.Shutdown(t.Context()) // returns once the job has stopped
	sent := s.puts()
	if sent*10 >= 3000 {
		t.Fatalf("every batch was sent: the cancel did not stop the job")
	}
	updated := 0
	for _, c := range s.store.Customers() {
		if c.Company == fmt.Sprintf("TaskCancel %d", c.ID) {
			updated++
		}
	}
	if updated != 10*sent {
		t.Errorf("%d batches sent, %d customers updated: a batch was cut short", sent, updated)
	}
}

// newTaskSession speaks 2025-11-25, the protocol version whose
// task-augmented tools/call mcp-go v1.2.1 serves in full: under 2026-07-28 it
// has no way to hand a task's result over (tasks/result is gone, and its
// tasks/get carries none).
func newTaskSession(t *testing.T, cfg Config, opts ...bcsim.Option) *session {
	store := bcsim.New(append([]bcsim.Option{bcsim.WithAccessToken(testToken)}, opts...)...)
	return newSessionAt(t, store, testToken, cfg, mcp.ProtocolVersion20251125)
}

// callAsTask sends a task-augmented tools/call and returns the task's id.
func (s *session) callAsTask(name string, args map[string]any) string {
	s.t.Helper()
	params, _ := json.Marshal(map[string]any{"name": name, "arguments": args, "task": map[string]any{"ttl": 60000}})
	resp, err := s.mcp.GetTransport().SendRequest(context.Background(), transport.JSONRPCRequest{
		JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(int64(1 << 40)), Method: string(mcp.MethodToolsCall), Params: json.RawMessage(params)})
	if err != nil || resp.Error != nil {
		s.t.Fatalf("task-augmented call: %v %+v", err, resp)
	}
	var created mcp.CreateTaskResult
	if err := json.Unmarshal(resp.Result, &created); err != nil || created.Task.TaskId == "" {
		s.t.Fatalf("not a task: %s (%v)", resp.Result, err)
	}
	return created.Task.TaskId
}

func TestAJobWhoseRunFailsAsAWholeSaysWhy(t *testing.T) {
	t.Parallel()
	cfg, runner := jobConfig(time.Hour)
	defer runner.Shutdown(t.Context())
	s := newSession(t, cfg)
	// The store has 300 customers, not the 301 the caller expects: the job
	// writes nothing and says so.
	started := s.bulk(map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"notes": "x"},
		"expect_count": 301, "background": true})

	final := s.followJob(started.Job.JobID)
	if final.Status != "done" || final.Error == nil || final.Error.Code != codeInvalidArgument || final.Result != nil {
		t.Fatalf("final: %+v", final)
	}
	if s.puts() != 0 || final.Next != "The run failed as a whole: see error." {
		t.Errorf("%d batches sent; next %q", s.puts(), final.Next)
	}
}

func TestSynchronousJobsRunEveryUpdateInTheCall(t *testing.T) {
	t.Parallel()
	runner := jobs.NewRunner(jobs.Config{})
	defer runner.Shutdown(t.Context())
	s := newSession(t, Config{Jobs: NewJobs(runner, Synchronous)})
	if res := s.bulk(withBackground(companies(20, "Now"))); res.Job != nil || res.Counts.Updated != 20 {
		t.Errorf("a synchronous server started a job: %+v", res)
	}
}

func TestTheTimeLeftFollowsThePaceOnceTheJobHasProgressed(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := jobs.Record{Status: jobs.Running, StartedAt: start, Estimate: 4 * time.Minute, Progress: jobs.Progress{Total: 1000}}
	if got := jobStatus(rec, start.Add(10*time.Second)); got.RemainingSeconds != 230 || got.CheckAfterSeconds != 30 {
		t.Errorf("before any progress: %d s left, check after %d s; want the estimate's 230 and 30", got.RemainingSeconds, got.CheckAfterSeconds)
	}
	rec.Progress.Done = 800
	if got := jobStatus(rec, start.Add(40*time.Second)); got.RemainingSeconds != 10 || got.CheckAfterSeconds != 10 {
		t.Errorf("at 800 of 1000 after 40s: %d s left, check after %d s; want 10 and 10", got.RemainingSeconds, got.CheckAfterSeconds)
	}
}
