package transport

// The workarounds for mcp-go v1.2.1 that only the transport needs. Each
// names the upstream behaviour it works around; internal/mcpgo/upstream_test.go
// holds, for each, a test of the library's own behaviour that fails once
// upstream changes it, so that the workaround can go.

import (
	"bufio"
	"errors"
	"io"
	"net/http"
)

// inputGate passes stdin to the StdioServer a line at a time, admitting each
// through requests. Once stdin ends, or a line is refused because shutdown
// has begun, it blocks until released rather than report the end: the
// server would cancel the requests in flight. Read runs on the server's
// reading goroutine, one call at a time; it may be left blocked on stdin,
// as Listen returns once its context ends without waiting for its read.
//
// Workaround: mcp-go's StdioServer.Listen cancels every request as soon as
// its input ends (the cancellation asked for in the review of
// https://github.com/mark3labs/mcp-go/pull/977), so a client that closes
// stdin after its last request, or a SIGTERM, would lose the answers in
// flight. The gate needs to know when every request is answered, which is
// why stdio counts requests by id (responseWatcher, requests). With the
// cancellation gone, a reader that reports EOF would do, as Listen already
// waits for its requests, and the end of the grace period would cancel
// Listen's context. internal/mcpgo's
// TestStdioServerCancelsRequestsWhenItsInputEnds fails once upstream stops
// cancelling.
type inputGate struct {
	r        *bufio.Reader
	requests *requests
	line     []byte        // what the server has yet to read of the current line
	ended    chan struct{} // closed once stdin has ended
	err      error         // why stdin ended; set before ended is closed
	released chan struct{} // closed when serveStdio returns
}

func newInputGate(stdin io.Reader, reqs *requests) *inputGate {
	return &inputGate{r: bufio.NewReader(stdin), requests: reqs, ended: make(chan struct{}), released: make(chan struct{})}
}

func (g *inputGate) Read(p []byte) (int, error) {
	if len(g.line) == 0 {
		line, err := g.r.ReadBytes('\n')
		if err != nil && g.err == nil {
			g.err = err
			close(g.ended)
		}
		// An unfinished last line is dropped: the server would never serve it.
		if err != nil || !g.requests.admit(line) {
			<-g.released
			return 0, io.EOF
		}
		g.line = line
	}
	n := copy(p, g.line)
	g.line = g.line[n:]
	return n, nil
}

// readErr is the error that ended stdin, if it ended other than at EOF.
func (g *inputGate) readErr() error {
	select {
	case <-g.ended:
		if !errors.Is(g.err, io.EOF) {
			return g.err
		}
	default:
	}
	return nil
}

// withoutListeningStream answers the optional standalone GET stream with 405,
// as the Streamable HTTP spec allows.
//
// Workaround: mcp-go v1.2.1 lets that stream and each POST's stream read the
// same session notification queue (handleGet and handlePost both receive
// from it), so a call's progress notifications are split between the two
// streams and reordered; without it they all arrive, in order, on the
// stream of the call they belong to. We send no unsolicited notifications.
// No upstream issue for it was found; the spec says messages on the GET
// stream SHOULD be unrelated to any running request. internal/mcpgo's
// TestStreamableHTTPGetStreamTakesACallsNotifications fails once upstream
// keeps a call's notifications on its POST stream.
func withoutListeningStream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("Allow", "POST, DELETE")
			http.Error(w, "this server offers no standalone GET stream: read responses and notifications on each POST's stream", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}
