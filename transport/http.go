package transport

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/mcpgo"
)

const (
	readHeaderTimeout = 10 * time.Second
	bodyReadTimeout   = 30 * time.Second
	idleTimeout       = 2 * time.Minute
)

// mcpEndpoints is the MCP side of an HTTP transport: its routes, the
// requests they have yet to answer, and how to end its long-lived streams so
// that shutdown need not wait for clients.
type mcpEndpoints struct {
	routes        map[string]http.Handler
	requests      *requests
	closeSessions func(context.Context) error
}

// The library's own DNS-rebinding check is off because guard applies one
// policy, ours, to every transport.
func newEndpoints(srv *server.MCPServer, cfg Config) mcpEndpoints {
	reqs := newRequests()
	deliveries := mcpgo.NewDeliveries()
	if cfg.Kind == SSE {
		sse := server.NewSSEServer(srv, server.WithSSEDisableLocalhostProtection(true))
		return mcpEndpoints{
			routes: map[string]http.Handler{
				"/sse":     watchSSEStreams(reqs, deliveries, sse.SSEHandler()),
				"/message": countSSEMessages(reqs, deliveries, sse.MessageHandler()),
			},
			requests: reqs,
			closeSessions: func(context.Context) error {
				sse.CloseSessions()
				return nil
			},
		}
	}
	sessions := newSessionCap(cfg.MaxSessions, cfg.SessionSecret)
	streamable := server.NewStreamableHTTPServer(srv,
		server.WithDisableLocalhostProtection(true),
		server.WithStreamableHTTPLogger(cfg.Logger),
		server.WithSessionIdManager(sessions),
		server.WithSessionIdleTTL(cfg.SessionIdleTimeout),
	)
	sessions.end = endSessionVia(streamable)
	return mcpEndpoints{
		routes:        map[string]http.Handler{"/mcp": withoutListeningStream(countHandlers(reqs, sessions.wrap(watchPostStreams(deliveries, streamable))))},
		requests:      reqs,
		closeSessions: streamable.Shutdown, // it owns no http.Server, so this only ends sessions
	}
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
	cfg = cfg.withDefaults()
	endpoints := newEndpoints(srv, cfg)
	g := guard{token: cfg.AuthToken, loopback: loopback, log: cfg.Logger}
	calls := newCallControl(srv)

	// Request contexts derive from requestsCtx, cancelled only when shutdown
	// gives up on them: the library writes no response once it is.
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
	cfg.Logger.Info("serving MCP over HTTP", "transport", string(cfg.Kind), "addr", displayAddr(cfg.Addr, ln.Addr()),
		"paths", slices.Sorted(maps.Keys(endpoints.routes)), "auth", cfg.AuthToken != "",
		"max_sessions", cfg.MaxSessions, "session_idle_timeout", cfg.SessionIdleTimeout)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown(hs, endpoints, calls, cancelRequests, cfg.ShutdownTimeout, cfg.Logger)
	<-served
	return nil
}

// displayAddr is the address as the operator gave it, with the port actually
// bound: the listener spells 0.0.0.0 as [::], which reads as IPv6 only.
func displayAddr(given string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(given)
	tcp, ok := bound.(*net.TCPAddr)
	if err != nil || !ok {
		return bound.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// shutdown stops accepting connections and requests, asks the calls in
// flight to wind down, waits for every answer to be written (cancelling the
// calls at the end of the grace period), and only then ends the MCP streams
// that carry SSE answers.
func shutdown(hs *http.Server, endpoints mcpEndpoints, calls *callControl, cancelRequests context.CancelFunc, grace time.Duration, log *slog.Logger) {
	log.Info("shutting down", "grace", grace)
	answered := endpoints.requests.stop()
	calls.drain()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	closed := make(chan error, 1)
	go func() { closed <- hs.Shutdown(ctx) }() // closes the listener at once
	if !within(answered, grace) {
		log.Warn("requests still running at the end of the grace period; cancelling them")
		calls.cancel()
		if !within(answered, cancelWait) {
			log.Warn("cancelled requests did not end; closing their connections")
		}
	}
	if err := endpoints.closeSessions(ctx); err != nil {
		log.Warn("closing MCP sessions", "err", err)
	}
	if !within(closed, cancelWait) {
		cancelRequests()
		hs.Close()
	}
}

// within reports whether ch yields within d.
func within[T any](ch <-chan T, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ch:
		return true
	case <-timer.C:
		return false
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
