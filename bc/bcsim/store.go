package bcsim

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Store is a simulated BigCommerce store. It is safe for concurrent use.
type Store struct {
	cfg    config
	mux    *http.ServeMux
	limits *limiter
	stats  statsRecorder

	mu          sync.Mutex // guards groups, customers and nextGroupID
	groups      []Group    // sorted by ID
	customers   []Customer // sorted by ID
	nextGroupID int

	randMu sync.Mutex // guards rng and faults
	rng    *rand.Rand
	faults Faults
}

// Option configures a Store.
type Option func(*config)

type config struct {
	seed      int64
	latency   time.Duration
	jitter    time.Duration
	faults    Faults
	quota     int
	window    time.Duration
	groups    int // negative: the demo set
	customers int
	token     string
	readOnly  bool
	now       func() time.Time
}

const demoCustomerCount = 300

func defaultConfig() config {
	return config{
		seed:      1,
		quota:     1_000_000,
		window:    30 * time.Second,
		groups:    -1,
		customers: demoCustomerCount,
		now:       time.Now,
	}
}

// WithSeed sets the seed of the demo data and of the fault and jitter randomness (default 1).
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithLatency makes every admitted request take base plus a random [0, jitter) duration.
func WithLatency(base, jitter time.Duration) Option {
	return func(c *config) { c.latency, c.jitter = base, jitter }
}

// WithFaults sets the initial fault injection; see also Store.SetFaults.
func WithFaults(f Faults) Option { return func(c *config) { c.faults = f } }

// WithQuota sets the store-wide request quota per fixed window. Non-positive values are ignored.
func WithQuota(requests int, window time.Duration) Option {
	return func(c *config) {
		if requests > 0 && window > 0 {
			c.quota, c.window = requests, window
		}
	}
}

// WithGroups seeds n numbered groups ("Group 0001", ...) instead of the demo set.
func WithGroups(n int) Option { return func(c *config) { c.groups = max(n, 0) } }

// WithCustomers seeds n customers instead of the demo 300.
func WithCustomers(n int) Option { return func(c *config) { c.customers = max(n, 0) } }

// WithAccessToken makes the store answer 401 to requests without this X-Auth-Token.
func WithAccessToken(token string) Option { return func(c *config) { c.token = token } }

// WithReadOnlyScope makes the store answer 403 to writes, like a token with read-only scopes.
func WithReadOnlyScope() Option { return func(c *config) { c.readOnly = true } }

// WithClock sets the clock used for write timestamps and the quota window (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// New returns a store seeded with deterministic demo data unless options say otherwise.
func New(opts ...Option) *Store {
	cfg := defaultConfig()
	for _, opt := range opts {
		opt(&cfg)
	}
	s := &Store{
		cfg:    cfg,
		limits: newLimiter(cfg.quota, cfg.window, cfg.now),
		stats:  newStatsRecorder(),
		rng:    newRand(cfg.seed, faultStream),
		faults: cfg.faults,
	}
	s.groups, s.customers = seedData(cfg)
	s.nextGroupID = 1
	if n := len(s.groups); n > 0 {
		s.nextGroupID = s.groups[n-1].ID + 1
	}
	s.mux = s.routes()
	return s
}

// Streams keep the demo data independent of how much fault randomness was drawn.
const (
	dataStream  = 0x9e3779b97f4a7c15
	faultStream = 0xbf58476d1ce4e5b9
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// now is the store clock, truncated to seconds because the API reports whole seconds.
func (s *Store) now() time.Time {
	return s.cfg.now().UTC().Truncate(time.Second)
}
