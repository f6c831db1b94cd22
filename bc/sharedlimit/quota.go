package sharedlimit

import (
	"context"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// quotaTimeout bounds one quota decision. The quota is advisory (the slots
// are what keep the caps), so a decision Redis cannot make in time lets the
// request go rather than holding it.
const quotaTimeout = time.Second

// quota is one store's request quota as every process sees it.
type quota struct {
	r     *Redis
	key   string
	store *storeLimits
}

func (q *quota) keys() []string { return append([]string{q.key}, q.store.holderKeys()...) }

func (q *quota) Reserve() time.Duration {
	ctx, cancel := context.WithTimeout(q.r.ctx, quotaTimeout)
	defer cancel()
	ms, err := reserveScript.Run(ctx, q.r.client, q.keys()).Int64()
	if err != nil {
		q.r.log.Warn("shared limits: quota not checked", "err", err)
		return 0
	}
	return time.Duration(ms) * time.Millisecond
}

func (q *quota) Finish(rl bc.RateLimit) {
	ctx, cancel := context.WithTimeout(q.r.ctx, quotaTimeout)
	defer cancel()
	err := finishScript.Run(ctx, q.r.client, q.keys(), rl.RequestsLeft, rl.ResetIn.Milliseconds(),
		rl.RequestsQuota, rl.Window.Milliseconds()).Err()
	if err != nil {
		q.r.log.Warn("shared limits: quota not recorded", "err", err)
	}
}

func (q *quota) Block(d time.Duration) {
	ctx, cancel := context.WithTimeout(q.r.ctx, quotaTimeout)
	defer cancel()
	if err := blockScript.Run(ctx, q.r.client, []string{q.key}, d.Milliseconds()).Err(); err != nil {
		q.r.log.Warn("shared limits: 429 pause not shared", "err", err)
	}
}
