package bc

import (
	"sync"
	"time"
)

// Pace is what the client has learnt about the store's speed: how long a
// request takes, and the quota the store grants per window.
type Pace struct {
	Latency  time.Duration // a moving average of recent requests' round trips
	Measured bool          // false until a request has been answered
	Quota    int           // requests per window, once a response reported it
	Window   time.Duration
}

// Pace reports the latency measured so far and the store's quota, for callers
// that estimate how long a run of requests will take.
func (c *Client) Pace() Pace {
	p := c.latency.current()
	p.Quota, p.Window = c.pacer.reported()
	return p
}

// latencyMeter keeps an exponentially weighted moving average of round trips,
// so that the estimate follows the store's latency as it drifts without
// being thrown by one slow answer.
type latencyMeter struct {
	mu      sync.Mutex
	average time.Duration
	samples int
}

// latencyWeight is the weight of a new sample: about the last 10 requests count.
const latencyWeight = 0.2

func (m *latencyMeter) observe(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.samples == 0 {
		m.average = d
	} else {
		m.average += time.Duration(latencyWeight * float64(d-m.average))
	}
	m.samples++
}

func (m *latencyMeter) current() Pace {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Pace{Latency: m.average, Measured: m.samples > 0}
}

// reported is the quota and window of the latest response that gave them.
func (p *quotaPacer) reported() (int, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.quota, p.window
}

// assumedLatency stands in for the latency until a request has measured it:
// on the slow side of what BigCommerce answers an Update Customers call in,
// so that a first large call is more likely to be judged long than short.
const assumedLatency = time.Second

// EstimateBulkUpdate is how long a bulk update of n customers should take at
// the pace measured so far. A run first reads the customers (pages of
// MaxPageSize, maxCustomerReadsInFlight at once) to skip those already
// unchanged, then writes them in batches of MaxCustomersPerUpdate,
// MaxUpdateRequestsInFlight at once, so each round of requests costs about
// one latency:
//
//	latency bound = (ceil(reads / reads in flight) + ceil(batches / 3)) * latency
//
// Where the store's quota binds, the pacer holds requests back until the
// window resets; every full quota's worth of requests before the last one
// waits for a window to end:
//
//	quota bound = floor((reads + batches - 1) / quota) * window
//
// The estimate is the larger bound. It assumes every customer changes: a run
// over customers already in the requested state skips their writes and is
// quicker. Retries and 429s are not foreseen.
func (c *Client) EstimateBulkUpdate(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	pace := c.Pace()
	if !pace.Measured {
		pace.Latency = assumedLatency
	}
	reads, batches := ceilDiv(n, MaxPageSize), ceilDiv(n, MaxCustomersPerUpdate)
	rounds := ceilDiv(reads, maxCustomerReadsInFlight) + ceilDiv(batches, MaxUpdateRequestsInFlight)
	estimate := time.Duration(rounds) * pace.Latency
	if pace.Quota > 0 && pace.Window > 0 {
		estimate = max(estimate, time.Duration((reads+batches-1)/pace.Quota)*pace.Window)
	}
	return estimate
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
