package bc

import (
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// BadStoreToken is the access token a BadStore expects and its clients send.
const BadStoreToken = "bad-store-token-0123456789"

// BadStore is a stand-in BigCommerce store for tests: a simulated store
// (Sim) behind a real HTTP server, which can be switched to misbehave in ways
// the documentation does not describe but a store, a proxy in front of it or a
// hostile endpoint might. Other tests in package bc (and bc_test) may use it.
type BadStore struct {
	URL string // the API base to configure a client with
	Sim *bcsim.Store

	mu           sync.Mutex
	misbehaviour Misbehaviour
}

// A Misbehaviour answers a request in its own way, or hands it to behave,
// which answers as the simulated store would.
type Misbehaviour func(w http.ResponseWriter, r *http.Request, behave http.Handler)

// NewBadStore starts a well-behaved store (simulated with opts) until told
// to Misbehave.
func NewBadStore(t testing.TB, opts ...bcsim.Option) *BadStore {
	t.Helper()
	s := &BadStore{Sim: bcsim.New(append([]bcsim.Option{bcsim.WithAccessToken(BadStoreToken)}, opts...)...)}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Misbehave switches the store to m from its next request on; nil behaves.
func (s *BadStore) Misbehave(m Misbehaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.misbehaviour = m
}

func (s *BadStore) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.misbehaviour
	s.mu.Unlock()
	if m == nil {
		s.Sim.ServeHTTP(w, r)
		return
	}
	m(w, r, s.Sim)
}

// Client is a client of the store with short backoffs; tweak, when given,
// adjusts its configuration.
func (s *BadStore) Client(t testing.TB, tweak func(*Config)) *Client {
	t.Helper()
	cfg := Config{StoreHash: "bad", AccessToken: BadStoreToken, BaseURL: s.URL,
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

// redirectedMark is on the query of the request a Redirect points to, so
// that the redirect is followed by a well-behaved answer, not another redirect.
const redirectedMark = "redirected"

// Redirect answers every request with status (a 3xx) pointing to the same
// path on base, or on the store itself when base is "", once.
func Redirect(status int, base string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		if r.URL.Query().Has(redirectedMark) {
			behave.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Set(redirectedMark, "1")
		w.Header().Set("Location", base+r.URL.Path+"?"+q.Encode())
		w.WriteHeader(status)
	}
}

// Elsewhere is a server at another origin that records what reaches it.
type Elsewhere struct {
	URL string

	mu       sync.Mutex
	requests int
	tokens   []string
	bodies   []string
}

// NewElsewhere starts a server that answers every request 200 {"data":[]}.
func NewElsewhere(t testing.TB) *Elsewhere {
	t.Helper()
	e := &Elsewhere{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.requests++
		if token := r.Header.Get("X-Auth-Token"); token != "" {
			e.tokens = append(e.tokens, token)
		}
		if len(body) > 0 {
			e.bodies = append(e.bodies, string(body))
		}
		e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[]}`))
	}))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// Seen reports how many requests arrived, and the tokens and bodies they carried.
func (e *Elsewhere) Seen() (requests int, tokens, bodies []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests, append([]string(nil), e.tokens...), append([]string(nil), e.bodies...)
}

// EchoToken answers every request with status and a JSON body made from
// format, whose %s becomes the access token the request carried, spelled
// with \u escapes throughout, as a store echoing headers might.
func EchoToken(status int, format string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		var escaped strings.Builder
		for _, c := range r.Header.Get("X-Auth-Token") {
			fmt.Fprintf(&escaped, `\u%04x`, c)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, format, escaped.String())
	}
}

// Answer answers every request with status, body and the headers given as
// name, value pairs (after the simulator's rate-limit headers, which they
// replace), without letting the simulator see the request.
func Answer(status int, body string, headers ...string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		setPairs(w.Header(), headers)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// OverrideHeaders lets the simulator answer, with the headers given as name,
// value pairs in place of its own: absurd rate limits on a good answer, say.
func OverrideHeaders(headers ...string) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		behave.ServeHTTP(&headerOverride{ResponseWriter: w, headers: headers}, r)
	}
}

type headerOverride struct {
	http.ResponseWriter
	headers []string
	wrote   bool
}

func (o *headerOverride) WriteHeader(status int) {
	if o.wrote {
		return
	}
	o.wrote = true
	setPairs(o.Header(), o.headers)
	o.ResponseWriter.WriteHeader(status)
}

func (o *headerOverride) Write(p []byte) (int, error) {
	o.WriteHeader(http.StatusOK)
	return o.ResponseWriter.Write(p)
}

func setPairs(h http.Header, pairs []string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		h.Set(pairs[i], pairs[i+1])
	}
}

// ConcurrencyRefusals refuses the given share of requests as BigCommerce
// does when a concurrency cap is hit: 429 at once, with most of the quota
// left, a quota window's reset 30s away and X-Retry-After: 1.
func ConcurrencyRefusals(share float64) Misbehaviour {
	refuse := Answer(http.StatusTooManyRequests, `{"status":429,"title":"Too many concurrent requests"}`,
		"X-Rate-Limit-Requests-Left", "120", "X-Rate-Limit-Requests-Quota", "150",
		"X-Rate-Limit-Time-Reset-Ms", "30000", "X-Rate-Limit-Time-Window-Ms", "30000", "X-Retry-After", "1")
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		if rand.Float64() < share {
			refuse(w, r, behave)
			return
		}
		behave.ServeHTTP(w, r)
	}
}

// DripBody lets the simulator answer, then sends its status and headers at
// once and the body one byte per every, as a stalled store or proxy might.
func DripBody(every time.Duration) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		answer := httptest.NewRecorder()
		behave.ServeHTTP(answer, r)
		maps.Copy(w.Header(), answer.Header())
		w.WriteHeader(answer.Code)
		flusher, _ := w.(http.Flusher)
		flusher.Flush()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for _, b := range answer.Body.Bytes() {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
			_, _ = w.Write([]byte{b})
			flusher.Flush()
		}
	}
}
