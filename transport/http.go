package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"
)

const (
	readHeaderTimeout = 10 * time.Second
	bodyReadTimeout   = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	sessionIdleTTL    = 30 * time.Minute
)

// mcpEndpoints is the MCP side of an HTTP transport: its routes, and how to
// end its long-lived streams so that shutdown need not wait for clients.
type mcpEndpoints struct {
	routes        map[string]http.Handler
	closeSessions func(context.Context) error
}

// The library's own DNS-rebinding check is off because guard applies one
// policy, ours, to every transport.
func newEndpoints(kind Kind, srv *server.MCPServer, logger *slog.Logger) mcpEndpoints {
	if kind == SSE {
		sse := server.NewSSEServer(srv, server.WithSSEDisableLocalhostProtection(true))
		return mcpEndpoints{
			routes: map[string]http.Handler{"/sse": sse.SSEHandler(), "/message": sse.MessageHandler()},
			closeSessions: func(context.Context) error {
				sse.CloseSessions()
				return nil
			},
		}
	}
	streamable := server.NewStreamableHTTPServer(srv,
		server.WithDisableLocalhostProtection(true),
		server.WithStreamableHTTPLogger(logger),
		server.WithSessionIdleTTL(sessionIdleTTL),
	)
	return mcpEndpoints{
		routes:        map[string]http.Handler{"/mcp": withoutListeningStream(streamable)},
		closeSessions: streamable.Shutdown, // it owns no http.Server, so this only ends sessions
	}
}

// withoutListeningStream answers the optional standalone GET stream with 405,
// as the Streamable HTTP spec allows. mcp-go v1.2.1 lets that stream and each
// POST's stream read the same notification queue, which splits and reorders a
// call's progress notifications; without it they all arrive, in order, on the
// stream of the call they belong to. (We send no unsolicited notifications.)
func withoutListeningStream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("Allow", "POST, DELETE")
			http.Error(w, "this server offers no standalone GET stream: read responses and notifications on each POST's stream", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newHandler routes /healthz and the MCP endpoints, the latter behind the guard.
func newHandler(endpoints mcpEndpoints, g guard) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	for path, h := range endpoints.routes {
		mux.Handle(path, g.wrap(h))
	}
	return mux
}

func serveHTTP(ctx context.Context, srv *server.MCPServer, cfg Config) error {
	loopback, err := checkBind(cfg.Addr, cfg.AuthToken)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return serveListener(ctx, ln, loopback, srv, cfg)
}

func serveListener(ctx context.Context, ln net.Listener, loopback bool, srv *server.MCPServer, cfg Config) error {
	endpoints := newEndpoints(cfg.Kind, srv, cfg.Logger)
	g := guard{token: cfg.AuthToken, loopback: loopback, log: cfg.Logger}

	// Request contexts derive from requestsCtx, so cancelling it at the end of
	// the grace period cancels the tool calls still running.
	requestsCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	fresh := &freshConns{conns: map[net.Conn]struct{}{}}
	hs := &http.Server{
		ConnState:         fresh.track,
		Handler:           observed(newHandler(endpoints, g), endpoints, g, cfg),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout, // no WriteTimeout: it would cut SSE streams
		BaseContext:       func(net.Listener) context.Context { return requestsCtx },
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(fresh.closeAll)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	cfg.Logger.Info("serving MCP over HTTP", "transport", string(cfg.Kind), "addr", ln.Addr().String(),
		"paths", slices.Sorted(maps.Keys(endpoints.routes)), "auth", cfg.AuthToken != "")

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown(hs, endpoints, cancelRequests, cfg.ShutdownTimeout, cfg.Logger)
	<-served
	return nil
}

// shutdown stops accepting connections, ends the MCP streams, and gives
// in-flight requests grace to finish before cancelling them.
func shutdown(hs *http.Server, endpoints mcpEndpoints, cancelRequests context.CancelFunc, grace time.Duration, log *slog.Logger) {
	log.Info("shutting down", "grace", grace)
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := endpoints.closeSessions(ctx); err != nil {
		log.Warn("closing MCP sessions", "err", err)
	}
	if err := hs.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
		log.Warn("requests still running at the end of the grace period; cancelling them")
		cancelRequests()
		hs.Close()
	}
}

// freshConns tracks connections that have not sent a request yet.
// http.Server.Shutdown counts them as busy for 5 seconds, so a client holding
// one open would delay every shutdown by that long; they are closed instead.
type freshConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		f.conns[c] = struct{}{}
	} else {
		delete(f.conns, c)
	}
}

func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}
