// Package transport serves an MCP server over stdio, SSE or Streamable HTTP,
// with the protections a server holding a live store's credentials needs:
// bearer auth, DNS-rebinding checks, size limits and graceful shutdown.
package transport

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/metrics"
	"github.com/mark3labs/mcp-go/server"
)

// Kind names a transport as the --transport flag spells it.
type Kind string

const (
	Stdio          Kind = "stdio"
	SSE            Kind = "sse"
	StreamableHTTP Kind = "http"
)

// ParseKind checks a --transport value.
func ParseKind(s string) (Kind, error) {
	for _, k := range []Kind{Stdio, SSE, StreamableHTTP} {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown transport %q: use stdio, sse or http", s)
}

// MaxMessageBytes bounds one JSON-RPC message: an HTTP request body, or a
// line on stdin. A bulk update of 10,000 customers (the most a call takes)
// with typical fields is a fraction of it.
const MaxMessageBytes = 8 << 20

// Config says how to serve.
type Config struct {
	Kind   Kind
	Logger *slog.Logger

	// Stdio.
	Stdin  io.Reader
	Stdout io.Writer

	// SSE and Streamable HTTP.
	Addr string
	// AuthToken, when set, is the bearer token every MCP request must carry.
	// Without it only a loopback address may be bound.
	AuthToken string
	// MaxSessions caps the live Streamable HTTP sessions: a new one ends the
	// least recently used idle one. SessionIdleTimeout ends a session unused
	// that long. Defaults DefaultMaxSessions and DefaultSessionIdleTimeout.
	MaxSessions        int
	SessionIdleTimeout time.Duration
	// ShutdownTimeout is how long in-flight requests get to finish once ctx
	// ends before they are cancelled; default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// Metrics, when set, count every HTTP request and are served at GET
	// /metrics, behind the same auth as MCP.
	Metrics *metrics.Metrics
	// SessionSecret, shared by replicas behind one load balancer, makes a
	// Streamable HTTP session that any of them made valid on all of them.
	SessionSecret []byte
	// Checks are what GET /healthz reports on besides the process, by name
	// (e.g. "shared_limits"); an error marks the server degraded.
	Checks map[string]func(context.Context) error
}

// DefaultShutdownTimeout bounds a graceful shutdown.
const DefaultShutdownTimeout = 10 * time.Second

// Serve serves srv until ctx is cancelled (then shuts down gracefully) or,
// on stdio, until stdin ends.
func Serve(ctx context.Context, srv *server.MCPServer, cfg Config) error {
	cfg = cfg.withDefaults()
	if cfg.Kind == Stdio {
		return serveStdio(ctx, srv, cfg)
	}
	return serveHTTP(ctx, srv, cfg)
}

func (cfg Config) withDefaults() Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.SessionIdleTimeout <= 0 {
		cfg.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	return cfg
}
