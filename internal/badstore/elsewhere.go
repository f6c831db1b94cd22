package badstore

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

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
	srv := httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

func (e *Elsewhere) serve(w http.ResponseWriter, r *http.Request) {
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
}

// Seen reports how many requests arrived, and the tokens and bodies they carried.
func (e *Elsewhere) Seen() (requests int, tokens, bodies []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requests, append([]string(nil), e.tokens...), append([]string(nil), e.bodies...)
}
