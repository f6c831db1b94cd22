package bc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the BigCommerce API host.
const DefaultBaseURL = "https://api.bigcommerce.com"

// Documented per-store limits.
const (
	MaxGroupRequestsInFlight  = 40  // customer-group endpoints
	MaxUpdateRequestsInFlight = 3   // Update Customers
	MaxCustomersPerUpdate     = 10  // Update Customers
	MaxPageSize               = 250 // V2 limit; also used for the V3 customer list
	// The customer list has no documented concurrency limit; we stay modest.
	maxCustomerReadsInFlight = 10
	maxResponseBytes         = 32 << 20
)

// The deadlines a Config gets when it sets none.
const (
	DefaultCallTimeout    = time.Minute
	DefaultAttemptTimeout = 30 * time.Second
)

// Config describes one store. StoreHash and AccessToken are required.
type Config struct {
	StoreHash   string
	AccessToken string
	BaseURL     string       // default DefaultBaseURL
	HTTPClient  *http.Client // default: one keeping enough idle connections; its redirect policy is replaced
	Logger      *slog.Logger // default: discard
	UserAgent   string

	MaxRetries     int           // per request, for 429s, 5xx and broken connections; default 8
	RetryBaseDelay time.Duration // first backoff when the server gives no wait; default 250ms
	RetryMaxDelay  time.Duration // longest single backoff; default 10s

	// CallTimeout bounds one request with its retries and waits, so that a
	// stalled store fails a call instead of holding it; default 1 minute.
	CallTimeout time.Duration
	// AttemptTimeout bounds one HTTP attempt, reading the answer included;
	// default 30s.
	AttemptTimeout time.Duration

	Limits Limits // default: in-process limits, right when one process uses the store
}

// Client talks to one store. It is safe for concurrent use, and every limit it
// applies holds across all of its callers, so share one per store.
type Client struct {
	CustomerGroups *CustomerGroupsService
	Customers      *CustomersService

	cfg     Config
	http    *http.Client
	log     *slog.Logger
	origin  *url.URL // of BaseURL: the only one the token is sent to
	base    string   // {BaseURL}/stores/{hash}
	pacer   pacer
	latency latencyMeter
	groups  Slots
	updates Slots
	reads   Slots
	stats   *clientStats
}

// New validates cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	if cfg.StoreHash == "" || cfg.AccessToken == "" {
		return nil, errors.New("the store hash and access token are required")
	}
	if strings.ContainsAny(cfg.StoreHash, "/?#% ") {
		return nil, fmt.Errorf("store hash %q is not valid: it is the short code in your store's API path", cfg.StoreHash)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	origin, err := url.Parse(cfg.BaseURL)
	if err != nil || (origin.Scheme != "https" && origin.Scheme != "http") || origin.Host == "" {
		return nil, fmt.Errorf("API base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "bigcommerce-mcp"
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 8
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = 250 * time.Millisecond
	}
	if cfg.RetryMaxDelay <= 0 {
		cfg.RetryMaxDelay = 10 * time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	httpClient := *cfg.HTTPClient // the redirect policy is ours, whatever the caller's client says
	c := &Client{
		cfg:    cfg,
		http:   &httpClient,
		log:    cfg.Logger,
		origin: origin,
		base:   strings.TrimRight(cfg.BaseURL, "/") + "/stores/" + cfg.StoreHash,
		stats:  newClientStats(),
	}
	c.setLimits(cfg.Limits)
	httpClient.CheckRedirect = c.redirectPolicy
	c.CustomerGroups = &CustomerGroupsService{client: c}
	c.Customers = &CustomersService{client: c}
	return c, nil
}

// maxRedirects bounds the redirects a read follows within the API base's origin.
const maxRedirects = 5

// redirectPolicy follows a redirect only for a read, and only within the API
// base's origin: the access token, and a write's body, go nowhere else. A
// redirect not followed comes back to do as the 3xx it is, and fails there.
func (c *Client) redirectPolicy(next *http.Request, via []*http.Request) error {
	read := via[0].Method == http.MethodGet || via[0].Method == http.MethodHead
	if !read || !sameOrigin(next.URL, c.origin) || len(via) > maxRedirects {
		return http.ErrUseLastResponse
	}
	return nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// redirectTarget is where a 3xx pointed, as scheme, host and path (a query
// may carry anything), for the error text.
func (c *Client) redirectTarget(req request, h http.Header) string {
	loc, err := url.Parse(h.Get("Location"))
	from, fromErr := url.Parse(c.base + req.path)
	if h.Get("Location") == "" || err != nil || fromErr != nil {
		return ""
	}
	to := from.ResolveReference(loc)
	return truncate(c.redactor().clean(to.Scheme+"://"+to.Host+to.Path), 200)
}

// defaultHTTPClient keeps enough idle connections for every request the caps
// allow in flight: http.DefaultTransport keeps 2 per host, which would mean a
// new TLS handshake for most requests of a bulk update.
func defaultHTTPClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = MaxGroupRequestsInFlight + MaxUpdateRequestsInFlight + maxCustomerReadsInFlight
	return &http.Client{Transport: transport} // the attempt and call timeouts bound it
}

// Response describes how a call went: the final HTTP status, the quota left,
// and how many attempts and 429s it took.
type Response struct {
	StatusCode  int
	Rate        RateLimit
	Attempts    int
	RateLimited int         // 429s answered along the way
	Pagination  *Pagination // V3 list calls
	// SitewideDiscountFailed is set when BigCommerce saved a customer group
	// but reported a partial failure (207): the sitewide discount update did
	// not happen, and sending the discount rules again finishes it.
	SitewideDiscountFailed bool

	// MaybeApplied is set when a write may have been applied although its
	// call failed, or an attempt before the one that answered failed so: an
	// answer was lost, was a 5xx or was a 2xx that could not be read, a call
	// was cancelled in flight, or a read made after the write failed. A
	// refusal with it unset leaves the store as it was.
	MaybeApplied bool
	// ConfirmedByReadBack is set when a write's 2xx answer could not be read
	// (so MaybeApplied is set too) and reading the record back found it as
	// asked: what the call returns is what that read found.
	ConfirmedByReadBack bool
}

// add folds the counts of another call into r, for calls made of many requests.
func (r *Response) add(other *Response) {
	if other == nil {
		return
	}
	r.Attempts += other.Attempts
	r.RateLimited += other.RateLimited
	r.MaybeApplied = r.MaybeApplied || other.MaybeApplied
	r.StatusCode = other.StatusCode
	r.Rate = other.Rate
}

// request is one API call as the services describe it.
type request struct {
	method string
	path   string // after /stores/{hash}, e.g. "/v2/customer_groups/7"
	query  url.Values
	body   any
	limit  Slots
	// settle lets a write that is not idempotent be resent: it is asked,
	// before the request is sent again after an attempt that may have been
	// applied, and on a conflict after one, whether that attempt took effect.
	// done ends the call with err (the caller keeps what settle found).
	settle func(ctx context.Context) (done bool, err error)
	// accept, when set, reads a 2xx answer in place of decoding it into out,
	// for reads that can tell a wrong answer (a store that ignored a filter,
	// a page that is no page): its error makes the answer a bad one
	// (ErrBadAnswer), which a read retries like a 5xx.
	accept func(payload []byte) error
}

// idempotent requests are retried after 5xx and broken connections; a POST is
// not, because it may have been applied, unless it can settle that first.
func (r request) idempotent() bool { return r.method != http.MethodPost }

func (r request) resendable() bool { return r.idempotent() || r.settle != nil }

// settled asks req.settle, for a write that needs it, whether an earlier
// attempt that may have been applied took effect.
func (r request) settled(ctx context.Context, resp *Response) (bool, error) {
	if r.idempotent() || r.settle == nil || !resp.MaybeApplied {
		return false, nil
	}
	return r.settle(ctx)
}

var errWaitTooLong = errors.New("the wait needed is longer than the time left before the deadline")

// do sends req, applying the concurrency cap of its class, the store's quota,
// the retry policy and the call deadline, and decodes a 2xx body into out
// (when out is not nil).
func (c *Client) do(ctx context.Context, req request, out any) (*Response, error) {
	callCtx, caller, cancel := c.withCallDeadline(ctx)
	defer cancel()
	resp, err := c.try(callCtx, req, out)
	if caller.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = c.timedOut(req, resp)
	}
	if req.method != http.MethodGet && unanswered(err) {
		resp.MaybeApplied = true
	}
	return resp, err
}

// unanswered reports whether err leaves what became of a request unknown:
// its answer was lost, was a 5xx, or was a 2xx that could not be read.
func unanswered(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && (apiErr.Status == 0 || apiErr.Status >= 500 || apiErr.Status/100 == 2)
}

// callerKey marks a context bounded by the call deadline; its value is the
// caller's context, the one the deadline was added to.
type callerKey struct{}

// withCallDeadline bounds ctx by the call deadline, unless an operation of
// several requests (a create and its checks) already did, so that the whole
// operation answers within one deadline.
func (c *Client) withCallDeadline(ctx context.Context) (bounded, caller context.Context, cancel context.CancelFunc) {
	if caller, ok := ctx.Value(callerKey{}).(context.Context); ok {
		return ctx, caller, func() {}
	}
	bounded, cancel = context.WithTimeout(ctx, c.cfg.CallTimeout)
	return context.WithValue(bounded, callerKey{}, ctx), ctx, cancel
}

// timedOut explains a request that ran out of the call deadline: if it was
// on its way it is a connection failure (perhaps applied); if it never left,
// the limits left it no room in time: rate limited, with the longest a slot
// can stay taken as the wait.
func (c *Client) timedOut(req request, resp *Response) error {
	if resp.MaybeApplied {
		return &Error{Method: req.method, Path: req.path,
			Err: fmt.Errorf("no complete answer within the call deadline of %s", c.cfg.CallTimeout)}
	}
	return &Error{Method: req.method, Path: req.path, Status: http.StatusTooManyRequests, RetryAfter: c.cfg.AttemptTimeout, Cause: CauseNotSent,
		Messages: []string{fmt.Sprintf("not sent: the store's limits left no room within the call deadline of %s", c.cfg.CallTimeout)}}
}

// try is do within the call deadline.
func (c *Client) try(ctx context.Context, req request, out any) (*Response, error) {
	body, err := encodeBody(req.body)
	if err != nil {
		return nil, err
	}
	resp := &Response{}
	for {
		resp.Attempts++
		if resp.Attempts > 1 {
			c.stats.retries.Add(1)
		}
		if err := c.admit(ctx, req); err != nil {
			return resp, err
		}
		status, header, payload, err := c.send(ctx, req, body)
		if err != nil && status == 0 {
			if done, err := c.afterFailure(ctx, req, resp, nil, err, &Error{Method: req.method, Path: req.path, Err: err}); done {
				return resp, err
			}
			continue
		}
		resp.StatusCode = status
		if rl, ok := parseRateLimit(header); ok {
			resp.Rate = rl
		}
		if status >= 200 && status < 300 {
			bad := readAnswer(req, status, payload, out)
			if bad == nil {
				return resp, nil
			}
			if done, err := c.afterFailure(ctx, req, resp, header, bad, bad); done {
				return resp, err
			}
			continue
		}
		apiErr := parseError(status, payload, c.cfg.AccessToken)
		apiErr.Method, apiErr.Path = req.method, req.path
		if status/100 == 3 {
			apiErr.Location = c.redirectTarget(req, header)
		}
		if status == http.StatusConflict {
			if done, err := req.settled(ctx, resp); done {
				return resp, err
			}
		}
		if done, err := c.afterFailure(ctx, req, resp, header, apiErr, apiErr); done {
			return resp, err
		}
	}
}

// afterFailure readies the next attempt after a failed one: done when the
// call ends instead, with err (the failure as it should read, kept, when the
// wait cannot be had).
func (c *Client) afterFailure(ctx context.Context, req request, resp *Response, header http.Header, failure error, kept *Error) (done bool, err error) {
	wait, giveUp := c.shouldRetry(ctx, req, resp, header, failure)
	if giveUp != nil {
		return true, giveUp
	}
	if done, err := req.settled(ctx, resp); done {
		return true, err
	}
	if waitErr := c.pause(ctx, req, wait, failure); waitErr != nil {
		return true, keepFailure(waitErr, kept)
	}
	return false, nil
}

// keepFailure is the error to give up with when the wait before a retry
// cannot be had: the failure that was to be retried, unless it is a 429,
// which the rate-limited error and its wait describe better.
func keepFailure(waitErr error, failure *Error) error {
	if errors.Is(waitErr, ErrRateLimited) && failure.Status != http.StatusTooManyRequests {
		return failure
	}
	if held, ok := waitErr.(*Error); ok && failure.Status == http.StatusTooManyRequests {
		held.Cause = failure.Cause // the store's refusal is why, more than the wait's length
	}
	return waitErr
}

// shouldRetry decides whether a failed attempt is worth another, and after how
// long. It returns the error to give up with otherwise.
func (c *Client) shouldRetry(ctx context.Context, req request, resp *Response, header http.Header, failure error) (time.Duration, error) {
	var apiErr *Error
	if !errors.As(failure, &apiErr) {
		if ctx.Err() != nil {
			resp.MaybeApplied = true // the request was on its way when ctx ended
			return 0, ctx.Err()
		}
		apiErr = &Error{Method: req.method, Path: req.path, Err: failure}
	}
	lastAttempt := resp.Attempts > c.retriesFor(failure)
	switch {
	case apiErr.Status == http.StatusTooManyRequests:
		resp.RateLimited++
		c.stats.rateLimited.Add(1)
		wait, quotaSpent := c.rateLimitWait(header, resp.RateLimited)
		apiErr.RetryAfter = wait
		if !quotaSpent {
			apiErr.Cause = CauseConcurrency
		}
		if quotaSpent {
			c.pacer.block(wait)
			wait = 0 // pause() waits for the pacer, which now holds everyone back
		}
		if lastAttempt {
			return 0, apiErr
		}
		return wait, nil
	case errors.Is(apiErr.Err, ErrBadAnswer):
		// A read is asked again. A write the store answered 2xx was most
		// likely applied, settle hook or not: it is never sent again, and do
		// reports it as maybe applied.
		if req.method != http.MethodGet || lastAttempt {
			return 0, apiErr
		}
		return backoff(c.cfg.RetryBaseDelay, c.cfg.RetryMaxDelay, resp.Attempts), nil
	case apiErr.Retryable() && req.resendable() && !lastAttempt:
		resp.MaybeApplied = true
		return backoff(c.cfg.RetryBaseDelay, c.cfg.RetryMaxDelay, resp.Attempts), nil
	}
	return 0, apiErr
}

// rateLimitWait is how long a 429 asks to wait, and whether the store's quota
// is spent, in which case every request must wait: until the reset, or
// X-Retry-After, or a backoff. A 429 that shows requests left is a
// concurrency refusal: only this request waits, X-Retry-After or a short
// backoff, since the quota's reset says nothing about when a slot frees.
func (c *Client) rateLimitWait(h http.Header, refusals int) (wait time.Duration, quotaSpent bool) {
	left, known := headerCount(h, "X-Rate-Limit-Requests-Left")
	quotaSpent = !known || left == 0
	ok := false
	if quotaSpent {
		wait, ok = retryAfter(h)
	} else {
		wait, ok = headerWait(h, "X-Retry-After", time.Second)
	}
	if !ok {
		wait = backoff(c.cfg.RetryBaseDelay, c.cfg.RetryMaxDelay, refusals)
	}
	return wait, quotaSpent
}

// pause waits before the next attempt, which failed for reason, saying so
// in the log, where the operator can see why a call is slow to answer. A
// wait that cannot fit before the context's deadline fails at once with a
// rate-limited error saying how long.
func (c *Client) pause(ctx context.Context, req request, wait time.Duration, reason error) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		return c.waitErr(ctx, req, errWaitTooLong, wait)
	}
	c.log.InfoContext(ctx, "bigcommerce retry", "method", req.method, "path", req.path, "wait", wait, "reason", reason.Error())
	if wait <= 0 {
		return nil
	}
	return c.waitErr(ctx, req, sleep(ctx, wait), wait)
}

func (c *Client) waitErr(ctx context.Context, req request, err error, wait time.Duration) error {
	if errors.Is(err, errWaitTooLong) {
		return &Error{Method: req.method, Path: req.path, Status: http.StatusTooManyRequests,
			Messages: []string{"the store's rate limit needs a longer wait than the deadline allows"}, RetryAfter: wait}
	}
	return err
}

// send makes one HTTP attempt with the slot and quota share admit reserved,
// and gives both back when the response has been read.
func (c *Client) send(ctx context.Context, req request, body []byte) (int, http.Header, []byte, error) {
	defer req.limit.Release(1)
	var header http.Header
	defer func() { c.pacer.finish(header) }()

	attemptCtx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	httpReq, err := c.newHTTPRequest(attemptCtx, req, body)
	if err != nil {
		return 0, nil, nil, err
	}
	start := time.Now()
	httpResp, err := c.http.Do(httpReq)
	if err != nil {
		err = c.attemptErr(ctx, attemptCtx, redactURL(err))
		c.log.DebugContext(ctx, "bigcommerce request failed", "method", req.method, "path", req.path, "err", err)
		return 0, nil, nil, err
	}
	defer httpResp.Body.Close()
	tellGate(ctx, httpResp.StatusCode)
	header = httpResp.Header // an answer, even if its body never arrives whole
	payload, err := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	if err != nil {
		return 0, nil, nil, c.attemptErr(ctx, attemptCtx, fmt.Errorf("read response: %w", err))
	}
	c.latency.observe(time.Since(start))
	c.log.DebugContext(ctx, "bigcommerce request", "method", req.method, "path", req.path,
		"status", httpResp.StatusCode, "duration", time.Since(start).Round(time.Millisecond),
		"requests_left", header.Get("X-Rate-Limit-Requests-Left"))
	return httpResp.StatusCode, header, payload, nil
}

// attemptErr names an attempt that ran out of its own time, while the call
// still has some, for what it is.
func (c *Client) attemptErr(callCtx, attemptCtx context.Context, err error) error {
	if callCtx.Err() == nil && attemptCtx.Err() != nil {
		return fmt.Errorf("no complete answer within the attempt timeout of %s", c.cfg.AttemptTimeout)
	}
	return err
}

// admit blocks until the request may start: a free slot in its class and room
// in the quota. It never waits while holding the slot.
func (c *Client) admit(ctx context.Context, req request) error {
	for {
		if err := req.limit.Acquire(ctx, 1); err != nil {
			return err
		}
		wait, changed := c.pacer.reserve()
		if wait == 0 && changed == nil {
			return c.passGate(ctx, req)
		}
		req.limit.Release(1)
		if changed != nil {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-changed:
			}
			continue
		}
		if err := sleep(ctx, wait); err != nil {
			return c.waitErr(ctx, req, err, wait)
		}
	}
}

// passGate lets an admitted request go unless its context's start gate says
// no, in which case it gives back its slot and quota share.
func (c *Client) passGate(ctx context.Context, req request) error {
	err := startGate(ctx)
	if err != nil {
		c.pacer.finish(nil)
		req.limit.Release(1)
	}
	return err
}

// gateKey carries a requestGate in a context, for the requests of a larger
// piece of work (a bulk run's batches), so that work queued behind the slots
// does not start once what it belongs to has stopped.
type gateKey struct{}

// A requestGate is asked, each time a request has been admitted and just
// before it goes, whether it may start; and told each answer's status before
// the request gives its slot back, so that an answer that ends the work is
// known before the slot can carry another request of it.
type requestGate interface {
	mayStart() error
	answered(status int)
}

func withGate(ctx context.Context, gate requestGate) context.Context {
	return context.WithValue(ctx, gateKey{}, gate)
}

func startGate(ctx context.Context) error {
	if gate, ok := ctx.Value(gateKey{}).(requestGate); ok {
		return gate.mayStart()
	}
	return nil
}

func tellGate(ctx context.Context, status int) {
	if gate, ok := ctx.Value(gateKey{}).(requestGate); ok {
		gate.answered(status)
	}
}

func (c *Client) newHTTPRequest(ctx context.Context, req request, body []byte) (*http.Request, error) {
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, u, reader)
	if err != nil {
		return nil, err
	}
	httpReq.Header.Set("X-Auth-Token", c.cfg.AccessToken)
	httpReq.Header.Set("Accept", "application/json")
	httpReq.Header.Set("User-Agent", c.cfg.UserAgent)
	if body != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	return httpReq, nil
}

func (c *Client) redactor() redactor { return redactor(c.cfg.AccessToken) }

// redactURL drops the URL from *url.Error: it names the store, and keeping
// error text free of request details is the simplest way to keep it free of secrets.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func encodeBody(body any) ([]byte, error) {
	if body == nil {
		return nil, nil
	}
	return json.Marshal(body)
}

// readAnswer reads a 2xx answer through req.accept, or else into out, and
// returns the bad answer it is, if it is one.
func readAnswer(req request, status int, payload []byte, out any) *Error {
	read := func() error { return decode(status, payload, out) }
	if req.accept != nil {
		read = func() error { return req.accept(payload) }
	}
	if err := read(); err != nil {
		return &Error{Method: req.method, Path: req.path, Status: status, Err: ErrBadAnswer, Messages: []string{err.Error()}}
	}
	return nil
}

// decode reads a 2xx body into out. Only a 204 may say nothing: an empty
// 200 read as an empty value would report a count of 0, or a group of id 0.
func decode(status int, payload []byte, out any) error {
	switch {
	case out == nil || status == http.StatusNoContent:
		return nil
	case len(bytes.TrimSpace(payload)) == 0:
		return errors.New("the answer is empty")
	}
	if err := json.Unmarshal(payload, out); err != nil {
		return fmt.Errorf("the answer cannot be read: %w", err)
	}
	return nil
}
