package bc

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// newTestClient returns a client for a server built from handler, with short
// backoffs so retry tests run fast.
func newTestClient(t *testing.T, handler http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	c, err := New(Config{StoreHash: "abc123", AccessToken: "secret-token", BaseURL: srv.URL,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// script answers the n-th request with the n-th handler (the last one repeats)
// and counts requests.
type script struct {
	steps []http.HandlerFunc
	calls atomic.Int32
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.calls.Add(1)) - 1
	s.steps[min(n, len(s.steps)-1)](w, r)
}

func respond(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// dropConnection closes the connection without answering, as a reset would.
func dropConnection(w http.ResponseWriter, r *http.Request) {
	panic(http.ErrAbortHandler)
}

// BadStoreClient is a client of s with short backoffs; tweak, when given,
// adjusts its configuration. Tests in bc_test use it too.
func BadStoreClient(t testing.TB, s *badstore.Store, tweak func(*Config)) *Client {
	t.Helper()
	cfg := Config{StoreHash: "bad", AccessToken: badstore.Token, BaseURL: s.URL,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
