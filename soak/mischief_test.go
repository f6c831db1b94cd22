package soak

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// mischief mixes the pathological store's misbehaviours into the soak, each
// on a small share of the requests it fits, and counts what it served.
type mischief struct {
	names []string // of every misbehaviour in the mix

	mu     sync.Mutex
	served map[string]int
}

const (
	left  = "X-Rate-Limit-Requests-Left"
	reset = "X-Rate-Limit-Time-Reset-Ms"
)

// misbehaviour is the mix; redirects to another origin point at elsewhere.
func (m *mischief) misbehaviour(elsewhere string) badstore.Misbehaviour {
	return chain(
		m.sometimes("redirect to another origin", 0.01, badstore.Redirect(http.StatusTemporaryRedirect, elsewhere)),
		m.sometimes("redirect within the origin", 0.01, badstore.Redirect(http.StatusFound, "")),
		badstore.On(http.MethodPut, "/v3/customers", m.sometimes("partial 2xx", 0.1, badstore.ConfirmOnly(3))),
		badstore.On(http.MethodGet, "/v3/customers", m.sometimes("empty page", 0.2, badstore.Answer(http.StatusOK, "{}"))),
		m.sometimes("no quota left for an hour on a 200", 0.01, badstore.OverrideHeaders(left, "0", reset, "3600000")),
		m.sometimes("a 429 with a reset of 10^13 ms", 0.01, badstore.Answer(http.StatusTooManyRequests,
			`{"status":429,"title":"Too many requests"}`, left, "0", reset, "10000000000000")),
		m.sometimes("a stalled body", 0.01, badstore.DripBody(attemptTimeout/5)),
		m.sometimes("a success told with an empty 200", 0.01, badstore.Rewrite(func(_ *http.Request, status int, body []byte) (int, []byte) {
			if status/100 != 2 {
				return status, body // a failure told as a success is a lie no client could see through
			}
			return http.StatusOK, nil
		})),
	)
}

// sometimes misbehaves as mb on share of the requests, counting them by name.
func (m *mischief) sometimes(name string, share float64, mb badstore.Misbehaviour) badstore.Misbehaviour {
	m.names = append(m.names, name)
	return badstore.Sometimes(share, func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		m.mu.Lock()
		m.served[name]++
		m.mu.Unlock()
		mb(w, r, behave)
	})
}

// chain gives each request to the misbehaviours in turn: each one that
// behaves hands it to the next, the last to the simulator.
func chain(ms ...badstore.Misbehaviour) badstore.Misbehaviour {
	return func(w http.ResponseWriter, r *http.Request, behave http.Handler) {
		if len(ms) == 0 {
			behave.ServeHTTP(w, r)
			return
		}
		ms[0](w, r, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { chain(ms[1:]...)(w, r, behave) }))
	}
}

// unserved are the misbehaviours not served yet.
func (m *mischief) unserved() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unservedLocked()
}

func (m *mischief) unservedLocked() []string {
	return slices.DeleteFunc(slices.Clone(m.names), func(name string) bool { return m.served[name] > 0 })
}

// check fails the soak when a misbehaviour was never served (it proved
// nothing) or when anything reached the other origin.
func (m *mischief) check(t *testing.T, elsewhere *badstore.Elsewhere) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(m.served)) {
		t.Logf("%6d %s", m.served[name], name)
	}
	if unserved := m.unservedLocked(); len(unserved) > 0 {
		t.Errorf("the soak never served %q", unserved)
	}
	if n, tokens, bodies := elsewhere.Seen(); n != 0 || len(tokens) != 0 {
		t.Errorf("another origin got %d requests, %d of them with the token, bodies %q", n, len(tokens), bodies)
	}
}
