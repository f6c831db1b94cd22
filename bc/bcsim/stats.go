package bcsim

import (
	"maps"
	"strings"
	"sync"
)

// Stats counts what the store saw. Requests is keyed "METHOD ROUTE STATUS", e.g.
// "PUT /v3/customers 200" or "GET /v2/customer_groups/{id} 404"; STATUS is "reset" for
// dropped connections and "canceled" when the caller gave up during the latency sleep.
// Unrouted requests are keyed by their full path, e.g. "GET /stores/abc/v2/products 404".
type Stats struct {
	Requests map[string]int
	// MaxInFlight is the highest concurrency attempted per limit class ("customer_groups",
	// "customers_update", "customers_read"), counted before any rejection.
	MaxInFlight map[string]int
	// ConcurrencyRejections counts 429s per class caused by exceeding its concurrency cap.
	ConcurrencyRejections map[string]int
	// QuotaRejections counts 429s caused by a spent quota window.
	QuotaRejections int
	// Injected counts injected faults by kind: "429", "500", "503", "reset_before",
	// "reset_after", "207".
	Injected map[string]int
	// CustomersUpdated counts customer records changed by successful PUT /v3/customers.
	CustomersUpdated int
}

func (st Stats) clone() Stats {
	st.Requests = maps.Clone(st.Requests)
	st.MaxInFlight = maps.Clone(st.MaxInFlight)
	st.ConcurrencyRejections = maps.Clone(st.ConcurrencyRejections)
	st.Injected = maps.Clone(st.Injected)
	return st
}

type statsRecorder struct {
	mu    sync.Mutex
	stats Stats
}

func newStatsRecorder() statsRecorder {
	return statsRecorder{stats: emptyStats()}
}

func emptyStats() Stats {
	return Stats{
		Requests:              map[string]int{},
		MaxInFlight:           map[string]int{},
		ConcurrencyRejections: map[string]int{},
		Injected:              map[string]int{},
	}
}

func (r *statsRecorder) update(f func(*Stats)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&r.stats)
}

// Stats returns a deep copy of the counters.
func (s *Store) Stats() Stats {
	s.stats.mu.Lock()
	defer s.stats.mu.Unlock()
	return s.stats.stats.clone()
}

// ResetStats zeroes every counter.
func (s *Store) ResetStats() {
	s.stats.update(func(st *Stats) { *st = emptyStats() })
}

// Total returns how many requests had a Requests key starting with routePrefix,
// e.g. "PUT /v3/customers".
func (s *Store) Total(routePrefix string) int {
	total := 0
	for key, n := range s.Stats().Requests {
		if strings.HasPrefix(key, routePrefix) {
			total += n
		}
	}
	return total
}

func (s *Store) countInjected(kind string) {
	s.stats.update(func(st *Stats) { st.Injected[kind]++ })
}
