package tools

// Progress notifications for long tool calls.
//
// Two things here work around mcp-go v1.2.1: it drops a notification when the
// session's queue is full, and it writes queued notifications from another
// goroutine than results, so a result can overtake the notifications sent
// before it. The notifier therefore waits for room in the queue, and the
// handler waits for the queue to drain before returning its result. bc calls
// Progress from one goroutine, in order and outside its locks, and returns
// only after the last call returned, so waiting here delays no worker.

import (
	"context"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

type progressTokenKey struct{}

// withProgressToken hands the request's progress token to the handler
// through its context: typed handlers do not see the request itself.
func withProgressToken(tool server.ServerTool) server.ServerTool {
	handle := tool.Handler
	tool.Handler = func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		meta := req.Params.Meta
		if meta == nil || meta.ProgressToken == nil {
			return handle(ctx, req)
		}
		res, err := handle(context.WithValue(ctx, progressTokenKey{}, meta.ProgressToken), req)
		// Let the last progress notification go out before the result.
		awaitQueuedNotifications(ctx, 1)
		// The writer has taken it off the queue; give it time to write it. (A
		// guess, not a guarantee: mcp-go offers no way to wait for the write.)
		time.Sleep(10 * time.Millisecond)
		return res, err
	}
	return tool
}

// awaitQueuedNotifications waits, for a second at most, until fewer than n
// notifications are queued for the session.
func awaitQueuedNotifications(ctx context.Context, n int) {
	session := server.ClientSessionFromContext(ctx)
	if session == nil {
		return
	}
	queue := session.NotificationChannel()
	for deadline := time.Now().Add(time.Second); len(queue) >= n && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(time.Millisecond)
	}
}

// progressNotifier sends one notifications/progress per finished batch, or
// returns nil when the caller sent no progress token.
func progressNotifier(ctx context.Context) func(bc.BulkProgress) {
	token := ctx.Value(progressTokenKey{})
	srv := server.ServerFromContext(ctx)
	if token == nil || srv == nil {
		return nil
	}
	return func(p bc.BulkProgress) {
		if session := server.ClientSessionFromContext(ctx); session != nil {
			awaitQueuedNotifications(ctx, cap(session.NotificationChannel()))
		}
		// Progress is advisory: a client that stopped listening must not stop the update.
		_ = srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{
			"progressToken": token, "progress": p.Done, "total": p.Total, "message": p.Message})
	}
}
