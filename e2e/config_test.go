package e2e

// Settings from the environment and flags as the running binary takes them:
// what it refuses to start with, and what it keeps out of its output.

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

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

func TestRefusesAPublicAddressWithoutAToken(t *testing.T) {
	t.Parallel()
	_, stderr, code := runBinary(t, cleanEnv(), "", "--sandbox", "--transport", "http", "--addr", "0.0.0.0:0")
	if code == 0 || !strings.Contains(stderr, "MCP_AUTH_TOKEN") {
		t.Errorf("exit %d, %q; want a refusal naming MCP_AUTH_TOKEN", code, stderr)
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

func TestTheStoreDeadlinesReachTheClient(t *testing.T) {
	t.Parallel()
	store := badstore.New(t)
	store.Misbehave(badstore.DripBody(50 * time.Millisecond)) // with the default deadlines, a call would take a minute
	env := cleanEnv("BIGCOMMERCE_STORE_HASH=bad", "BIGCOMMERCE_ACCESS_TOKEN="+badstore.Token, "BIGCOMMERCE_API_URL="+store.URL)
	for _, tc := range []struct {
		env, flag, flagValue, says string
	}{
		{"BIGCOMMERCE_CALL_TIMEOUT=300ms", "--attempt-timeout", "5s", "within the call deadline of 300ms"},
		{"BIGCOMMERCE_ATTEMPT_TIMEOUT=100ms", "--call-timeout", "1s", "within the attempt timeout of 100ms"},
		{"BIGCOMMERCE_ATTEMPT_TIMEOUT=5s", "--call-timeout", "300ms", "within the call deadline of 300ms"},
		{"BIGCOMMERCE_CALL_TIMEOUT=1s", "--attempt-timeout", "100ms", "within the attempt timeout of 100ms"},
	} {
		stdout, stderr, code := runBinary(t, append(env, tc.env), "", "call", "count_customer_groups", tc.flag, tc.flagValue)
		// An attempt cut short is retried, and its retries logged, so the
		// error or the log says it, whichever deadline ends the call.
		if code != 1 || !strings.Contains(stdout+stderr, tc.says) {
			t.Errorf("%s %s %s: exit %d, stdout %q, stderr %q; want an error or a retry saying %q", tc.env, tc.flag, tc.flagValue, code, stdout, stderr, tc.says)
		}
	}
}
