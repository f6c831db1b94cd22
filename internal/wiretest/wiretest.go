// Package wiretest reads MCP's HTTP transports as raw bytes, for tests that
// check what is written on the wire and in which order, which a client
// library would hide.
package wiretest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Initialize, request 1, opens a session of a protocol version that has them.
var Initialize = fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":%q,"capabilities":{},"clientInfo":{"name":"wiretest","version":"1"}}}`,
	mcp.LATEST_LEGACY_PROTOCOL_VERSION)

// Initialized is the notification that lets the server send notifications.
const Initialized = `{"jsonrpc":"2.0","method":"notifications/initialized"}`

// Post posts one JSON-RPC message to a Streamable HTTP endpoint, in session
// unless it is empty, and returns the response, its body to be read as it streams.
func Post(t testing.TB, endpoint, session, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if session != "" {
		req.Header.Set(server.HeaderKeySessionID, session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// OpenSession initializes a Streamable HTTP session and returns its id.
func OpenSession(t testing.TB, endpoint string) string {
	t.Helper()
	resp := Post(t, endpoint, "", Initialize)
	io.Copy(io.Discard, resp.Body)
	session := resp.Header.Get(server.HeaderKeySessionID)
	if resp.StatusCode != http.StatusOK || session == "" {
		t.Fatalf("initialize: %d, session %q", resp.StatusCode, session)
	}
	io.Copy(io.Discard, Post(t, endpoint, session, Initialized).Body)
	return session
}

// OpenSSE opens an SSE session at base+"/sse" and returns its stream and the
// URL to post its messages to.
func OpenSSE(t testing.TB, base string) (*bufio.Reader, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/sse", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	stream := bufio.NewReader(resp.Body)
	for {
		line, err := stream.ReadString('\n')
		if err != nil {
			t.Fatalf("the SSE stream ended before naming its endpoint: %v", err)
		}
		if endpoint, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok {
			return stream, base + endpoint
		}
	}
}

// PostSSE posts one JSON-RPC message to an SSE session's endpoint.
func PostSSE(t testing.TB, endpoint, body string) {
	t.Helper()
	resp, err := http.Post(endpoint, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST %s: %d, want 202", endpoint, resp.StatusCode)
	}
}

// OpenSSESession opens an SSE session and initializes it.
func OpenSSESession(t testing.TB, base string) (*bufio.Reader, string) {
	t.Helper()
	stream, endpoint := OpenSSE(t, base)
	PostSSE(t, endpoint, Initialize)
	ReadEvents(t, stream, func(msg map[string]any) bool { return msg["id"] == float64(1) })
	PostSSE(t, endpoint, Initialized)
	return stream, endpoint
}

// ReadEvents reads the JSON messages of server-sent events, in order, until
// last reports one is the last wanted, or the stream ends; it reports
// whether last was satisfied.
func ReadEvents(t testing.TB, stream *bufio.Reader, last func(map[string]any) bool) bool {
	t.Helper()
	for {
		line, err := stream.ReadString('\n')
		if err != nil {
			return false
		}
		data, ok := strings.CutPrefix(strings.TrimSpace(line), "data:")
		if !ok {
			continue
		}
		var msg map[string]any
		if err := json.Unmarshal([]byte(data), &msg); err != nil {
			t.Fatalf("an event carries something that is not JSON: %q", data)
		}
		if last(msg) {
			return true
		}
	}
}
