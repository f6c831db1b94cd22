package sharedlimit_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/sharedlimit"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
)

// testLease is short to keep the tests quick, yet three renewal periods long
// enough that a loaded machine renews in time.
const testLease = time.Second

// open connects one "process" (its own connections and holder id) to url.
func open(t testing.TB, url string) *sharedlimit.Redis {
	t.Helper()
	r, err := sharedlimit.Open(context.Background(), url, sharedlimit.Options{LeaseTTL: testLease, WakeWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func updateSlots(r *sharedlimit.Redis) bc.Slots {
	return r.Limits("http://store.test", "abc").Slots(bc.CustomerUpdates, 3)
}

func TestSlotsNeverExceedTheCapAcrossClients(t *testing.T) {
	url := testsvc.Redis(t)
	var inUse, maxInUse, grants atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		slots := updateSlots(open(t, url))
		for range 6 {
			wg.Go(func() {
				for range 15 {
					if err := slots.Acquire(context.Background(), 1); err != nil {
						t.Error(err)
						return
					}
					n := inUse.Add(1)
					for m := maxInUse.Load(); n > m && !maxInUse.CompareAndSwap(m, n); m = maxInUse.Load() {
					}
					grants.Add(1)
					time.Sleep(time.Millisecond) // the work the slot is for
					inUse.Add(-1)
					slots.Release(1)
				}
			})
		}
	}
	wg.Wait()
	if got := maxInUse.Load(); got != 3 {
		t.Errorf("at most %d slots were held at once, want exactly the cap of 3", got)
	}
	if got := grants.Load(); got != 4*6*15 {
		t.Errorf("%d grants, want %d", got, 4*6*15)
	}
}

// TestProcessesTakeTurns: one process with many callers cannot starve another
// with one, because Redis queues at most one waiter per slot per process, first
// come first served.
func TestProcessesTakeTurns(t *testing.T) {
	url := testsvc.Redis(t)
	busy := open(t, url).Limits("http://store.test", "abc").Slots(bc.CustomerUpdates, 1)
	lone := open(t, url).Limits("http://store.test", "abc").Slots(bc.CustomerUpdates, 1)
	const total = 60
	var grants, loneGrants atomic.Int64
	work := func(slots bc.Slots, mine *atomic.Int64) {
		for grants.Load() < total {
			if err := slots.Acquire(context.Background(), 1); err != nil {
				t.Error(err)
				return
			}
			grants.Add(1)
			if mine != nil {
				mine.Add(1)
			}
			slots.Release(1)
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { work(busy, nil) })
	}
	wg.Go(func() { work(lone, &loneGrants) })
	wg.Wait()
	// Taking turns gives it about half; callers served one by one, whatever
	// their process, would give it a ninth.
	if got, all := loneGrants.Load(), grants.Load(); got < all/4 {
		t.Errorf("the process with one caller got %d of %d grants, want close to half", got, all)
	}
	t.Logf("the process with one caller got %d of %d grants; the one with eight, the rest", loneGrants.Load(), grants.Load())
}

func TestALiveHolderKeepsItsSlotsPastTheLease(t *testing.T) {
	url := testsvc.Redis(t)
	holder := updateSlots(open(t, url))
	if err := holder.Acquire(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*testLease)
	defer cancel()
	if err := updateSlots(open(t, url)).Acquire(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("another process acquired a renewed slot: err = %v", err)
	}
	holder.Release(3)
	if err := updateSlots(open(t, url)).Acquire(context.Background(), 3); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

// TestSlotsOfAKilledProcessComeBack SIGKILLs a real process holding every
// slot: the survivors get them back once the leases lapse.
func TestSlotsOfAKilledProcessComeBack(t *testing.T) {
	url := testsvc.Redis(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SHAREDLIMIT_HOLD_URL="+url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	lines := bufio.NewScanner(out)
	for lines.Scan() && lines.Text() != "holding" {
	}
	if lines.Text() != "holding" {
		t.Fatal("the helper process exited before it held the slots")
	}
	survivor := updateSlots(open(t, url))
	ctx, cancel := context.WithTimeout(context.Background(), 3*testLease)
	if err := survivor.Acquire(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquired a slot the live helper holds: err = %v", err)
	}
	cancel()

	cmd.Process.Kill()
	killed := time.Now()
	ctx, cancel = context.WithTimeout(context.Background(), 10*testLease)
	defer cancel()
	if err := survivor.Acquire(ctx, 3); err != nil {
		t.Fatalf("the killed process's slots did not come back: %v", err)
	}
	t.Logf("all 3 slots back %v after SIGKILL (lease %v)", time.Since(killed).Round(time.Millisecond), testLease)
}

// TestMain runs the test binary as the process TestSlotsOfAKilledProcessComeBack
// kills, when asked to.
func TestMain(m *testing.M) {
	if url := os.Getenv("SHAREDLIMIT_HOLD_URL"); url != "" {
		holdSlotsUntilKilled(url)
	}
	os.Exit(m.Run())
}

func holdSlotsUntilKilled(url string) {
	r, err := sharedlimit.Open(context.Background(), url, sharedlimit.Options{LeaseTTL: testLease})
	if err == nil {
		err = updateSlots(r).Acquire(context.Background(), 3)
	}
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("holding\n")
	select {}
}

func TestLostRedisFailsAcquireAsUnavailable(t *testing.T) {
	srv := testsvc.StartRedis(t)
	r := open(t, srv.URL)
	slots := updateSlots(r)
	srv.Stop()
	err := slots.Acquire(context.Background(), 1)
	if !errors.Is(err, bc.ErrLimitsUnavailable) {
		t.Fatalf("Acquire with Redis gone: err = %v, want ErrLimitsUnavailable", err)
	}
	if err := r.Check(context.Background()); !errors.Is(err, bc.ErrLimitsUnavailable) {
		t.Fatalf("Check with Redis gone: err = %v", err)
	}
}

func TestOpenRefusesAnUnreachableRedis(t *testing.T) {
	url := "redis://:hunter2@127.0.0.1:" + strconv.Itoa(testsvc.FreePort(t)) + "/0"
	_, err := sharedlimit.Open(context.Background(), url, sharedlimit.Options{})
	if err == nil {
		t.Fatal("Open succeeded with nothing listening")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("the error shows the password: %v", err)
	}
}

func TestEveryProcessGetsTheSameSecret(t *testing.T) {
	url := testsvc.Redis(t)
	first, err := open(t, url).Secret(context.Background(), "sessions")
	if err != nil {
		t.Fatal(err)
	}
	second, err := open(t, url).Secret(context.Background(), "sessions")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := open(t, url).Secret(context.Background(), "other")
	if len(first) < 32 || string(first) != string(second) || string(first) == string(other) {
		t.Fatalf("secrets %q, %q and, by another name, %q: want one shared secret of 32+ bytes per name", first, second, other)
	}
}
