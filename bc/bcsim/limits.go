package bcsim

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limit classes: the documented concurrency limits apply per endpoint family.
const (
	classGroups          = "customer_groups"
	classCustomersUpdate = "customers_update"
	classCustomersRead   = "customers_read"
)

// classCaps are the documented concurrency limits; classes without one are unbounded.
var classCaps = map[string]int{
	classGroups:          40,
	classCustomersUpdate: 3,
}

const (
	headerLeft   = "X-Rate-Limit-Requests-Left"
	headerQuota  = "X-Rate-Limit-Requests-Quota"
	headerReset  = "X-Rate-Limit-Time-Reset-Ms"
	headerWindow = "X-Rate-Limit-Time-Window-Ms"
)

// limiter holds the store-wide quota window and the per-class in-flight counts.
type limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	quota    int
	window   time.Duration
	start    time.Time // zero until the first admitted request
	used     int
	inFlight map[string]int
}

func newLimiter(quota int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{now: now, quota: quota, window: window, inFlight: map[string]int{}}
}

// enter counts a request into its class and reports the resulting concurrency and whether
// it is within the cap. Every enter must be paired with a leave.
func (l *limiter) enter(class string) (inFlight int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight[class]++
	inFlight = l.inFlight[class]
	limit, capped := classCaps[class]
	return inFlight, !capped || inFlight <= limit
}

func (l *limiter) leave(class string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inFlight[class]--
}

// take spends one request of the quota. Only admitted requests spend quota: rejected ones
// (auth, concurrency, quota) do not, which keeps the arithmetic visible to clients simple.
func (l *limiter) take() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.expired(now) {
		l.start, l.used = now, 0
	}
	if l.used >= l.quota {
		return false
	}
	l.used++
	return true
}

func (l *limiter) expired(now time.Time) bool {
	return l.start.IsZero() || !now.Before(l.start.Add(l.window))
}

// setHeaders writes the rate-limit headers describing the current window.
func (l *limiter) setHeaders(h http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	left, reset := l.quota, l.window
	if !l.expired(now) {
		left, reset = l.quota-l.used, l.start.Add(l.window).Sub(now)
	}
	h.Set(headerLeft, strconv.Itoa(left))
	h.Set(headerQuota, strconv.Itoa(l.quota))
	h.Set(headerReset, millis(reset))
	h.Set(headerWindow, millis(l.window))
}

func millis(d time.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10)
}
