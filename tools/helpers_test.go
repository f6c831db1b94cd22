package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

const testToken = "test-secret-token"

// session is an initialized MCP client talking in-process to a server backed
// by a simulated store.
type session struct {
	t     *testing.T
	store *bcsim.Store
	mcp   *client.Client
	init  *mcp.InitializeResult
}

func newSession(t *testing.T, cfg Config, opts ...bcsim.Option) *session {
	t.Helper()
	store := bcsim.New(append([]bcsim.Option{bcsim.WithAccessToken(testToken)}, opts...)...)
	return newSessionWith(t, store, testToken, cfg)
}

func newSessionWith(t *testing.T, store *bcsim.Store, token string, cfg Config) *session {
	t.Helper()
	return newSessionAt(t, store, token, cfg, mcp.LATEST_PROTOCOL_VERSION)
}

// newSessionAt is newSessionWith at a given protocol version, with client options.
func newSessionAt(t *testing.T, store *bcsim.Store, token string, cfg Config, version string, opts ...client.ClientOption) *session {
	t.Helper()
	return connect(t, store, bc.Config{StoreHash: "test", AccessToken: token, BaseURL: "http://bcsim", HTTPClient: store.Client()}, cfg, version, opts...)
}

// newBadStoreSession is a session on a store that misbehaves when told.
func newBadStoreSession(t *testing.T, cfg Config, opts ...bcsim.Option) (*session, *badstore.Store) {
	t.Helper()
	store := badstore.New(t, opts...)
	return connect(t, store.Sim, bc.Config{StoreHash: "bad", AccessToken: badstore.Token, BaseURL: store.URL}, cfg, mcp.LATEST_PROTOCOL_VERSION), store
}

// connect serves the tools on a client of the store at api, with short
// backoffs, and initializes a session with them.
func connect(t *testing.T, store *bcsim.Store, api bc.Config, cfg Config, version string, opts ...client.ClientOption) *session {
	t.Helper()
	api.RetryBaseDelay, api.MaxRetries = time.Millisecond, 2
	bcClient, err := bc.New(api)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClientWithOptions(NewServer(bcClient, cfg), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil { // registers the session that carries notifications
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcp.Implementation{Name: "tools-test", Version: "1"}
	res, err := c.Initialize(context.Background(), init)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return &session{t: t, store: store, mcp: c, init: res}
}

// call invokes a tool; a protocol error fails the test.
// args is usually a map; json.RawMessage sends arguments exactly as written.
func (s *session) call(name string, args any) *mcp.CallToolResult {
	s.t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := s.mcp.CallTool(context.Background(), req)
	if err != nil {
		s.t.Fatalf("%s: protocol error: %v", name, err)
	}
	for _, c := range res.Content {
		if text, ok := c.(mcp.TextContent); ok && strings.Contains(text.Text, testToken) {
			s.t.Fatalf("%s: the access token leaked into the result: %s", name, text.Text)
		}
	}
	return res
}

// succeed calls a tool that must succeed and decodes its structured content.
func succeed[T any](s *session, name string, args map[string]any) T {
	s.t.Helper()
	return decode[T](s.t, s.call(name, args))
}

// decode checks a result succeeded and decodes its structured content.
func decode[T any](t *testing.T, res *mcp.CallToolResult) T {
	t.Helper()
	if res.IsError {
		t.Fatalf("the call failed: %s", text(res))
	}
	var out T
	data, err := json.Marshal(res.StructuredContent)
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if err != nil {
		t.Fatalf("decode structured content: %v", err)
	}
	return out
}

// fail calls a tool that must fail and decodes its error.
func (s *session) fail(name string, args any) toolError {
	s.t.Helper()
	res := s.call(name, args)
	if !res.IsError {
		s.t.Fatalf("%s(%v) succeeded, want an error: %s", name, args, text(res))
	}
	if res.StructuredContent != nil {
		s.t.Errorf("%s: an error result carries structured content: %v", name, res.StructuredContent)
	}
	var body struct{ Error toolError }
	if err := json.Unmarshal([]byte(text(res)), &body); err != nil {
		s.t.Fatalf("%s: error text is not JSON: %v: %s", name, err, text(res))
	}
	return body.Error
}

// text is the first text content of a result.
func text(res *mcp.CallToolResult) string {
	for _, c := range res.Content {
		if t, ok := c.(mcp.TextContent); ok {
			return t.Text
		}
	}
	return ""
}
