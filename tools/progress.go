package tools

// Progress notifications for long tool calls. mcp-go v1.2.1 drops a
// notification when the session's queue is full, and can write a result
// before the notifications sent ahead of it; internal/mcpgo works around
// both, given the transport's help. bc calls Progress from one goroutine, in
// order and outside its locks, and returns only after the last call
// returned, so waiting here delays no worker.

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
)

type progressTokenKey struct{}

// withProgressToken hands the request's progress token to the handler
// through its context (typed handlers do not see the request itself), and
// holds the result back until the progress notifications are written.
func withProgressToken(tool server.ServerTool) server.ServerTool {
	handle := tool.Handler
	tool.Handler = func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		meta := req.Params.Meta
		if meta == nil || meta.ProgressToken == nil {
			return handle(ctx, req)
		}
		res, err := handle(context.WithValue(ctx, progressTokenKey{}, meta.ProgressToken), req)
		mcpgo.AwaitProgress(ctx, meta.ProgressToken)
		return res, err
	}
	return tool
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
		// Progress is advisory: a client that stopped listening must not stop the update.
		_ = mcpgo.SendProgress(ctx, srv, token, map[string]any{"progress": p.Done, "total": p.Total, "message": p.Message})
	}
}
