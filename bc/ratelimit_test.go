package bc

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func quotaHeaders(left, resetMs int) http.Header {
	h := http.Header{}
	h.Set("x-rate-limit-requests-left", itoa(left)) // lower-case names arrive too
	h.Set("x-rate-limit-time-reset-ms", itoa(resetMs))
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestThePacerHoldsRequestsBackWhenTheQuotaIsSpent(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := &quotaPacer{now: clock.now}
	if wait := p.reserve(); wait != 0 {
		t.Fatalf("first request waits %v before anything is known", wait)
	}
	p.finish(quotaHeaders(2, 1000))
	for i := range 2 {
		if wait := p.reserve(); wait != 0 {
			t.Fatalf("request %d waits %v with quota left", i, wait)
		}
	}
	if wait := p.reserve(); wait != time.Second {
		t.Fatalf("with the quota spent, wait = %v, want the 1s to the reset", wait)
	}
	clock.advance(time.Second)
	if wait := p.reserve(); wait != 0 {
		t.Fatalf("after the reset, wait = %v, want 0", wait)
	}
}

func TestThePacerCountsRequestsStillInFlight(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := &quotaPacer{now: clock.now}
	p.reserve()
	p.reserve()
	p.reserve()
	p.finish(quotaHeaders(3, 1000)) // two others are still out: 1 left at most
	if wait := p.reserve(); wait != 0 {
		t.Fatalf("wait = %v, want 0", wait)
	}
	if wait := p.reserve(); wait == 0 {
		t.Fatal("the estimate must count the requests in flight")
	}
}

func TestA429PausesEveryCaller(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(0, 0)}
	p := &quotaPacer{now: clock.now}
	p.block(300 * time.Millisecond)
	if wait := p.reserve(); wait != 300*time.Millisecond {
		t.Fatalf("wait = %v, want 300ms", wait)
	}
	clock.advance(300 * time.Millisecond)
	if wait := p.reserve(); wait != 0 {
		t.Fatalf("wait = %v after the block, want 0", wait)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt < 40; attempt++ {
		d := backoff(100*time.Millisecond, 2*time.Second, attempt)
		ceiling := min(100*time.Millisecond<<min(attempt-1, 16), 2*time.Second)
		if d < ceiling/2 || d > ceiling {
			t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, d, ceiling/2, ceiling)
		}
	}
}

func TestSleepGivesUpAtOnceWhenTheDeadlineIsTooClose(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := sleep(ctx, time.Hour); !errors.Is(err, errWaitTooLong) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 20*time.Millisecond {
		t.Fatal("sleep waited although the deadline could not be met")
	}
}
