// Package sharedlimit keeps a BigCommerce store's limits in Redis, so that
// every process using one store (several replicas, two desktop clients, a
// script running calls in parallel) shares its concurrency caps and its
// request quota instead of each spending all of them.
//
// Each concurrency slot is a lease: it expires unless the process holding it
// renews it, so a process that dies holding slots (SIGKILL, OOM, a lost
// network) gives them back within LeaseTTL. Slots go to waiters in the order
// they asked (first come, first served across processes): a release hands
// its slot straight to the first waiter, which blocks on a wake-up list of
// its own rather than polling. Every decision is one Lua script, run
// atomically by Redis, on Redis's clock.
//
// When Redis cannot be reached, acquiring a slot fails with an error wrapping
// bc.ErrLimitsUnavailable: a request is never sent without a slot, so the
// store's caps hold however many processes there are.
package sharedlimit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/redis/go-redis/v9"
)

// Defaults for Options.
const (
	DefaultLeaseTTL = 5 * time.Second
	DefaultWakeWait = 500 * time.Millisecond
	maxWakeWait     = 2 * time.Second
)

// Options tune the leases; the zero value means the defaults.
type Options struct {
	// LeaseTTL is how long a slot stays taken without renewal: the longest a
	// dead process can hold one. Leases are renewed every LeaseTTL/3.
	LeaseTTL time.Duration
	// WakeWait bounds each blocking wait for a slot, after which a waiter
	// looks again (to notice leases that expired rather than being released).
	// A waiter that has not looked for three WakeWaits is taken for dead and
	// leaves the queue, so a dead process's waiters hold the queue up at most
	// that long. At most maxWakeWait, which stays inside the connection's
	// read timeout.
	WakeWait time.Duration
	Logger   *slog.Logger
}

// Redis is a connection to the Redis that holds the shared limits.
type Redis struct {
	client *redis.Client
	opts   Options
	holder string // this process's prefix for lease and waiter ids
	log    *slog.Logger

	ctx    context.Context // ends at Close: stops the lease renewers
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	stores map[string]*storeLimits
}

// Open connects to the Redis at rawURL (redis:// or rediss://) and checks
// that it answers. Its errors never contain the URL, which may hold a password.
func Open(ctx context.Context, rawURL string, opts Options) (*Redis, error) {
	ropts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, errors.New("REDIS_URL is not a valid redis:// or rediss:// URL")
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.WakeWait <= 0 {
		opts.WakeWait = DefaultWakeWait
	}
	opts.WakeWait = min(opts.WakeWait, maxWakeWait)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// go-redis logs through a logger of its own, to stderr by default.
	redis.SetLogger(redisLogger{opts.Logger})
	// Every waiter blocks on a connection of its own; each process has at
	// most one waiter per slot of each class (a local semaphore sees to it).
	slotsPerStore := 0
	for _, n := range bc.LimitClasses {
		slotsPerStore += n
	}
	ropts.PoolSize = max(ropts.PoolSize, 2*slotsPerStore)
	ropts.ContextTimeoutEnabled = true
	client := redis.NewClient(ropts)
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis at %s did not answer PING: %w", ropts.Addr, err)
	}
	r := &Redis{client: client, opts: opts, holder: randomID(), log: opts.Logger, stores: map[string]*storeLimits{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// Limits returns the shared limits of the store at baseURL with storeHash.
// The keys hold a hash of the two, never the token.
func (r *Redis) Limits(baseURL, storeHash string) bc.Limits {
	scope := storeScope(baseURL, storeHash)
	r.mu.Lock()
	defer r.mu.Unlock()
	if s, ok := r.stores[scope]; ok {
		return s
	}
	s := &storeLimits{r: r, prefix: "bcmcp:{" + scope + "}:", slots: map[bc.LimitClass]*slots{}}
	s.quota = &quota{r: r, key: s.prefix + "quota", store: s}
	r.stores[scope] = s
	return s
}

// Secret returns a random secret, made by the first process to ask for it by
// name, that every process using this Redis then shares (such as the key
// replicas sign their sessions with).
func (r *Redis) Secret(ctx context.Context, name string) ([]byte, error) {
	key := "bcmcp:secret:" + name
	if err := r.client.SetNX(ctx, key, randomID()+randomID()+randomID()+randomID(), 0).Err(); err != nil {
		return nil, unavailable(err)
	}
	secret, err := r.client.Get(ctx, key).Bytes()
	if err != nil {
		return nil, unavailable(err)
	}
	return secret, nil
}

// Check asks Redis whether it answers, for health reports.
func (r *Redis) Check(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

// Close stops renewing leases and closes the connections. Slots still held
// lapse within the lease time.
func (r *Redis) Close() error {
	r.cancel()
	r.wg.Wait()
	return r.client.Close()
}

// storeScope names a store in keys: API base and store hash, hashed so that
// neither appears in Redis.
func storeScope(baseURL, storeHash string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + storeHash))
	return hex.EncodeToString(sum[:12])
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redisLogger passes go-redis's own messages (reconnection attempts) to slog.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

func unavailable(err error) error {
	return fmt.Errorf("%w: redis: %v", bc.ErrLimitsUnavailable, err)
}

// storeLimits are one store's slots and quota.
type storeLimits struct {
	r      *Redis
	prefix string
	quota  *quota

	mu    sync.Mutex
	slots map[bc.LimitClass]*slots
}

func (s *storeLimits) Quota() bc.Quota { return s.quota }

func (s *storeLimits) Slots(class bc.LimitClass, capacity int) bc.Slots {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl, ok := s.slots[class]; ok {
		return sl
	}
	sl := newSlots(s.r, s.prefix+string(class)+":", capacity)
	s.slots[class] = sl
	return sl
}

// holderKeys are the lease sets of every class, for counting requests in flight.
func (s *storeLimits) holderKeys() []string {
	keys := make([]string, 0, len(bc.LimitClasses))
	for class := range bc.LimitClasses {
		keys = append(keys, s.prefix+string(class)+":holders")
	}
	return keys
}
