package transport

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"go.uber.org/goleak"
)

// slowServer has one tool, wait, that returns "done" when release is closed,
// or fails when its context ends first.
func slowServer(started chan<- struct{}, release <-chan struct{}) *server.MCPServer {
	srv := server.NewMCPServer("test", "1", server.WithToolCapabilities(false))
	srv.AddTool(mcp.NewTool("wait"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		started <- struct{}{}
		select {
		case <-release:
			return mcp.NewToolResultText("done"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	return srv
}

// serveTest serves srv on a free loopback port until the returned cancel is
// called; served reports what Serve returned.
func serveTest(t *testing.T, kind Kind, srv *server.MCPServer, grace time.Duration) (url string, cancel context.CancelFunc, served <-chan error) {
	t.Helper()
	return serveTestWith(t, srv, Config{Kind: kind, Logger: discard, ShutdownTimeout: grace})
}

func serveTestWith(t testing.TB, srv *server.MCPServer, cfg Config) (url string, cancel context.CancelFunc, served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- serveListener(ctx, ln, true, srv, cfg)
	}()
	return "http://" + ln.Addr().String(), cancel, done
}

func connect(t *testing.T, kind Kind, url string) *client.Client {
	t.Helper()
	var c *client.Client
	var err error
	if kind == SSE {
		c, err = client.NewSSEMCPClient(url+"/sse", mcptransport.WithSSELogger(discard))
	} else {
		c, err = client.NewStreamableHttpClient(url+"/mcp", mcptransport.WithContinuousListening(), mcptransport.WithHTTPLogger(discard))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(t.Context(), init); err != nil {
		t.Fatal(err)
	}
	return c
}

func callWait(ctx context.Context, c *client.Client) <-chan error {
	result := make(chan error, 1)
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name = "wait"
		_, err := c.CallTool(ctx, req)
		result <- err
	}()
	return result
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// waitUntilRefused waits until the server stops accepting connections, the
// first step of a graceful shutdown.
func waitUntilRefused(t *testing.T, url string) {
	t.Helper()
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		resp, err := probe.Get(url + "/healthz")
		if err != nil {
			return
		}
		resp.Body.Close()
	}
	t.Fatal("the server still accepts connections")
}

func TestShutdownLetsAnInFlightCallFinish(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	started, release := make(chan struct{}, 1), make(chan struct{})
	url, stop, served := serveTest(t, StreamableHTTP, slowServer(started, release), 5*time.Second)
	c := connect(t, StreamableHTTP, url)

	called := callWait(t.Context(), c)
	waitFor(t, started, "the call to start")
	stop()
	waitUntilRefused(t, url)
	close(release)
	if err := waitFor(t, called, "the call"); err != nil {
		t.Fatalf("the in-flight call failed: %v", err)
	}
	if err := waitFor(t, served, "Serve to return"); err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestShutdownCancelsCallsAtTheEndOfTheGracePeriod(t *testing.T) {
	t.Parallel()
	started := make(chan struct{}, 1)
	url, stop, served := serveTest(t, StreamableHTTP, slowServer(started, nil), 200*time.Millisecond)
	c := connect(t, StreamableHTTP, url)

	called := callWait(t.Context(), c)
	waitFor(t, started, "the call to start")
	begin := time.Now()
	stop()
	if err := waitFor(t, served, "Serve to return"); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(begin); elapsed > 2*time.Second {
		t.Errorf("shutdown took %v with a 200ms grace period", elapsed)
	}
	if err := waitFor(t, called, "the call"); err == nil {
		t.Error("a call cut off by shutdown reported success")
	}
}

func TestShutdownEndsOpenStreams(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{SSE, StreamableHTTP} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			url, stop, served := serveTest(t, kind, slowServer(nil, nil), 5*time.Second)
			c := connect(t, kind, url) // SSE holds its event stream open
			if err := c.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
			begin := time.Now()
			stop()
			if err := waitFor(t, served, "Serve to return"); err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(begin); elapsed > time.Second {
				t.Errorf("shutdown waited %v for an idle client", elapsed)
			}
		})
	}
}

func TestServeRefusesAPublicAddressWithoutAToken(t *testing.T) {
	t.Parallel()
	err := Serve(t.Context(), slowServer(nil, nil), Config{Kind: StreamableHTTP, Addr: "0.0.0.0:0"})
	if err == nil {
		t.Fatal("Serve listened on every interface without a token")
	}
}

func TestStreamableHTTPOffersNoStandaloneGETStream(t *testing.T) {
	t.Parallel()
	url, cancel, _ := serveTest(t, StreamableHTTP, slowServer(nil, nil), time.Second)
	defer cancel()
	c := connect(t, StreamableHTTP, url) // a real client still works without it
	defer c.Close()
	req, _ := http.NewRequest(http.MethodGet, url+"/mcp", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST, DELETE" {
		t.Fatalf("GET /mcp = %d, Allow %q; want 405, POST, DELETE", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestShutdownDoesNotWaitForAConnectionThatSentNothing(t *testing.T) {
	t.Parallel()
	url, cancel, served := serveTest(t, StreamableHTTP, slowServer(nil, nil), 10*time.Second)
	idle, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	time.Sleep(50 * time.Millisecond) // let the server accept it
	start := time.Now()
	cancel()
	waitFor(t, served, "shutdown")
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("shutdown took %v with an idle new connection open", elapsed)
	}
}

func TestTheAddressIsLoggedAsGiven(t *testing.T) {
	t.Parallel()
	wildcard := &net.TCPAddr{IP: net.IPv6zero, Port: 43210}
	for given, want := range map[string]string{
		"0.0.0.0:0":      "0.0.0.0:43210",
		"0.0.0.0:43210":  "0.0.0.0:43210",
		"localhost:8080": "localhost:43210",
		"[::1]:0":        "[::1]:43210",
		"":               "[::]:43210",
	} {
		if got := displayAddr(given, wildcard); got != want {
			t.Errorf("displayAddr(%q) = %q, want %q", given, got, want)
		}
	}
}
