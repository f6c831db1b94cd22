package transport

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"go.uber.org/goleak"
)

func TestFrameLimiterCutsLongLines(t *testing.T) {
	t.Parallel()
	in := "short\n" + strings.Repeat("x", 25) + "\n" + "0123456789\n" + "tail"
	want := "short\n" + strings.Repeat("x", 10) + "\n" + "0123456789\n" + "tail"
	readers := map[string]func(io.Reader) io.Reader{
		"whole":       func(r io.Reader) io.Reader { return r },
		"byte a time": iotest.OneByteReader,
		"half":        iotest.HalfReader,
	}
	for name, wrap := range readers {
		got, err := io.ReadAll(&frameLimiter{r: wrap(strings.NewReader(in)), max: 10})
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
}

// The stdio tests do not run in parallel: mcp-go keeps one stdio session per process.

// stdioHarness serves an MCP server on pipes, as a client process would see it.
type stdioHarness struct {
	stdin        *io.PipeWriter
	responses    chan map[string]any
	served       chan error
	cancel       context.CancelFunc
	shuttingDown chan struct{} // closed when shutdown begins
}

func serveStdioTest(t *testing.T, srv *server.MCPServer, grace time.Duration) *stdioHarness {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	h := &stdioHarness{stdin: inW, responses: make(chan map[string]any, 10), served: make(chan error, 1),
		cancel: cancel, shuttingDown: make(chan struct{})}
	logger := slog.New(&onMessage{message: "shutting down", seen: h.shuttingDown})
	go func() {
		h.served <- Serve(ctx, srv, Config{Kind: Stdio, Logger: logger, Stdin: inR, Stdout: outW, ShutdownTimeout: grace})
		outW.Close()
	}()
	go func() {
		defer close(h.responses)
		lines := bufio.NewScanner(outR)
		for lines.Scan() {
			var msg map[string]any
			if err := json.Unmarshal(lines.Bytes(), &msg); err != nil {
				t.Errorf("stdout carries a line that is not JSON: %q", lines.Text())
				continue
			}
			h.responses <- msg
		}
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
	})
	return h
}

func (h *stdioHarness) send(t *testing.T, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if _, err := io.WriteString(h.stdin, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// response waits for the next message on stdout and checks it answers id.
func (h *stdioHarness) response(t *testing.T, id float64) map[string]any {
	t.Helper()
	msg := waitFor(t, h.responses, fmt.Sprintf("the response to request %v", id))
	if msg["id"] != id {
		t.Fatalf("got %v, want the response to request %v", msg, id)
	}
	return msg
}

// onMessage is a slog handler that closes seen when message is logged.
type onMessage struct {
	message string
	seen    chan struct{}
	once    sync.Once
}

func (h *onMessage) Enabled(context.Context, slog.Level) bool { return true }
func (h *onMessage) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *onMessage) WithGroup(string) slog.Handler            { return h }
func (h *onMessage) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.message {
		h.once.Do(func() { close(h.seen) })
	}
	return nil
}

var (
	initialize = fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"test","version":"1"}}}`,
		mcp.LATEST_PROTOCOL_VERSION)
	initialized = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
	callWaitAs2 = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"wait","arguments":{}}}`
)

func TestStdioShutdownLetsAnInFlightCallFinish(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	started, release := make(chan struct{}, 1), make(chan struct{})
	h := serveStdioTest(t, slowServer(started, release), 5*time.Second)
	h.send(t, initialize, initialized, callWaitAs2)
	h.response(t, 1)
	waitFor(t, started, "the call to start")

	h.cancel()
	waitFor(t, h.shuttingDown, "shutdown to begin")
	go io.WriteString(h.stdin, `{"jsonrpc":"2.0","id":3,"method":"ping"}`+"\n") // too late to be served
	time.Sleep(20 * time.Millisecond)
	close(release)

	res := h.response(t, 2)
	if result, _ := res["result"].(map[string]any); result == nil || !strings.Contains(fmt.Sprint(result["content"]), "done") {
		t.Fatalf("the in-flight call got %v, want its result", res)
	}
	if err := waitFor(t, h.served, "Serve to return"); err != nil {
		t.Fatal(err)
	}
	for msg := range h.responses {
		t.Errorf("a request that came after shutdown began was answered: %v", msg)
	}
	h.stdin.Close()
}

func TestStdioShutdownCancelsCallsAtTheEndOfTheGracePeriod(t *testing.T) {
	started := make(chan struct{}, 1)
	h := serveStdioTest(t, slowServer(started, nil), 200*time.Millisecond)
	h.send(t, initialize, initialized, callWaitAs2)
	h.response(t, 1)
	waitFor(t, started, "the call to start")

	begin := time.Now()
	h.cancel()
	if err := waitFor(t, h.served, "Serve to return"); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(begin); elapsed < 200*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("shutdown took %v with a 200ms grace period", elapsed)
	}
	if res := h.response(t, 2); res["error"] == nil {
		t.Errorf("a call cut off by shutdown got %v, want an error", res)
	}
}

func TestStdioEndOfInputLetsAnInFlightCallFinish(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	h := serveStdioTest(t, slowServer(started, release), 5*time.Second)
	h.send(t, initialize, initialized, callWaitAs2)
	h.stdin.Close() // a client may close stdin as soon as it has sent its requests
	h.response(t, 1)
	waitFor(t, started, "the call to start")

	select {
	case err := <-h.served:
		t.Fatalf("Serve returned %v with a call in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if res := h.response(t, 2); res["result"] == nil {
		t.Fatalf("the in-flight call got %v, want its result", res)
	}
	if err := waitFor(t, h.served, "Serve to return"); err != nil {
		t.Fatal(err)
	}
}

func TestStdioShutdownIsImmediateWithNothingInFlight(t *testing.T) {
	h := serveStdioTest(t, slowServer(nil, nil), 10*time.Second)
	h.send(t, initialize, initialized)
	h.response(t, 1)

	begin := time.Now()
	h.cancel()
	if err := waitFor(t, h.served, "Serve to return"); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(begin); elapsed > 500*time.Millisecond {
		t.Errorf("an idle shutdown took %v", elapsed)
	}
}

func TestRequestAndResponseIDsMatchAsTheServerEchoesThem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		request, response string
	}{
		{`{"jsonrpc":"2.0","id":7,"method":"ping"}`, `{"jsonrpc":"2.0","id":7,"result":{}}`},
		{`{"jsonrpc":"2.0","id":7.0,"method":"ping"}`, `{"jsonrpc":"2.0","id":7,"result":{}}`},
		{`{"jsonrpc":"2.0","id":"a7","method":"ping"}`, `{"jsonrpc":"2.0","id":"a7","error":{"code":-1}}`},
		{`{"method":"tools/call","id":"x\u0079"}`, `{"id":"xy","result":{}}`},
	} {
		req, isRequest := requestID([]byte(tc.request))
		resp, isResponse := responseID([]byte(tc.response))
		if !isRequest || !isResponse || req != resp {
			t.Errorf("%s → %q %t; %s → %q %t", tc.request, req, isRequest, tc.response, resp, isResponse)
		}
	}
	for _, line := range []string{
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":null,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":1,"result":{}}`,
		`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`,
		`not json`,
	} {
		if id, ok := requestID([]byte(line)); ok {
			t.Errorf("%s counts as request %q, which the server will not answer", line, id)
		}
	}
}

func TestResponseWatcherMatchesResponsesSplitAcrossWrites(t *testing.T) {
	t.Parallel()
	reqs := newRequests()
	for _, line := range []string{`{"id":1,"method":"ping"}`, `{"id":"a","method":"ping"}`} {
		if !reqs.admit([]byte(line + "\n")) {
			t.Fatalf("%s refused before shutdown", line)
		}
	}
	answered := reqs.stop()
	if reqs.admit([]byte(`{"id":2,"method":"ping"}` + "\n")) {
		t.Error("a request was admitted after stop")
	}
	var stdout strings.Builder
	w := &responseWatcher{w: &stdout, requests: reqs}
	for _, chunk := range []string{`{"id":null,"error":{}}` + "\n" + `{"id":1,"res`, `ult":{}}` + "\n" + `{"id":"a",`} {
		io.WriteString(w, chunk)
	}
	select {
	case <-answered:
		t.Fatal("all answered before the last response was whole")
	default:
	}
	io.WriteString(w, `"result":{}}`+"\n")
	waitFor(t, answered, "every request to be answered")
	if want := `{"id":null,"error":{}}` + "\n" + `{"id":1,"result":{}}` + "\n" + `{"id":"a","result":{}}` + "\n"; stdout.String() != want {
		t.Errorf("stdout got %q, want %q", stdout.String(), want)
	}
}

func TestInputGateHoldsBackTheEndOfInput(t *testing.T) {
	t.Parallel()
	newGate := func(input string) *inputGate {
		return &inputGate{r: bufio.NewReader(strings.NewReader(input)), requests: newRequests(),
			ended: make(chan struct{}), released: make(chan struct{})}
	}
	readAll := func(g *inputGate) chan string {
		got := make(chan string, 1)
		go func() {
			data, err := io.ReadAll(g)
			got <- fmt.Sprint(string(data), err)
		}()
		return got
	}

	g := newGate(`{"id":1,"method":"ping"}` + "\nunfinished")
	got := readAll(g)
	waitFor(t, g.ended, "the end of input")
	select {
	case s := <-got:
		t.Fatalf("the end of input reached the reader (%q) before release", s)
	case <-time.After(20 * time.Millisecond):
	}
	close(g.released)
	if s, want := waitFor(t, got, "the read"), `{"id":1,"method":"ping"}`+"\n<nil>"; s != want {
		t.Errorf("read %q, want %q", s, want)
	}
	if err := g.readErr(); err != nil {
		t.Errorf("readErr after EOF = %v", err)
	}
	if g.requests.open[`1`] != 1 {
		t.Errorf("open requests %v, want request 1", g.requests.open)
	}

	g = newGate(`{"id":1,"method":"ping"}` + "\n")
	g.requests.stop()
	got = readAll(g)
	close(g.released)
	if s := waitFor(t, got, "the read"); s != "<nil>" {
		t.Errorf("after stop the server read %q", s)
	}
}
