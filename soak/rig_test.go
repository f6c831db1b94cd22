package soak

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

// accessToken is the token rigs send unless told otherwise; tests that
// care about it choose their own.
const accessToken = "soak-access-token-5f0c2a9e"

// rig is one MCP server, reached through mcp-go's in-process client, over a
// bc client whose requests go to store: in process, or over HTTP to baseURL
// when it is set (through http when it is not nil).
type rig struct {
	store *bcsim.Store
	mcp   *client.Client
}

type rigConfig struct {
	token   string            // the access token the bc client sends; default accessToken
	baseURL string            // where the store is served (with http set); default in process
	http    http.RoundTripper // default: straight to the store, in process
	logger  *slog.Logger      // both the bc client's and the tools'
	// The bc client's deadlines; default bc's.
	callTimeout, attemptTimeout time.Duration
}

func newRig(t testing.TB, store *bcsim.Store, cfg rigConfig) *rig {
	t.Helper()
	httpClient, baseURL := store.Client(), "http://bcsim"
	if cfg.http != nil {
		httpClient = &http.Client{Transport: cfg.http}
	}
	if cfg.baseURL != "" {
		baseURL = cfg.baseURL
	}
	if cfg.token == "" {
		cfg.token = accessToken
	}
	bcClient, err := bc.New(bc.Config{StoreHash: "soak", AccessToken: cfg.token, BaseURL: baseURL,
		HTTPClient: httpClient, Logger: cfg.logger, RetryBaseDelay: time.Millisecond, RetryMaxDelay: 20 * time.Millisecond,
		CallTimeout: cfg.callTimeout, AttemptTimeout: cfg.attemptTimeout})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(tools.NewServer(bcClient, tools.Config{Version: "soak", Logger: cfg.logger}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "soak", Version: "1"}
	if _, err := c.Initialize(context.Background(), init); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return &rig{store: store, mcp: c}
}

// overTCP is a transport of its own, whose idle connections end with t.
func overTCP(t testing.TB) http.RoundTripper {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(transport.CloseIdleConnections)
	return transport
}

// call invokes a tool; err is a protocol error, which no call should get.
func (r *rig) call(ctx context.Context, tool string, args any) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	return r.mcp.CallTool(ctx, req)
}

// toolError is a failed call's error as the model reads it.
type toolError struct {
	Code         string            `json:"code"`
	Message      string            `json:"message"`
	Fields       map[string]string `json:"fields"`
	Retryable    bool              `json:"retryable"`
	RetryAfterMS int64             `json:"retry_after_ms"`
	Hint         string            `json:"hint"`
}

// outcome reads a result: its structured content into out when it
// succeeded, its error otherwise.
func outcome(res *mcp.CallToolResult, out any) (*toolError, error) {
	if res.IsError {
		var body struct{ Error toolError }
		if err := json.Unmarshal([]byte(firstText(res)), &body); err != nil || body.Error.Code == "" {
			return nil, &badResult{text: firstText(res)}
		}
		return &body.Error, nil
	}
	data, err := json.Marshal(res.StructuredContent)
	if err == nil {
		err = json.Unmarshal(data, out)
	}
	return nil, err
}

type badResult struct{ text string }

func (e *badResult) Error() string { return "an error result that is not a tool error: " + e.text }

func firstText(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			return t.Text
		}
	}
	return ""
}
