package tools

// MCP tasks and jobs. A task-augmented bulk_update_customers runs its job in
// the background as mcp-go's task; when the client cancels the task, the job
// must stop too. mcp-go tells neither the handler its task's id nor a
// cancellation apart from the end of the request that created the task, so
// hooks link the two: before the call, a reference is put in the request's
// _meta, which the handler reads; after it, the reference is tied to the
// task id mcp-go answered with; on tasks/cancel, the task id leads to the job.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

const taskRefMeta = "bigcommerce-mcp/task-ref"

type taskLinks struct {
	mu        sync.Mutex
	refOfTask map[string]string // task id → reference
	jobOfRef  map[string]string // reference → job id, once the job started
	cancelled map[string]bool   // references whose task was cancelled
}

func newTaskLinks() *taskLinks {
	return &taskLinks{refOfTask: map[string]string{}, jobOfRef: map[string]string{}, cancelled: map[string]bool{}}
}

// linkTasks installs the hooks on the server's hooks.
func (j *Jobs) linkTasks(hooks *server.Hooks) {
	hooks.AddBeforeCallTool(func(_ context.Context, _ any, req *mcp.CallToolRequest) {
		if req.Params.Task == nil {
			return
		}
		if req.Params.Meta == nil {
			req.Params.Meta = &mcp.Meta{}
		}
		if req.Params.Meta.AdditionalFields == nil {
			req.Params.Meta.AdditionalFields = map[string]any{}
		}
		b := make([]byte, 8)
		rand.Read(b)
		req.Params.Meta.AdditionalFields[taskRefMeta] = hex.EncodeToString(b)
	})
	hooks.AddAfterCallTool(func(_ context.Context, _ any, req *mcp.CallToolRequest, result any) {
		if created, ok := result.(*mcp.CreateTaskResult); ok && taskRef(*req) != "" {
			j.tasks.mu.Lock()
			j.tasks.refOfTask[created.Task.TaskId] = taskRef(*req)
			j.tasks.mu.Unlock()
		}
	})
	hooks.AddBeforeCancelTask(func(_ context.Context, _ any, req *mcp.CancelTaskRequest) {
		if job := j.tasks.cancel(req.Params.TaskId); job != "" {
			j.stopSoon(job)
		}
	})
}

// taskRef is the reference the hook put in a task-augmented call's _meta.
func taskRef(req mcp.CallToolRequest) string {
	if req.Params.Meta == nil {
		return ""
	}
	ref, _ := req.Params.Meta.AdditionalFields[taskRefMeta].(string)
	return ref
}

// cancel records that a task was cancelled and returns its job, if started.
func (l *taskLinks) cancel(task string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	ref, ok := l.refOfTask[task]
	if !ok {
		return ""
	}
	delete(l.refOfTask, task)
	l.cancelled[ref] = true
	return l.jobOfRef[ref]
}

// started ties a reference to its job and reports whether the task was
// cancelled before the job started.
func (l *taskLinks) started(ref, job string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.jobOfRef[ref] = job
	return l.cancelled[ref]
}

// forget drops what is known of a reference whose job has finished.
func (l *taskLinks) forget(ref string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.jobOfRef, ref)
	delete(l.cancelled, ref)
	for task, r := range l.refOfTask {
		if r == ref {
			delete(l.refOfTask, task)
		}
	}
}
