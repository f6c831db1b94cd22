package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/metrics"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

func TestToolCallsAndTheStoreClientAreCounted(t *testing.T) {
	store := bcsim.New()
	c, err := bc.New(bc.Config{StoreHash: "sim", AccessToken: "token", BaseURL: "http://bcsim", HTTPClient: store.Client(),
		RetryBaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	m := metrics.New(c)
	mcpClient, err := client.NewInProcessClient(tools.NewServer(c, tools.Config{Observe: m.CountToolCalls}))
	if err != nil {
		t.Fatal(err)
	}
	defer mcpClient.Close()
	ctx := context.Background()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := mcpClient.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	call := func(name string, args map[string]any) {
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = name, args
		if _, err := mcpClient.CallTool(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	call("get_customer_group", map[string]any{"id": 1})
	call("get_customer_group", map[string]any{"id": 999999})
	call("bulk_update_customers", map[string]any{"customers": []map[string]any{
		{"id": 1, "company": "Acme"}, {"id": 2, "company": "Acme"}, {"id": 3, "company": "Acme"},
	}})

	text := scrape(t, m.Handler())
	for _, want := range []string{
		`bcmcp_tool_calls_total{outcome="ok",tool="get_customer_group"} 1`,
		`bcmcp_tool_calls_total{outcome="not_found",tool="get_customer_group"} 1`,
		`bcmcp_tool_calls_total{outcome="ok",tool="bulk_update_customers"} 1`,
		`bigcommerce_customers_updated_total 3`,
		`bigcommerce_slots_in_use{limit="customer_updates"} 0`,
		`bigcommerce_slots_capacity{limit="customer_updates"} 3`,
		`bigcommerce_rate_limited_total 0`,
		"bigcommerce_quota_requests_left ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(text, "bigcommerce_responses_total 0\n") {
		t.Error("no responses counted")
	}
}

func TestThe429sAndRetriesAreCounted(t *testing.T) {
	store := bcsim.New(bcsim.WithFaults(bcsim.Faults{RateLimit429: 1, RetryAfter: time.Millisecond}))
	c, err := bc.New(bc.Config{StoreHash: "sim", AccessToken: "token", BaseURL: "http://bcsim", HTTPClient: store.Client(),
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond, MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CustomerGroups.Get(context.Background(), 1); err == nil {
		t.Fatal("every answer was a 429, yet the call succeeded")
	}
	text := scrape(t, metrics.New(c).Handler())
	for _, want := range []string{"bigcommerce_rate_limited_total 3", "bigcommerce_retries_total 2", "bigcommerce_responses_total 3"} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("scrape lacks %q", want)
		}
	}
}
