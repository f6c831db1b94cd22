package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// Error codes a model can branch on. They are part of the tools' contract.
const (
	codeInvalidArgument = "invalid_argument"
	codeNotFound        = "not_found"
	codeConflict        = "conflict"
	codeRateLimited     = "rate_limited"
	codeUnauthorized    = "unauthorized"
	codeForbidden       = "forbidden"
	codeUpstream        = "upstream_error"
	codeUnavailable     = "unavailable"
	codeCanceled        = "canceled"
	codeReadOnly        = "read_only"
	codeInternal        = "internal"
)

// toolError is a failed call as the model reads it.
type toolError struct {
	Code         string            `json:"code"`
	Message      string            `json:"message"`
	Fields       map[string]string `json:"fields,omitempty"`
	Retryable    bool              `json:"retryable"`
	RetryAfterMS int64             `json:"retry_after_ms,omitempty"`
	Hint         string            `json:"hint,omitempty"`
}

func (e *toolError) Error() string { return e.Code + ": " + e.Message }

// invalidArguments reports problems keyed by argument path. A mistake
// repeated in 10,000 items, or an argument 100,000 characters long, is
// reported in a few lines: the first maxProblems problems, in argument order,
// each clipped.
func invalidArguments(fields map[string]string, hint string) *toolError {
	keys := slices.SortedFunc(maps.Keys(fields), naturalCompare)
	keys, more := keys[:min(len(keys), maxProblems)], max(len(keys)-maxProblems, 0)
	shown := make(map[string]string, len(keys))
	parts := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		key, problem := clip(k, maxKeyRunes), clip(fields[k], maxProblemRunes)
		shown[key] = problem
		parts = append(parts, key+": "+problem)
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more problems not listed", more))
	}
	if hint == "" {
		hint = "fix the arguments listed in fields and call again"
	}
	return &toolError{Code: codeInvalidArgument, Message: "invalid arguments: " + strings.Join(parts, "; "), Fields: shown, Hint: hint}
}

const (
	maxKeyRunes     = 64
	maxProblemRunes = 200
)

// clip shortens s to n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// naturalCompare orders argument paths with their indexes as numbers, so
// that customers[2] comes before customers[10].
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := leadingDigits(a), leadingDigits(b)
		if da == "" || db == "" {
			if c := cmp.Compare(a[0], b[0]); c != 0 {
				return c
			}
			a, b = a[1:], b[1:]
			continue
		}
		if c := cmp.Or(cmp.Compare(len(da), len(db)), strings.Compare(da, db)); c != 0 {
			return c
		}
		a, b = a[len(da):], b[len(db):]
	}
	return cmp.Compare(len(a), len(b))
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

var errReadOnly = &toolError{
	Code:    codeReadOnly,
	Message: "this server runs in read-only mode: write tools are disabled",
	Hint:    "only the list, get and count tools work; the operator must restart the server without --read-only to make changes",
}

var errMiscounted = &toolError{
	Code:    codeInternal,
	Message: "the bulk update ran, but its result does not account for every customer exactly once (a bug in this server, logged for the operator), so no counts are given",
	Hint:    "some customers may have been updated: check with the same call and dry_run=true, which shows what is still to change; repeating the call is safe, as customers already changed are skipped",
}

// toToolError maps any error a handler returns onto a code, a message and a
// hint the model can act on.
func toToolError(err error) *toolError {
	var te *toolError
	var invalid *bc.ValidationError
	var apiErr *bc.Error
	switch {
	case errors.As(err, &te):
		return te
	case errors.As(err, &invalid):
		return invalidArguments(invalid.Fields, "")
	case errors.As(err, &apiErr) && apiErr.Status != 0:
		return fromAPIError(err, apiErr)
	case errors.Is(err, context.Canceled):
		return &toolError{Code: codeCanceled, Message: "the call was canceled before it finished", Hint: "a write may or may not have been applied: read the data back before repeating it"}
	case errors.Is(err, context.DeadlineExceeded):
		return &toolError{Code: codeCanceled, Message: "the call ran out of time", Retryable: true,
			Hint: "a write may or may not have been applied: read the data back before repeating it"}
	case errors.Is(err, bc.ErrLimitsUnavailable):
		return &toolError{Code: codeUnavailable, Message: err.Error(), Retryable: true,
			Hint: "nothing more was sent: the Redis that keeps the store's limits for every server process does not answer; try again shortly, and if it persists the operator must check REDIS_URL"}
	case errors.Is(err, bc.ErrTransport):
		return &toolError{Code: codeUnavailable, Message: err.Error(), Retryable: true,
			Hint: "BigCommerce could not be reached; try again shortly. If it persists, check the network and BIGCOMMERCE_API_URL"}
	}
	return &toolError{Code: codeUpstream, Message: err.Error()}
}

// meanings maps a BigCommerce status (3xx as 300, 5xx as 500) onto a code
// and a hint. A 2xx fails only as an answer that could not be read.
var meanings = map[int]struct{ code, hint string }{
	http.StatusOK: {codeUpstream, "BigCommerce's answer could not be read (a store or a proxy in front of it misbehaving); try again later; if it persists, the operator should check BIGCOMMERCE_API_URL"},
	http.StatusMultipleChoices: {codeUpstream,
		"the store pointed elsewhere, and the access token goes nowhere but the configured API base, so it was not followed: the operator must check BIGCOMMERCE_API_URL and any proxy in front of the store; retrying will not help"},
	http.StatusBadRequest:            {codeInvalidArgument, rejectedHint},
	http.StatusUnprocessableEntity:   {codeInvalidArgument, rejectedHint},
	http.StatusRequestEntityTooLarge: {codeInvalidArgument, rejectedHint},
	http.StatusUnauthorized: {codeUnauthorized,
		"BigCommerce did not accept the access token: the operator must check BIGCOMMERCE_ACCESS_TOKEN and BIGCOMMERCE_STORE_HASH; retrying will not help"},
	http.StatusForbidden: {codeForbidden,
		"the API account lacks the Customers modify scope: the operator must grant it in the store's API account settings; retrying will not help"},
	http.StatusNotFound: {codeNotFound,
		"no such record (it may have been deleted): look the id up again (list_customer_groups for groups)"},
	http.StatusConflict: {codeConflict,
		"the change clashes with existing data: a group name already in use (names are unique ignoring case; find the existing group with list_customer_groups name_like=... and update it, or pick another name), or a second guest group (unset is_group_for_guests on the current one first)"},
	http.StatusTooManyRequests:     {codeRateLimited, ""},
	http.StatusInternalServerError: {codeUpstream, "BigCommerce failed after several retries; try again later"},
}

// rateLimitedHints say, for each cause, what happened; %d is the wait in ms.
var rateLimitedHints = map[bc.RateLimitCause]string{
	bc.CauseQuota:       "the store's API quota is spent; wait %d ms, then call again",
	bc.CauseConcurrency: "the store refused the request because too many were in progress at once (its quota is not spent); wait %d ms, then call again",
	bc.CauseNotSent:     "the request waited for room under the store's rate limits (other requests in progress) past this call's deadline, and was not sent; wait %d ms, then call again",
}

const rejectedHint = "BigCommerce rejected the request as sent: fix what the message and fields name, then call again"

func fromAPIError(err error, apiErr *bc.Error) *toolError {
	te := &toolError{Code: codeUpstream, Message: err.Error(), Retryable: apiErr.Retryable(), RetryAfterMS: apiErr.RetryAfter.Milliseconds()}
	status := apiErr.Status
	switch {
	case status >= 500:
		status = http.StatusInternalServerError
	case status/100 == 3:
		status = http.StatusMultipleChoices
	case status/100 == 2:
		status = http.StatusOK
	}
	if m, ok := meanings[status]; ok {
		te.Code, te.Hint = m.code, m.hint
	}
	switch {
	case te.Code == codeInvalidArgument:
		te.Fields = apiErr.Fields
	case te.Code == codeRateLimited:
		te.Hint = fmt.Sprintf(rateLimitedHints[apiErr.Cause], te.RetryAfterMS)
	case te.Code == codeForbidden && apiErr.Method == http.MethodGet:
		te.Hint = "the API account lacks the Customers read-only (or modify) scope: the operator must grant it; retrying will not help"
	}
	return te
}
