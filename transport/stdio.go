package transport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
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
// until then: it reads through a gate that holds back the end of input, and
// its context outlives ctx.
func serveStdio(ctx context.Context, srv *server.MCPServer, cfg Config) error {
	stdio := server.NewStdioServer(srv)
	stdio.SetErrorLogger(slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelError))
	inFlight := newInFlight()
	in := newInputGate(&frameLimiter{r: cfg.Stdin, max: MaxMessageBytes}, inFlight)
	defer in.close()
	out := &responseWatcher{w: cfg.Stdout, inFlight: inFlight}

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
	in.stop()
	cfg.Logger.Info("shutting down", "grace", cfg.ShutdownTimeout)
	grace := time.NewTimer(cfg.ShutdownTimeout)
	defer grace.Stop()
	select {
	case err := <-listened:
		return err
	case <-inFlight.idle():
	case <-grace.C:
		cfg.Logger.Warn("requests still running at the end of the grace period; cancelling them")
	}
	cancelRequests()
	in.close()
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

// inputGate passes stdin to the StdioServer a line at a time, noting each
// request it lets through, and holds back the end of input until close.
// After stop it lets nothing more through.
type inputGate struct {
	lines    chan []byte
	ended    chan struct{} // closed when the input has ended; see readErr
	err      error         // why it ended: io.EOF or a read error
	stopped  chan struct{}
	closed   chan struct{}
	stopOnce sync.Once
	doneOnce sync.Once
	inFlight *inFlight
	current  []byte // what is left of the line being read
}

func newInputGate(r io.Reader, inFlight *inFlight) *inputGate {
	g := &inputGate{lines: make(chan []byte), ended: make(chan struct{}),
		stopped: make(chan struct{}), closed: make(chan struct{}), inFlight: inFlight}
	go g.pump(bufio.NewReader(r))
	return g
}

// pump reads lines for as long as the gate is open. Its last read may block
// until stdin has more or ends; the process does not wait for it.
func (g *inputGate) pump(r *bufio.Reader) {
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			// A request counts as in flight from before the server can see it.
			// A final line without a newline is never served, so never counted.
			id, isRequest := "", false
			if line[len(line)-1] == '\n' {
				id, isRequest = requestID(line)
			}
			if isRequest {
				g.inFlight.add(id)
			}
			select {
			case <-g.stopped:
			default:
				select {
				case g.lines <- line:
					continue
				case <-g.stopped:
				}
			}
			if isRequest {
				g.inFlight.done(id)
			}
			return
		}
		if err != nil {
			g.err = err
			close(g.ended)
			return
		}
	}
}

// Read is called by one goroutine at a time, as bufio.Reader requires.
func (g *inputGate) Read(p []byte) (int, error) {
	for len(g.current) == 0 {
		lines := g.lines
		select {
		case <-g.stopped:
			lines = nil
		default:
		}
		select {
		case g.current = <-lines:
		case <-g.stopped:
			<-g.closed
			return 0, io.EOF
		case <-g.closed:
			return 0, io.EOF
		}
	}
	n := copy(p, g.current)
	g.current = g.current[n:]
	return n, nil
}

// stop lets no more lines through; those already through are served.
func (g *inputGate) stop() { g.stopOnce.Do(func() { close(g.stopped) }) }

// close ends the input as the server sees it.
func (g *inputGate) close() {
	g.stop()
	g.doneOnce.Do(func() { close(g.closed) })
}

// readErr is the error that ended the input, if it ended other than at EOF.
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

// responseWatcher writes to stdout and marks each request answered once its
// response is written.
type responseWatcher struct {
	mu       sync.Mutex // the library writes some messages without its own lock
	w        io.Writer
	partial  []byte // the start of a line not yet finished
	inFlight *inFlight
}

func (r *responseWatcher) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.w.Write(p)
	written := p // a response that failed to write is as done as one written: nothing will follow it
	for {
		i := bytes.IndexByte(written, '\n')
		if i < 0 {
			r.partial = append(r.partial, written...)
			return n, err
		}
		line := written[:i]
		if len(r.partial) > 0 {
			line = append(r.partial, line...)
			r.partial = nil
		}
		if id, ok := responseID(line); ok {
			r.inFlight.done(id)
		}
		written = written[i+1:]
	}
}

// inFlight counts the requests read but not yet answered, by JSON-RPC id.
type inFlight struct {
	mu     sync.Mutex
	ids    map[string]int
	noneCh chan struct{} // closed while ids is empty
}

func newInFlight() *inFlight {
	none := make(chan struct{})
	close(none)
	return &inFlight{ids: map[string]int{}, noneCh: none}
}

func (f *inFlight) add(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ids) == 0 {
		f.noneCh = make(chan struct{})
	}
	f.ids[id]++
}

func (f *inFlight) done(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids[id] == 0 {
		return // an answer to a request not counted, such as a parse error's
	}
	if f.ids[id]--; f.ids[id] == 0 {
		delete(f.ids, id)
	}
	if len(f.ids) == 0 {
		close(f.noneCh)
	}
}

// idle is closed once no request is in flight.
func (f *inFlight) idle() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.noneCh
}

// message is the part of a JSON-RPC message that tells requests, responses
// and notifications apart.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
}

// requestID is the id of a request the server will answer.
func requestID(line []byte) (string, bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method == "" || strings.HasPrefix(m.Method, "notifications/") {
		return "", false
	}
	return idKey(m.ID)
}

// responseID is the id a response answers.
func responseID(line []byte) (string, bool) {
	var m message
	if json.Unmarshal(line, &m) != nil || m.Method != "" {
		return "", false
	}
	return idKey(m.ID)
}

// idKey spells an id as the server echoes it: numbers lose their form (1.0
// comes back as 1).
func idKey(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false // nothing to answer
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return "s" + s, true
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return "n" + strconv.FormatFloat(f, 'g', -1, 64), true
	}
	return "", false
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
