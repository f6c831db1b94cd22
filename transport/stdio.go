package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
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
// never passes on the end of stdin (see inputGate).
func serveStdio(ctx context.Context, srv *server.MCPServer, cfg Config) error {
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelError))
	deliveries := mcpgo.NewDeliveries()
	stdio.SetContextFunc(func(ctx context.Context) context.Context { return deliveries.Bind(ctx, stdioStream) })
	reqs := newRequests()
	calls := newCallControl(srv)
	in := newInputGate(&frameLimiter{r: cfg.Stdin, max: MaxMessageBytes}, reqs)
	defer close(in.released)
	out := &responseWatcher{w: cfg.Stdout, requests: reqs, deliveries: deliveries}

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

// stdioStream names stdout to Deliveries: stdio has one stream.
const stdioStream = "stdout"

// responseWatcher writes to stdout and tells requests of each response, and
// deliveries of each message.
type responseWatcher struct {
	mu         sync.Mutex // the library writes some messages without its own lock
	w          io.Writer
	requests   *requests
	deliveries *mcpgo.Deliveries
	lines      lineSplitter
}

func (r *responseWatcher) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.w.Write(p)
	// A response that failed to write counts as answered: nothing will follow it.
	r.lines.split(p, r.written)
	return n, err
}

func (r *responseWatcher) written(line []byte) {
	if id, ok := responseID(line); ok {
		r.requests.answer(id)
	}
	r.deliveries.Wrote(stdioStream, line)
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
