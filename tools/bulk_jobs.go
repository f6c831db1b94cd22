package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/jobs"
)

// BulkJobInput names a job.
type BulkJobInput struct {
	JobID string `json:"job_id" jsonschema:"pattern=^job_[0-9a-f]{16}$" jsonschema_description:"From bulk_update_customers."`
}

var jobIDPattern = regexp.MustCompile(`^job_[0-9a-f]{16}$`)

func (in BulkJobInput) Validate() error {
	if !jobIDPattern.MatchString(in.JobID) {
		return invalidArguments(map[string]string{"job_id": "is not a job id: use the job_id bulk_update_customers answered with, such as job_0123456789abcdef"}, "")
	}
	return nil
}

// BulkJobProgress counts a job's customers so far.
type BulkJobProgress struct {
	Total     int `json:"total"`
	Done      int `json:"done" jsonschema_description:"Customers accounted for so far."`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

// BulkJobResult is where a job stands and, once it stopped, its account.
type BulkJobResult struct {
	JobID             string                     `json:"job_id"`
	Status            string                     `json:"status" jsonschema:"enum=running,enum=done,enum=cancelled,enum=interrupted" jsonschema_description:"running; done (ran to the end: the result says how each customer went); cancelled (stopped by cancel_bulk_job after the batches in flight); interrupted (the server stopped or restarted during the run)."`
	Progress          BulkJobProgress            `json:"progress"`
	ElapsedSeconds    int                        `json:"elapsed_seconds"`
	EstimatedSeconds  int                        `json:"estimated_seconds" jsonschema_description:"The estimate the job started with."`
	RemainingSeconds  int                        `json:"remaining_seconds,omitempty" jsonschema_description:"While running: the time left at the pace so far."`
	StartedAt         string                     `json:"started_at"`
	FinishedAt        string                     `json:"finished_at,omitempty"`
	CheckAfterSeconds int                        `json:"check_after_seconds,omitempty" jsonschema_description:"While running: when to call get_bulk_job again."`
	Result            *BulkUpdateCustomersResult `json:"result,omitempty" jsonschema_description:"Once stopped: the same account a synchronous bulk_update_customers gives. Missing for a job cut short before it could report (its progress says what it had done)."`
	Error             *toolError                 `json:"error,omitempty" jsonschema_description:"The failure that stopped the whole run, if any."`
	Next              string                     `json:"next" jsonschema_description:"What to do next."`
}

func (r BulkJobResult) Summary() string {
	p := r.Progress
	head := fmt.Sprintf("Job %s %s after %s: %d of %d customers done (%d updated, %d unchanged, %d failed).",
		r.JobID, r.Status, time.Duration(r.ElapsedSeconds)*time.Second, p.Done, p.Total, p.Updated, p.Unchanged, p.Failed)
	if r.Result != nil {
		head += " " + r.Result.Summary()
	}
	if r.Error != nil {
		head += " It failed: " + r.Error.Message + "."
	}
	return head + " " + r.Next
}

const rerunHint = "To finish, call bulk_update_customers again with the same arguments: customers already updated are skipped as unchanged, so the rest is all it writes."

// jobStatus is a job's record as a tool answers it.
func jobStatus(rec jobs.Record, now time.Time) BulkJobResult {
	p := rec.Progress
	out := BulkJobResult{
		JobID: rec.ID, Status: string(rec.Status),
		Progress:         BulkJobProgress{Total: p.Total, Done: p.Done, Updated: p.Updated, Unchanged: p.Unchanged, Failed: p.Failed},
		ElapsedSeconds:   seconds(rec.Elapsed(now)),
		EstimatedSeconds: seconds(rec.Estimate),
		StartedAt:        rec.StartedAt.UTC().Format(time.RFC3339),
	}
	if !rec.Finished() {
		remaining := remaining(rec, now)
		out.RemainingSeconds = seconds(remaining)
		out.CheckAfterSeconds = checkAfter(remaining)
		out.Next = fmt.Sprintf("Call get_bulk_job with job_id %q in about %d seconds; cancel_bulk_job stops it after the batches in flight.",
			rec.ID, out.CheckAfterSeconds)
		return out
	}
	out.FinishedAt = rec.FinishedAt.UTC().Format(time.RFC3339)
	if rec.Result != nil {
		var res BulkUpdateCustomersResult
		if json.Unmarshal(rec.Result, &res) == nil {
			out.Result = &res
		}
	}
	if rec.Failure != nil {
		var failure toolError
		if json.Unmarshal(rec.Failure, &failure) == nil {
			out.Error = &failure
		}
	}
	switch {
	case rec.Status == jobs.Done && out.Error == nil:
		out.Next = "Finished: report the result."
	case rec.Status == jobs.Done:
		out.Next = "The run failed as a whole: see error."
	default:
		out.Next = rerunHint
	}
	return out
}

// remaining is the time a running job needs yet: at the pace it has kept,
// once it has done something; until then, what its estimate leaves. The pace
// corrects an estimate made before the latency was measured.
func remaining(rec jobs.Record, now time.Time) time.Duration {
	elapsed, p := rec.Elapsed(now), rec.Progress
	if p.Done == 0 || p.Total <= p.Done {
		return max(rec.Estimate-elapsed, 0)
	}
	return time.Duration(float64(elapsed) * float64(p.Total-p.Done) / float64(p.Done))
}

// checkAfter spaces the polls: when the job should be done, but at least 5
// and at most 30 seconds away, so that the model neither spins nor waits long.
func checkAfter(remaining time.Duration) int {
	return seconds(min(max(remaining, 5*time.Second), 30*time.Second))
}

func jobError(err error, id string) error {
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		return &toolError{Code: codeNotFound, Message: fmt.Sprintf("no job %s: finished jobs are kept for a day, and a job_id is only known where bulk_update_customers started it", id),
			Hint: "check the job_id; to see the customers' current state, use a dry run of the same bulk_update_customers call"}
	case errors.Is(err, jobs.ErrElsewhere):
		return &toolError{Code: codeConflict, Message: err.Error(), Hint: "call cancel_bulk_job on the server process that started the job"}
	}
	return err
}

const getBulkJobDescription = `Follow a bulk_update_customers job.
Status is running, done, cancelled or interrupted. While running, call again after check_after_seconds; once stopped, result is the account a direct call gives.
To finish an interrupted job (the server stopped), repeat the bulk_update_customers call.`

func getBulkJob(j *Jobs) server.ServerTool {
	return newTool("get_bulk_job", "Get bulk job", getBulkJobDescription, reads,
		func(ctx context.Context, in BulkJobInput) (BulkJobResult, error) {
			rec, err := j.runner.Get(ctx, in.JobID)
			if err != nil {
				return BulkJobResult{}, jobError(err, in.JobID)
			}
			return jobStatus(rec, time.Now()), nil
		})
}

var cancelBulkJobDescription = fmt.Sprintf(`Stop a bulk update job: the batches in flight (at most %d of %d customers) finish, no new one is sent; the answer is the job's exact account, customers never sent as not_attempted.
Cancelling a finished job changes nothing. To resume, repeat the bulk_update_customers call.`,
	bc.MaxUpdateRequestsInFlight, bc.MaxCustomersPerUpdate)

func cancelBulkJob(j *Jobs) server.ServerTool {
	return newTool("cancel_bulk_job", "Cancel bulk job", cancelBulkJobDescription, updates,
		func(ctx context.Context, in BulkJobInput) (BulkJobResult, error) {
			rec, err := j.runner.Cancel(ctx, in.JobID)
			if (err != nil && rec.ID == "") || errors.Is(err, jobs.ErrElsewhere) {
				return BulkJobResult{}, jobError(err, in.JobID)
			}
			// A call that ran out of time waiting still has the job stopping.
			return jobStatus(rec, time.Now()), nil
		})
}
