package transport

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	mcptransport "github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/metrics"
)

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestMetricsAreScrapedWithTheMCPTokenAndCountRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	cfg := Config{Kind: StreamableHTTP, Logger: discard, AuthToken: testToken, ShutdownTimeout: time.Second,
		Metrics: metrics.New(nil),
		Checks:  map[string]func(context.Context) error{"shared_limits": func(context.Context) error { return errors.New("unavailable") }}}
	go func() { served <- serveListener(ctx, ln, true, server.NewMCPServer("test", "1"), cfg) }()
	defer func() { cancel(); <-served }()
	url := "http://" + ln.Addr().String()

	c, err := client.NewStreamableHttpClient(url+"/mcp", mcptransport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + testToken}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}

	if status, body := get(t, url+"/healthz", ""); status != http.StatusOK || !strings.Contains(body, `"status":"degraded"`) || !strings.Contains(body, `"shared_limits":"unavailable"`) {
		t.Errorf("healthz with a failing check: %d %s", status, body)
	}
	if status, _ := get(t, url+"/metrics", ""); status != http.StatusUnauthorized {
		t.Errorf("metrics without the token: %d, want 401", status)
	}
	get(t, url+"/nowhere", testToken)
	status, body := get(t, url+"/metrics", testToken)
	if status != http.StatusOK {
		t.Fatalf("metrics with the token: %d", status)
	}
	for _, want := range []string{
		`bcmcp_http_requests_total{code="200",method="post",route="/mcp"} `,
		`bcmcp_http_requests_total{code="200",method="get",route="/healthz"} 1`,
		`bcmcp_http_requests_total{code="401",method="get",route="/metrics"} 1`,
		`bcmcp_http_requests_total{code="404",method="get",route="other"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
