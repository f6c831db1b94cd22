package bcsim

import (
	"context"
	"time"
)

// Faults are per-request probabilities (0 to 1) of injected failures.
type Faults struct {
	// RateLimit429 injects a 429 for a spent quota: X-Rate-Limit-Requests-Left 0,
	// X-Rate-Limit-Time-Reset-Ms RetryAfter.
	RateLimit429 float64
	// RetryAfter is the reset time advertised on injected 429s; zero means 20ms.
	RetryAfter time.Duration
	// OmitRetryHeaders drops the reset header from injected 429s, so clients must back off
	// on their own.
	OmitRetryHeaders bool
	Error500         float64
	Error503         float64
	// ResetBeforeApply drops the connection before the request is applied.
	ResetBeforeApply float64
	// ResetAfterApply applies a successful write, then drops the connection.
	ResetAfterApply float64
	// Partial207 saves a created or updated customer group, then answers 207 without the
	// group, as BigCommerce does when the sitewide discount update fails.
	Partial207 float64
}

const defaultRetryAfter = 20 * time.Millisecond

func (f Faults) retryAfter() time.Duration {
	if f.RetryAfter > 0 {
		return f.RetryAfter
	}
	return defaultRetryAfter
}

// SetFaults replaces the fault injection settings; requests already past the fault
// check are unaffected.
func (s *Store) SetFaults(f Faults) {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	s.faults = f
}

func (s *Store) currentFaults() Faults {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.faults
}

// chance reports true with probability p.
func (s *Store) chance(p float64) bool {
	if p <= 0 {
		return false
	}
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.rng.Float64() < p
}

func (s *Store) latency() time.Duration {
	if s.cfg.jitter <= 0 {
		return s.cfg.latency
	}
	s.randMu.Lock()
	defer s.randMu.Unlock()
	return s.cfg.latency + time.Duration(s.rng.Int64N(int64(s.cfg.jitter)))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
