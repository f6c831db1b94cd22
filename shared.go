package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/sharedlimit"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/metrics"
)

const redisConnectTimeout = 5 * time.Second

// observability is what the HTTP transports show operators, and the secret
// that lets replicas sharing a Redis take each other's sessions.
type observability struct {
	metrics       *metrics.Metrics
	checks        map[string]func(context.Context) error
	sessionSecret []byte
}

func observe(store *bc.Client, shared *sharedlimit.Redis, logger *slog.Logger) (observability, error) {
	obs := observability{metrics: metrics.New(store), checks: healthChecks(shared, logger)}
	if shared == nil {
		return obs, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisConnectTimeout)
	defer cancel()
	var err error
	if obs.sessionSecret, err = shared.Secret(ctx, "sessions"); err != nil {
		return obs, fmt.Errorf("not starting: %w", err)
	}
	return obs, nil
}

// openSharedLimits connects to REDIS_URL when it is set (nil, nil when not).
// A Redis that does not answer stops the start: running on this process's own
// limits beside others that share theirs would exceed the store's caps.
func openSharedLimits(cfg config, logger *slog.Logger) (*sharedlimit.Redis, error) {
	if cfg.redisURL == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisConnectTimeout)
	defer cancel()
	shared, err := sharedlimit.Open(ctx, cfg.redisURL, sharedlimit.Options{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("not starting: REDIS_URL is set, but %w; start Redis or fix REDIS_URL, "+
			"or unset it if this is the only process using the store", err)
	}
	logger.Info("sharing each store's limits through Redis", "lease", sharedlimit.DefaultLeaseTTL)
	return shared, nil
}

// errSharedLimitsDown is what /healthz says, unauthenticated, so it names no address.
var errSharedLimitsDown = errors.New("unavailable: Redis does not answer, so tool calls that need the store fail with unavailable until it does")

// healthChecks reports the shared limits in /healthz, when there are any.
func healthChecks(shared *sharedlimit.Redis, logger *slog.Logger) map[string]func(context.Context) error {
	if shared == nil {
		return nil
	}
	return map[string]func(context.Context) error{"shared_limits": func(ctx context.Context) error {
		if err := shared.Check(ctx); err != nil {
			logger.WarnContext(ctx, "health check: shared limits", "err", err)
			return errSharedLimitsDown
		}
		return nil
	}}
}
