package bc

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// LimitClass names a class of request that has its own concurrency cap.
type LimitClass string

const (
	GroupRequests   LimitClass = "customer_groups"  // MaxGroupRequestsInFlight
	CustomerUpdates LimitClass = "customer_updates" // MaxUpdateRequestsInFlight
	CustomerReads   LimitClass = "customer_reads"   // maxCustomerReadsInFlight
)

// LimitClasses lists every class with its cap.
var LimitClasses = map[LimitClass]int{
	GroupRequests:   MaxGroupRequestsInFlight,
	CustomerUpdates: MaxUpdateRequestsInFlight,
	CustomerReads:   maxCustomerReadsInFlight,
}

// ErrLimitsUnavailable is wrapped by the errors of shared limits that cannot
// be reached: the request was not sent, because sending it could exceed the
// store's caps.
var ErrLimitsUnavailable = errors.New("the shared limits cannot be reached")

// Limits supplies a Client's concurrency slots and its view of the store's
// request quota. Without one (Config.Limits nil) they live in the Client, which
// is right for one process per store; package sharedlimit keeps them in Redis
// so that every process using the store shares them.
type Limits interface {
	// Slots returns the semaphore of one class, of capacity slots.
	Slots(class LimitClass, capacity int) Slots
	// Quota returns the shared view of the store's request quota.
	Quota() Quota
}

// Slots is a counting semaphore; *semaphore.Weighted is the in-process one.
// Acquire fails only when ctx ends or, for shared slots, with an error that
// wraps ErrLimitsUnavailable.
type Slots interface {
	Acquire(ctx context.Context, n int64) error
	Release(n int64)
}

// Quota paces requests against the store's quota. It never fails: a shared
// implementation that cannot reach its store lets requests go (they still
// hold a concurrency slot) and says so through its own health reporting.
type Quota interface {
	// Reserve counts one request as started and returns 0 when it may go
	// now, or how long to wait before asking again.
	Reserve() time.Duration
	// Finish records the quota headers of a response. (Requests that end
	// without them need no record: a shared Quota counts the requests in
	// flight from their slots.)
	Finish(rl RateLimit)
	// Block holds every request back for d, after a 429.
	Block(d time.Duration)
}

// pacer is what the request loop asks about the quota: *quotaPacer, or a
// shared Quota through sharedPacer.
type pacer interface {
	reserve() (time.Duration, <-chan struct{})
	finish(http.Header)
	block(time.Duration)
	reported() (quota int, window time.Duration)
}

// setLimits gives c its slots and pacer: in-process ones, or shared ones,
// each counted for Stats.
func (c *Client) setLimits(shared Limits) {
	slots := func(class LimitClass) Slots {
		var s Slots = semaphore.NewWeighted(int64(LimitClasses[class]))
		if shared != nil {
			s = shared.Slots(class, LimitClasses[class])
		}
		return &countedSlots{Slots: s, inUse: c.stats.inUse(class)}
	}
	c.groups, c.updates, c.reads = slots(GroupRequests), slots(CustomerUpdates), slots(CustomerReads)
	c.pacer = newQuotaPacer(time.Now)
	if shared != nil {
		c.pacer = &sharedPacer{q: shared.Quota()}
	}
	c.pacer = countedPacer{pacer: c.pacer, stats: c.stats}
}

// sharedPacer adapts a Quota to the request loop, remembering the quota
// this process's responses reported.
type sharedPacer struct {
	q Quota

	mu     sync.Mutex
	quota  int
	window time.Duration
}

func (p *sharedPacer) reserve() (time.Duration, <-chan struct{}) { return p.q.Reserve(), nil }
func (p *sharedPacer) block(d time.Duration)                     { p.q.Block(d) }

func (p *sharedPacer) finish(h http.Header) {
	rl, ok := parseRateLimit(h)
	if !ok {
		return
	}
	p.q.Finish(rl)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.quota, p.window = rl.RequestsQuota, rl.Window
}

func (p *sharedPacer) reported() (int, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.quota, p.window
}

// countedSlots counts the slots of one class held in this process.
type countedSlots struct {
	Slots
	inUse *atomic.Int64
}

func (s *countedSlots) Acquire(ctx context.Context, n int64) error {
	if err := s.Slots.Acquire(ctx, n); err != nil {
		return err
	}
	s.inUse.Add(n)
	return nil
}

func (s *countedSlots) Release(n int64) {
	s.inUse.Add(-n)
	s.Slots.Release(n)
}

// countedPacer counts the responses and the quota left.
type countedPacer struct {
	pacer
	stats *clientStats
}

func (p countedPacer) finish(h http.Header) {
	if h != nil {
		p.stats.responses.Add(1)
	}
	if rl, ok := parseRateLimit(h); ok {
		p.stats.requestsLeft.Store(int64(rl.RequestsLeft))
	}
	p.pacer.finish(h)
}
