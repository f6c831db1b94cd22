package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/cli"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/transport"
)

// config is everything the command line and the environment say.
type config struct {
	transport   transport.Kind
	addr        string
	sandbox     bool
	readOnly    bool
	logLevel    slog.Level
	showVersion bool

	storeHash   string
	accessToken string
	apiURL      string
	authToken   string // MCP_AUTH_TOKEN
	redisURL    string // REDIS_URL: shared limits
	jobAfter    time.Duration

	callTimeout, attemptTimeout time.Duration // the store client's deadlines; 0 leaves bc's defaults

	maxSessions        int
	sessionIdleTimeout time.Duration

	journal          string // --journal: a path, a postgres:// URL, "off", or "" for the default file
	journalRetention journal.Retention

	command  string   // "", "tools" or "call"
	args     []string // the command's arguments
	jsonList bool     // tools --json
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

const usageText = `bigcommerce-mcp serves a BigCommerce store's customer groups and customers to AI agents over MCP.

Usage:
  bigcommerce-mcp [flags]                     serve MCP (stdio by default)
  bigcommerce-mcp [flags] tools [--json]      list the tools
  bigcommerce-mcp [flags] call TOOL [ARGS]    run one tool; ARGS is a JSON object, or - to read it from stdin

Environment:
  BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_ACCESS_TOKEN   the store's API credentials (not needed with --sandbox)
  BIGCOMMERCE_API_URL                                 API base URL (default ` + bc.DefaultBaseURL + `)
  MCP_AUTH_TOKEN                                      bearer token HTTP clients must send, 32+ characters (required off loopback)
  MCP_MAX_SESSIONS, MCP_SESSION_IDLE_TIMEOUT          defaults for --max-sessions and --session-idle-timeout
  BIGCOMMERCE_CALL_TIMEOUT, BIGCOMMERCE_ATTEMPT_TIMEOUT
                                                      defaults for --call-timeout and --attempt-timeout
  BIGCOMMERCE_MCP_JOB_AFTER                           default for --job-after
  BIGCOMMERCE_MCP_JOURNAL                             the journal: as --journal
  REDIS_URL                                           redis:// URL: share each store's limits with every process using it

Flags:
`

// parseConfig reads args (without the program name) and the environment.
// Flags may come before or after the command and its arguments.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	cfg := config{
		transport:   transport.Stdio,
		logLevel:    slog.LevelInfo,
		storeHash:   getenv("BIGCOMMERCE_STORE_HASH"),
		accessToken: getenv("BIGCOMMERCE_ACCESS_TOKEN"),
		apiURL:      getenv("BIGCOMMERCE_API_URL"),
		authToken:   getenv("MCP_AUTH_TOKEN"),
		redisURL:    getenv("REDIS_URL"),

		maxSessions:        transport.DefaultMaxSessions,
		sessionIdleTimeout: transport.DefaultSessionIdleTimeout,
		jobAfter:           tools.DefaultJobAfter,
	}
	if cfg.apiURL == "" {
		cfg.apiURL = bc.DefaultBaseURL
	}
	fs := newFlagSet(&cfg)
	if err := setFlagsFromEnv(fs, getenv); err != nil {
		return cfg, err
	}
	positional, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return cfg, err
	}
	if err != nil {
		return cfg, &cli.UsageError{Err: err}
	}
	if _, _, err := net.SplitHostPort(cfg.addr); err != nil {
		return cfg, usageErrorf("--addr %q: want host:port, such as 127.0.0.1:8080", cfg.addr)
	}
	if len(positional) > 0 {
		cfg.command, cfg.args = positional[0], positional[1:]
	}
	if err := checkAuthToken(cfg.authToken); err != nil {
		return cfg, err
	}
	return cfg, cfg.checkCommand()
}

// The shortest secrets accepted. A bearer token guards a live store from the
// network, so it must resist guessing; BigCommerce's access tokens are far
// longer than 8 characters, so a shorter one is a copying mistake. Neither
// floor may drop below minRedactedLen: the logs redact only secrets that long.
const (
	minAuthTokenLen   = 32
	minAccessTokenLen = minRedactedLen
)

// checkAuthToken refuses a weak MCP_AUTH_TOKEN, without quoting it.
func checkAuthToken(token string) error {
	const advice = "use at least %d random characters without spaces, such as the output of `openssl rand -hex 32`"
	switch {
	case token == "":
		return nil
	case strings.IndexFunc(token, unicode.IsSpace) >= 0:
		return fmt.Errorf("MCP_AUTH_TOKEN contains whitespace, which clients rarely send intact: "+advice, minAuthTokenLen)
	case len(token) < minAuthTokenLen:
		return fmt.Errorf("MCP_AUTH_TOKEN is too short to guard the store (length %d): "+advice, len(token), minAuthTokenLen)
	}
	return nil
}

// newFlagSet defines the flags, each writing into cfg. It reports errors
// instead of printing them: main prints them once, with a hint.
func newFlagSet(cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet("bigcommerce-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("transport", "`stdio`, sse or http (Streamable HTTP) (default stdio)", func(s string) (err error) {
		cfg.transport, err = transport.ParseKind(s)
		return err
	})
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen `address` for the sse and http transports")
	fs.BoolVar(&cfg.sandbox, "sandbox", false, "serve a simulated store with demo data: no credentials needed, nothing real touched")
	fs.StringVar(&cfg.redisURL, "redis-url", cfg.redisURL, "redis:// `URL` whose processes share each store's limits (default $REDIS_URL; unset: this process's own)")
	fs.BoolVar(&cfg.readOnly, "read-only", false, "hide and refuse the tools that change the store")
	fs.Func("log-level", "`level`: debug, info, warn or error (default info)", func(s string) error {
		level, ok := logLevels[strings.ToLower(s)]
		if !ok {
			return errors.New("use debug, info, warn or error")
		}
		cfg.logLevel = level
		return nil
	})
	fs.Func("journal", "where the journal of writes (for list_changes and undo_change) is kept: a SQLite file `PATH`, a postgres:// URL, or off (default $XDG_STATE_HOME/bigcommerce-mcp/<store>.db; in memory with --sandbox)",
		func(s string) error { cfg.journal = s; return nil })
	fs.DurationVar(&cfg.journalRetention.MaxAge, "journal-max-age", journal.DefaultRetention.MaxAge, "journal changes older than this are deleted")
	fs.IntVar(&cfg.journalRetention.MaxItems, "journal-max-items", journal.DefaultRetention.MaxItems, "the journal keeps the newest changes up to this many customers and groups written in all")
	fs.Func("max-sessions", "most live Streamable HTTP `sessions`; a new one ends the least recently used idle one (default "+
		strconv.Itoa(transport.DefaultMaxSessions)+")", func(s string) (err error) {
		cfg.maxSessions, err = parsePositive(s, strconv.Atoi, "1000")
		return err
	})
	fs.Func("session-idle-timeout", "end a Streamable HTTP session left unused for this `duration` (default "+
		transport.DefaultSessionIdleTimeout.String()+")", func(s string) (err error) {
		cfg.sessionIdleTimeout, err = parsePositive(s, time.ParseDuration, "30m")
		return err
	})
	durationFlag(fs, &cfg.callTimeout, "call-timeout", "the longest `duration` a store request may take with its retries and waits", bc.DefaultCallTimeout)
	durationFlag(fs, &cfg.attemptTimeout, "attempt-timeout", "the longest `duration` one HTTP attempt to the store may take, reading the answer included", bc.DefaultAttemptTimeout)
	fs.Func("job-after", "run a bulk update as a background job when it is estimated to take longer than this `duration`; 0: always (default "+
		tools.DefaultJobAfter.String()+")", func(s string) (err error) {
		cfg.jobAfter, err = parseJobAfter(s)
		return err
	})
	fs.BoolVar(&cfg.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&cfg.jsonList, "json", false, "tools: print the full definitions, with input schemas, as JSON")
	return fs
}

// durationFlag defines a flag for a positive duration, which def is the
// default of when the flag is not set.
func durationFlag(fs *flag.FlagSet, target *time.Duration, name, usage string, def time.Duration) {
	fs.Func(name, usage+" (default "+def.String()+")", func(s string) (err error) {
		*target, err = parsePositive(s, time.ParseDuration, def.String())
		return err
	})
}

// flagEnv names the environment variables that set a flag's default.
var flagEnv = map[string]string{
	"max-sessions":         "MCP_MAX_SESSIONS",
	"session-idle-timeout": "MCP_SESSION_IDLE_TIMEOUT",
	"call-timeout":         "BIGCOMMERCE_CALL_TIMEOUT",
	"attempt-timeout":      "BIGCOMMERCE_ATTEMPT_TIMEOUT",
	"job-after":            "BIGCOMMERCE_MCP_JOB_AFTER",
	"journal":              "BIGCOMMERCE_MCP_JOURNAL",
}

func setFlagsFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	for name, variable := range flagEnv {
		if value := getenv(variable); value != "" {
			if err := fs.Set(name, value); err != nil {
				return usageErrorf("%s=%q: %v", variable, value, err)
			}
		}
	}
	return nil
}

func parsePositive[T int | time.Duration](s string, parse func(string) (T, error), example string) (T, error) {
	v, err := parse(s)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("want a positive value, such as %s", example)
	}
	return v, nil
}

func parseJobAfter(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New("want a duration such as 20s or 1m, or 0 to run every bulk update as a job")
	}
	return d, nil
}

func printUsage(w io.Writer) {
	fs := newFlagSet(&config{})
	fs.SetOutput(w)
	fmt.Fprint(w, usageText)
	fs.PrintDefaults()
}

// parseInterspersed parses flags wherever they appear among the positional
// arguments, so that `call TOOL ARGS --sandbox` works as well as `--sandbox call TOOL ARGS`.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func (cfg config) checkCommand() error {
	if cfg.jsonList && cfg.command != "tools" {
		return usageErrorf("--json goes with the tools command")
	}
	switch cfg.command {
	case "":
	case "tools":
		if len(cfg.args) > 0 {
			return usageErrorf("tools takes no arguments, got %q", cfg.args)
		}
	case "call":
		if len(cfg.args) < 1 || len(cfg.args) > 2 {
			return usageErrorf("usage: bigcommerce-mcp call TOOL [ARGS], where ARGS is a JSON object or - for stdin")
		}
	default:
		return usageErrorf("unknown command %q: use tools or call, or no command to serve", cfg.command)
	}
	return nil
}

// checkCredentials names what is missing, and the way to run without it.
func (cfg config) checkCredentials() error {
	if cfg.sandbox {
		return nil
	}
	var missing []string
	if cfg.storeHash == "" {
		missing = append(missing, "BIGCOMMERCE_STORE_HASH")
	}
	if cfg.accessToken == "" {
		missing = append(missing, "BIGCOMMERCE_ACCESS_TOKEN")
	}
	if len(missing) == 0 {
		return checkAccessToken(cfg.accessToken)
	}
	return fmt.Errorf("missing %s: set the store's API credentials in the environment, "+
		"or run with --sandbox to try the server against a simulated store", strings.Join(missing, " and "))
}

// checkAccessToken refuses a token too short to be BigCommerce's, without quoting it.
func checkAccessToken(token string) error {
	if len(token) < minAccessTokenLen {
		return fmt.Errorf("BIGCOMMERCE_ACCESS_TOKEN is too short to be a BigCommerce access token (length %d): "+
			"copy the whole token of the store's API account", len(token))
	}
	return nil
}

func usageErrorf(format string, args ...any) error {
	return &cli.UsageError{Err: fmt.Errorf(format, args...)}
}
