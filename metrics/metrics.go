// Package metrics counts what operators of the HTTP transports watch, in the
// Prometheus text format: requests by route and status, the store's 429s and
// the retries, slots in use per limit, the quota left, tool calls by name and
// outcome, and customers updated (whose rate is bulk customers per second).
package metrics

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	toolCalls *prometheus.CounterVec
}

// New registers the process's metrics and, when client is not nil, the
// store client's counts, read from client.Stats at each scrape.
func New(client *bc.Client) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bcmcp_http_requests_total", Help: "HTTP requests served, by route, method and status code.",
		}, []string{"route", "method", "code"}),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bcmcp_tool_calls_total", Help: "MCP tool calls, by tool and outcome (ok, or the error code the model was given).",
		}, []string{"tool", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.toolCalls, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if client != nil {
		m.reg.MustRegister(storeCollector{client})
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// CountRequests counts each request to next by route: one of routes, or
// "other" (so that stray paths cannot grow the label set). The counting
// writer keeps next's streaming (Flush) working.
func (m *Metrics) CountRequests(routes []string, next http.Handler) http.Handler {
	byRoute := map[string]http.Handler{}
	for _, route := range append(routes, "other") {
		byRoute[route] = promhttp.InstrumentHandlerCounter(m.requests.MustCurryWith(prometheus.Labels{"route": route}), next)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := byRoute[r.URL.Path]
		if !ok {
			h = byRoute["other"]
		}
		h.ServeHTTP(w, r)
	})
}

// CountToolCalls is a tool handler middleware counting calls by outcome.
func (m *Metrics) CountToolCalls(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		res, err := next(ctx, req)
		m.toolCalls.WithLabelValues(req.Params.Name, outcome(res, err)).Inc()
		return res, err
	}
}

// outcome is "ok", the code of a tool error result, or "failed" when the
// handler itself failed.
func outcome(res *mcp.CallToolResult, err error) string {
	switch {
	case err != nil || res == nil:
		return "failed"
	case !res.IsError:
		return "ok"
	}
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	for _, c := range res.Content {
		if text, ok := c.(mcp.TextContent); ok && json.Unmarshal([]byte(text.Text), &body) == nil && body.Error.Code != "" {
			return body.Error.Code
		}
	}
	return "error"
}
