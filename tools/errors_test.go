package tools

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

func TestAnAnswerTheClientDoesNotActOnSaysWhatToDo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  *bc.Error
		hint string
	}{
		{"a redirect", &bc.Error{Method: http.MethodPut, Path: "/v3/customers", Status: http.StatusTemporaryRedirect, Location: "https://elsewhere.example/x"}, "BIGCOMMERCE_API_URL"},
		{"a 2xx that cannot be read", &bc.Error{Method: http.MethodGet, Path: "/v3/customers", Status: http.StatusOK, Title: "no data array"}, "try again later"},
	} {
		got := toToolError(tc.err)
		if got.Code != codeUpstream || !strings.Contains(got.Hint, tc.hint) {
			t.Errorf("%s: got %+v, want upstream_error with a hint naming %q", tc.name, got, tc.hint)
		}
	}
}

func TestTheRateLimitedHintSaysWhatHappened(t *testing.T) {
	t.Parallel()
	for cause, says := range map[bc.RateLimitCause]string{
		bc.CauseQuota:       "quota is spent",
		bc.CauseConcurrency: "too many were in progress at once (its quota is not spent)",
		bc.CauseNotSent:     "was not sent",
	} {
		err := &bc.Error{Method: http.MethodGet, Path: "/v2/customer_groups/count", Status: http.StatusTooManyRequests, Cause: cause, RetryAfter: 1500 * time.Millisecond}
		got := toToolError(err)
		if got.Code != codeRateLimited || got.RetryAfterMS != 1500 || !strings.Contains(got.Hint, says) || !strings.Contains(got.Hint, "wait 1500 ms") {
			t.Errorf("cause %d: got %+v, want rate_limited saying %q and the wait", cause, got, says)
		}
		if cause != bc.CauseQuota && strings.Contains(got.Hint, "quota is spent") {
			t.Errorf("cause %d: the hint %q says the quota is spent", cause, got.Hint)
		}
	}
}
