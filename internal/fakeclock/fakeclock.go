// Package fakeclock is a clock that tests move by hand, safe to read from
// the goroutines of the code under test.
package fakeclock

import (
	"sync"
	"time"
)

// Clock stands still until Advance moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// At is a clock that reads t.
func At(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time; pass the method where code takes a func() time.Time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
