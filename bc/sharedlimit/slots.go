package sharedlimit

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/semaphore"
)

// cleanupTimeout bounds the Redis calls that give a slot or a place in the
// queue back after the caller has gone.
const cleanupTimeout = 2 * time.Second

// slots is one class's shared semaphore. Keys (under prefix):
//
//	holders  sorted set: lease id -> expiry (ms, Redis clock)
//	queue    sorted set: waiter id -> ticket (first come, first served)
//	waiters  sorted set: waiter id -> expiry, so a dead waiter leaves the queue
//	ticket   counter for the queue
//	wake:ID  list where a waiter finds the token of the slot handed to it
//
// A release hands its slot straight to the first waiter, so a slot passes
// from process to process in one call, and wakes only the waiter it is for.
type slots struct {
	r        *Redis
	keys     []string // holders, queue, waiters, ticket
	wake     string   // prefix of the wake-up lists
	capacity int
	// local admits at most capacity of this process's callers to Redis at a
	// time, in order, which bounds the connections blocked in BLPOP.
	local *semaphore.Weighted
	seq   atomic.Uint64

	mu   sync.Mutex
	held []string // lease ids this process holds
	lost atomic.Int64
}

func newSlots(r *Redis, prefix string, capacity int) *slots {
	s := &slots{
		r:        r,
		keys:     []string{prefix + "holders", prefix + "queue", prefix + "waiters", prefix + "ticket"},
		wake:     prefix + "wake:",
		capacity: capacity,
		local:    semaphore.NewWeighted(int64(capacity)),
	}
	r.wg.Go(s.renewLeases)
	return s
}

// Acquire takes n slots, waiting its turn behind earlier callers of every process.
func (s *slots) Acquire(ctx context.Context, n int64) error {
	for i := range n {
		if err := s.acquireOne(ctx); err != nil {
			s.Release(i)
			return err
		}
	}
	return nil
}

// Release gives back n of the slots this process holds.
func (s *slots) Release(n int64) {
	for range n {
		s.mu.Lock()
		id := s.held[len(s.held)-1]
		s.held = s.held[:len(s.held)-1]
		s.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		if err := s.run(ctx, releaseScript, id).Err(); err != nil {
			s.r.log.Warn("shared limits: could not release a slot; its lease will lapse", "err", err)
		}
		cancel()
		s.local.Release(1)
	}
}

func (s *slots) acquireOne(ctx context.Context) error {
	if err := s.local.Acquire(ctx, 1); err != nil {
		return err
	}
	id := s.r.holder + ":" + strconv.FormatUint(s.seq.Add(1), 10)
	if err := s.wait(ctx, id); err != nil {
		if !errors.Is(err, bc.ErrLimitsUnavailable) { // else Redis could not hear it: the place lapses
			s.leaveQueue(id)
		}
		s.local.Release(1)
		return err
	}
	s.mu.Lock()
	s.held = append(s.held, id)
	s.mu.Unlock()
	return nil
}

// run runs one of the slot scripts for id.
func (s *slots) run(ctx context.Context, script *redis.Script, id string) *redis.Cmd {
	return script.Run(ctx, s.r.client, s.keys, s.capacity, id, s.r.opts.LeaseTTL.Milliseconds(),
		3*s.r.opts.WakeWait.Milliseconds(), s.wake)
}

// wait queues id and blocks until it holds a slot. Between hand-offs it looks
// again every WakeWait, which keeps its place alive and hands out the slots
// of leases that lapsed.
func (s *slots) wait(ctx context.Context, id string) error {
	for {
		granted, err := s.run(ctx, acquireScript, id).Int()
		if err != nil {
			return s.failure(ctx, err)
		}
		if granted == 1 {
			return nil
		}
		// Do, not BLPop: BLPop rounds waits up to whole seconds.
		err = s.r.client.Do(ctx, "BLPOP", s.wake+id, s.r.opts.WakeWait.Seconds()).Err()
		switch {
		case err == nil:
			return nil // the token of a slot handed to id
		case !errors.Is(err, redis.Nil):
			return s.failure(ctx, err)
		}
	}
}

// failure is ctx's error when ctx ended, else Redis's, marked unavailable.
func (s *slots) failure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return unavailable(err)
}

// leaveQueue takes a waiter that gave up out of the queue, so that it holds
// no one back, and hands on a slot it may have been granted as it left.
func (s *slots) leaveQueue(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := s.run(ctx, releaseScript, id).Err(); err != nil {
		s.r.log.Debug("shared limits: could not leave the queue; the place will lapse", "err", err)
	}
}

// renewLeases extends this process's leases every third of their lifetime,
// until Close.
func (s *slots) renewLeases() {
	tick := time.NewTicker(s.r.opts.LeaseTTL / 3)
	defer tick.Stop()
	for {
		select {
		case <-s.r.ctx.Done():
			return
		case <-tick.C:
			s.renew()
		}
	}
}

func (s *slots) renew() {
	s.mu.Lock()
	args := make([]any, 0, len(s.held)+1)
	args = append(args, s.r.opts.LeaseTTL.Milliseconds())
	for _, id := range s.held {
		args = append(args, id)
	}
	s.mu.Unlock()
	if len(args) == 1 {
		return
	}
	ctx, cancel := context.WithTimeout(s.r.ctx, s.r.opts.LeaseTTL/3)
	defer cancel()
	lost, err := renewScript.Run(ctx, s.r.client, s.keys[:1], args...).Int64()
	switch {
	case err != nil:
		s.r.log.Warn("shared limits: could not renew leases", "err", err)
	case lost > 0:
		// The lease lapsed (this process stalled longer than LeaseTTL, or
		// Redis lost its data): another process may have the slot now.
		s.lost.Add(lost)
		s.r.log.Warn("shared limits: leases lapsed while their requests ran", "lost", lost)
	}
}
