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
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/transport"
)

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestParseConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.transport != transport.Stdio || cfg.addr != "127.0.0.1:8080" || cfg.logLevel != slog.LevelInfo ||
		cfg.apiURL != "https://api.bigcommerce.com" || cfg.sandbox || cfg.readOnly || cfg.command != "" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestParseConfigReadsFlagsAndEnvironment(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(
		[]string{"--transport", "sse", "--addr", "localhost:9000", "--log-level", "DEBUG", "--read-only"},
		env(map[string]string{
			"BIGCOMMERCE_STORE_HASH": "abc123", "BIGCOMMERCE_ACCESS_TOKEN": "tok",
			"BIGCOMMERCE_API_URL": "http://localhost:1234", "MCP_AUTH_TOKEN": "bearer",
		}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{transport: transport.SSE, addr: "localhost:9000", logLevel: slog.LevelDebug, readOnly: true,
		storeHash: "abc123", accessToken: "tok", apiURL: "http://localhost:1234", authToken: "bearer", jobAfter: tools.DefaultJobAfter}
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
	if err := (config{storeHash: "abc", accessToken: "tok"}).checkCredentials(); err != nil {
		t.Errorf("with credentials: %v", err)
	}
	err := (config{storeHash: "abc"}).checkCredentials()
	if err == nil || !strings.Contains(err.Error(), "BIGCOMMERCE_ACCESS_TOKEN") || strings.Contains(err.Error(), "STORE_HASH") {
		t.Errorf("without a token: %v", err)
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
