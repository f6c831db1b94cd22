package tools

// Large bulk updates run as jobs: a host drops a tool call after about 60
// seconds (the MCP TypeScript SDK's default timeout, which progress does not
// extend), and at BigCommerce's latency a few thousand customers take longer.
// A call whose estimate passes the threshold, or that asks with background,
// starts a job and answers at once with its id; get_bulk_job follows it and
// cancel_bulk_job stops it. A client that runs tools/call as an MCP task gets
// the same job, followed natively, with the final account as the task's result.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/jobs"
)

// DefaultJobAfter is the estimated duration beyond which a bulk update runs as
// a job: a third of the 60 seconds hosts commonly allow a call, so that a call
// kept synchronous finishes in time even if the estimate is off by a factor of 3
// (a latency spike, 429s), while updates of a few hundred customers still
// answer in one call.
const DefaultJobAfter = 20 * time.Second

// Synchronous, as NewJobs' threshold, runs every bulk update in its call, even
// one asking for background: for a process that ends with its one call (the
// CLI's call command), where a job would die with it.
const Synchronous time.Duration = -1

// Jobs runs the bulk updates that would outlast a client's patience.
type Jobs struct {
	runner *jobs.Runner
	after  time.Duration
	tasks  *taskLinks
}

// NewJobs runs jobs on runner; a bulk update estimated to take longer than
// after becomes one.
func NewJobs(runner *jobs.Runner, after time.Duration) *Jobs {
	return &Jobs{runner: runner, after: after, tasks: newTaskLinks()}
}

// BulkJobTicket is the answer of a bulk update that runs as a job.
type BulkJobTicket struct {
	JobID             string `json:"job_id"`
	Status            string `json:"status" jsonschema:"enum=running,enum=done,enum=cancelled,enum=interrupted"`
	EstimatedSeconds  int    `json:"estimated_seconds" jsonschema_description:"How long the run should take, from the latency measured so far."`
	CheckAfterSeconds int    `json:"check_after_seconds,omitempty" jsonschema_description:"When to call get_bulk_job next."`
	Follow            string `json:"follow" jsonschema_description:"How to follow the job."`
}

type taskCallKey struct{}

// withTaskCalls marks the context of a task-augmented call with the call's
// task reference (see taskLinks), which the typed handler cannot see otherwise.
func withTaskCalls(tool server.ServerTool) server.ServerTool {
	handle := tool.Handler
	tool.Handler = func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.Task != nil {
			ctx = context.WithValue(ctx, taskCallKey{}, taskRef(req))
		}
		return handle(ctx, req)
	}
	tool.Tool.Execution = &mcp.ToolExecution{TaskSupport: mcp.TaskSupportOptional}
	return tool
}

func isTaskCall(ctx context.Context) bool { return ctx.Value(taskCallKey{}) != nil }

// background decides whether a bulk update runs as a job. Dry runs only read,
// and always answer in the call. A selector's total is its expect_count,
// which any selector of more than 100 customers needs.
func (j *Jobs) background(ctx context.Context, client *bc.Client, in BulkUpdateCustomersInput) bool {
	if j == nil || j.after == Synchronous || client == nil || in.DryRun {
		return false
	}
	return in.Background || isTaskCall(ctx) || client.EstimateBulkUpdate(bulkTotal(in)) > j.after
}

func bulkTotal(in BulkUpdateCustomersInput) int {
	if in.ExpectCount != nil {
		return *in.ExpectCount
	}
	return len(in.Customers)
}

// start runs the update as a job. A plain call gets the ticket at once; a
// task-augmented call, already in the background, waits for the account.
func (j *Jobs) start(ctx context.Context, client *bc.Client, in BulkUpdateCustomersInput) (BulkUpdateCustomersResult, error) {
	total := bulkTotal(in)
	estimate := client.EstimateBulkUpdate(total)
	// A job is not the call's: neither the call's end (a task's context ends
	// as soon as the task is created) nor the transport's drain of calls at
	// shutdown reaches it; the runner's Shutdown stops it, as interrupted.
	workCtx := drain.WithSignal(context.WithoutCancel(ctx), nil)
	if !isTaskCall(ctx) {
		// The call ends with the ticket: progress notifications for it would be stray.
		workCtx = context.WithValue(workCtx, progressKey{}, nil)
	}
	rec, err := j.runner.Start(workCtx, "bulk_update_customers", total, estimate, bulkWork(client, in))
	if errors.Is(err, jobs.ErrShutDown) {
		return BulkUpdateCustomersResult{}, &toolError{Code: codeUnavailable, Message: err.Error(), Retryable: true,
			Hint: "nothing was written; call again once the server is back"}
	}
	if err != nil {
		return BulkUpdateCustomersResult{}, fmt.Errorf("record the job, so nothing was written: %w", err)
	}
	ref, ok := ctx.Value(taskCallKey{}).(string)
	if !ok {
		return ticket(rec, time.Now()), nil
	}
	return j.awaitTask(ctx, ref, rec.ID)
}

// awaitTask waits for a task's job to finish. It does not stop when the
// context ends: mcp-go derives a task's context from the request that
// created it, which ends on some transports as soon as the task is created.
// The client's tasks/cancel reaches the job through taskLinks instead.
func (j *Jobs) awaitTask(ctx context.Context, ref, id string) (BulkUpdateCustomersResult, error) {
	defer j.tasks.forget(ref)
	if j.tasks.started(ref, id) {
		j.stopSoon(id)
	}
	rec, err := j.runner.Wait(context.WithoutCancel(ctx), id)
	if err != nil {
		return BulkUpdateCustomersResult{}, err
	}
	status := jobStatus(rec, time.Now())
	if status.Error != nil {
		return BulkUpdateCustomersResult{}, status.Error
	}
	if status.Result == nil {
		return BulkUpdateCustomersResult{}, fmt.Errorf("job %s stopped without an account: %s", rec.ID, status.Next)
	}
	res := *status.Result
	res.Job = &BulkJobTicket{JobID: rec.ID, Status: string(rec.Status), EstimatedSeconds: seconds(rec.Estimate),
		Follow: "finished: the counts above are the job's account"}
	return res, nil
}

type jobControlKey struct{}

type jobControl struct {
	stop   <-chan struct{}
	report func(jobs.Progress)
}

// bulkWork is the bulk update a job runs: the synchronous call's, on a
// context that carries the job's stop and progress.
func bulkWork(client *bc.Client, in BulkUpdateCustomersInput) jobs.Work {
	return func(ctx context.Context, stop <-chan struct{}, report func(jobs.Progress)) (json.RawMessage, json.RawMessage) {
		res, err := runBulk(context.WithValue(ctx, jobControlKey{}, jobControl{stop: stop, report: report}), client, in)
		var result []byte
		if err == nil {
			result, err = json.Marshal(res)
		}
		if err != nil {
			failure, _ := json.Marshal(toToolError(err))
			return nil, failure
		}
		return result, nil
	}
}

// withJob adds a job's stop and progress to the options of a bulk update
// that runs as one.
func withJob(ctx context.Context, opts bc.BulkOptions) bc.BulkOptions {
	control, ok := ctx.Value(jobControlKey{}).(jobControl)
	if !ok {
		return opts
	}
	notify := opts.Progress
	opts.Stop = control.stop
	opts.Progress = func(p bc.BulkProgress) {
		control.report(jobs.Progress{Total: p.Total, Done: p.Done, Updated: p.Updated, Unchanged: p.Unchanged, Failed: p.Failed})
		if notify != nil {
			notify(p)
		}
	}
	return opts
}

func ticket(rec jobs.Record, now time.Time) BulkUpdateCustomersResult {
	status := jobStatus(rec, now)
	return BulkUpdateCustomersResult{
		Total:        rec.Progress.Total,
		Updated:      []int{},
		Unchanged:    []int{},
		Failures:     []FailureGroup{},
		NotAttempted: []int{},
		Job: &BulkJobTicket{JobID: rec.ID, Status: string(rec.Status), EstimatedSeconds: seconds(rec.Estimate),
			CheckAfterSeconds: status.CheckAfterSeconds, Follow: status.Next},
	}
}

func (t BulkJobTicket) summary(total int) string {
	return fmt.Sprintf("Started job %s for %d customers, about %s: it runs in the background and nothing is reported here. %s",
		t.JobID, total, time.Duration(t.EstimatedSeconds)*time.Second, t.Follow)
}

func seconds(d time.Duration) int { return int(d.Round(time.Second) / time.Second) }

// jobsRunner is the runner of a server whose caller gave none: jobs in
// memory, ended with the process.
func jobsRunner(log *slog.Logger) *jobs.Runner {
	return jobs.NewRunner(jobs.Config{Logger: log})
}

// stopSoon asks a job to stop without waiting for it to.
func (j *Jobs) stopSoon(id string) {
	go j.runner.Cancel(context.Background(), id)
}
