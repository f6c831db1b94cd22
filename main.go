// Command bigcommerce-mcp is an MCP server that lets AI agents read and manage
// a BigCommerce store's customer groups and bulk-update its customers, within
// the API's documented limits. It also runs the same tools from the command line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/sharedlimit"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/cli"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/jobs"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/transport"
	"github.com/mark3labs/mcp-go/server"
)

// version is stamped at build time: go build -ldflags "-X main.version=v1.2.3".
var version string

func main() {
	err := run(os.Args[1:])
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		printUsage(os.Stdout)
	default:
		fmt.Fprintln(os.Stderr, "bigcommerce-mcp:", err)
		if _, ok := errors.AsType[*cli.UsageError](err); ok {
			fmt.Fprintln(os.Stderr, "Run 'bigcommerce-mcp -h' for usage.")
		}
		os.Exit(cli.ExitCode(err))
	}
}

func run(args []string) error {
	cfg, err := parseConfig(args, os.Getenv)
	if err != nil {
		return err
	}
	if cfg.showVersion {
		fmt.Println("bigcommerce-mcp", buildVersion())
		return nil
	}

	logger := newLogger(os.Stderr, cfg.logLevel, isTerminal(os.Stderr), cfg.accessToken, cfg.authToken)
	slog.SetDefault(logger) // the MCP library logs through the default logger

	var store *bc.Client // listing the tools reads no store, so it needs no credentials
	var shared *sharedlimit.Redis
	if cfg.command != "tools" {
		if shared, err = openSharedLimits(cfg, logger); err != nil {
			return err
		}
		if shared != nil {
			defer shared.Close()
		}
		if store, err = newStoreClient(cfg, logger, shared); err != nil {
			return err
		}
	}
	obs, err := observe(store, shared, logger)
	if err != nil {
		return err
	}

	var changes journal.Store // listing the tools writes nothing, so it needs no journal
	if cfg.command != "tools" {
		if changes, err = openJournal(cfg, logger); err != nil {
			return err
		}
		if changes != nil {
			defer changes.Close()
		}
	}

	runner := jobs.NewRunner(jobs.Config{Logger: logger, Store: jobStore(changes)})
	defer shutDownJobs(runner)
	jobAfter := cfg.jobAfter
	if cfg.command == "call" {
		jobAfter = tools.Synchronous // the process ends with the call
	}
	srv := tools.NewServer(store, tools.Config{ReadOnly: cfg.readOnly, Sandbox: cfg.sandbox, Version: buildVersion(), Logger: logger, Journal: changes,
		Jobs: tools.NewJobs(runner, jobAfter), Observe: obs.metrics.CountToolCalls})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second signal ends the process at once
	return serve(ctx, cfg, srv, logger, obs)
}

// jobsGrace bounds how long shutdown waits for running jobs' batches in
// flight: a batch's retries can take longer, and are then cut short.
const jobsGrace = 30 * time.Second

func shutDownJobs(runner *jobs.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), jobsGrace)
	defer cancel()
	runner.Shutdown(ctx)
}

// newStoreClient connects to the store the environment names, naming any
// credential that is missing, or, with --sandbox, to a simulated store inside
// this process.
func newStoreClient(cfg config, logger *slog.Logger, shared *sharedlimit.Redis) (*bc.Client, error) {
	if err := cfg.checkCredentials(); err != nil {
		return nil, err
	}
	bcCfg := bc.Config{
		StoreHash:   cfg.storeHash,
		AccessToken: cfg.accessToken,
		BaseURL:     cfg.apiURL,
		Logger:      logger,
		UserAgent:   "bigcommerce-mcp/" + buildVersion(),

		CallTimeout:    cfg.callTimeout,
		AttemptTimeout: cfg.attemptTimeout,
	}
	if cfg.sandbox {
		sim := bcsim.New()
		// An unresolvable host: nothing can leave the process even if the
		// simulator's in-process transport were bypassed.
		bcCfg.StoreHash, bcCfg.AccessToken, bcCfg.BaseURL, bcCfg.HTTPClient = "sandbox", "sandbox", "http://sandbox.invalid", sim.Client()
		logger.Warn("SANDBOX MODE: serving a simulated store with demo data; no real store is read or changed, and changes are lost on exit")
	}
	if shared != nil {
		bcCfg.Limits = shared.Limits(bcCfg.BaseURL, bcCfg.StoreHash)
	}
	client, err := bc.New(bcCfg)
	if err != nil {
		return nil, fmt.Errorf("check BIGCOMMERCE_STORE_HASH and BIGCOMMERCE_API_URL: %w", err)
	}
	return client, nil
}

// openJournal opens the journal --journal names: nil when it is off. The
// sandbox keeps its journal in memory, like its store.
func openJournal(cfg config, logger *slog.Logger) (journal.Store, error) {
	spec := cfg.journal
	if cfg.sandbox && spec != journal.Off {
		spec = journal.Memory
	}
	if spec == journal.Off {
		logger.Warn("journal off: writes are not recorded, and list_changes and undo_change are unavailable")
	}
	j, err := journal.Open(context.Background(), spec, journal.Options{Store: cfg.storeHash, Retention: cfg.journalRetention})
	if err != nil {
		return nil, fmt.Errorf("%w; choose another with --journal PATH or postgres://..., or run without one with --journal off", err)
	}
	return j, nil
}

// serve runs the command given, or serves MCP on the chosen transport.
func serve(ctx context.Context, cfg config, srv *server.MCPServer, logger *slog.Logger, obs observability) error {
	switch cfg.command {
	case "tools":
		return cli.ListTools(ctx, srv, os.Stdout, cfg.jsonList)
	case "call":
		call := cli.Call{Tool: cfg.args[0], Stdin: os.Stdin, Stdout: os.Stdout}
		if len(cfg.args) > 1 {
			call.Arguments = cfg.args[1]
		}
		if isTerminal(os.Stderr) {
			call.Progress = os.Stderr
		}
		return cli.CallTool(ctx, srv, call)
	}
	logger.Info("bigcommerce-mcp starting", "version", buildVersion(),
		"transport", string(cfg.transport), "read_only", cfg.readOnly)
	return transport.Serve(ctx, srv, transport.Config{
		Kind:      cfg.transport,
		Logger:    logger,
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Addr:      cfg.addr,
		AuthToken: cfg.authToken,
		Metrics:   obs.metrics,
		Checks:    obs.checks,

		MaxSessions:        cfg.maxSessions,
		SessionIdleTimeout: cfg.sessionIdleTimeout,
		SessionSecret:      obs.sessionSecret,
	})
}

// buildVersion is the stamped version, else the module version recorded by
// the go tool, else "dev".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// jobStore keeps the jobs' records in the journal when there is one, so that
// a restart shows a job it cut short; else in memory.
func jobStore(changes journal.Store) jobs.Store {
	if j, ok := changes.(journal.JobStore); ok {
		return jobs.JournalStore{Journal: j}
	}
	return nil
}
