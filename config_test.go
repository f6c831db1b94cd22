package main

import (
	"errors"
	"flag"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/cli"
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
			"BIGCOMMERCE_API_URL": "http://localhost:1234", "MCP_AUTH_TOKEN": bearer32,
		}))
	if err != nil {
		t.Fatal(err)
	}
	want := config{transport: transport.SSE, addr: "localhost:9000", logLevel: slog.LevelDebug, readOnly: true,
		storeHash: "abc123", accessToken: "tok", apiURL: "http://localhost:1234", authToken: bearer32}
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
