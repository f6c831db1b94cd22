package mcpgo

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// queuedSession is a session whose queue the test reads in the transport's place.
type queuedSession struct{ fullSession }

func newQueuedSession(size int) *queuedSession {
	return &queuedSession{fullSession{queue: make(chan mcp.JSONRPCNotification, size)}}
}

// boundCall is a tool call's context, bound to stream "out" of d, in session.
func boundCall(t *testing.T, d *Deliveries, session server.ClientSession) (context.Context, *server.MCPServer) {
	srv := server.NewMCPServer("test", "1")
	return d.Bind(srv.WithContext(t.Context(), session), "out"), srv
}

// write takes the next notification off the queue and reports it written on stream.
func write(t *testing.T, d *Deliveries, session *queuedSession, stream string) {
	t.Helper()
	select {
	case n := <-session.queue:
		line, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		d.Wrote(stream, line)
	case <-time.After(5 * time.Second):
		t.Fatal("nothing was queued")
	}
}

func returned(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func awaitInBackground(ctx context.Context, token mcp.ProgressToken) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		AwaitProgress(ctx, token)
	}()
	return done
}

func waitClosed(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestAwaitProgressReturnsOnceEveryNotificationIsWritten(t *testing.T) {
	t.Parallel()
	d, session := NewDeliveries(), newQueuedSession(10)
	ctx, srv := boundCall(t, d, session)
	for step := 1; step <= 2; step++ {
		if err := SendProgress(ctx, srv, "call-1", map[string]any{"progress": step}); err != nil {
			t.Fatal(err)
		}
	}
	done := awaitInBackground(ctx, "call-1")
	write(t, d, session, "out")
	d.Wrote("other", []byte(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"call-1"}}`))
	d.Wrote("out", []byte(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"call-2"}}`))
	d.Wrote("out", []byte(`{"jsonrpc":"2.0","id":"call-1","result":{}}`))
	if left := d.pending[delivery{"out", `"call-1"`}]; left != 1 || returned(done) {
		t.Fatalf("with 1 of 2 notifications written, %d counted as pending, AwaitProgress returned: %v", left, returned(done))
	}
	write(t, d, session, "out")
	waitClosed(t, done, "AwaitProgress to return")
	if len(d.pending) != 0 {
		t.Errorf("deliveries still count %v", d.pending)
	}
}

func TestSendProgressWaitsForRoomInAFullQueue(t *testing.T) {
	t.Parallel()
	d, session := NewDeliveries(), newQueuedSession(1)
	ctx, srv := boundCall(t, d, session)
	session.queue <- mcp.JSONRPCNotification{Notification: mcp.Notification{Method: "notifications/message"}}
	sent := make(chan error, 1)
	go func() { sent <- SendProgress(ctx, srv, 7, map[string]any{"progress": 1}) }()
	write(t, d, session, "out") // makes room
	if err := <-sent; err != nil {
		t.Fatalf("SendProgress = %v, want it to wait for room", err)
	}
	n := <-session.queue
	if n.Method != string(mcp.MethodNotificationProgress) || n.Params.AdditionalFields["progressToken"] != 7 {
		t.Fatalf("queued %+v, want the progress notification", n)
	}
}

func TestAProgressTokenMatchesAsTheWireSpellsIt(t *testing.T) {
	t.Parallel()
	for _, token := range []mcp.ProgressToken{7, float64(7), int64(7), "7"} {
		d, session := NewDeliveries(), newQueuedSession(1)
		ctx, srv := boundCall(t, d, session)
		if err := SendProgress(ctx, srv, token, map[string]any{}); err != nil {
			t.Fatal(err)
		}
		write(t, d, session, "out")
		if len(d.pending) != 0 {
			t.Errorf("a token spelled as %T: its written notification was not matched: %v", token, d.pending)
		}
	}
}

func TestAwaitProgressEndsWithTheCall(t *testing.T) {
	t.Parallel()
	d, session := NewDeliveries(), newQueuedSession(1)
	ctx, srv := boundCall(t, d, session)
	if err := SendProgress(ctx, srv, "lost", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := awaitInBackground(ctx, "lost")
	cancel()
	waitClosed(t, done, "AwaitProgress to return once the call's context ended")
	if len(d.pending) != 0 {
		t.Errorf("deliveries still count %v after the call ended", d.pending)
	}
}

func TestUnboundCallsOnlySend(t *testing.T) {
	t.Parallel()
	session := newQueuedSession(1)
	srv := server.NewMCPServer("test", "1")
	ctx := srv.WithContext(t.Context(), session)
	if err := SendProgress(ctx, srv, "t", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	AwaitProgress(ctx, "t") // nothing to wait on: returns at once
	if len(session.queue) != 1 {
		t.Fatal("the notification was not queued")
	}
}

// BenchmarkWrote is what a transport pays per message it writes: a response
// costs a scan for "notifications/", a progress notification a parse.
func BenchmarkWrote(b *testing.B) {
	messages := map[string][]byte{
		"response": []byte(`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"Of 25 customers: 25 updated"}]}}`),
		"progress": []byte(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":7,"progress":10,"total":25,"message":"10 of 25 customers done"}}`),
	}
	for name, message := range messages {
		b.Run(name, func(b *testing.B) {
			d := NewDeliveries()
			for b.Loop() {
				d.Wrote("out", message)
			}
		})
	}
}
