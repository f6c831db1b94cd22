package transport

import (
	"bufio"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/wiretest"
)

// The progress tests check, on the wire, that every progress notification a
// call sends is written before its result: mcp-go alone does not see to it
// (internal/mcpgo/upstream_test.go), the transports and mcpgo.Deliveries do.

const (
	progressSteps = 5
	progressCalls = 20
)

// progressServer has one tool, progress, that sends progressSteps progress
// notifications and returns at once, as tools.withProgressToken does.
func progressServer() *server.MCPServer {
	srv := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewTool("progress"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		token := req.Params.Meta.ProgressToken
		for step := 1; step <= progressSteps; step++ {
			if err := mcpgo.SendProgress(ctx, srv, token, map[string]any{"progress": step, "total": progressSteps}); err != nil {
				return nil, err
			}
		}
		mcpgo.AwaitProgress(ctx, token)
		return mcp.NewToolResultText("done"), nil
	})
	return srv
}

func callProgress(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"progress","arguments":{},"_meta":{"progressToken":%d}}}`, id, id)
}

// progressOrder checks the messages a client read for call id (its progress
// token too, a number as the official SDK sends it): all its
// progress notifications, then its result.
type progressOrder struct {
	id    int
	steps int
}

// read takes the next message and reports whether it was the call's result.
func (o *progressOrder) read(t *testing.T, msg map[string]any) bool {
	t.Helper()
	if msg["method"] == string(mcp.MethodNotificationProgress) {
		params, _ := msg["params"].(map[string]any)
		if params["progressToken"] == float64(o.id) {
			o.steps++
		}
		return false
	}
	if msg["id"] != float64(o.id) {
		return false
	}
	if o.steps != progressSteps {
		t.Errorf("call %d: its result came after %d of its %d progress notifications", o.id, o.steps, progressSteps)
	}
	return true
}

func TestStdioWritesEveryProgressNotificationBeforeTheResult(t *testing.T) {
	h := serveStdioTest(t, progressServer(), time.Second)
	h.send(t, initialize, initialized)
	h.response(t, 1)
	for id := 2; id < 2+progressCalls; id++ {
		h.send(t, callProgress(id))
		order := &progressOrder{id: id}
		for !order.read(t, waitFor(t, h.responses, "the call's messages")) {
		}
	}
}

func TestStreamableHTTPWritesEveryProgressNotificationBeforeTheResult(t *testing.T) {
	t.Parallel()
	url, cancel, _ := serveTest(t, StreamableHTTP, progressServer(), time.Second)
	defer cancel()
	for id := 2; id < 2+progressCalls; id++ {
		// A session of its own for each call: mcp-go can drop a notification
		// that a session's previous POST takes after it ends (see
		// mcpgo.Deliveries), which no wait can undo.
		session := wiretest.OpenSession(t, url+"/mcp")
		order := &progressOrder{id: id}
		stream := bufio.NewReader(wiretest.Post(t, url+"/mcp", session, callProgress(id)).Body)
		if !wiretest.ReadEvents(t, stream, func(msg map[string]any) bool { return order.read(t, msg) }) {
			t.Fatalf("call %d: the stream ended without its result", id)
		}
	}
}

func TestSSEWritesEveryProgressNotificationBeforeTheResult(t *testing.T) {
	t.Parallel()
	url, cancel, _ := serveTest(t, SSE, progressServer(), time.Second)
	defer cancel()
	stream, endpoint := wiretest.OpenSSESession(t, url)
	for id := 2; id < 2+progressCalls; id++ {
		wiretest.PostSSE(t, endpoint, callProgress(id))
		order := &progressOrder{id: id}
		if !wiretest.ReadEvents(t, stream, func(msg map[string]any) bool { return order.read(t, msg) }) {
			t.Fatalf("call %d: the stream ended without its result", id)
		}
	}
}
