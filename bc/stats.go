package bc

import "sync/atomic"

// Stats are a Client's running counts since it was made, for metrics.
type Stats struct {
	Responses        int64                // HTTP responses received, of any status
	RateLimited      int64                // of which 429s
	Retries          int64                // attempts after a request's first
	CustomersUpdated int64                // customers Update Customers confirmed
	RequestsLeft     int64                // the quota left as the latest response said; -1 before one did
	SlotsInUse       map[LimitClass]int64 // concurrency slots this process holds
}

type clientStats struct {
	responses, rateLimited, retries, customersUpdated atomic.Int64
	requestsLeft                                      atomic.Int64
	slots                                             map[LimitClass]*atomic.Int64 // filled by New, read-only after
}

func newClientStats() *clientStats {
	s := &clientStats{slots: map[LimitClass]*atomic.Int64{}}
	for class := range LimitClasses {
		s.slots[class] = &atomic.Int64{}
	}
	s.requestsLeft.Store(-1)
	return s
}

func (s *clientStats) inUse(class LimitClass) *atomic.Int64 { return s.slots[class] }

// Stats returns the counts so far.
func (c *Client) Stats() Stats {
	s := Stats{
		Responses:        c.stats.responses.Load(),
		RateLimited:      c.stats.rateLimited.Load(),
		Retries:          c.stats.retries.Load(),
		CustomersUpdated: c.stats.customersUpdated.Load(),
		RequestsLeft:     c.stats.requestsLeft.Load(),
		SlotsInUse:       map[LimitClass]int64{},
	}
	for class, n := range c.stats.slots {
		s.SlotsInUse[class] = n.Load()
	}
	return s
}
