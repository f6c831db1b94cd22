package bc

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/fakeclock"
)

func quotaHeaders(left, resetMs int) http.Header {
	h := http.Header{}
	h.Set("x-rate-limit-requests-left", strconv.Itoa(left))
	h.Set("x-rate-limit-time-reset-ms", strconv.Itoa(resetMs))
	h.Set("x-rate-limit-requests-quota", "10")
	h.Set("x-rate-limit-time-window-ms", "1000")
	return h
}

// mayGo reports whether a request may start now.
func mayGo(p *quotaPacer) bool {
	wait, changed := p.reserve()
	return wait == 0 && changed == nil
}

func TestThePacerHoldsRequestsBackWhenTheQuotaIsSpent(t *testing.T) {
	t.Parallel()
	clock := fakeclock.At(time.Unix(0, 0))
	p := newQuotaPacer(clock.Now)
	if !mayGo(p) {
		t.Fatal("the first request must go before anything is known")
	}
	p.finish(quotaHeaders(2, 1000))
	for i := range 2 {
		if !mayGo(p) {
			t.Fatalf("request %d held back with quota left", i)
		}
	}
	if wait, _ := p.reserve(); wait != time.Second+time.Millisecond {
		t.Fatalf("with the quota spent, wait = %v, want the 1s to the reset, rounded up", wait)
	}
	clock.Advance(time.Second + time.Millisecond)
	for i := range 8 { // a fresh window of 10, less the 2 still in flight
		if !mayGo(p) {
			t.Fatalf("request %d of the new window held back", i)
		}
	}
	if mayGo(p) {
		t.Fatal("the new window's allowance must count the requests still in flight")
	}
}

func TestThePacerProbesOneRequestAtATimeUntilTheQuotaIsKnown(t *testing.T) {
	t.Parallel()
	p := newQuotaPacer(time.Now)
	if !mayGo(p) {
		t.Fatal("the first request must go")
	}
	wait, changed := p.reserve()
	if wait != 0 || changed == nil {
		t.Fatalf("second request: wait %v, changed %v; want to wait for the first", wait, changed)
	}
	p.finish(quotaHeaders(5, 1000))
	select {
	case <-changed:
	default:
		t.Fatal("finishing a request must wake the waiters")
	}
	if !mayGo(p) {
		t.Fatal("with the quota known, requests go")
	}
}

func TestThePacerCountsRequestsStillInFlight(t *testing.T) {
	t.Parallel()
	clock := fakeclock.At(time.Unix(0, 0))
	p := newQuotaPacer(clock.Now)
	mayGo(p)
	p.finish(quotaHeaders(10, 1000))
	mayGo(p)
	mayGo(p)
	mayGo(p)
	p.finish(quotaHeaders(3, 1000)) // two others are still out: 1 left at most
	if !mayGo(p) {
		t.Fatal("one request should still fit")
	}
	if mayGo(p) {
		t.Fatal("the estimate must count the requests in flight")
	}
}

func TestA429PausesEveryCaller(t *testing.T) {
	t.Parallel()
	clock := fakeclock.At(time.Unix(0, 0))
	p := newQuotaPacer(clock.Now)
	p.block(300 * time.Millisecond)
	if wait, _ := p.reserve(); wait != 300*time.Millisecond {
		t.Fatalf("wait = %v, want 300ms", wait)
	}
	clock.Advance(300 * time.Millisecond)
	if !mayGo(p) {
		t.Fatal("after the block, requests go")
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

func TestNoRateLimitHeaderIsBelievedBeyondAFewMinutesOrOverflows(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"10000000000000", "1000000000000", "3600000", "-5", "1e3", "99999999999999999999", "0x10", ""} {
		h := http.Header{}
		h.Set("X-Rate-Limit-Requests-Left", "0")
		h.Set("X-Rate-Limit-Time-Reset-Ms", v)
		if rl, ok := parseRateLimit(h); ok {
			t.Errorf("reset %q was believed: %+v", v, rl)
		}
		if d, ok := retryAfter(h); ok {
			t.Errorf("reset %q gave a wait of %v", v, d)
		}
	}
	h := http.Header{}
	h.Set("X-Rate-Limit-Time-Reset-Ms", "-1")
	h.Set("X-Retry-After", "99999999999")
	if d, ok := retryAfter(h); ok {
		t.Errorf("X-Retry-After 99999999999 gave a wait of %v", d)
	}
	h.Set("X-Retry-After", "2")
	if d, ok := retryAfter(h); !ok || d != 2*time.Second {
		t.Errorf("X-Retry-After 2 gave %v, %v; want 2s", d, ok)
	}
	h.Set("X-Rate-Limit-Time-Reset-Ms", "180000")
	if d, ok := retryAfter(h); !ok || d != 3*time.Minute {
		t.Errorf("a reset of 3 minutes gave %v, %v; want it believed", d, ok)
	}
}

func TestOnePoisonedAnswerHoldsNoCall(t *testing.T) {
	t.Parallel()
	const (
		left  = "X-Rate-Limit-Requests-Left"
		reset = "X-Rate-Limit-Time-Reset-Ms"
	)
	tests := []struct {
		name   string
		poison badstore.Misbehaviour
	}{
		{"a 429 with a reset of 10^12 ms", badstore.Answer(429, "", left, "0", reset, "1000000000000")},
		{"a 429 with a reset of 10^13 ms, which overflows", badstore.Answer(429, "", left, "0", reset, "10000000000000")},
		{"a 429 with a negative reset and X-Retry-After 99999999999", badstore.Answer(429, "", left, "0", reset, "-1", "X-Retry-After", "99999999999")},
		{"a 200 with no requests left and a reset an hour away", badstore.OverrideHeaders(left, "0", reset, "3600000")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := badstore.New(t)
			c := BadStoreClient(t, store, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			store.Misbehave(tt.poison)
			_, _, err := c.CustomerGroups.Get(ctx, 1)
			var apiErr *Error
			if errors.As(err, &apiErr) && (apiErr.RetryAfter <= 0 || apiErr.RetryAfter > maxBelievedWait) {
				t.Errorf("the poisoned call asks to wait %v", apiErr.RetryAfter)
			}
			if err != nil && !errors.Is(err, ErrRateLimited) {
				t.Errorf("the poisoned call failed with %v, want rate limited", err)
			}
			store.Misbehave(nil)
			if _, _, err := c.CustomerGroups.Get(ctx, 2); err != nil {
				t.Fatalf("the next call, to a store behaving again: %v", err)
			}
		})
	}
}

func TestA429WithQuotaLeftHoldsOnlyItsOwnRequest(t *testing.T) {
	t.Parallel()
	store := badstore.New(t)
	c := BadStoreClient(t, store, func(cfg *Config) { cfg.MaxRetries = 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store.Misbehave(badstore.ConcurrencyRefusals(1))
	_, _, err := c.CustomerGroups.Get(ctx, 1)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter != time.Second || apiErr.Cause != CauseConcurrency {
		t.Fatalf("err = %v (cause %d); want rate limited for concurrency, retry after X-Retry-After's 1s (not the quota's 30s reset)", err, apiErr.Cause)
	}
	if wait, _ := c.pacer.reserve(); wait != 0 {
		t.Fatalf("a concurrency refusal held the whole store for %v", wait)
	}
	c.pacer.finish(nil)

	store.Misbehave(badstore.Answer(http.StatusTooManyRequests, "", "X-Rate-Limit-Requests-Left", "0", "X-Rate-Limit-Time-Reset-Ms", "30000"))
	if _, _, err := c.CustomerGroups.Get(ctx, 1); !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.Cause != CauseQuota {
		t.Fatalf("err = %v, want rate limited for the quota", err)
	}
	if wait, _ := c.pacer.reserve(); wait < 29*time.Second {
		t.Fatalf("with the quota spent the store is held for %v, want until the 30s reset", wait)
	}
}

func TestAWaitLongerThanTheCallDeadlineFailsAtOnceWithoutACallerDeadline(t *testing.T) {
	t.Parallel()
	store := badstore.New(t)
	store.Misbehave(badstore.Answer(http.StatusTooManyRequests, "", "X-Rate-Limit-Requests-Left", "0", "X-Rate-Limit-Time-Reset-Ms", "90000"))
	c := BadStoreClient(t, store, nil)                                      // the default call deadline, a minute, is shorter than the reset
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard that could fit one wait
	defer cancel()
	_, resp, err := c.CustomerGroups.Get(ctx, 1)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.RetryAfter < 89*time.Second {
		t.Fatalf("err = %v, want rate limited with the 90s wait", err)
	}
	if resp.RateLimited != 1 || apiErr.Cause != CauseQuota {
		t.Errorf("met %d 429s, cause %d: the call waited out a reset its own deadline could not fit, or forgot the store's refusal", resp.RateLimited, apiErr.Cause)
	}
	_, resp, err = c.CustomerGroups.Get(ctx, 1)
	if !errors.As(err, &apiErr) || apiErr.Cause != CauseQuota || resp.RateLimited != 0 {
		t.Errorf("the next call: err = %v, %d 429s; want it held back for the quota, not sent", err, resp.RateLimited)
	}
}

func TestARequestTheDeadlineCaughtWaitingForASlotSaysItWasNotSent(t *testing.T) {
	t.Parallel()
	store := badstore.New(t)
	c := BadStoreClient(t, store, func(cfg *Config) { cfg.CallTimeout = 50 * time.Millisecond })
	if err := c.groups.Acquire(context.Background(), MaxGroupRequestsInFlight); err != nil { // every slot taken, as by calls in flight
		t.Fatal(err)
	}
	_, _, err := c.CustomerGroups.Get(context.Background(), 1)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) || apiErr.Cause != CauseNotSent {
		t.Fatalf("err = %v, want rate limited, not sent", err)
	}
	if n := store.Sim.Stats().Requests; len(n) != 0 {
		t.Errorf("the store got %v", n)
	}
}
