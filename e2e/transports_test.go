package e2e

// Each transport served to real clients, and to malformed JSON-RPC.

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

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

func TestHTTPSurvivesMalformedJSONRPC(t *testing.T) {
	t.Parallel()
	_, base := serveHTTP(t, cleanEnv(), "http", "--sandbox")
	var session string // set by initialize
	post := func(body string) (int, string) {
		resp, data := postMCP(t, base, session, body)
		session = cmp.Or(session, resp.Header.Get("Mcp-Session-Id"))
		return resp.StatusCode, data
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

func TestTheSessionCapIsConfigurable(t *testing.T) {
	t.Parallel()
	_, base := serveHTTP(t, cleanEnv("MCP_MAX_SESSIONS=2"), "http", "--sandbox")
	post := func(session, body string) *http.Response {
		resp, _ := postMCP(t, base, session, body)
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
