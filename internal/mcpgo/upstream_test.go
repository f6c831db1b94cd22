package mcpgo

// Each test here runs mcp-go v1.2.1 alone and asserts that one bug this
// project works around is still there. When one fails, upstream has fixed
// the bug: remove the workaround its message names, then the test.
//
// The stdio tests do not run in parallel: mcp-go keeps one stdio session per process.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/wiretest"
)

// fixedWait bounds how long a test waits for what only a fixed mcp-go would
// do (or not do); while the bug is there, nothing waits for it.
const fixedWait = 2 * time.Second

// heldValue is a notification parameter whose encoding blocks until
// released: it holds a notification between the queue and the wire.
type heldValue struct {
	encoding chan struct{} // closed once its encoding has begun
	release  chan struct{}
	once     sync.Once
}

func newHeldValue() *heldValue {
	return &heldValue{encoding: make(chan struct{}), release: make(chan struct{})}
}

func (h *heldValue) MarshalJSON() ([]byte, error) {
	h.once.Do(func() { close(h.encoding) })
	<-h.release
	return []byte(`"held"`), nil
}

// serverWithTool has one tool, call, that runs handle and returns "done".
func serverWithTool(handle func(context.Context, *server.MCPServer)) *server.MCPServer {
	srv := server.NewMCPServer("upstream", "1")
	srv.AddTool(mcp.NewTool("call"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		handle(ctx, srv)
		return mcp.NewToolResultText("done"), nil
	})
	return srv
}

// sendHeld sends a progress notification the transport cannot write until
// held is released, and returns once the transport has taken it off the queue.
func sendHeld(held *heldValue) func(context.Context, *server.MCPServer) {
	return func(ctx context.Context, srv *server.MCPServer) {
		_ = srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{"progressToken": "t", "held": held})
		<-held.encoding
	}
}

const callTool = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"call","arguments":{}}}`

// firstOf reads messages until the result of request 2 or a notification,
// within fixedWait, and returns which came first ("" for neither).
func firstOf(next func() (map[string]any, bool)) string {
	found := make(chan string, 1)
	go func() {
		for {
			msg, ok := next()
			switch {
			case !ok:
				found <- ""
				return
			case msg["method"] == string(mcp.MethodNotificationProgress):
				found <- "notification"
				return
			case msg["id"] == float64(2):
				found <- "result"
				return
			}
		}
	}()
	select {
	case first := <-found:
		return first
	case <-time.After(fixedWait):
		return ""
	}
}

// stdioLines serves srv on pipes and returns a writer to its stdin and a
// reader of the messages on its stdout; the server stops with the test.
func stdioLines(t *testing.T, srv *server.MCPServer) (io.WriteCloser, func() (map[string]any, bool)) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(t.Context())
	listened := make(chan struct{})
	go func() {
		defer close(listened)
		server.NewStdioServer(srv).Listen(ctx, inR, outW)
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		outR.Close()
		<-listened
	})
	lines := bufio.NewScanner(outR)
	return inW, func() (map[string]any, bool) {
		if !lines.Scan() {
			return nil, false
		}
		var msg map[string]any
		return msg, json.Unmarshal(lines.Bytes(), &msg) == nil
	}
}

// stdioCall calls the tool over stdio and returns stdin and a reader of the
// messages that follow on stdout.
func stdioCall(t *testing.T, srv *server.MCPServer) (io.WriteCloser, func() (map[string]any, bool)) {
	stdin, next := stdioLines(t, srv)
	fmt.Fprintln(stdin, wiretest.Initialize)
	next()
	fmt.Fprintln(stdin, wiretest.Initialized)
	fmt.Fprintln(stdin, callTool)
	return stdin, next
}

// sseCall calls the tool over SSE and returns a reader of the messages that
// follow on the session's stream.
func sseCall(t *testing.T, srv *server.MCPServer) func() (map[string]any, bool) {
	ts := httptest.NewServer(server.NewSSEServer(srv))
	t.Cleanup(ts.Close) // after the stream closes: it waits for its handler
	stream, endpoint := wiretest.OpenSSESession(t, ts.URL)
	wiretest.PostSSE(t, endpoint, callTool)
	events := make(chan map[string]any, 10)
	go func() {
		defer close(events)
		wiretest.ReadEvents(t, stream, func(msg map[string]any) bool { events <- msg; return false })
	}()
	return func() (map[string]any, bool) { msg, ok := <-events; return msg, ok }
}

func TestAResultCanOvertakeANotificationAlreadyOffTheQueue(t *testing.T) {
	transports := map[string]func(*testing.T, *server.MCPServer) func() (map[string]any, bool){
		"stdio": func(t *testing.T, srv *server.MCPServer) func() (map[string]any, bool) {
			_, next := stdioCall(t, srv)
			return next
		},
		"SSE": sseCall,
	}
	for name, call := range transports {
		t.Run(name, func(t *testing.T) {
			held := newHeldValue()
			first := firstOf(call(t, serverWithTool(sendHeld(held))))
			close(held.release)
			if first != "result" {
				t.Fatalf("upstream fixed %s writing a result ahead of a notification already taken off the queue (got %q first): "+
					"remove the wait in mcpgo.AwaitProgress for %s (the writer goroutine came with mcp-go PR #73)", name, first, name)
			}
		})
	}
}

func TestStreamableHTTPDropsANotificationSentJustBeforeTheResult(t *testing.T) {
	t.Parallel()
	srv := serverWithTool(func(ctx context.Context, srv *server.MCPServer) {
		_ = srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{"progressToken": "t"})
	})
	ts := httptest.NewServer(server.NewStreamableHTTPServer(srv))
	t.Cleanup(ts.Close) // after the streams close: it waits for their handlers
	session := wiretest.OpenSession(t, ts.URL)
	// The race is lost a few times in a hundred calls; a thousand without a
	// loss means it is gone.
	for call := 1; call <= 1000; call++ {
		notified := false
		stream := bufio.NewReader(wiretest.Post(t, ts.URL, session, callTool).Body)
		wiretest.ReadEvents(t, stream, func(msg map[string]any) bool {
			notified = notified || msg["method"] == string(mcp.MethodNotificationProgress)
			return msg["id"] == float64(2)
		})
		if !notified {
			t.Logf("call %d lost its notification", call)
			return
		}
	}
	t.Fatal("upstream fixed Streamable HTTP dropping a notification its forwarder holds when the result is written " +
		"(mcp-go PR #969): drop the per-session caveat in mcpgo.Deliveries' comment and the session per call in transport's progress test")
}

// fullSession is a session whose notification queue is full.
type fullSession struct{ queue chan mcp.JSONRPCNotification }

func (s *fullSession) Initialize()       {}
func (s *fullSession) Initialized() bool { return true }
func (s *fullSession) SessionID() string { return "full" }
func (s *fullSession) NotificationChannel() chan<- mcp.JSONRPCNotification {
	return s.queue
}

func TestSendNotificationToClientDropsANotificationWhenTheQueueIsFull(t *testing.T) {
	t.Parallel()
	srv := server.NewMCPServer("upstream", "1")
	session := &fullSession{queue: make(chan mcp.JSONRPCNotification, 1)}
	session.queue <- mcp.JSONRPCNotification{}
	sent := make(chan error, 1)
	go func() {
		sent <- srv.SendNotificationToClient(srv.WithContext(t.Context(), session), "notifications/progress", map[string]any{})
	}()
	select {
	case err := <-sent:
		if !errors.Is(err, server.ErrNotificationChannelBlocked) {
			t.Fatalf("upstream fixed dropping a notification when the queue is full (got %v): remove the wait for room in mcpgo.Deliveries.send", err)
		}
	case <-time.After(fixedWait):
		t.Fatal("upstream fixed dropping a notification when the queue is full (the send now waits): remove the wait for room in mcpgo.Deliveries.send")
	}
}

func TestStreamableHTTPGetStreamTakesACallsNotifications(t *testing.T) {
	t.Parallel()
	const steps = 20
	srv := serverWithTool(func(ctx context.Context, srv *server.MCPServer) {
		for step := range steps {
			_ = srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), map[string]any{"progressToken": "t", "progress": step})
		}
	})
	ts := httptest.NewServer(server.NewStreamableHTTPServer(srv))
	t.Cleanup(ts.Close) // after the streams close: it waits for their handlers
	session := wiretest.OpenSession(t, ts.URL)
	listening := openGetStream(t, ts.URL, session)
	// Once the GET stream carries this, it is reading the session's queue.
	if err := srv.SendNotificationToSpecificClient(session, "notifications/message", map[string]any{"level": "info", "data": "hello"}); err != nil {
		t.Fatal(err)
	}
	wiretest.ReadEvents(t, listening, func(msg map[string]any) bool { return msg["method"] == "notifications/message" })

	onPost := 0
	stream := bufio.NewReader(wiretest.Post(t, ts.URL, session, callTool).Body)
	wiretest.ReadEvents(t, stream, func(msg map[string]any) bool {
		if msg["method"] == string(mcp.MethodNotificationProgress) {
			onPost++
		}
		return msg["id"] == float64(2)
	})
	t.Logf("%d of the call's %d notifications came on its POST stream", onPost, steps)
	if onPost == steps {
		t.Fatal("upstream fixed the standalone GET stream taking a call's notifications: remove transport.withoutListeningStream")
	}
}

func openGetStream(t *testing.T, endpoint, session string) *bufio.Reader {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, endpoint, nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set(server.HeaderKeySessionID, session)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET stream: %v, %v", resp, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return bufio.NewReader(resp.Body)
}

func TestStdioServerCancelsRequestsWhenItsInputEnds(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan bool, 1)
	srv := serverWithTool(func(ctx context.Context, _ *server.MCPServer) {
		close(started)
		select {
		case <-ctx.Done():
			cancelled <- true
		case <-time.After(fixedWait):
			cancelled <- false
		}
	})
	stdin, _ := stdioCall(t, srv)
	<-started
	stdin.Close()
	if !<-cancelled {
		t.Fatal("upstream fixed StdioServer cancelling the requests in flight when its input ends: " +
			"remove transport's inputGate (a reader that reports EOF will do) and stdio's request counting")
	}
}
