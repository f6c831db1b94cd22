package e2e

// MCP clients of the binary: mcp-go's real ones over each transport, and
// raw JSON-RPC for what a well-behaved client never sends.

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// quiet keeps the clients' logs of servers going away out of the test output.
var quiet = slog.New(slog.DiscardHandler)

var (
	readTools  = []string{"count_customer_groups", "get_bulk_job", "get_customer_group", "list_changes", "list_customer_groups", "list_customers"}
	writeTools = []string{"bulk_update_customers", "cancel_bulk_job", "create_customer_group", "delete_customer_group", "undo_change", "update_customer_group"}
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveHTTP starts the binary on a free port with the given transport and
// returns its base URL once /healthz answers.
func serveHTTP(t *testing.T, env []string, kind string, args ...string) (*process, string) {
	t.Helper()
	addr := freeAddr(t)
	p := start(t, env, append([]string{"--transport", kind, "--addr", addr}, args...)...)
	base := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return p, base
		}
		select {
		case <-p.exited:
			t.Fatalf("the server exited: %s", p.stderr)
		default:
		}
	}
	t.Fatalf("the server did not come up: %s", p.stderr)
	return nil, ""
}

// connect starts the binary and connects a real mcp-go client for kind.
func connect(t *testing.T, kind string, args ...string) *client.Client {
	t.Helper()
	if kind != "stdio" {
		_, base := serveHTTP(t, cleanEnv(), kind, args...)
		return httpClient(t, kind, base, nil)
	}
	c, err := client.NewStdioMCPClient(serverBinary(t), nil, append([]string{"--transport", "stdio"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	initialize(t, c)
	return c
}

// httpClient connects an initialized mcp-go client to the server at base.
// Both kinds keep a stream open, as clients that want notifications do.
func httpClient(t *testing.T, kind, base string, headers map[string]string) *client.Client {
	t.Helper()
	var c *client.Client
	var err error
	if kind == "sse" {
		c, err = client.NewSSEMCPClient(base+"/sse", mcptransport.WithSSELogger(quiet), mcptransport.WithHeaders(headers))
	} else {
		c, err = client.NewStreamableHttpClient(base+"/mcp", mcptransport.WithContinuousListening(),
			mcptransport.WithHTTPLogger(quiet), mcptransport.WithHTTPHeaders(headers))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	return c
}

func initialize(t *testing.T, c *client.Client) {
	t.Helper()
	var req mcp.InitializeRequest
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	res, err := c.Initialize(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.ServerInfo.Version != testVersion {
		t.Errorf("server version %q, want %q", res.ServerInfo.Version, testVersion)
	}
}

func callTool(t *testing.T, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(t.Context(), req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// structured decodes a successful result's structured content into out.
func structured(t *testing.T, res *mcp.CallToolResult, out any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("the tool failed: %v", res.Content)
	}
	data := []byte(res.RawStructuredContent)
	if data == nil {
		data, _ = json.Marshal(res.StructuredContent)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("structured content %s: %v", data, err)
	}
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func toolNames(t *testing.T, c *client.Client) []string {
	t.Helper()
	res, err := c.ListTools(t.Context(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func expectedTools(readOnly bool) []string {
	if readOnly {
		return readTools
	}
	return slices.Sorted(slices.Values(append(slices.Clone(readTools), writeTools...)))
}

const initializeRequest = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`

// postMCP posts one raw JSON-RPC message to the Streamable HTTP endpoint at
// base, in session unless it is "", and returns the response and its body.
func postMCP(t *testing.T, base, session, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	if session != "" {
		req.Header.Set("Mcp-Session-Id", session)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// noStackTrace fails when output looks like a Go panic.
func noStackTrace(t *testing.T, where, output string) {
	t.Helper()
	for _, sign := range []string{"panic:", "goroutine ", ".go:"} {
		if strings.Contains(output, sign) {
			t.Errorf("%s shows a Go stack trace (%q):\n%.2000s", where, sign, output)
		}
	}
}

// isErrorResponse reports a JSON-RPC error, or a tool result flagged isError.
func isErrorResponse(msg map[string]any) bool {
	if msg["error"] != nil {
		return true
	}
	result, _ := msg["result"].(map[string]any)
	return result["isError"] == true
}
