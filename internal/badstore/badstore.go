// Package badstore is a stand-in BigCommerce store for tests: the simulator
// (bcsim) behind a real HTTP server, switchable to misbehave in ways the
// documentation does not describe but a store, a proxy in front of it or a
// hostile endpoint might. It imports nothing of the project but bcsim, so
// that bc's own tests can use it.
package badstore

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// Token is the access token a store made by New expects.
const Token = "bad-store-token-0123456789"

// Store is a simulated store (Sim) served at URL, misbehaving when told to.
type Store struct {
	URL string // the API base to configure a client with
	Sim *bcsim.Store

	mu           sync.Mutex
	misbehaviour Misbehaviour
}

// A Misbehaviour answers a request in its own way, or hands it to behave,
// which answers as the simulated store would.
type Misbehaviour func(w http.ResponseWriter, r *http.Request, behave http.Handler)

// New serves a store simulated with opts that expects Token.
func New(t testing.TB, opts ...bcsim.Option) *Store {
	return Serve(t, bcsim.New(append([]bcsim.Option{bcsim.WithAccessToken(Token)}, opts...)...))
}

// Serve serves sim, well behaved until told to Misbehave, until t ends.
func Serve(t testing.TB, sim *bcsim.Store) *Store {
	t.Helper()
	s := &Store{Sim: sim}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Misbehave switches the store to m from its next request on; nil behaves.
func (s *Store) Misbehave(m Misbehaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.misbehaviour = m
}

func (s *Store) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	m := s.misbehaviour
	s.mu.Unlock()
	if m == nil {
		s.Sim.ServeHTTP(w, r)
		return
	}
	m(w, r, s.Sim)
}

// On misbehaves as m on requests for method and path (the part after
// /stores/{hash}, e.g. "/v3/customers"), and behaves on every other.
func On(method, path string, m Misbehaviour) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		_, route, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/stores/"), "/")
		if r.Method != method || "/"+route != path {
			behave.ServeHTTP(w, r)
			return
		}
		m(w, r, behave)
	}
}

// Alter changes each request, a copy of it, before the simulator sees it.
func Alter(change func(r *http.Request)) Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		r = r.Clone(r.Context())
		change(r)
		behave.ServeHTTP(w, r)
	}
}

// IgnoreFilter is a customer list that ignores the query parameter filter.
func IgnoreFilter(filter string) Misbehaviour {
	return On(http.MethodGet, "/v3/customers", Alter(func(r *http.Request) {
		q := r.URL.Query()
		q.Del(filter)
		r.URL.RawQuery = q.Encode()
	}))
}
