// Package tools holds the MCP tools over the BigCommerce client and the server
// that registers them with the prompts and resources. Each tool is an input
// struct, an output struct and a handler; see tool.go for how to add one.
package tools

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/prompts"
)

// Config is how the server presents itself and what it allows.
type Config struct {
	ReadOnly bool          // write tools are neither listed nor callable
	Sandbox  bool          // the store is simulated: the instructions say so
	Version  string        // reported at initialize
	Logger   *slog.Logger  // default: discard
	Journal  journal.Store // records every write before it is sent; nil: off
	Jobs     *Jobs         // long bulk updates; default: in memory, after DefaultJobAfter
	// Observe, when set, wraps every tool call (for metrics).
	Observe server.ToolHandlerMiddleware
}

// Registry lists every tool. client and jobs may be nil when only the
// definitions are needed (schemas, documentation).
func Registry(client *bc.Client, jobs *Jobs) []server.ServerTool {
	return []server.ServerTool{
		listCustomerGroups(client),
		getCustomerGroup(client),
		countCustomerGroups(client),
		createCustomerGroup(client),
		updateCustomerGroup(client),
		confirmFirst(deleteCustomerGroup(client), askDelete(client)),
		bulkUpdateCustomers(client, jobs),
		getBulkJob(jobs),
		cancelBulkJob(jobs),
		listChanges(),
		undoChange(client),
		listCustomers(client),
	}
}

// NewServer builds the MCP server for one store. client may be nil for a
// server that only lists its tools.
func NewServer(client *bc.Client, cfg Config) *server.MCPServer {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Jobs == nil {
		cfg.Jobs = NewJobs(jobsRunner(cfg.Logger), DefaultJobAfter)
	}
	opts := []server.ServerOption{
		server.WithInstructions(instructions(cfg.Sandbox)),
		server.WithTaskCapabilities(true, true, true),
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithLogging(),
		server.WithRecovery(),
		server.WithResourceRecovery(),
		server.WithOutputSchemaValidation(),
		server.WithToolHandlerMiddleware(logCalls(cfg.Logger)),
		server.WithToolHandlerMiddleware(withJournal(cfg.Journal)),
	}
	if cfg.Observe != nil {
		opts = append(opts, server.WithToolHandlerMiddleware(cfg.Observe))
	}
	tools, recs := Registry(client, cfg.Jobs), records(client)
	hooks := &server.Hooks{}
	cfg.Jobs.linkTasks(hooks)
	hooks.AddBeforeReadResource(prefetchRecords(recs))
	hooks.AddBeforeGetPrompt(prompts.RefuseBadArguments)
	if cfg.ReadOnly {
		// Write tools stay registered so that a call from a stale tool list
		// gets a read_only error the model understands, not "unknown tool".
		// That rules out server.WithToolFilter: it filters calls as well as
		// lists, and answers a filtered tool with "tool not found".
		writes := writeTools(tools)
		hooks.AddAfterListTools(hideWrites(writes))
		opts = append(opts, server.WithToolHandlerMiddleware(refuseWrites(writes)))
	}
	s := server.NewMCPServer("bigcommerce-mcp", cfg.Version, append(opts, server.WithHooks(hooks))...)
	s.AddTools(tools...)
	s.AddPrompts(prompts.All()...)
	addResources(s, client, recs)
	return s
}

// writeTools names the tools not annotated read-only.
func writeTools(tools []server.ServerTool) map[string]bool {
	writes := map[string]bool{}
	for _, t := range tools {
		if hint := t.Tool.Annotations.ReadOnlyHint; hint == nil || !*hint {
			writes[t.Tool.Name] = true
		}
	}
	return writes
}

func refuseWrites(writes map[string]bool) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if writes[req.Params.Name] {
				return errorResult(errReadOnly), nil
			}
			return next(ctx, req)
		}
	}
}

func hideWrites(writes map[string]bool) server.OnAfterListToolsFunc {
	return func(_ context.Context, _ any, _ *mcp.ListToolsRequest, result *mcp.ListToolsResult) {
		if result != nil {
			result.Tools = slices.DeleteFunc(result.Tools, func(t mcp.Tool) bool { return writes[t.Name] })
		}
	}
}

type loggerKey struct{}

// loggerFrom returns the server's logger, for handlers with something to
// report beyond their result.
func loggerFrom(ctx context.Context) *slog.Logger {
	if log, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return log
	}
	return slog.New(slog.DiscardHandler)
}

// logCalls logs each call's tool, duration and outcome, with a tool error's
// code and message; never arguments, which may hold customers' personal
// data. A message holds no secret: toToolError's messages never do.
func logCalls(log *slog.Logger) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			start := time.Now()
			res, err := next(context.WithValue(ctx, loggerKey{}, log), req)
			attrs := []any{"tool", req.Params.Name, "duration", time.Since(start).Round(time.Millisecond)}
			switch {
			case err != nil:
				log.ErrorContext(ctx, "tool call failed", append(attrs, "err", err)...)
			case res != nil && res.IsError:
				te := errorOf(res)
				log.InfoContext(ctx, "tool call returned an error", append(attrs, "code", te.Code, "message", te.Message)...)
			default:
				log.DebugContext(ctx, "tool call", attrs...)
			}
			return res, err
		}
	}
}

// errorOf reads back the error an error result carries.
func errorOf(res *mcp.CallToolResult) toolError {
	var body struct{ Error toolError }
	if len(res.Content) > 0 {
		if text, ok := res.Content[0].(mcp.TextContent); ok {
			_ = json.Unmarshal([]byte(text.Text), &body) // an error of mcp-go's own is not JSON: no code then
		}
	}
	return body.Error
}
