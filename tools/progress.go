package tools

// Progress notifications for long tool calls. mcp-go v1.2.1 drops a
// notification when the session's queue is full, and can write a result
// before the notifications sent ahead of it; internal/mcpgo works around
// both, given the transport's help. bc calls Progress from one goroutine, in
// order and outside its locks, and returns only after the last call
// returned, so waiting here delays no worker.

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
)

// clientReadPause separates a result from the progress notifications just
// written before it. The official TypeScript SDK client handles a
// notification a microtask after reading it but a response at once, so a
// notification read in the same chunk as its call's result is reported as
// an error for an unknown token
// (https://github.com/modelcontextprotocol/typescript-sdk/issues/2580, open).
// The order on the wire is guaranteed without it; this only makes the
// client's separate reads likely. e2e/upstream.test.mjs fails once the SDK
// is fixed.
const clientReadPause = 10 * time.Millisecond

type progressKey struct{}

// progressCall is what a call's handler needs to report progress.
type progressCall struct {
	token mcp.ProgressToken
	sent  atomic.Bool
}

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
		call := &progressCall{token: meta.ProgressToken}
		res, err := handle(context.WithValue(ctx, progressKey{}, call), req)
		mcpgo.AwaitProgress(ctx, call.token)
		if call.sent.Load() {
			time.Sleep(clientReadPause)
		}
		return res, err
	}
	return tool
}

// progressNotifier sends one notifications/progress per finished batch, or
// returns nil when the caller sent no progress token.
func progressNotifier(ctx context.Context) func(bc.BulkProgress) {
	call, _ := ctx.Value(progressKey{}).(*progressCall)
	srv := server.ServerFromContext(ctx)
	if call == nil || srv == nil {
		return nil
	}
	return func(p bc.BulkProgress) {
		// Progress is advisory: a client that stopped listening must not stop the update.
		err := mcpgo.SendProgress(ctx, srv, call.token, map[string]any{"progress": p.Done, "total": p.Total, "message": p.Message})
		if err == nil {
			call.sent.Store(true)
		}
	}
}
