package soak

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

// TestMain fails the package when a test leaves a goroutine behind: every
// test closes its server, so nothing it started may outlive it.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	workers            = 12
	customersPerWorker = 150
	callTimeout        = 20 * time.Second // far longer than any call should take
	heapGrowthLimit    = 64 << 20
	// The bc client's deadlines: a call of one operation (every tool but the
	// lists and the bulk update) must answer within operationTimeout and a
	// little slack, whatever the store does. An attempt abandoned at its
	// timeout may still be running in the store when its slot is taken
	// again: attemptTimeout is long enough that on a busy machine the
	// simulator's answers (a few ms) are not abandoned, only stalled bodies.
	operationTimeout, attemptTimeout = 3 * time.Second, time.Second
	deadlineSlack                    = 500 * time.Millisecond
)

// The store alternates between a calm, in which every kind of fault is
// rare, and a storm of 429s.
var (
	calm = bcsim.Faults{RateLimit429: 0.01, RetryAfter: 2 * time.Millisecond, Error500: 0.02, Error503: 0.02,
		ResetBeforeApply: 0.02, ResetAfterApply: 0.03, Partial207: 0.05}
	storm = bcsim.Faults{RateLimit429: 0.6, RetryAfter: 5 * time.Millisecond, Error503: 0.05, ResetAfterApply: 0.05}
)

func soakDuration(t *testing.T) time.Duration {
	if s := os.Getenv("SOAK_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("SOAK_DURATION: %v", err)
		}
		return d
	}
	if testing.Short() {
		return time.Second
	}
	return 3 * time.Second
}

// TestMixedCallsUnderFaultsKeepEveryPromise runs workers that each own some
// groups and customers and call every tool on them concurrently, through one
// server, while the store injects latency spikes, 429 storms, 5xx and
// dropped connections, and misbehaves in ways BigCommerce does not document
// (redirects, partial 2xx, empty pages, absurd headers, stalled bodies).
// Each worker records every state its entities may be in given what the
// tools reported; the store must be in one of them at the end, the
// documented limits must have held throughout, no call may have waited past
// its deadline and the token must never have reached another origin.
func TestMixedCallsUnderFaultsKeepEveryPromise(t *testing.T) {
	store := bcsim.New(bcsim.WithCustomers(workers*customersPerWorker),
		bcsim.WithLatency(200*time.Microsecond, 3*time.Millisecond), bcsim.WithFaults(calm))
	served, elsewhere, mix := badstore.Serve(t, store), badstore.NewElsewhere(t), &mischief{served: map[string]int{}}
	served.Misbehave(mix.misbehaviour(elsewhere.URL))
	r := newRig(t, store, rigConfig{baseURL: served.URL, http: &spiky{next: overTCP(t)},
		callTimeout: operationTimeout, attemptTimeout: attemptTimeout})
	heapBefore := heapAlloc()

	going := untilCovered(soakDuration(t), store, mix)
	stopWeather := weather(store)
	crew := make([]*worker, workers)
	var wg sync.WaitGroup
	for i := range crew {
		crew[i] = newWorker(t, r, i)
		wg.Go(func() {
			for going() {
				crew[i].step()
			}
		})
	}
	wg.Wait()
	stopWeather()

	tally := map[string]int{}
	for _, w := range crew {
		w.verify(store)
		for k, n := range w.tally {
			tally[k] += n
		}
	}
	checkCoverage(t, tally, store.Stats())
	mix.check(t, elsewhere)
	if grown := int64(heapAlloc()) - int64(heapBefore); grown > heapGrowthLimit {
		t.Errorf("the heap grew by %d MiB during the soak", grown>>20)
	}
}

// checkCoverage fails the soak when it proved less than it claims: a tool
// that never succeeded or a fault never injected, and checks the caps.
func checkCoverage(t *testing.T, tally map[string]int, st bcsim.Stats) {
	t.Helper()
	calls := 0
	for _, k := range slices.Sorted(maps.Keys(tally)) {
		calls += tally[k]
		t.Logf("%6d %s", tally[k], k)
	}
	t.Logf("%d tool calls, %d requests; injected %v; max in flight %v; quota rejections %d",
		calls, sum(st.Requests), st.Injected, st.MaxInFlight, st.QuotaRejections)
	for _, tool := range []string{"list_customer_groups", "get_customer_group", "count_customer_groups",
		"create_customer_group", "update_customer_group", "delete_customer_group", "bulk_update_customers"} {
		if tally[tool+" ok"] == 0 {
			t.Errorf("%s never succeeded during the soak", tool)
		}
	}
	for _, kind := range unmetFaults(st) {
		t.Errorf("the soak injected no %s fault", kind)
	}
	if n := st.MaxInFlight["customer_groups"]; n > 40 {
		t.Errorf("%d customer-group requests were in flight at once; the limit is 40", n)
	}
	if n := st.MaxInFlight["customers_update"]; n > 3 {
		t.Errorf("%d customer updates were in flight at once; the limit is 3", n)
	}
	if len(st.ConcurrencyRejections) > 0 {
		t.Errorf("the store refused requests over its concurrency limits: %v", st.ConcurrencyRejections)
	}
}

// untilCovered says whether the soak goes on: for d, and then on until
// every fault and misbehaviour has been met, for at most 3d in all, since a
// short soak on a busy machine may not meet the rarest.
func untilCovered(d time.Duration, store *bcsim.Store, mix *mischief) func() bool {
	start := time.Now()
	return func() bool {
		switch took := time.Since(start); {
		case took < d:
			return true
		case took > 3*d:
			return false
		}
		return len(unmetFaults(store.Stats())) > 0 || len(mix.unserved()) > 0
	}
}

func unmetFaults(st bcsim.Stats) []string {
	return slices.DeleteFunc([]string{"429", "500", "503", "reset_before", "reset_after", "207"},
		func(kind string) bool { return st.Injected[kind] > 0 })
}

func sum(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func heapAlloc() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// weather switches the store between calm and storms until stopped.
func weather(store *bcsim.Store) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			for _, phase := range []struct {
				faults bcsim.Faults
				length time.Duration
			}{{calm, 250 * time.Millisecond}, {storm, 50 * time.Millisecond}} {
				store.SetFaults(phase.faults)
				select {
				case <-done:
					return
				case <-time.After(phase.length):
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// spiky holds one request in fifty for 25ms before it reaches the store:
// the latency spikes that the store's uniform jitter does not produce.
type spiky struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (s *spiky) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.n.Add(1)%50 == 0 {
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	return s.next.RoundTrip(req)
}

// groupState is what the store may hold for a group a worker created.
type groupState struct {
	Name   string
	Amount float64 // of its one "all" rule
	Gone   bool
}

var gone = groupState{Gone: true}

// possible is every value an entity may have, given what the tools said.
type possible[T comparable] []T

func (p possible[T]) with(v T) possible[T] {
	if slices.Contains(p, v) {
		return p
	}
	return append(p, v)
}

// worker owns the groups it creates and a block of customers, so that what
// it was told about them is all that can have changed them.
type worker struct {
	t     *testing.T
	id    int
	rig   *rig
	rng   *rand.Rand
	seq   int
	tally map[string]int

	groups      map[int]possible[groupState]
	groupIDs    []int    // in creation order, for reproducible choices
	unsureNames []string // creates that may have happened, their id unknown
	absentNames []string // creates the tools said did not happen

	customers []int
	notes     map[int]possible[string]
}

func newWorker(t *testing.T, r *rig, id int) *worker {
	w := &worker{t: t, id: id, rig: r, rng: rand.New(rand.NewPCG(uint64(id), 7)), tally: map[string]int{},
		groups: map[int]possible[groupState]{}, notes: map[int]possible[string]{}}
	for cid := id*customersPerWorker + 1; cid <= (id+1)*customersPerWorker; cid++ {
		c, ok := r.store.Customer(cid)
		if !ok {
			t.Fatalf("the store has no customer %d", cid)
		}
		w.customers = append(w.customers, cid)
		w.notes[cid] = possible[string]{c.Notes}
	}
	return w
}

// name is a fresh, unique name or note; " <worker>-" is the worker's prefix.
func (w *worker) name() string {
	w.seq++
	return fmt.Sprintf("soak %d-%d", w.id, w.seq)
}

func (w *worker) prefix() string { return fmt.Sprintf("soak %d-", w.id) }

func (w *worker) step() {
	switch n := w.rng.IntN(100); {
	case n < 8:
		w.call("count_customer_groups", nil, &tools.CustomerGroupCount{})
	case n < 16:
		w.call("list_customer_groups", map[string]any{"limit": 1 + w.rng.IntN(250)}, &tools.CustomerGroupList{})
	case n < 26:
		w.listMine()
	case n < 36:
		w.getMine()
	case n < 56:
		w.create()
	case n < 72:
		w.update()
	case n < 82:
		w.delete()
	default:
		w.bulk()
	}
}

// mayHaveApplied matches an error that says the write may have happened
// all the same; any other error promises it did not.
var mayHaveApplied = regexp.MustCompile(`may have been \w+ all the same|may or may not have been applied`)

// expected are the codes the faults can cause; not_found is judged by the
// ledger, the others (invalid_argument, conflict...) would mean a bug.
var expected = map[string]bool{"rate_limited": true, "upstream_error": true, "unavailable": true, "not_found": true}

// oneOperation are the tools that make a single bc call, which the bc
// client's call deadline bounds.
var oneOperation = map[string]bool{"get_customer_group": true, "count_customer_groups": true,
	"create_customer_group": true, "update_customer_group": true, "delete_customer_group": true}

// call makes one tool call, decoding a success into out; it returns the
// error of a failed call.
func (w *worker) call(tool string, args any, out any) *toolError {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	start := time.Now()
	res, err := w.rig.call(ctx, tool, args)
	if took := time.Since(start); oneOperation[tool] && took > operationTimeout+deadlineSlack {
		w.t.Errorf("%s(%v) took %v, past its deadline of %v", tool, args, took, operationTimeout)
	}
	if err == nil {
		var te *toolError
		if te, err = outcome(res, out); err == nil && te == nil {
			w.tally[tool+" ok"]++
			return nil
		} else if err == nil {
			w.tally[tool+" "+te.Code]++
			if !expected[te.Code] || te.Message == "" || te.Hint == "" {
				w.t.Errorf("%s(%v) failed unexpectedly: %+v", tool, args, te)
			}
			return te
		}
	}
	w.t.Errorf("%s(%v): %v", tool, args, err)
	return &toolError{Code: "broken"}
}

func (w *worker) create() {
	name, amount := w.name(), float64(1+w.rng.IntN(50))
	var out tools.CustomerGroupResult
	te := w.call("create_customer_group", map[string]any{"name": name, "discount_rules": rules(amount)}, &out)
	switch {
	case te == nil:
		if g := out.CustomerGroup; g.Name != name || g.ID == 0 {
			w.t.Errorf("create %q answered %+v", name, g)
		}
		w.groups[out.CustomerGroup.ID] = possible[groupState]{{Name: name, Amount: amount}}
		w.groupIDs = append(w.groupIDs, out.CustomerGroup.ID)
	case mayHaveApplied.MatchString(te.Hint + te.Message):
		w.unsureNames = append(w.unsureNames, name)
	default:
		w.absentNames = append(w.absentNames, name)
	}
}

func (w *worker) update() {
	id, ok := w.pick()
	if !ok {
		w.create()
		return
	}
	want := groupState{Name: w.name(), Amount: float64(1 + w.rng.IntN(50))}
	var out tools.CustomerGroupResult
	te := w.call("update_customer_group", map[string]any{"id": id, "name": want.Name, "discount_rules": rules(want.Amount)}, &out)
	if te == nil && stateOf(out.CustomerGroup) != want {
		w.t.Errorf("update of group %d to %+v answered %+v", id, want, out.CustomerGroup)
	}
	w.wrote(id, want, te)
}

func (w *worker) delete() {
	id, ok := w.pick()
	if !ok {
		w.create()
		return
	}
	w.wrote(id, gone, w.call("delete_customer_group", map[string]any{"id": id}, &tools.DeletedCustomerGroup{}))
}

// wrote records how a write meant to leave a group as want went.
func (w *worker) wrote(id int, want groupState, te *toolError) {
	switch {
	case te == nil:
		w.groups[id] = possible[groupState]{want}
	case te.Code == "not_found":
		w.observe(id, gone)
	case mayHaveApplied.MatchString(te.Hint + te.Message):
		w.groups[id] = w.groups[id].with(want)
	}
}

func (w *worker) getMine() {
	id, ok := w.pick()
	if !ok {
		return
	}
	var out tools.CustomerGroupResult
	switch te := w.call("get_customer_group", map[string]any{"id": id}, &out); {
	case te == nil:
		w.observe(id, stateOf(out.CustomerGroup))
	case te.Code == "not_found":
		w.observe(id, gone)
	}
}

// listMine lists the worker's groups by name and settles what it sees: the
// groups it knows of, and those it was unsure it had created.
func (w *worker) listMine() {
	var out tools.CustomerGroupList
	if te := w.call("list_customer_groups", map[string]any{"name_like": w.prefix(), "all_pages": true}, &out); te != nil {
		return
	}
	listed := map[int]bool{}
	for _, g := range out.CustomerGroups {
		listed[g.ID] = true
		switch {
		case w.groups[g.ID] != nil:
			w.observe(g.ID, stateOf(g))
		case slices.Contains(w.unsureNames, g.Name):
			w.unsureNames = slices.DeleteFunc(w.unsureNames, func(n string) bool { return n == g.Name })
			w.groups[g.ID] = possible[groupState]{stateOf(g)}
			w.groupIDs = append(w.groupIDs, g.ID)
		default:
			w.t.Errorf("list shows group %d %q, which worker %d was told it did not create", g.ID, g.Name, w.id)
		}
	}
	for id := range w.groups {
		if !listed[id] {
			w.observe(id, gone)
		}
	}
}

// observe settles a group's state to what a tool reported, which must be
// one the worker allowed for.
func (w *worker) observe(id int, seen groupState) {
	if !slices.Contains(w.groups[id], seen) {
		w.t.Errorf("group %d is %+v, but worker %d was only told of %+v", id, seen, w.id, w.groups[id])
	}
	w.groups[id] = possible[groupState]{seen}
}

// pick chooses a group that may still exist.
func (w *worker) pick() (int, bool) {
	live := slices.DeleteFunc(slices.Clone(w.groupIDs), func(id int) bool {
		return slices.Equal(w.groups[id], possible[groupState]{gone})
	})
	if len(live) == 0 {
		return 0, false
	}
	return live[w.rng.IntN(len(live))], true
}

// bulk sets a fresh note on a run of the worker's customers, as a list or
// with a selector, sometimes as a dry run.
func (w *worker) bulk() {
	start := w.rng.IntN(len(w.customers) / 3)
	ids := w.customers[start : start+100+w.rng.IntN(len(w.customers)-start-100+1)]
	note, dryRun := w.name(), w.rng.IntN(5) == 0
	args := map[string]any{"dry_run": dryRun, "details": true} // every id, to check the accounting
	if w.rng.IntN(2) == 0 {
		args["where"], args["set"], args["expect_count"] = map[string]any{"ids": ids}, map[string]any{"notes": note}, len(ids)
	} else {
		items := make([]map[string]any, len(ids))
		for i, id := range ids {
			items[i] = map[string]any{"id": id, "notes": note}
		}
		args["customers"] = items
	}
	var out tools.BulkUpdateCustomersResult
	te := w.call("bulk_update_customers", args, &out)
	switch {
	case te != nil && mayHaveApplied.MatchString(te.Hint+te.Message):
		for _, id := range ids {
			w.notes[id] = w.notes[id].with(note)
		}
	case te != nil, dryRun:
	default:
		w.settle(ids, note, out)
	}
}

// settle records what a bulk update reported, which must account for every
// customer it was given exactly once.
func (w *worker) settle(ids []int, note string, out tools.BulkUpdateCustomersResult) {
	var reported []int
	reported = append(reported, out.Updated...)
	reported = append(reported, out.Unchanged...)
	reported = append(reported, out.NotAttempted...)
	for _, f := range out.Failed {
		reported = append(reported, f.ID)
		if f.Code == "unconfirmed" {
			w.notes[f.ID] = w.notes[f.ID].with(note)
		}
	}
	if slices.Sort(reported); out.Total != len(ids) || !slices.Equal(reported, ids) {
		w.t.Errorf("a bulk update of %d customers accounted for %d of them (total %d)", len(ids), len(reported), out.Total)
	}
	for _, id := range out.Updated {
		w.notes[id] = possible[string]{note}
	}
	if len(out.Unchanged) > 0 {
		w.t.Errorf("a fresh note %q was already set on customers %v", note, out.Unchanged)
	}
}

// verify checks the store against everything the worker was told.
func (w *worker) verify(store *bcsim.Store) {
	byName := map[string]int{}
	for _, g := range store.Groups() {
		byName[g.Name]++
	}
	for _, id := range w.groupIDs {
		g, ok := store.Group(id)
		actual := gone
		if ok {
			actual = stateOfStored(g)
		}
		if !slices.Contains(w.groups[id], actual) {
			w.t.Errorf("group %d is %+v in the store; the tools allowed only %+v", id, actual, w.groups[id])
		}
	}
	for _, name := range w.absentNames {
		if byName[name] > 0 {
			w.t.Errorf("group %q exists, though its create failed without saying it may have been applied", name)
		}
	}
	for _, name := range w.unsureNames {
		if byName[name] > 1 {
			w.t.Errorf("group %q exists %d times", name, byName[name])
		}
	}
	for _, id := range w.customers {
		c, _ := store.Customer(id)
		if !slices.Contains(w.notes[id], c.Notes) {
			w.t.Errorf("customer %d has notes %q; the tools allowed only %q", id, c.Notes, w.notes[id])
		}
	}
}

func rules(amount float64) []map[string]any {
	return []map[string]any{{"type": "all", "method": "percent", "amount": amount}}
}

func stateOf(g tools.CustomerGroup) groupState {
	s := groupState{Name: g.Name}
	if len(g.DiscountRules) == 1 {
		s.Amount = float64(g.DiscountRules[0].Amount)
	}
	return s
}

func stateOfStored(g bcsim.Group) groupState {
	s := groupState{Name: g.Name}
	if len(g.DiscountRules) == 1 {
		s.Amount = g.DiscountRules[0].Amount
	}
	return s
}
