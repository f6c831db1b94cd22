package main

// End-to-end tests: they build the binary and drive it the way users do, with
// mcp-go's real clients over stdio, SSE and Streamable HTTP, and from a shell.

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

const testVersion = "v0.0.0-e2e"

var binary string // the built bigcommerce-mcp

// quiet keeps the clients' logs of servers going away out of the test output.
var quiet = slog.New(slog.DiscardHandler)

var (
	readTools  = []string{"count_customer_groups", "get_bulk_job", "get_customer_group", "list_changes", "list_customer_groups", "list_customers"}
	writeTools = []string{"bulk_update_customers", "cancel_bulk_job", "create_customer_group", "delete_customer_group", "undo_change", "update_customer_group"}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bigcommerce-mcp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "bigcommerce-mcp")
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+testVersion, "-o", binary, ".")
	build.Stderr = os.Stderr
	code := 1
	if err := build.Run(); err == nil {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// cleanEnv is the test's environment without any store credentials or auth
// token, plus extra.
func cleanEnv(extra ...string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "BIGCOMMERCE_") || strings.HasPrefix(kv, "MCP_AUTH_TOKEN=") || strings.HasPrefix(kv, "REDIS_URL=")
	})
	// Journals go to the test's temporary directory, not the user's state directory.
	return append(append(env, "XDG_STATE_HOME="+filepath.Join(filepath.Dir(binary), "state")), extra...)
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a running bigcommerce-mcp.
type process struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
}

func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(binary, args...), stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("stderr of %v:\n%s", args, p.stderr)
		}
	})
	return p
}

// waitExit waits at most bound for the process to end and returns its exit code.
func (p *process) waitExit(t *testing.T, bound time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(bound):
		t.Fatalf("the process did not exit within %v", bound)
		return -1
	}
}

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
	c, err := client.NewStdioMCPClient(binary, nil, append([]string{"--transport", "stdio"}, args...)...)
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

func TestEveryTransportServesTheSandbox(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"stdio", "sse", "http"} {
		for _, readOnly := range []bool{false, true} {
			name, args := kind, []string{"--sandbox"}
			if readOnly {
				name, args = kind+"/read-only", append(args, "--read-only")
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c := connect(t, kind, args...)
				if got, want := toolNames(t, c), expectedTools(readOnly); !slices.Equal(got, want) {
					t.Errorf("tools %v, want %v", got, want)
				}

				var list struct {
					CustomerGroups []struct{ ID int } `json:"customer_groups"`
				}
				structured(t, callTool(t, c, "list_customer_groups", map[string]any{}), &list)
				var count struct{ Count int }
				structured(t, callTool(t, c, "count_customer_groups", map[string]any{}), &count)
				if count.Count == 0 || count.Count != len(list.CustomerGroups) {
					t.Errorf("count_customer_groups says %d, list_customer_groups lists %d", count.Count, len(list.CustomerGroups))
				}

				created := callTool(t, c, "create_customer_group", map[string]any{"name": "E2E wholesale"})
				if readOnly && (!created.IsError || !strings.Contains(text(created), "read_only")) {
					t.Errorf("read-only server did not refuse create_customer_group: %s", text(created))
				}
				if !readOnly && created.IsError {
					t.Errorf("create_customer_group failed: %s", text(created))
				}
			})
		}
	}
}

// runBinary runs the binary to completion and returns its output and exit code.
func runBinary(t *testing.T, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exitErr, ok := errors.AsType[*exec.ExitError](err); ok {
		return out.String(), errOut.String(), exitErr.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), 0
}

func TestMissingCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env     []string
		missing []string
	}{
		{cleanEnv(), []string{"BIGCOMMERCE_STORE_HASH", "BIGCOMMERCE_ACCESS_TOKEN"}},
		{cleanEnv("BIGCOMMERCE_STORE_HASH=abc123"), []string{"BIGCOMMERCE_ACCESS_TOKEN"}},
		{cleanEnv("BIGCOMMERCE_ACCESS_TOKEN=tok12345"), []string{"BIGCOMMERCE_STORE_HASH"}},
	}
	for _, tt := range tests {
		for _, args := range [][]string{nil, {"call", "count_customer_groups"}} {
			stdout, stderr, code := runBinary(t, tt.env, "", args...)
			if code == 0 || stdout != "" {
				t.Errorf("%v without %v: exit %d, stdout %q", args, tt.missing, code, stdout)
			}
			for _, want := range append(tt.missing, "--sandbox") {
				if !strings.Contains(stderr, want) {
					t.Errorf("the message %q does not mention %s", stderr, want)
				}
			}
		}
	}
}

func TestInvalidStoreSettingsNameTheVariableToFix(t *testing.T) {
	t.Parallel()
	for _, env := range [][]string{
		cleanEnv("BIGCOMMERCE_STORE_HASH=abc/123", "BIGCOMMERCE_ACCESS_TOKEN=tok12345"),
		cleanEnv("BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN=tok12345", "BIGCOMMERCE_API_URL=ftp://example.com"),
	} {
		_, stderr, code := runBinary(t, env, "")
		if code != 1 || !strings.HasPrefix(stderr, "bigcommerce-mcp: check BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_API_URL: ") || strings.Contains(stderr, "bc: ") {
			t.Errorf("exit %d, %q; want exit 1 and a message naming the variables", code, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, _, code := runBinary(t, cleanEnv(), "", "--version")
	if code != 0 || strings.TrimSpace(stdout) != "bigcommerce-mcp "+testVersion {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
}

func TestUsageErrorsExitWithStatus2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		mention string
	}{
		{[]string{"--transport", "carrier-pigeon"}, "carrier-pigeon"},
		{[]string{"--log-level", "loud"}, "log-level"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"--addr", "8080"}, "--addr"},
		{[]string{"frobnicate"}, "frobnicate"},
		{[]string{"call"}, "call TOOL"},
		{[]string{"tools", "extra"}, "extra"},
		{[]string{"--json"}, "--json"},
		{[]string{"--sandbox", "call", "count_customer_groups", "{not json"}, "JSON object"},
		{[]string{"--sandbox", "call", "count_customer_groups", "[1]"}, "JSON object"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runBinary(t, cleanEnv(), "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.mention) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and a message naming %q", tt.args, code, stdout, stderr, tt.mention)
		}
	}
}

// Listing the tools reads no store, so it needs neither credentials nor --sandbox.
func TestCLIListsTools(t *testing.T) {
	t.Parallel()
	for _, readOnly := range []bool{false, true} {
		args := []string{"tools"}
		if readOnly {
			args = append(args, "--read-only")
		}
		stdout, _, code := runBinary(t, cleanEnv(), "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, name := range append(slices.Clone(readTools), writeTools...) {
			if listed, want := strings.Contains("\n"+stdout, "\n"+name+" "), !readOnly || slices.Contains(readTools, name); listed != want {
				t.Errorf("%v: %s listed %t, want %t:\n%s", args, name, listed, want, stdout)
			}
		}
	}

	stdout, _, code := runBinary(t, cleanEnv(), "", "tools", "--json")
	var tools []struct {
		Name        string
		InputSchema struct{ Type string } `json:"inputSchema"`
		Annotations map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &tools); err != nil || code != 0 {
		t.Fatalf("tools --json: exit %d, %v:\n%s", code, err, stdout)
	}
	if len(tools) != len(readTools)+len(writeTools) {
		t.Errorf("tools --json lists %d tools", len(tools))
	}
	for _, tool := range tools {
		if tool.InputSchema.Type != "object" || len(tool.Annotations) == 0 {
			t.Errorf("%s: input schema type %q, annotations %v", tool.Name, tool.InputSchema.Type, tool.Annotations)
		}
	}
}

func TestCLICallsATool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // in stdout
	}{
		{"a call prints the structured result", "", []string{"call", "count_customer_groups", "{}"}, 0, `"count": 6`},
		{"arguments are optional", "", []string{"call", "count_customer_groups"}, 0, `"count": 6`},
		{"arguments can come from stdin", `{"id": 1}`, []string{"call", "get_customer_group", "-"}, 0, `"customer_group"`},
		{"a tool error prints the error and exits 1", "", []string{"call", "get_customer_group", `{"id": "one"}`}, 1, `"invalid_argument"`},
		{"an unknown tool exits 2, naming the tools", "", []string{"call", "no_such_tool", "{}"}, 2, `"list_customers"`},
		{"a customer not updated exits 3", "", []string{"call", "bulk_update_customers", `{"customers": [{"id": 99999, "notes": "x"}]}`}, 3, `"not_found"`},
		{"read-only refuses writes", "", []string{"call", "--read-only", "create_customer_group", `{"name": "x"}`}, 1, `"read_only"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runBinary(t, cleanEnv(), tt.stdin, append(tt.args, "--sandbox")...)
			if code != tt.code || !strings.Contains(stdout, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %s", code, stdout, stderr, tt.code, tt.want)
			}
			if !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON: %q", stdout)
			}
		})
	}
}

// stdioSession drives the binary's stdin and stdout by hand, to check every
// byte it writes there.
type stdioSession struct {
	*process
	stdin     io.WriteCloser
	responses chan map[string]any
	garbage   chan string // stdout lines that are not JSON-RPC
}

func startStdio(t *testing.T, args ...string) *stdioSession {
	t.Helper()
	return startStdioWith(t, cleanEnv(), args...)
}

func startStdioWith(t *testing.T, env []string, args ...string) *stdioSession {
	t.Helper()
	s := &stdioSession{responses: make(chan map[string]any, 100), garbage: make(chan string, 100)}
	cmd := exec.Command(binary, args...)
	var err error
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.process = &process{cmd: cmd, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Env, cmd.Stderr = env, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go s.readResponses(stdout)
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.exited
	})
	return s
}

func (s *stdioSession) readResponses(stdout io.Reader) {
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var msg map[string]any
		if json.Unmarshal(lines.Bytes(), &msg) != nil || msg["jsonrpc"] != "2.0" {
			s.garbage <- lines.Text()
			continue
		}
		s.responses <- msg
	}
	s.cmd.Wait()
	close(s.exited)
}

func (s *stdioSession) send(t *testing.T, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// collect waits for n responses, failing on anything on stdout that is not JSON-RPC.
func (s *stdioSession) collect(t *testing.T, n int) []map[string]any {
	t.Helper()
	var got []map[string]any
	timeout := time.After(20 * time.Second)
	for len(got) < n {
		select {
		case msg := <-s.responses:
			got = append(got, msg)
		case line := <-s.garbage:
			t.Fatalf("stdout carried something other than JSON-RPC: %.200q", line)
		case <-timeout:
			t.Fatalf("got %d of %d responses: %v\nstderr: %s", len(got), n, got, s.stderr)
		}
	}
	return got
}

const initializeRequest = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`

// noStackTrace fails when output looks like a Go panic.
func noStackTrace(t *testing.T, where, output string) {
	t.Helper()
	for _, sign := range []string{"panic:", "goroutine ", ".go:"} {
		if strings.Contains(output, sign) {
			t.Errorf("%s shows a Go stack trace (%q):\n%.2000s", where, sign, output)
		}
	}
}

func TestStdioSurvivesMalformedJSONRPC(t *testing.T) {
	t.Parallel()
	s := startStdio(t, "--sandbox", "--log-level", "debug")
	malformed := []string{
		`{broken`,
		`"just a string"`,
		`null`,
		`[1, 2, 3]`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":"not an object"}`,
		`{"jsonrpc":"2.0","id":4,"method":42}`,
		`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":123}}`,
		`{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"get_customer_group","arguments":{"id":"seven"}}}`,
		`{"jsonrpc":"1.0","id":7,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":8,"method":"ping","params":{"pad":"` + strings.Repeat("a", 10<<20) + `"}}`,
	}
	s.send(t, initializeRequest, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	s.send(t, malformed...)
	s.send(t, `{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"count_customer_groups","arguments":{}}}`)

	stillServing := false
	for _, msg := range s.collect(t, 1+len(malformed)+1) {
		switch msg["id"] {
		case 1.0:
		case 99.0:
			stillServing = msg["result"] != nil
		default:
			if !isErrorResponse(msg) {
				t.Errorf("malformed input got a non-error response: %v", msg)
			}
		}
	}
	if !stillServing {
		t.Error("the server did not answer a good call after the malformed ones")
	}
	s.stdin.Close()
	if code := s.waitExit(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after stdin ended", code)
	}
	select {
	case line := <-s.garbage:
		t.Errorf("stdout carried something other than JSON-RPC: %.200q", line)
	default:
	}
	noStackTrace(t, "stderr", s.stderr.String())
	if !strings.Contains(s.stderr.String(), "serving MCP on stdio") {
		t.Errorf("no logs on stderr: %s", s.stderr)
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

func TestHTTPSurvivesMalformedJSONRPC(t *testing.T) {
	t.Parallel()
	_, base := serveHTTP(t, cleanEnv(), "http", "--sandbox")
	var session string // set by initialize
	post := func(body string) (int, string) {
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
		session = cmp.Or(session, resp.Header.Get("Mcp-Session-Id"))
		return resp.StatusCode, string(data)
	}
	status, body := post(initializeRequest)
	if status != http.StatusOK {
		t.Fatalf("initialize: %d %s", status, body)
	}

	tests := []struct {
		name   string
		body   string
		status int // 0: any; JSON-RPC errors may come with 200
	}{
		{"broken JSON", `{broken`, http.StatusBadRequest},
		{"a string", `"just a string"`, http.StatusBadRequest},
		{"wrong params type", `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":"not an object"}`, 0},
		{"wrong method type", `{"jsonrpc":"2.0","id":4,"method":42}`, 0},
		{"wrong argument type", `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_customer_group","arguments":{"id":"seven"}}}`, http.StatusOK},
		{"a 10 MB frame", `{"jsonrpc":"2.0","id":6,"method":"ping","params":{"pad":"` + strings.Repeat("a", 10<<20) + `"}}`, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		status, body := post(tt.body)
		if tt.status != 0 && status != tt.status || !strings.Contains(body, "rror") {
			t.Errorf("%s: %d %s; want an error response", tt.name, status, body)
		}
		noStackTrace(t, tt.name+" response", body)
	}
	callTool(t, httpClient(t, "http", base, nil), "count_customer_groups", map[string]any{})
}

func TestHTTPNeedsTheBearerTokenWhenSet(t *testing.T) {
	t.Parallel()
	const token = "e2e-bearer-token-0123456789abcdefg"
	p, base := serveHTTP(t, cleanEnv("MCP_AUTH_TOKEN="+token), "http", "--sandbox", "--log-level", "debug")

	resp, err := http.Post(base+"/mcp", "application/json", strings.NewReader(initializeRequest))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("without the token: %d %v", resp.StatusCode, resp.Header)
	}

	c := httpClient(t, "http", base, map[string]string{"Authorization": "Bearer " + token})
	callTool(t, c, "count_customer_groups", map[string]any{})
	if strings.Contains(p.stderr.String(), token) {
		t.Errorf("the bearer token appears in the logs:\n%s", p.stderr)
	}
}

func TestRefusesAPublicAddressWithoutAToken(t *testing.T) {
	t.Parallel()
	_, stderr, code := runBinary(t, cleanEnv(), "", "--sandbox", "--transport", "http", "--addr", "0.0.0.0:0")
	if code == 0 || !strings.Contains(stderr, "MCP_AUTH_TOKEN") {
		t.Errorf("exit %d, %q; want a refusal naming MCP_AUTH_TOKEN", code, stderr)
	}
}

func TestTheSessionCapIsConfigurable(t *testing.T) {
	t.Parallel()
	_, base := serveHTTP(t, cleanEnv("MCP_MAX_SESSIONS=2"), "http", "--sandbox")
	post := func(session, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if session != "" {
			req.Header.Set("Mcp-Session-Id", session)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	var sessions []string
	for range 3 {
		sessions = append(sessions, post("", initializeRequest).Header.Get("Mcp-Session-Id"))
	}
	for i, want := range []int{http.StatusNotFound, http.StatusOK, http.StatusOK} {
		if got := post(sessions[i], `{"jsonrpc":"2.0","id":2,"method":"ping"}`).StatusCode; got != want {
			t.Errorf("ping in session %d of 3 with MCP_MAX_SESSIONS=2: %d, want %d", i+1, got, want)
		}
	}
}

func TestRefusesWeakSecretsAtStartUp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ env, want string }{
		{"MCP_AUTH_TOKEN=x", "MCP_AUTH_TOKEN is too short to guard the store (length 1)"},
		{"MCP_AUTH_TOKEN= ", "MCP_AUTH_TOKEN contains whitespace"},
		{"BIGCOMMERCE_ACCESS_TOKEN=short", "BIGCOMMERCE_ACCESS_TOKEN is too short to be a BigCommerce access token (length 5)"},
	} {
		env := cleanEnv(tt.env, "BIGCOMMERCE_STORE_HASH=abc123")
		if !strings.HasPrefix(tt.env, "BIGCOMMERCE_") {
			env = append(env, "BIGCOMMERCE_ACCESS_TOKEN=a-plausible-access-token")
		}
		_, stderr, code := runBinary(t, env, "", "--transport", "http", "--addr", "0.0.0.0:0")
		if code != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, %q; want exit 1 and %q", tt.env, code, stderr, tt.want)
		}
	}
}

func TestSignalEndsTheServerPromptly(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"stdio", "sse", "http"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			var p *process
			if kind == "stdio" {
				s := startStdio(t, "--sandbox")
				s.send(t, initializeRequest)
				s.collect(t, 1)
				p = s.process
			} else {
				var base string
				p, base = serveHTTP(t, cleanEnv(), kind, "--sandbox")
				httpClient(t, kind, base, nil) // holds a stream open
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			if code := p.waitExit(t, 5*time.Second); code != 0 {
				t.Errorf("exit %d after SIGTERM", code)
			}
		})
	}
}

func TestSecretsStayOutOfTheLogs(t *testing.T) {
	t.Parallel()
	const accessToken = "bc-access-token-e2e-0123456789"
	// A store that quotes the token back in its error, as a careless proxy might.
	store := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `[{"status":401,"message":"token %s is not valid"}]`, r.Header.Get("X-Auth-Token"))
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go store.Serve(ln)
	t.Cleanup(func() { store.Close() })

	env := cleanEnv("BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN="+accessToken,
		"BIGCOMMERCE_API_URL=http://"+ln.Addr().String(), "MCP_AUTH_TOKEN=bearer-e2e-0123456789abcdefghijklmn")
	stdout, stderr, code := runBinary(t, env, "", "--log-level", "debug", "call", "count_customer_groups")
	if code != 1 {
		t.Errorf("exit %d, want 1 for a failed call", code)
	}
	for _, secret := range []string{accessToken, "bearer-e2e-0123456789abcdefghijklmn"} {
		if strings.Contains(stderr, secret) {
			t.Errorf("a secret appears in the logs:\n%s", stderr)
		}
		if strings.Contains(stdout, secret) {
			t.Errorf("a secret appears in the tool result:\n%s", stdout)
		}
	}
}

// slowStore serves a simulated store of n customers in which every request
// takes latency, and closes writing once it has taken the given number of
// customer updates. Its environment keeps bulk updates in the call, however
// long their estimate: the tests using it follow one call.
func slowStore(t *testing.T, n int, latency time.Duration, writes int) (store *bcsim.Store, env []string, writing <-chan struct{}) {
	t.Helper()
	store = bcsim.New(bcsim.WithCustomers(n), bcsim.WithLatency(latency, 0))
	signal := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/v3/customers") && store.Total("PUT /v3/customers") >= writes {
			once.Do(func() { close(signal) })
		}
		store.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return store, cleanEnv("BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN=e2e-access-token", "BIGCOMMERCE_API_URL="+srv.URL,
		"BIGCOMMERCE_MCP_JOB_AFTER=1h"), signal
}

// bulkReport is the part of bulk_update_customers' result the shutdown test reads.
type bulkReport struct {
	Counts struct {
		Updated, Failed int
		NotAttempted    int `json:"not_attempted"`
	}
	Updated            []int
	NotAttempted       []int  `json:"not_attempted"`
	NotAttemptedReason string `json:"not_attempted_reason"`
}

func TestSIGTERMDuringABulkUpdateDeliversItsReport(t *testing.T) {
	t.Parallel()
	const customers = 2000
	items := make([]map[string]any, customers)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "company": "Renamed at shutdown"}
	}
	args := map[string]any{"customers": items}
	for _, kind := range []string{"stdio", "sse", "http"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			store, env, writing := slowStore(t, customers, 50*time.Millisecond, 5)
			p, called := startBulkCall(t, kind, env, args)
			waitFor(t, writing, "the update to be under way")
			p.cmd.Process.Signal(syscall.SIGTERM)

			report := waitFor(t, called, "the final report")
			t.Logf("%s: after SIGTERM the client got counts %+v, not attempted because %q", kind, report.Counts, report.NotAttemptedReason)
			if report.Counts.Updated == 0 || report.Counts.NotAttempted == 0 || report.Counts.Failed != 0 ||
				report.Counts.Updated+report.Counts.NotAttempted != customers {
				t.Errorf("counts %+v; want some updated, the rest not attempted, none failed", report.Counts)
			}
			if !strings.Contains(report.NotAttemptedReason, "shutting down") {
				t.Errorf("not attempted because %q", report.NotAttemptedReason)
			}
			for _, id := range report.Updated {
				if c, _ := store.Customer(id); c.Company != "Renamed at shutdown" {
					t.Fatalf("customer %d reported updated, but the store has %q", id, c.Company)
				}
			}
			for _, id := range report.NotAttempted {
				if c, _ := store.Customer(id); c.Company == "Renamed at shutdown" {
					t.Fatalf("customer %d reported not attempted, but the store has it renamed", id)
				}
			}
			if code := p.waitExit(t, 10*time.Second); code != 0 {
				t.Errorf("exit %d after SIGTERM", code)
			}
		})
	}
}

// startBulkCall starts the binary on kind and calls bulk_update_customers
// with args; the report arrives on the channel.
func startBulkCall(t *testing.T, kind string, env []string, args map[string]any) (*process, <-chan bulkReport) {
	t.Helper()
	called := make(chan bulkReport, 1)
	if kind == "stdio" {
		s := startStdioWith(t, env)
		request, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "tools/call",
			"params": map[string]any{"name": "bulk_update_customers", "arguments": args}})
		s.send(t, initializeRequest, `{"jsonrpc":"2.0","method":"notifications/initialized"}`, string(request))
		go func() {
			var report struct {
				Result struct{ StructuredContent bulkReport } `json:"result"`
			}
			for msg := range s.responses {
				if msg["id"] == 2.0 {
					data, _ := json.Marshal(msg)
					json.Unmarshal(data, &report)
					called <- report.Result.StructuredContent
					return
				}
			}
		}()
		return s.process, called
	}
	p, base := serveHTTP(t, env, kind)
	c := httpClient(t, kind, base, nil)
	go func() {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = "bulk_update_customers", args
		res, err := c.CallTool(t.Context(), req)
		var report bulkReport
		if err == nil {
			data, _ := json.Marshal(res.StructuredContent)
			json.Unmarshal(data, &report)
		}
		called <- report
	}()
	return p, called
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(20 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
