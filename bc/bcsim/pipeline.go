package bcsim

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// endpoint is one routed operation and the limit class it counts against.
type endpoint struct {
	method string
	path   string // the pattern after /stores/{hash}, e.g. "/v2/customer_groups/{id}"
	class  string
	// saved names the verb of the 207 message ("created", "updated") for group writes
	// that may answer 207; empty elsewhere.
	saved string
	apply func(*http.Request) reply
}

func (e endpoint) route() string { return e.method + " " + e.path }
func (e endpoint) v3() bool      { return strings.HasPrefix(e.path, "/v3/") }
func (e endpoint) write() bool   { return e.method != http.MethodGet }

// reply is what an endpoint answers. A nil body means no body.
type reply struct {
	status  int
	body    any
	headers func(http.Header) // adjusts the rate-limit headers, for throttling answers
}

// Pseudo statuses for requests that end without a response.
const (
	statusReset    = -1
	statusCanceled = -2
)

func (r reply) label() string {
	switch r.status {
	case statusReset:
		return "reset"
	case statusCanceled:
		return "canceled"
	}
	return strconv.Itoa(r.status)
}

func (s *Store) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, e := range []endpoint{
		{method: http.MethodGet, path: "/v2/customer_groups", class: classGroups, apply: s.listGroups},
		{method: http.MethodGet, path: "/v2/customer_groups/count", class: classGroups, apply: s.countGroups},
		{method: http.MethodGet, path: "/v2/customer_groups/{id}", class: classGroups, apply: s.getGroup},
		{method: http.MethodPost, path: "/v2/customer_groups", class: classGroups, saved: "created", apply: s.createGroup},
		{method: http.MethodPut, path: "/v2/customer_groups/{id}", class: classGroups, saved: "updated", apply: s.updateGroup},
		{method: http.MethodDelete, path: "/v2/customer_groups/{id}", class: classGroups, apply: s.deleteGroup},
		{method: http.MethodGet, path: "/v3/customers", class: classCustomersRead, apply: s.listCustomers},
		{method: http.MethodPut, path: "/v3/customers", class: classCustomersUpdate, apply: s.updateCustomers},
	} {
		mux.Handle(e.method+" /stores/{hash}"+e.path, s.handler(e))
	}
	mux.HandleFunc("/", s.notFound)
	return mux
}

// ServeHTTP serves the simulated API under /stores/{hash}/ for any store hash. A dropped
// connection is an http.ErrAbortHandler panic, which net/http turns into a closed connection.
func (s *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

func (s *Store) notFound(w http.ResponseWriter, r *http.Request) {
	rep := v2NotFound()
	if strings.Contains(r.URL.Path, "/v3/") {
		rep = v3Fail(http.StatusNotFound, "Route not found", nil)
	}
	s.stats.update(func(st *Stats) { st.Requests[r.Method+" "+r.URL.Path+" "+rep.label()]++ })
	s.respond(w, rep)
}

func (s *Store) handler(e endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rep := s.process(e, r)
		s.stats.update(func(st *Stats) { st.Requests[e.route()+" "+rep.label()]++ })
		switch rep.status {
		case statusCanceled:
			return
		case statusReset:
			panic(http.ErrAbortHandler)
		}
		s.respond(w, rep)
	}
}

// process runs a request through auth, limits, latency, injected faults, the endpoint and
// after-apply faults, in that order, so rejected requests never touch state.
func (s *Store) process(e endpoint, r *http.Request) reply {
	if rep, ok := s.authorize(e, r); !ok {
		return rep
	}
	faults := s.currentFaults()
	inFlight, ok := s.limits.enter(e.class)
	defer s.limits.leave(e.class)
	s.stats.update(func(st *Stats) { st.MaxInFlight[e.class] = max(st.MaxInFlight[e.class], inFlight) })
	if !ok {
		s.stats.update(func(st *Stats) { st.ConcurrencyRejections[e.class]++ })
		return s.concurrencyRejection(e, faults)
	}
	if !s.limits.take() {
		s.stats.update(func(st *Stats) { st.QuotaRejections++ })
		return e.fail(http.StatusTooManyRequests, "You have exceeded the store's request quota; retry after X-Rate-Limit-Time-Reset-Ms.")
	}
	if err := sleep(r.Context(), s.latency()); err != nil {
		return reply{status: statusCanceled}
	}
	if rep, ok := s.injectBefore(e, faults); ok {
		return rep
	}
	rep := e.apply(r)
	if !e.write() || rep.status >= http.StatusMultipleChoices {
		return rep
	}
	return s.injectAfter(e, faults, rep)
}

func (s *Store) authorize(e endpoint, r *http.Request) (reply, bool) {
	token := r.Header.Get("X-Auth-Token")
	if s.cfg.token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.token)) != 1 {
		return e.fail(http.StatusUnauthorized, "Invalid credentials: the X-Auth-Token header is missing or wrong."), false
	}
	if s.cfg.readOnly && e.write() {
		return e.fail(http.StatusForbidden, "You don't have a required scope to access the endpoint."), false
	}
	return reply{}, true
}

// concurrencyRejection advertises a short reset rather than the quota window, since the
// slot frees as soon as another request finishes.
func (s *Store) concurrencyRejection(e endpoint, f Faults) reply {
	limit := classCaps[e.class]
	rep := e.fail(http.StatusTooManyRequests, fmt.Sprintf("Too many concurrent requests: this endpoint allows %d at a time.", limit))
	rep.headers = advertiseReset(f.retryAfter())
	return rep
}

func advertiseReset(d time.Duration) func(http.Header) {
	return func(h http.Header) { h.Set(headerReset, millis(d)) }
}

func (s *Store) injectBefore(e endpoint, f Faults) (reply, bool) {
	switch {
	case s.chance(f.RateLimit429):
		s.countInjected("429")
		rep := e.fail(http.StatusTooManyRequests, "Too many requests.")
		reset := advertiseReset(f.retryAfter())
		rep.headers = func(h http.Header) {
			h.Set(headerLeft, "0") // a spent quota: what makes the reset the wait
			reset(h)
			if f.OmitRetryHeaders {
				h.Del(headerReset)
			}
		}
		return rep, true
	case s.chance(f.Error500):
		s.countInjected("500")
		return e.fail(http.StatusInternalServerError, "Internal Server Error"), true
	case s.chance(f.Error503):
		s.countInjected("503")
		return e.fail(http.StatusServiceUnavailable, "Service Unavailable"), true
	case s.chance(f.ResetBeforeApply):
		s.countInjected("reset_before")
		return reply{status: statusReset}, true
	}
	return reply{}, false
}

// injectAfter may drop the connection after a successful write, or turn a saved group
// write into the documented 207.
func (s *Store) injectAfter(e endpoint, f Faults, rep reply) reply {
	if s.chance(f.ResetAfterApply) {
		s.countInjected("reset_after")
		return reply{status: statusReset}
	}
	if e.saved != "" && s.chance(f.Partial207) {
		s.countInjected("207")
		msg := fmt.Sprintf("The customer group was %s, but the sitewide discount update failed. You may retry the request.", e.saved)
		return reply{status: http.StatusMultiStatus, body: v2Message{Status: http.StatusMultiStatus, Message: msg}}
	}
	return rep
}

func (s *Store) respond(w http.ResponseWriter, rep reply) {
	h := w.Header()
	s.limits.setHeaders(h)
	if rep.headers != nil {
		rep.headers(h)
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // pagination links contain '&'
	if err := enc.Encode(rep.body); err != nil {
		panic(fmt.Sprintf("bcsim: encoding response: %v", err)) // our own types always encode
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(rep.status)
	_, _ = w.Write(body.Bytes())
}
