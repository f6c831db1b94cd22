package e2e

// Three real processes of the binary, sharing one store's limits through a
// real Redis, against the simulator served over HTTP.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/sharedlimit"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
)

const (
	processes       = 3
	perProcess      = 1000
	storeLatency    = 50 * time.Millisecond
	updateCalls     = processes * perProcess / bc.MaxCustomersPerUpdate
	singleStoreTime = updateCalls * storeLatency / bc.MaxUpdateRequestsInFlight // 5 s: the store's own limit
)

// watchedStore serves a simulated store over HTTP and follows the Update
// Customers calls in flight by sender (process i updates customers
// i*perProcess+1 to (i+1)*perProcess).
type watchedStore struct {
	*bcsim.Store
	URL        string
	perProcess int

	mu       sync.Mutex
	inFlight [processes]int
	started  int
	onPut    func(started int, inFlight [processes]int) // under mu
}

func newWatchedStore(t testing.TB, perProcess int) *watchedStore {
	s := &watchedStore{Store: bcsim.New(bcsim.WithCustomers(processes*perProcess), bcsim.WithLatency(storeLatency, 0)), perProcess: perProcess}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func (s *watchedStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		s.Store.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var batch []struct{ ID int }
	json.Unmarshal(body, &batch)
	sender := 0
	if len(batch) > 0 {
		sender = min((batch[0].ID-1)/s.perProcess, processes-1)
	}
	s.update(sender, 1)
	defer s.update(sender, -1)
	s.Store.ServeHTTP(w, r)
}

func (s *watchedStore) update(sender, delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight[sender] += delta
	if delta > 0 {
		s.started++
	}
	if s.onPut != nil {
		s.onPut(s.started, s.inFlight)
	}
}

// bulkMove is one process's `call bulk_update_customers` of its own customers.
type bulkMove struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func startBulkMove(t testing.TB, store *watchedStore, redisURL string, i int) *bulkMove {
	t.Helper()
	customers := make([]map[string]any, store.perProcess)
	for j := range customers {
		customers[j] = map[string]any{"id": i*store.perProcess + j + 1, "notes": fmt.Sprintf("moved by process %d", i)}
	}
	args, _ := json.Marshal(map[string]any{"customers": customers})
	m := &bulkMove{cmd: exec.Command(serverBinary(t), "call", "bulk_update_customers", "-")}
	m.cmd.Env = cleanEnv("BIGCOMMERCE_STORE_HASH=shared", "BIGCOMMERCE_ACCESS_TOKEN=shared-store-token",
		"BIGCOMMERCE_API_URL="+store.URL, "REDIS_URL="+redisURL,
		"BIGCOMMERCE_MCP_JOURNAL=off") // not what is measured, and one SQLite file for all would be contended
	m.cmd.Stdin = bytes.NewReader(args)
	m.cmd.Stdout, m.cmd.Stderr = &m.stdout, &m.stderr
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.cmd.Process.Kill() })
	return m
}

// updated waits for the process and returns how many customers it updated.
func (m *bulkMove) updated(t testing.TB) int {
	t.Helper()
	if err := m.cmd.Wait(); err != nil {
		t.Fatalf("%v: %v\n%s", m.cmd.Args, err, m.stderr.String())
	}
	var res struct {
		Counts struct{ Updated int }
	}
	if err := json.Unmarshal(m.stdout.Bytes(), &res); err != nil {
		t.Fatalf("result: %v: %q", err, m.stdout.String())
	}
	return res.Counts.Updated
}

// moveAtOnce starts the processes together and returns how long until the
// last finished.
func moveAtOnce(t testing.TB, store *watchedStore, redisURL string) time.Duration {
	serverBinary(t) // built before the clock starts
	start := time.Now()
	var moves []*bulkMove
	for i := range processes {
		moves = append(moves, startBulkMove(t, store, redisURL, i))
	}
	for i, m := range moves {
		if n := m.updated(t); n != store.perProcess {
			t.Errorf("process %d updated %d of %d customers", i, n, store.perProcess)
		}
	}
	return time.Since(start)
}

func checkCaps(t testing.TB, store *watchedStore) {
	t.Helper()
	stats := store.Stats()
	if got := stats.MaxInFlight["customers_update"]; got > bc.MaxUpdateRequestsInFlight {
		t.Errorf("the store saw %d Update Customers calls in flight, over its cap of %d", got, bc.MaxUpdateRequestsInFlight)
	}
	for class, n := range stats.ConcurrencyRejections {
		if n > 0 {
			t.Errorf("the store refused %d %s requests for concurrency", n, class)
		}
	}
}

func TestThreeProcessesShareTheUpdateCap(t *testing.T) {
	t.Parallel()
	store := newWatchedStore(t, perProcess)
	elapsed := moveAtOnce(t, store, testsvc.Redis(t))
	checkCaps(t, store)
	if got := store.Stats().CustomersUpdated; got != processes*perProcess {
		t.Errorf("the store updated %d customers, want %d", got, processes*perProcess)
	}
	t.Logf("%d processes moved %d customers in %v: %.2f of the single-store limit (%v); max in flight %d",
		processes, processes*perProcess, elapsed.Round(time.Millisecond), float64(singleStoreTime)/float64(elapsed),
		singleStoreTime, store.Stats().MaxInFlight["customers_update"])
}

// BenchmarkThreeProcessesMoveCustomers: three processes move 1,000 customers
// each at once, at 50 ms a call; fraction_of_limit is the store's own limit
// (300 calls, 3 at a time) over the time taken, start-up included.
func BenchmarkThreeProcessesMoveCustomers(b *testing.B) {
	redisURL := testsvc.Redis(b)
	for b.Loop() {
		store := newWatchedStore(b, perProcess)
		elapsed := moveAtOnce(b, store, redisURL)
		checkCaps(b, store)
		b.ReportMetric(float64(singleStoreTime)/float64(elapsed), "fraction_of_limit")
		b.ReportMetric(float64(store.Stats().MaxInFlight["customers_update"]), "max_in_flight")
		b.ReportMetric(float64(store.Stats().ConcurrencyRejections["customers_update"]), "concurrency_429s")
	}
}

// TestSIGKILLedProcessGivesItsSlotsBack kills one of three processes early,
// while it has a call in flight: the other two finish everything, and get the
// dead one's slots back within the lease. They have 2,000 customers each, so
// that they are still busy when the lease lapses.
func TestSIGKILLedProcessGivesItsSlotsBack(t *testing.T) {
	t.Parallel()
	const perProcess, killAfter = 2000, 60
	store := newWatchedStore(t, perProcess)
	redisURL := testsvc.Redis(t)
	var killedAt, recoveredAt time.Time
	var atKill [processes]int
	var killedAfter int
	var victim *bulkMove
	store.onPut = func(started int, inFlight [processes]int) {
		switch {
		case started >= killAfter && inFlight[0] > 0 && killedAt.IsZero(): // it holds a slot
			victim.cmd.Process.Kill()
			killedAt, atKill, killedAfter = time.Now(), inFlight, started
		case !killedAt.IsZero() && recoveredAt.IsZero() && inFlight[1]+inFlight[2] == bc.MaxUpdateRequestsInFlight && inFlight[0] == 0:
			recoveredAt = time.Now()
		}
	}
	store.mu.Lock()
	victim = startBulkMove(t, store, redisURL, 0)
	store.mu.Unlock()
	survivors := []*bulkMove{startBulkMove(t, store, redisURL, 1), startBulkMove(t, store, redisURL, 2)}
	for i, m := range survivors {
		if n := m.updated(t); n != perProcess {
			t.Errorf("survivor %d updated %d of %d customers", i+1, n, perProcess)
		}
	}
	checkCaps(t, store)
	store.mu.Lock()
	defer store.mu.Unlock()
	if killedAt.IsZero() || recoveredAt.IsZero() {
		t.Fatalf("killed at %v, survivors back to %d in flight at %v", killedAt, bc.MaxUpdateRequestsInFlight, recoveredAt)
	}
	recovery := recoveredAt.Sub(killedAt)
	// The lease, the waiters' next look, and slack for a loaded machine.
	if bound := sharedlimit.DefaultLeaseTTL + 3*sharedlimit.DefaultWakeWait + time.Second; recovery > bound {
		t.Errorf("the survivors got the dead process's slots back %v after the kill, more than the lease allows (%v)", recovery, bound)
	}
	t.Logf("SIGKILL after %d of %d calls, holding %d slots: the survivors held all %d slots again %v later (lease %v)",
		killedAfter, processes*perProcess/bc.MaxCustomersPerUpdate, atKill[0], bc.MaxUpdateRequestsInFlight, recovery.Round(time.Millisecond), sharedlimit.DefaultLeaseTTL)
}
