package transport

import (
	"cmp"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

const testToken = "s3cret-token-for-tests"

var discard = slog.New(slog.DiscardHandler)

// echoEndpoints stands in for the MCP server: it answers with the size of the body it got.
var echoEndpoints = mcpEndpoints{routes: map[string]http.Handler{
	"/mcp": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, strconv.Itoa(len(body)))
	}),
}}

type request struct {
	method, path, host, origin, auth string
	body                             io.Reader
}

func (r request) send(g guard) *httptest.ResponseRecorder {
	req := httptest.NewRequest(cmp.Or(r.method, http.MethodPost), cmp.Or(r.path, "/mcp"), r.body)
	req.Host = cmp.Or(r.host, "127.0.0.1:8080")
	if r.origin != "" {
		req.Header.Set("Origin", r.origin)
	}
	if r.auth != "" {
		req.Header.Set("Authorization", r.auth)
	}
	rec := httptest.NewRecorder()
	g.log = discard
	newHandler(echoEndpoints, g).ServeHTTP(rec, req)
	return rec
}

func TestGuard(t *testing.T) {
	t.Parallel()
	local := guard{loopback: true}
	localWithToken := guard{loopback: true, token: testToken}
	public := guard{token: testToken}
	bearer := "Bearer " + testToken

	tests := []struct {
		name   string
		guard  guard
		req    request
		status int
	}{
		{"a plain local request passes", local, request{}, http.StatusOK},
		{"healthz needs no token", localWithToken, request{method: http.MethodGet, path: "/healthz"}, http.StatusOK},
		{"a request without a token is refused", localWithToken, request{}, http.StatusUnauthorized},
		{"a wrong token is refused", localWithToken, request{auth: "Bearer wrong"}, http.StatusUnauthorized},
		{"a prefix of the token is refused", localWithToken, request{auth: bearer[:len(bearer)-1]}, http.StatusUnauthorized},
		{"the token with more after it is refused", localWithToken, request{auth: bearer + "x"}, http.StatusUnauthorized},
		{"the token under another scheme is refused", localWithToken, request{auth: "Basic " + testToken}, http.StatusUnauthorized},
		{"the token alone, without a scheme, is refused", localWithToken, request{auth: testToken}, http.StatusUnauthorized},
		{"the right token passes", localWithToken, request{auth: bearer}, http.StatusOK},
		{"the scheme is case-insensitive", localWithToken, request{auth: "bearer " + testToken}, http.StatusOK},
		{"a foreign Host on a loopback bind is forbidden", local, request{host: "evil.example:8080"}, http.StatusForbidden},
		{"a foreign Host is forbidden even with the token", localWithToken, request{host: "evil.example", auth: bearer}, http.StatusForbidden},
		{"localhost is a loopback Host", local, request{host: "localhost:8080"}, http.StatusOK},
		{"[::1] is a loopback Host", local, request{host: "[::1]:8080"}, http.StatusOK},
		{"127.0.0.2 is a loopback Host", local, request{host: "127.0.0.2"}, http.StatusOK},
		{"any Host passes on a public bind with the token", public, request{host: "mcp.example.com", auth: bearer}, http.StatusOK},
		{"a foreign Origin is forbidden", local, request{origin: "https://evil.example"}, http.StatusForbidden},
		{"a foreign Origin is forbidden on a public bind", public, request{origin: "https://evil.example", auth: bearer}, http.StatusForbidden},
		{"the null Origin is forbidden", local, request{origin: "null"}, http.StatusForbidden},
		{"a localhost Origin passes", local, request{origin: "http://localhost:6274"}, http.StatusOK},
		{"a loopback Origin passes", local, request{origin: "https://127.0.0.1"}, http.StatusOK},
		{"a non-web Origin scheme is forbidden", local, request{origin: "file://localhost"}, http.StatusForbidden},
		{"a body at the limit passes", local, request{body: strings.NewReader(strings.Repeat("x", MaxMessageBytes))}, http.StatusOK},
		{"a body over the limit is too large", local, request{body: strings.NewReader(strings.Repeat("x", MaxMessageBytes+1))}, http.StatusRequestEntityTooLarge},
		{"a body over the limit without a length is too large", local,
			request{body: iotest.HalfReader(strings.NewReader(strings.Repeat("x", MaxMessageBytes+1)))}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := tt.req.send(tt.guard)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate = %q, want Bearer", rec.Header().Get("WWW-Authenticate"))
			}
			if tt.status != http.StatusOK && !strings.Contains(rec.Body.String(), `"error"`) {
				t.Errorf("refusal body %q has no error", rec.Body)
			}
		})
	}
}

func TestGuardPassesTheWholeBody(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("y", 1<<20)
	rec := request{body: iotest.HalfReader(strings.NewReader(body))}.send(guard{loopback: true})
	if got := rec.Body.String(); got != strconv.Itoa(len(body)) {
		t.Fatalf("the handler got %s bytes, want %d", got, len(body))
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	rec := request{method: http.MethodGet, path: "/healthz", host: "anything"}.send(guard{loopback: true, token: testToken})
	if rec.Code != http.StatusOK || rec.Body.String() != `{"status":"ok"}`+"\n" {
		t.Fatalf("healthz = %d %q", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestCheckBind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr, token string
		loopback    bool
		refused     bool
	}{
		{addr: "127.0.0.1:8080", loopback: true},
		{addr: "localhost:0", loopback: true},
		{addr: "[::1]:8080", loopback: true},
		{addr: "0.0.0.0:8080", refused: true},
		{addr: ":8080", refused: true},
		{addr: "[::]:8080", refused: true},
		{addr: "192.0.2.10:8080", refused: true},
		{addr: "myhost:8080", refused: true},
		{addr: "0.0.0.0:8080", token: testToken},
		{addr: "no-port", refused: true},
	}
	for _, tt := range tests {
		loopback, err := checkBind(tt.addr, tt.token)
		if refused := err != nil; refused != tt.refused || loopback != tt.loopback {
			t.Errorf("checkBind(%q, token=%t) = %t, %v; want loopback %t, refused %t",
				tt.addr, tt.token != "", loopback, err, tt.loopback, tt.refused)
		}
	}
	_, err := checkBind("0.0.0.0:8080", "")
	if err == nil || !strings.Contains(err.Error(), "MCP_AUTH_TOKEN") {
		t.Errorf("the refusal %v does not say how to fix it", err)
	}
}
