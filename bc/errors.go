package bc

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Sentinels for errors.Is. An *Error matches the one that fits its status.
var (
	ErrBadRequest    = errors.New("bad request")
	ErrUnauthorized  = errors.New("unauthorized")
	ErrForbidden     = errors.New("forbidden")
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("conflict")
	ErrTooLarge      = errors.New("request too large")
	ErrUnprocessable = errors.New("unprocessable entity")
	ErrRateLimited   = errors.New("rate limited")
	ErrUpstream      = errors.New("upstream error")
	ErrTransport     = errors.New("connection failed")
	ErrRedirected    = errors.New("redirected")
)

// FailureUpstream is the BulkFailure code of customers whose batch the store
// answered in a way the client does not act on: a redirect, which it does not
// follow for writes, so nothing was applied.
const FailureUpstream = "upstream_error"

// Error is a failed BigCommerce request: an error response in either the V2
// format ([{"status","message"}]) or the V3 format ({"status","title","errors"}),
// a rate limit that could not be waited out, or a connection failure (Status 0).
type Error struct {
	Method     string
	Path       string // the API path, without host or credentials
	Status     int
	Title      string            // V3 title
	Messages   []string          // V2 messages
	Fields     map[string]string // V3 field errors, keyed "<index>.<field>" or "<field>"
	RetryAfter time.Duration     // how long BigCommerce asked us to wait, when known
	Location   string            // where a redirect (3xx) pointed, without its query
	Cause      RateLimitCause    // why a 429 is one
	Err        error             // the transport error when Status is 0
}

// RateLimitCause says why a request was rate limited.
type RateLimitCause int

const (
	// CauseQuota: the store's quota for the window is spent (or not shown):
	// it answered 429, or the client holds requests until the window resets.
	CauseQuota RateLimitCause = iota
	// CauseConcurrency: the store answered 429 with quota left, for too many
	// requests at once.
	CauseConcurrency
	// CauseNotSent: the request waited for room under the store's limits
	// (a slot, or the store's first answer) past the call deadline, unsent.
	CauseNotSent
)

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	switch {
	case e.Status == 0:
		fmt.Fprintf(&b, "connection failed: %v", e.Err)
		return b.String()
	default:
		fmt.Fprintf(&b, "%d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Status/100 == 3 {
		fmt.Fprintf(&b, ": the store pointed to %s; not followed: a write is never redirected, and a read only within the API base's origin, so that the access token goes nowhere else",
			cmp.Or(e.Location, "nowhere (no Location)"))
	}
	if msg := e.Message(); msg != "" {
		b.WriteString(": " + msg)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		fmt.Fprintf(&b, "; %s: %s", k, e.Fields[k])
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter.Round(time.Millisecond))
	}
	return b.String()
}

// Message is BigCommerce's own explanation, in either format.
func (e *Error) Message() string {
	if len(e.Messages) > 0 {
		return strings.Join(e.Messages, "; ")
	}
	return e.Title
}

func (e *Error) Unwrap() error { return e.Err }

// statuses pairs each sentinel that stands for one status with it. A list,
// not a map: errors.Is may pass a target that cannot be hashed.
var statuses = []struct {
	sentinel error
	status   int
}{
	{ErrBadRequest, http.StatusBadRequest},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrNotFound, http.StatusNotFound},
	{ErrConflict, http.StatusConflict},
	{ErrTooLarge, http.StatusRequestEntityTooLarge},
	{ErrUnprocessable, http.StatusUnprocessableEntity},
	{ErrRateLimited, http.StatusTooManyRequests},
}

func (e *Error) Is(target error) bool {
	switch target {
	case ErrUpstream:
		return e.Status >= 500
	case ErrTransport:
		return e.Status == 0
	case ErrRedirected:
		return e.Status/100 == 3
	}
	for _, s := range statuses {
		if target == s.sentinel {
			return e.Status == s.status
		}
	}
	return false
}

// Retryable reports whether the same request may succeed later.
func (e *Error) Retryable() bool {
	return e.Status == 0 || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// parseError reads an error body in either BigCommerce format. Anything else
// (HTML from a proxy, an empty body) keeps the status and a trimmed excerpt.
// No text taken from it contains secret: it is removed from every string
// once decoded, since JSON can spell it with escapes, and from the excerpt.
func parseError(status int, body []byte, secret string) *Error {
	clean := redactor(secret).clean
	e := &Error{Status: status}
	var v2 []struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	}
	var v3 struct {
		Title  string          `json:"title"`
		Detail string          `json:"detail"`
		Errors json.RawMessage `json:"errors"`
	}
	switch {
	case json.Unmarshal(body, &v2) == nil:
		for _, m := range v2 {
			if m.Message != "" {
				e.Messages = append(e.Messages, clean(m.Message))
			}
		}
	case json.Unmarshal(body, &v3) == nil:
		e.Title = clean(v3.Title)
		if v3.Detail != "" {
			e.Messages = []string{clean(v3.Detail)}
		}
		e.Fields = parseFieldErrors(v3.Errors, clean)
	default:
		if excerpt := strings.TrimSpace(clean(string(body))); excerpt != "" {
			e.Messages = []string{truncate(excerpt, 200)}
		}
	}
	return e
}

// parseFieldErrors accepts the documented {"0.email": "..."} map and, because
// some V3 endpoints send them, string arrays ({"0.email": ["..."]}). Other
// values are shown as JSON, re-encoded so that clean sees their strings
// decoded.
func parseFieldErrors(raw json.RawMessage, clean func(string) string) map[string]string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil || len(fields) == 0 {
		return nil
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		var s string
		var list []string
		var other any
		switch {
		case json.Unmarshal(v, &s) == nil:
			out[clean(k)] = clean(s)
		case json.Unmarshal(v, &list) == nil:
			out[clean(k)] = clean(strings.Join(list, "; "))
		default:
			_ = json.Unmarshal(v, &other) // v is valid JSON: it came out of a decoded object
			decoded, _ := json.Marshal(other)
			out[clean(k)] = truncate(clean(string(decoded)), 200)
		}
	}
	return out
}

// redactor removes a secret from text that may reach error messages.
type redactor string

func (r redactor) clean(s string) string {
	if r == "" {
		return s
	}
	return strings.ReplaceAll(s, string(r), "[REDACTED]")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// ValidationError is input rejected before any request was sent. Fields maps a
// field path (e.g. "discount_rules[1].category_id") to what is wrong with it.
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, k+": "+e.Fields[k])
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// fieldErrors collects validation problems; err returns nil when there are none.
type fieldErrors map[string]string

func (f fieldErrors) add(field, problem string) {
	if _, seen := f[field]; !seen {
		f[field] = problem
	}
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: f}
}
