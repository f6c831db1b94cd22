package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

// cancelWait bounds how long shutdown waits, once the grace period is over
// and the remaining requests are cancelled, for them to end.
const cancelWait = time.Second

// serveStdio speaks newline-delimited JSON-RPC on cfg.Stdin and cfg.Stdout.
// Nothing else is ever written to cfg.Stdout.
//
// When ctx ends or stdin does, it reads no more requests and gives those in
// flight cfg.ShutdownTimeout to finish and write their responses before
// cancelling them, as the HTTP transports do. mcp-go's StdioServer cancels
// every request as soon as its context or its input ends, so it sees neither
// until then: its context outlives ctx, and it reads through a gate that
// never passes on the end of stdin.
func serveStdio(ctx context.Context, srv *server.MCPServer, cfg Config) error {
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelError))
	reqs := newRequests()
	calls := newCallControl(srv)
	in := &inputGate{r: bufio.NewReader(&frameLimiter{r: cfg.Stdin, max: MaxMessageBytes}),
		requests: reqs, ended: make(chan struct{}), released: make(chan struct{})}
	defer close(in.released)
	out := &responseWatcher{w: cfg.Stdout, requests: reqs}

	requestsCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	listened := make(chan error, 1)
	go func() { listened <- stdio.Listen(requestsCtx, in, out) }()
	cfg.Logger.Info("serving MCP on stdio")

	select {
	case err := <-listened: // writing to stdout failed
		return err
	case <-ctx.Done():
	case <-in.ended:
	}
	answered := reqs.stop()
	calls.drain()
	cfg.Logger.Info("shutting down", "grace", cfg.ShutdownTimeout)
	select {
	case err := <-listened:
		return err
	case <-answered:
	case <-time.After(cfg.ShutdownTimeout):
		cfg.Logger.Warn("requests still running at the end of the grace period; cancelling them")
	}
	cancelRequests()
	select {
	case err := <-listened:
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	case <-time.After(cancelWait):
		cfg.Logger.Warn("cancelled requests did not end; exiting without them")
	}
	return in.readErr()
}

// inputGate passes stdin to the StdioServer a line at a time, admitting each
// through requests. Once stdin ends, or a line is refused because shutdown
// has begun, it blocks until released rather than report the end: the
// server would cancel the requests in flight. Read runs on the server's
// reading goroutine, one call at a time; it may be left blocked on stdin,
// as Listen returns once its context ends without waiting for its read.
type inputGate struct {
	r        *bufio.Reader
	requests *requests
	line     []byte        // what the server has yet to read of the current line
	ended    chan struct{} // closed once stdin has ended
	err      error         // why stdin ended; set before ended is closed
	released chan struct{} // closed when serveStdio returns
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

// responseWatcher writes to stdout and tells requests of each response.
type responseWatcher struct {
	mu       sync.Mutex // the library writes some messages without its own lock
	w        io.Writer
	requests *requests
	lines    lineSplitter
}

func (r *responseWatcher) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.w.Write(p)
	// A response that failed to write counts as answered: nothing will follow it.
	r.lines.split(p, r.answered)
	return n, err
}

func (r *responseWatcher) answered(line []byte) {
	if id, ok := responseID(line); ok {
		r.requests.answer(id)
	}
}

// lineSplitter cuts a written stream into lines.
type lineSplitter struct {
	partial []byte // written but not yet a whole line
}

// split calls each for every line p completes, without its newline.
func (l *lineSplitter) split(p []byte, each func([]byte)) {
	if len(l.partial) > 0 {
		p = append(l.partial, p...)
	}
	for {
		line, rest, whole := bytes.Cut(p, []byte{'\n'})
		if !whole {
			l.partial = bytes.Clone(line) // p is the caller's to reuse
			return
		}
		each(line)
		p = rest
	}
}

// requests counts, by JSON-RPC id, the requests let through to the server
// and not yet answered.
type requests struct {
	mu       sync.Mutex
	open     map[string]int
	stopped  bool
	answered chan struct{} // made by stop; closed once open is empty
}

func newRequests() *requests {
	return &requests{open: map[string]int{}}
}

// admit reports whether a line may go to the server, counting it if it is
// a request. It counts before the server can see the line, so that no
// response can come first.
func (r *requests) admit(line []byte) bool {
	id, isRequest := requestID(line)
	return r.enter(id, isRequest)
}

// enter reports whether a message may go to the server, counting it under
// key if it will be answered.
func (r *requests) enter(key string, answered bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return false
	}
	if answered {
		r.open[key]++
	}
	return true
}

// stop, called once, admits nothing more. The channel it returns is closed
// once every request admitted has been answered.
func (r *requests) stop() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.answered = make(chan struct{})
	if len(r.open) == 0 {
		close(r.answered)
	}
	return r.answered
}

func (r *requests) answer(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open[id] == 0 {
		return // an answer to a request not counted, such as a parse error's
	}
	if r.open[id]--; r.open[id] == 0 {
		delete(r.open, id)
		r.closeIfAnswered()
	}
}

// forget stops waiting for the requests whose keys start with prefix: they
// can no longer be answered.
func (r *requests) forget(prefix string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for key := range r.open {
		if strings.HasPrefix(key, prefix) {
			delete(r.open, key)
		}
	}
	r.closeIfAnswered()
}

func (r *requests) closeIfAnswered() {
	if len(r.open) == 0 && r.stopped {
		select {
		case <-r.answered:
		default:
			close(r.answered)
		}
	}
}

// requestID is the id of a request the server will answer.
func requestID(line []byte) (string, bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method == "" || strings.HasPrefix(m.Method, "notifications/") {
		return "", false
	}
	return m.idKey()
}

// responseID is the id a response answers.
func responseID(line []byte) (string, bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method != "" {
		return "", false
	}
	return m.idKey()
}

// message is the part of a JSON-RPC message that tells requests, responses
// and notifications apart.
type message struct {
	ID     any    `json:"id"`
	Method string `json:"method"`
}

// idKey spells the id as the server echoes it, so that a request and its
// response match: decoding and re-encoding turns 7.0 into 7 and "x\u0079"
// into "xy".
func (m message) idKey() (string, bool) {
	switch m.ID.(type) {
	case string, float64:
		key, err := json.Marshal(m.ID)
		return string(key), err == nil
	}
	return "", false // no id, so no answer
}

// frameLimiter cuts every line longer than max down to its first max bytes,
// so a giant frame costs bounded memory and earns a parse error, where the
// whole line would otherwise be buffered before it could be rejected.
type frameLimiter struct {
	r       io.Reader
	max     int
	lineLen int // bytes of the current line let through
}

func (f *frameLimiter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		kept := f.trim(p[:n])
		if kept > 0 || err != nil || n == 0 {
			return kept, err
		}
	}
}

// trim drops, in place, the bytes of p past the line limit and returns how many remain.
func (f *frameLimiter) trim(p []byte) int {
	kept := 0
	for _, b := range p {
		switch {
		case b == '\n':
			f.lineLen = 0
		case f.lineLen >= f.max:
			continue
		default:
			f.lineLen++
		}
		p[kept] = b
		kept++
	}
	return kept
}
