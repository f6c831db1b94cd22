package transport

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// checkTimeout bounds each health check, so that /healthz answers promptly
// whatever a dependency does.
const checkTimeout = 2 * time.Second

// observed adds what operators watch to next: request counts and GET
// /metrics (behind the guard, like MCP) when cfg has Metrics, and a /healthz
// that reports cfg.Checks when it has any.
func observed(next http.Handler, endpoints mcpEndpoints, g guard, cfg Config) http.Handler {
	if cfg.Metrics == nil && len(cfg.Checks) == 0 {
		return next
	}
	mux := http.NewServeMux()
	mux.Handle("/", next)
	if len(cfg.Checks) > 0 {
		mux.Handle("GET /healthz", healthReport(cfg.Checks))
	}
	if cfg.Metrics == nil {
		return mux
	}
	mux.Handle("GET /metrics", g.wrap(cfg.Metrics.Handler()))
	routes := append(slices.Collect(maps.Keys(endpoints.routes)), "/healthz", "/metrics")
	return cfg.Metrics.CountRequests(routes, mux)
}

// healthReport answers 200 with {"status":"ok"} or, when a check fails,
// {"status":"degraded"} and what failed. It stays 200 when degraded: every
// replica shares the dependency, so a load balancer that dropped them all
// would replace the tools' clear "unavailable" errors with its own 502s.
func healthReport(checks map[string]func(context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		report := struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}{Status: "ok", Checks: map[string]string{}}
		for name, check := range checks {
			ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
			err := check(ctx)
			cancel()
			report.Checks[name] = "ok"
			if err != nil {
				report.Status, report.Checks[name] = "degraded", err.Error()
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(report)
	})
}
