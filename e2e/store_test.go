package e2e

// Simulated stores for the binary to run against, and what the tests ask
// of them.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// slowStore serves a simulated store of n customers in which every request
// takes latency, and closes writing once it has taken the given number of
// customer updates. Its environment keeps bulk updates in the call, however
// long their estimate: the tests using it follow one call.
func slowStore(t *testing.T, n int, latency time.Duration, writes int) (store *bcsim.Store, env []string, writing <-chan struct{}) {
	t.Helper()
	store = bcsim.New(bcsim.WithCustomers(n), bcsim.WithLatency(latency, 0))
	signal := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/v3/customers") && store.Total("PUT /v3/customers") >= writes {
			once.Do(func() { close(signal) })
		}
		store.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return store, cleanEnv("BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN=e2e-access-token", "BIGCOMMERCE_API_URL="+srv.URL,
		"BIGCOMMERCE_MCP_JOB_AFTER=1h"), signal
}

// renaming is an explicit list for bulk_update_customers that gives
// customers 1 to n the company.
func renaming(n int, company string) []map[string]any {
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{"id": i + 1, "company": company}
	}
	return items
}

// withCompany counts the store's customers that have company.
func withCompany(store *bcsim.Store, company string) int {
	n := 0
	for _, c := range store.Customers() {
		if c.Company == company {
			n++
		}
	}
	return n
}
