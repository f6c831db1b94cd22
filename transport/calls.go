package transport

import (
	"context"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
)

// callControl reaches every tool call, whatever the transport, at shutdown:
// first it asks them to wind down (a bulk update starts no new batch and
// reports), then, at the end of the grace period, it cancels them. Neither
// touches the request's own context, which the HTTP transports need intact
// to write the call's response.
type callControl struct {
	draining    chan struct{}
	stopCalls   context.Context
	cancelCalls context.CancelFunc
	drainOnce   sync.Once
}

// newCallControl makes a callControl and installs it on srv.
func newCallControl(srv *server.MCPServer) *callControl {
	calls := &callControl{draining: make(chan struct{})}
	calls.stopCalls, calls.cancelCalls = context.WithCancel(context.Background())
	srv.Use(calls.middleware)
	return calls
}

func (c *callControl) middleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ctx, cancel := context.WithCancel(drain.WithSignal(ctx, c.draining))
		defer cancel()
		defer context.AfterFunc(c.stopCalls, cancel)()
		return next(ctx, req)
	}
}

// drain asks the calls in flight to wind down and report.
func (c *callControl) drain() {
	c.drainOnce.Do(func() { close(c.draining) })
}

// cancel cancels the calls in flight.
func (c *callControl) cancel() {
	c.cancelCalls()
}
