package transport

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// legacyInitialize opens a session: protocol versions before 2026-07-28 have them.
var legacyInitialize = fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"flood","version":"1"}}}`,
	mcp.LATEST_LEGACY_PROTOCOL_VERSION)

func postMCP(t testing.TB, c *http.Client, url, session, body string) *http.Response {
	t.Helper()
	resp, err := post(c, url, session, body)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// post sends one JSON-RPC message to /mcp and reads the whole answer.
func post(c *http.Client, url, session, body string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/mcp", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if session != "" {
		req.Header.Set(server.HeaderKeySessionID, session)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, err
}

const callWaitIn3 = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"wait","arguments":{}}}`

// openSession initializes a session and returns its id.
func openSession(t testing.TB, c *http.Client, url string) string {
	t.Helper()
	resp := postMCP(t, c, url, "", legacyInitialize)
	id := resp.Header.Get(server.HeaderKeySessionID)
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, id)
	}
	return id
}

// pingStatus is the HTTP status of a ping in session.
func pingStatus(t testing.TB, url, session string) int {
	t.Helper()
	return postMCP(t, http.DefaultClient, url, session, `{"jsonrpc":"2.0","id":2,"method":"ping"}`).StatusCode
}

func TestSessionsBeyondTheCapEndTheLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	url, stop, _ := serveTestWith(t, slowServer(nil, nil), Config{Kind: StreamableHTTP, Logger: discard, MaxSessions: 3})
	defer stop()
	a, b, c := openSession(t, http.DefaultClient, url), openSession(t, http.DefaultClient, url), openSession(t, http.DefaultClient, url)
	if got := pingStatus(t, url, a); got != http.StatusOK { // a is now the most recently used
		t.Fatalf("ping in a live session: %d", got)
	}
	modern := `{"jsonrpc":"2.0","id":9,"method":"ping"}`
	req, _ := http.NewRequest(http.MethodPost, url+"/mcp", strings.NewReader(modern))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(mcp.HeaderProtocolVersion, mcp.LATEST_PROTOCOL_VERSION) // a version without sessions
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	d := openSession(t, http.DefaultClient, url)
	for session, want := range map[string]int{a: 200, b: 404, c: 200, d: 200} {
		if got := pingStatus(t, url, session); got != want {
			t.Errorf("ping in session %s: %d, want %d", session, got, want)
		}
	}
}

func TestAFloodOfSessionsLeavesRoomForANewClient(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}, 1), make(chan struct{})
	url, stop, _ := serveTestWith(t, slowServer(started, release), Config{Kind: StreamableHTTP, Logger: discard, MaxSessions: 10})
	defer stop()
	busy := openSession(t, http.DefaultClient, url)
	called := make(chan int, 1)
	go func() {
		resp, err := post(&http.Client{}, url, busy, callWaitIn3)
		if err != nil {
			called <- 0
			return
		}
		called <- resp.StatusCode
	}()
	waitFor(t, started, "the call to start")

	flood := &http.Client{}
	first, last := openSession(t, flood, url), ""
	for range 200 {
		last = openSession(t, flood, url)
	}
	if got := pingStatus(t, url, first); got != http.StatusNotFound {
		t.Errorf("ping in the oldest idle session of the flood: %d, want 404 (ended)", got)
	}
	if got := pingStatus(t, url, last); got != http.StatusOK {
		t.Errorf("ping in the newest session: %d", got)
	}
	c := connect(t, StreamableHTTP, url)
	if err := c.Ping(t.Context()); err != nil {
		t.Errorf("a new client after the flood: %v", err)
	}
	close(release)
	if got := waitFor(t, called, "the call"); got != http.StatusOK {
		t.Errorf("the call in flight during the flood: %d", got)
	}
	if got := pingStatus(t, url, busy); got != http.StatusOK {
		t.Errorf("the session that was busy during the flood was ended: ping %d", got)
	}
}

func TestANewSessionIsRefusedWhenEverySessionIsBusy(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}, 1), make(chan struct{})
	defer close(release)
	url, stop, _ := serveTestWith(t, slowServer(started, release), Config{Kind: StreamableHTTP, Logger: discard, MaxSessions: 1})
	defer stop()
	busy := openSession(t, http.DefaultClient, url)
	go post(&http.Client{}, url, busy, callWaitIn3)
	waitFor(t, started, "the call to start")

	resp := postMCP(t, http.DefaultClient, url, "", legacyInitialize)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("initialize with every session busy: %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestIdleSessionsExpire(t *testing.T) {
	t.Parallel()
	url, stop, _ := serveTestWith(t, slowServer(nil, nil), Config{Kind: StreamableHTTP, Logger: discard, SessionIdleTimeout: time.Millisecond})
	defer stop()
	session := openSession(t, http.DefaultClient, url)
	// The library sweeps once a second at the shortest.
	for deadline := time.Now().Add(5 * time.Second); pingStatus(t, url, session) != http.StatusNotFound; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("an idle session outlived its timeout by 5s")
		}
	}
}

// BenchmarkSessionFlood opens 10,000 initialize-only sessions, as a client
// needing no token on a loopback bind can, and reports the heap in use
// afterwards, with the default cap and with one too high to matter.
func BenchmarkSessionFlood(b *testing.B) {
	for _, max := range []int{DefaultMaxSessions, 20_000} {
		b.Run(fmt.Sprintf("max=%d", max), func(b *testing.B) {
			for range b.N {
				url, stop, served := serveTestWith(b, slowServer(nil, nil), Config{Kind: StreamableHTTP, Logger: discard, MaxSessions: max})
				flood := &http.Client{}
				for range 10_000 {
					openSession(b, flood, url)
				}
				var mem runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&mem)
				b.ReportMetric(float64(mem.HeapInuse)/(1<<20), "heap-MB")
				if got := pingStatus(b, url, openSession(b, http.DefaultClient, url)); got != http.StatusOK {
					b.Fatalf("a new client after the flood: ping %d", got)
				}
				flood.CloseIdleConnections()
				stop()
				<-served
			}
		})
	}
}
