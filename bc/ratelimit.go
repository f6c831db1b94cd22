package bc

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimit is the store-wide quota as reported by the X-Rate-Limit-* headers
// of a response.
type RateLimit struct {
	RequestsLeft  int
	RequestsQuota int
	ResetIn       time.Duration
	Window        time.Duration
}

// maxBelievedWait is the longest reset or retry-after the client believes.
// BigCommerce's windows are seconds long: a longer wait is a store or proxy
// misbehaving, and is treated as if the header were absent, so that one
// poisoned answer cannot park the store's every call.
const maxBelievedWait = 3 * time.Minute

// parseRateLimit reads the quota headers; ok is false when the response had
// none, or none to believe.
// http.Header.Get canonicalises names, so lower-case headers are read too.
func parseRateLimit(h http.Header) (rl RateLimit, ok bool) {
	left, okLeft := headerCount(h, "X-Rate-Limit-Requests-Left")
	quota, _ := headerCount(h, "X-Rate-Limit-Requests-Quota")
	reset, okReset := headerWait(h, "X-Rate-Limit-Time-Reset-Ms", time.Millisecond)
	window, _ := headerWait(h, "X-Rate-Limit-Time-Window-Ms", time.Millisecond)
	return RateLimit{RequestsLeft: left, RequestsQuota: quota, ResetIn: reset, Window: window}, okLeft && okReset
}

// retryAfter is how long a 429 asks us to wait: X-Rate-Limit-Time-Reset-Ms,
// else X-Retry-After (seconds); ok is false when neither header is believable.
func retryAfter(h http.Header) (time.Duration, bool) {
	if d, ok := headerWait(h, "X-Rate-Limit-Time-Reset-Ms", time.Millisecond); ok {
		return d, true
	}
	return headerWait(h, "X-Retry-After", time.Second)
}

// headerCount reads a non-negative integer; ok is false when the header is
// absent, malformed, negative or beyond int.
func headerCount(h http.Header, name string) (int, bool) {
	n, err := strconv.Atoi(h.Get(name))
	return n, err == nil && n >= 0
}

// headerWait reads a count of units as a duration; ok is false unless it is
// a count no longer than maxBelievedWait, so the product never overflows.
func headerWait(h http.Header, name string, unit time.Duration) (time.Duration, bool) {
	n, ok := headerCount(h, name)
	if !ok || n > int(maxBelievedWait/unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// quotaPacer shares the store's quota between every caller of one Client. It
// tracks how many requests the window has left (from the latest headers, minus
// requests still in flight) and holds new requests back until the window resets
// rather than spending the last requests on 429s. Until the first response, it
// lets one request out at a time; if responses carry no quota headers, it
// leaves the pace to the concurrency caps and 429s. After a 429 that says the
// quota is spent every caller pauses until the advertised reset. It never
// sleeps while holding its mutex.
type quotaPacer struct {
	mu           sync.Mutex
	now          func() time.Time
	answered     bool      // a response has arrived, with or without quota headers
	known        bool      // left and resetAt are estimates we can act on
	left         int       // requests the window still allows, net of in-flight ones
	resetAt      time.Time // when the current window ends
	quota        int       // requests per window, as last reported
	window       time.Duration
	blockedUntil time.Time // set by a 429
	inFlight     int
	changed      chan struct{} // closed (and replaced) whenever a request finishes
}

func newQuotaPacer(now func() time.Time) *quotaPacer {
	return &quotaPacer{now: now, changed: make(chan struct{})}
}

// reserve counts the request as started and returns 0 when it may go now.
// Otherwise it returns how long to wait, or a channel that is closed when
// another request finishes and the question is worth asking again.
func (p *quotaPacer) reserve() (time.Duration, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Before(p.blockedUntil) {
		return p.blockedUntil.Sub(now), nil
	}
	if p.known && !now.Before(p.resetAt) {
		p.startWindow(now)
	}
	switch {
	case !p.answered && p.inFlight > 0:
		return 0, p.changed
	case p.known && p.left <= 0:
		return p.resetAt.Sub(now), nil
	}
	p.left--
	p.inFlight++
	return 0, nil
}

// startWindow assumes a fresh window once the one we knew about has ended.
// It may have started a little before now, so it may end a little earlier
// than we think: that only makes us wait longer than needed, never 429.
func (p *quotaPacer) startWindow(now time.Time) {
	if p.quota <= 0 || p.window <= 0 {
		p.known = false
		return
	}
	p.left = p.quota - p.inFlight
	p.resetAt = now.Add(p.window)
}

// finish records the end of a reserved request and what its response said.
func (p *quotaPacer) finish(h http.Header) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inFlight--
	close(p.changed)
	p.changed = make(chan struct{})
	if h != nil {
		p.answered = true
	}
	rl, ok := parseRateLimit(h)
	if !ok {
		return
	}
	// Headers count whole milliseconds: round the reset up, never down.
	resetAt := p.now().Add(rl.ResetIn + time.Millisecond)
	if p.known && p.window > 0 && resetAt.Before(p.resetAt.Add(-p.window/2)) {
		return // a late answer from the previous window: it would undercount this one
	}
	// Requests still in flight may not be counted in this response yet:
	// assume they are not, so the estimate errs on the side of waiting.
	p.left = rl.RequestsLeft - p.inFlight
	p.resetAt = resetAt
	p.quota, p.window = rl.RequestsQuota, rl.Window
	p.known = true
}

// block pauses every caller for d, after a 429 that spent the quota.
func (p *quotaPacer) block(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.blockedUntil) {
		p.blockedUntil = until
	}
}

// backoff is the wait before retry number attempt (1-based): exponential with
// full jitter, capped.
func backoff(base, maxDelay time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 16)
	if d <= 0 || d > maxDelay {
		d = maxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// sleep waits d unless ctx ends first. If ctx has a deadline that d would
// overrun, it returns errWaitTooLong at once instead of sleeping in vain.
func sleep(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return errWaitTooLong
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
