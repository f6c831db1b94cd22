package transport

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
)

// reportingServer has one tool, work, that works until asked to stop and
// then reports how it was stopped, as a bulk update does. With heedDrain it
// stops when a drain begins; otherwise only when its context ends.
func reportingServer(started chan<- struct{}, heedDrain bool) *server.MCPServer {
	srv := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewTool("work"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		started <- struct{}{}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return mcp.NewToolResultText("report: cancelled"), nil
			case <-tick.C:
				if heedDrain && drain.Begun(ctx) {
					return mcp.NewToolResultText("report: drained"), nil
				}
			}
		}
	})
	return srv
}

func callWork(ctx context.Context, c interface {
	CallTool(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error)
}) <-chan string {
	result := make(chan string, 1)
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name = "work"
		res, err := c.CallTool(ctx, req)
		switch {
		case err != nil:
			result <- "error: " + err.Error()
		case len(res.Content) == 0:
			result <- "no content"
		default:
			result <- res.Content[0].(mcp.TextContent).Text
		}
	}()
	return result
}

func TestShutdownDeliversTheReportOfEveryCallInFlight(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		heedDrain bool
		want      string
	}{
		{"a call that winds down when asked", true, "report: drained"},
		{"a call cancelled at the end of the grace period", false, "report: cancelled"},
	} {
		for _, kind := range []Kind{SSE, StreamableHTTP} {
			t.Run(string(kind)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				started := make(chan struct{}, 1)
				url, stop, served := serveTest(t, kind, reportingServer(started, tt.heedDrain), 200*time.Millisecond)
				c := connect(t, kind, url)
				called := callWork(t.Context(), c)
				waitFor(t, started, "the call to start")
				stop()
				if got := waitFor(t, called, "the call's answer"); got != tt.want {
					t.Errorf("the client got %q, want %q", got, tt.want)
				}
				if err := waitFor(t, served, "Serve to return"); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestRequestsAfterShutdownBeganAreRefused(t *testing.T) {
	t.Parallel()
	reqs := newRequests()
	reqs.stop()
	reached := false
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })
	for name, h := range map[string]http.Handler{"/mcp": countHandlers(reqs, next), "/message": countSSEMessages(reqs, mcpgo.NewDeliveries(), next)} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, name+"?sessionId=s", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)))
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || reached {
			t.Errorf("%s after shutdown began: %d, Retry-After %q, passed on %v; want 503 with Retry-After", name, w.Code, w.Header().Get("Retry-After"), reached)
		}
	}
}

func TestAnSSEMessageAnsweredOnThePOSTIsNotAwaited(t *testing.T) {
	t.Parallel()
	reqs := newRequests()
	refuse := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "unknown session", http.StatusBadRequest) })
	countSSEMessages(reqs, mcpgo.NewDeliveries(), refuse).ServeHTTP(httptest.NewRecorder(),
		httptest.NewRequest(http.MethodPost, "/message?sessionId=gone", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`)))
	waitFor(t, reqs.stop(), "no request to be left unanswered")
}
