package soak

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/syncbuf"
)

// marker is in every token this test uses, so that a token that leaks only
// in part (an excerpt cut short) is found too.
const marker = "SECRET"

func TestTheAccessTokenAppearsInNoLogErrorOrResult(t *testing.T) {
	t.Parallel()
	secret := "tok-" + marker + "-" + rand.Text()
	wrong := "tok-" + marker + "-WRONG-" + rand.Text()
	for _, sc := range []struct {
		name   string
		token  string // what the client sends; the store wants secret
		faults bcsim.Faults
		scope  []bcsim.Option
		echo   bool // a proxy echoes the request's headers in error pages
	}{
		{name: "every tool as it should go, and with client mistakes", token: secret},
		{name: "a wrong token is refused with 401", token: wrong},
		{name: "a token without the modify scope is refused with 403", token: secret, scope: []bcsim.Option{bcsim.WithReadOnlyScope()}},
		{name: "a 429 storm", token: secret, faults: bcsim.Faults{RateLimit429: 1, RetryAfter: time.Millisecond}},
		{name: "500s", token: secret, faults: bcsim.Faults{Error500: 1}},
		{name: "503s", token: secret, faults: bcsim.Faults{Error503: 1}},
		{name: "connections dropped before the write", token: secret, faults: bcsim.Faults{ResetBeforeApply: 1}},
		{name: "connections dropped after the write", token: secret, faults: bcsim.Faults{ResetAfterApply: 1}},
		{name: "group writes saved with 207", token: secret, faults: bcsim.Faults{Partial207: 1}},
		{name: "a proxy that echoes request headers in its error pages", token: secret, echo: true},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New(append(sc.scope, bcsim.WithAccessToken(secret), bcsim.WithFaults(sc.faults))...)
			var logs syncbuf.Buffer
			cfg := rigConfig{token: sc.token, logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
			if sc.echo {
				cfg.http = &echoingProxy{next: store.Client().Transport}
			}
			r := newRig(t, store, cfg)

			var seen bytes.Buffer // everything the client was told
			for _, c := range secretsCalls(store) {
				res, err := r.call(context.Background(), c.tool, c.args)
				if err != nil {
					fmt.Fprintln(&seen, c.tool, err)
					continue
				}
				data, _ := json.Marshal(res)
				fmt.Fprintln(&seen, c.tool, string(data))
			}
			if i := strings.Index(seen.String(), marker); i >= 0 {
				t.Errorf("a tool result or error holds the token: …%s…", excerpt(seen.String(), i))
			}
			if sc.echo && !strings.Contains(seen.String(), "X-Auth-Token") {
				t.Errorf("no error text shows the proxy's page, so this proves nothing:\n%s", seen.String())
			}
			if i := strings.Index(logs.String(), marker); i >= 0 {
				t.Errorf("a log line holds the token: …%s…", excerpt(logs.String(), i))
			}
			if !strings.Contains(logs.String(), "level=DEBUG") || !strings.Contains(logs.String(), "bigcommerce request") {
				t.Errorf("the debug log is missing the requests, so it proves nothing:\n%s", logs.String())
			}
		})
	}
}

// secretsCalls are every tool's calls, then calls meant to fail: not found
// (404), a taken name and a second guest group (409), an email taken by
// another customer (422), and arguments refused before any request.
func secretsCalls(store *bcsim.Store) []struct {
	tool string
	args map[string]any
} {
	taken, _ := store.Customer(2)
	return append(everyTool[:len(everyTool):len(everyTool)], []struct {
		tool string
		args map[string]any
	}{
		{"get_customer_group", map[string]any{"id": 9999}},
		{"delete_customer_group", map[string]any{"id": 9999}},
		{"create_customer_group", map[string]any{"name": "Wholesale"}},
		{"update_customer_group", map[string]any{"id": 2, "is_group_for_guests": true}},
		{"bulk_update_customers", map[string]any{"customers": []map[string]any{{"id": 4, "email": taken.Email}, {"id": 9999, "notes": "x"}}}},
		{"bulk_update_customers", map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"notes": "x"}, "dry_run": true}},
		{"list_customer_groups", map[string]any{"nmae": "x"}},
	}...)
}

func excerpt(s string, i int) string {
	return s[max(0, i-80):min(len(s), i+40)]
}

// echoingProxy answers every other request with a 502 page that echoes the
// request's headers, as a misconfigured debugging proxy might.
type echoingProxy struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (p *echoingProxy) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.n.Add(1)%2 == 1 {
		return p.next.RoundTrip(req)
	}
	var page strings.Builder
	page.WriteString("<html><body><h1>502 Bad Gateway</h1><pre>")
	for name, values := range req.Header {
		fmt.Fprintf(&page, "%s: %s\n", name, strings.Join(values, ", "))
	}
	page.WriteString("</pre></body></html>")
	return &http.Response{StatusCode: http.StatusBadGateway, Request: req, Header: http.Header{"Content-Type": {"text/html"}},
		Body: io.NopCloser(strings.NewReader(page.String()))}, nil
}
