package main

import (
	"errors"
	"flag"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/cli"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/transport"
)

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

const bearer32 = "0123456789abcdef0123456789abcdef"

func TestParseConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.transport != transport.Stdio || cfg.addr != "127.0.0.1:8080" || cfg.logLevel != slog.LevelInfo ||
		cfg.apiURL != "https://api.bigcommerce.com" || cfg.sandbox || cfg.readOnly || cfg.command != "" ||
		cfg.maxSessions != 1000 || cfg.sessionIdleTimeout != 30*time.Minute {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestParseConfigReadsFlagsAndEnvironment(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(
		[]string{"--transport", "sse", "--addr", "localhost:9000", "--log-level", "DEBUG", "--read-only"},
		env(map[string]string{
			"BIGCOMMERCE_STORE_HASH": "abc123", "BIGCOMMERCE_ACCESS_TOKEN": "tok",
			"BIGCOMMERCE_API_URL": "http://localhost:1234", "MCP_AUTH_TOKEN": bearer32,
		}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{transport: transport.SSE, addr: "localhost:9000", logLevel: slog.LevelDebug, readOnly: true,
		storeHash: "abc123", accessToken: "tok", apiURL: "http://localhost:1234", authToken: bearer32,
		maxSessions: 1000, sessionIdleTimeout: 30 * time.Minute, journalRetention: journal.DefaultRetention, jobAfter: tools.DefaultJobAfter}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v\nwant %+v", cfg, want)
	}
}

func TestParseConfigTakesFlagsAnywhereAroundACommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--sandbox", "call", "get_customer_group", `{"id":1}`},
		{"call", "--sandbox", "get_customer_group", `{"id":1}`},
		{"call", "get_customer_group", `{"id":1}`, "--sandbox"},
	} {
		cfg, err := parseConfig(args, env(nil))
		if err != nil || !cfg.sandbox || cfg.command != "call" || !slices.Equal(cfg.args, []string{"get_customer_group", `{"id":1}`}) {
			t.Errorf("%q: %+v, %v", args, cfg, err)
		}
	}
	cfg, err := parseConfig([]string{"call", "get_customer_group", "-"}, env(nil))
	if err != nil || !slices.Equal(cfg.args, []string{"get_customer_group", "-"}) {
		t.Errorf("- for stdin: %q, %v", cfg.args, err)
	}
}

func TestParseConfigRefusesBadValues(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--transport", "websocket"},
		{"--log-level", "trace"},
		{"--addr", "localhost"},
		{"--bogus"},
		{"serve"},
		{"tools", "list"},
		{"call"},
		{"call", "a", "{}", "extra"},
		{"--json", "call", "a"},
	} {
		_, err := parseConfig(args, env(nil))
		if cli.ExitCode(err) != 2 {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
	if _, err := parseConfig([]string{"-h"}, env(nil)); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestCheckCredentialsNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	if err := (config{sandbox: true}).checkCredentials(); err != nil {
		t.Errorf("the sandbox needs no credentials: %v", err)
	}
	if err := (config{storeHash: "abc", accessToken: "tok12345"}).checkCredentials(); err != nil {
		t.Errorf("with credentials: %v", err)
	}
	err := (config{storeHash: "abc"}).checkCredentials()
	if err == nil || !strings.Contains(err.Error(), "BIGCOMMERCE_ACCESS_TOKEN") || strings.Contains(err.Error(), "STORE_HASH") {
		t.Errorf("without a token: %v", err)
	}
}

func TestParseConfigRefusesAWeakAuthToken(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"x", " ", bearer32[:31], bearer32 + " ", bearer32[:16] + "\t" + bearer32[16:]} {
		_, err := parseConfig(nil, env(map[string]string{"MCP_AUTH_TOKEN": token}))
		if err == nil || !strings.Contains(err.Error(), "MCP_AUTH_TOKEN") || !strings.Contains(err.Error(), "32") {
			t.Errorf("MCP_AUTH_TOKEN %q: %v; want a refusal naming the variable and the floor", token, err)
			continue
		}
		if len(token) > 8 && strings.Contains(err.Error(), strings.TrimSpace(token)) {
			t.Errorf("the refusal quotes the token: %v", err)
		}
	}
	if _, err := parseConfig(nil, env(map[string]string{"MCP_AUTH_TOKEN": bearer32})); err != nil {
		t.Errorf("a 32-character token: %v", err)
	}
}

func TestCheckCredentialsRefusesAnImplausibleAccessToken(t *testing.T) {
	t.Parallel()
	err := (config{storeHash: "abc", accessToken: "tok4567"}).checkCredentials()
	if err == nil || !strings.Contains(err.Error(), "BIGCOMMERCE_ACCESS_TOKEN") || strings.Contains(err.Error(), "tok4567") {
		t.Errorf("a 7-character access token: %v; want a refusal naming the variable, not the token", err)
	}
	if err := (config{sandbox: true, accessToken: "x"}).checkCredentials(); err != nil {
		t.Errorf("the sandbox ignores the access token: %v", err)
	}
}

func TestParseConfigReadsTheStoreDeadlinesFromFlagsOrEnvironment(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"BIGCOMMERCE_CALL_TIMEOUT": "20s", "BIGCOMMERCE_ATTEMPT_TIMEOUT": "5s"})
	if cfg, err := parseConfig(nil, vars); err != nil || cfg.callTimeout != 20*time.Second || cfg.attemptTimeout != 5*time.Second {
		t.Errorf("from the environment: %v, %v, %v", cfg.callTimeout, cfg.attemptTimeout, err)
	}
	cfg, err := parseConfig([]string{"--call-timeout", "2m", "--attempt-timeout", "45s"}, vars)
	if err != nil || cfg.callTimeout != 2*time.Minute || cfg.attemptTimeout != 45*time.Second {
		t.Errorf("flags over the environment: %v, %v, %v", cfg.callTimeout, cfg.attemptTimeout, err)
	}
	for _, args := range [][]string{{"--call-timeout", "0s"}, {"--attempt-timeout", "30"}} {
		if _, err := parseConfig(args, env(nil)); cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "positive") {
			t.Errorf("%q: %v; want a usage error", args, err)
		}
	}
	if _, err := parseConfig(nil, env(map[string]string{"BIGCOMMERCE_CALL_TIMEOUT": "-1m"})); err == nil || !strings.Contains(err.Error(), "BIGCOMMERCE_CALL_TIMEOUT") {
		t.Errorf("a negative BIGCOMMERCE_CALL_TIMEOUT: %v; want a refusal naming the variable", err)
	}
}

func TestParseConfigReadsSessionLimitsFromFlagsOrEnvironment(t *testing.T) {
	t.Parallel()
	vars := env(map[string]string{"MCP_MAX_SESSIONS": "50", "MCP_SESSION_IDLE_TIMEOUT": "5m"})
	cfg, err := parseConfig(nil, vars)
	if err != nil || cfg.maxSessions != 50 || cfg.sessionIdleTimeout != 5*time.Minute {
		t.Errorf("from the environment: %d, %v, %v", cfg.maxSessions, cfg.sessionIdleTimeout, err)
	}
	cfg, err = parseConfig([]string{"--max-sessions", "7", "--session-idle-timeout", "90s"}, vars)
	if err != nil || cfg.maxSessions != 7 || cfg.sessionIdleTimeout != 90*time.Second {
		t.Errorf("flags over the environment: %d, %v, %v", cfg.maxSessions, cfg.sessionIdleTimeout, err)
	}
	for _, bad := range []struct{ args, env []string }{
		{args: []string{"--max-sessions", "0"}},
		{args: []string{"--max-sessions", "many"}},
		{args: []string{"--session-idle-timeout", "30"}},
		{env: []string{"MCP_MAX_SESSIONS", "-1"}},
		{env: []string{"MCP_SESSION_IDLE_TIMEOUT", "soon"}},
	} {
		vars := map[string]string{}
		if bad.env != nil {
			vars[bad.env[0]] = bad.env[1]
		}
		_, err := parseConfig(bad.args, env(vars))
		if cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "positive") {
			t.Errorf("%q %q: %v; want a usage error", bad.args, bad.env, err)
		}
		if bad.env != nil && !strings.Contains(err.Error(), bad.env[0]) {
			t.Errorf("%q: %v does not name the variable", bad.env, err)
		}
	}
}

func TestJobAfterComesFromTheFlagOverTheEnvironment(t *testing.T) {
	t.Parallel()
	fromEnv := env(map[string]string{"BIGCOMMERCE_MCP_JOB_AFTER": "45s"})
	for _, tt := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 45 * time.Second},
		{[]string{"--job-after", "0"}, 0},
		{[]string{"--job-after=2m"}, 2 * time.Minute},
	} {
		if cfg, err := parseConfig(tt.args, fromEnv); err != nil || cfg.jobAfter != tt.want {
			t.Errorf("%v: %v, %v; want %v", tt.args, cfg.jobAfter, err, tt.want)
		}
	}
	for _, bad := range [][]string{{"--job-after", "-1s"}, {"--job-after", "soon"}} {
		if _, err := parseConfig(bad, env(nil)); err == nil || !strings.Contains(err.Error(), "duration") {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := parseConfig(nil, env(map[string]string{"BIGCOMMERCE_MCP_JOB_AFTER": "fast"})); err == nil || !strings.Contains(err.Error(), "BIGCOMMERCE_MCP_JOB_AFTER") {
		t.Errorf("a bad environment value: %v", err)
	}
}
