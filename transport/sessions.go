package transport

import (
	"container/list"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Defaults for Streamable HTTP sessions. A session costs about 13 KB in
// mcp-go v1.2.1 (its notification queue, mostly), so the cap bounds them to
// a few tens of MB; real clients each hold one.
const (
	DefaultMaxSessions        = 1000
	DefaultSessionIdleTimeout = 30 * time.Minute
)

// sessionRetryAfter is what a client refused a session is told to wait.
const sessionRetryAfter = 5 * time.Second

var errUnknownSession = errors.New("unknown or expired session: initialize a new one")

// sessionCap is the Streamable HTTP server's session id manager: it knows
// the live sessions, least recently used last, and keeps at most max of
// them by ending the least recently used idle one when a new client needs
// room. A session with a request in flight is never ended. Idle sessions
// also expire after the library's idle TTL, which terminates them here too.
//
// Replicas behind one load balancer share a secret: each signs the sessions
// it makes, and takes on (within its cap) a signed session another made, so
// that a client needs no affinity to one replica.
type sessionCap struct {
	max    int
	secret []byte // nil: only sessions made here are valid
	// end removes a session's state from the library; it calls Terminate.
	end func(id string)

	mu    sync.Mutex
	live  map[string]*list.Element // of *liveSession
	order *list.List               // front: most recently used
}

type liveSession struct {
	id   string
	busy int // requests in flight
}

func newSessionCap(max int, secret []byte) *sessionCap {
	return &sessionCap{max: max, secret: secret, live: map[string]*list.Element{}, order: list.New()}
}

// Generate is called by the library for each initialize request.
func (c *sessionCap) Generate() string {
	id := "mcp-session-" + rand.Text()
	if c.secret != nil {
		id += "." + c.mac(id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live[id] = c.order.PushFront(&liveSession{id: id})
	return id
}

// Validate refuses a session that was never made or has ended; the library
// answers 404, on which clients start a new session.
func (c *sessionCap) Validate(id string) (isTerminated bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.live[id]; !ok {
		return false, errUnknownSession
	}
	return false, nil
}

func (c *sessionCap) Terminate(id string) (isNotAllowed bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget(id)
	return false, nil
}

func (c *sessionCap) forget(id string) {
	if e, ok := c.live[id]; ok {
		c.order.Remove(e)
		delete(c.live, id)
	}
}

func (c *sessionCap) mac(id string) string {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// foreign reports whether id is a session another replica signed that this
// one does not know yet.
func (c *sessionCap) foreign(id string) bool {
	base, sig, ok := strings.Cut(id, ".")
	if c.secret == nil || !ok || !hmac.Equal([]byte(sig), []byte(c.mac(base))) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, known := c.live[id]
	return !known
}

// adopt takes on a session another replica made.
func (c *sessionCap) adopt(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.live[id]; !known {
		c.live[id] = c.order.PushFront(&liveSession{id: id})
	}
}

// wrap counts each request against its session, and makes room before one
// that opens a session, or brings one another replica made. When every
// session is busy it refuses with 503.
func (c *sessionCap) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(server.HeaderKeySessionID)
		foreign := c.foreign(id)
		if (opensSession(r) || foreign) && !c.makeRoom() {
			w.Header().Set("Retry-After", strconv.Itoa(int(sessionRetryAfter.Seconds())))
			http.Error(w, "the server has as many sessions as it allows, all busy: try again shortly", http.StatusServiceUnavailable)
			return
		}
		if foreign {
			c.adopt(id)
		}
		defer c.use(id)()
		next.ServeHTTP(w, r)
	})
}

// opensSession reports whether r is an initialize request of a protocol
// version that has sessions (those before 2026-07-28). Its body is buffered.
func opensSession(r *http.Request) bool {
	if r.Method != http.MethodPost || mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
		return false
	}
	body, err := peekBody(r)
	var m message
	return err == nil && json.Unmarshal(body, &m) == nil && m.Method == string(mcp.MethodInitialize)
}

// use marks a session busy and most recently used until the returned func is called.
func (c *sessionCap) use(id string) (done func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.live[id]
	if !ok {
		return func() {}
	}
	c.order.MoveToFront(e)
	s := e.Value.(*liveSession)
	s.busy++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		s.busy--
	}
}

// makeRoom ends idle sessions, least recently used first, until there is
// room for one more, and reports whether there is.
func (c *sessionCap) makeRoom() bool {
	for {
		victim, room := c.pickVictim()
		if room {
			return true
		}
		if victim == "" {
			return false
		}
		c.end(victim) // outside the lock: it calls Terminate
	}
}

// pickVictim forgets and returns the least recently used idle session when
// the cap is reached; room reports that it is not.
func (c *sessionCap) pickVictim() (victim string, room bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.live) < c.max {
		return "", true
	}
	for e := c.order.Back(); e != nil; e = e.Prev() {
		if s := e.Value.(*liveSession); s.busy == 0 {
			c.forget(s.id)
			return s.id, false
		}
	}
	return "", false
}

// endSessionVia ends a session the way a client's DELETE does, so that the
// library drops everything it keeps for it.
func endSessionVia(h http.Handler) func(id string) {
	return func(id string) {
		req, _ := http.NewRequest(http.MethodDelete, "/mcp", nil)
		req.Header.Set(server.HeaderKeySessionID, id)
		h.ServeHTTP(discardResponse{http.Header{}}, req)
	}
}

type discardResponse struct{ header http.Header }

func (d discardResponse) Header() http.Header         { return d.header }
func (d discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d discardResponse) WriteHeader(int)             {}
