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
