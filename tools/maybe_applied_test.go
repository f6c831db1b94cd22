package tools

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

func TestARefusalAfterAnAttemptThatMayHaveBeenAppliedSaysSo(t *testing.T) {
	t.Parallel()
	const note = "Check with get_customer_group."
	for _, tc := range []struct {
		name   string
		status int
		resp   *bc.Response
		noted  bool
	}{
		{"a refusal of the first attempt", http.StatusConflict, &bc.Response{}, false},
		{"a refusal after a lost attempt", http.StatusConflict, &bc.Response{MaybeApplied: true}, true},
		{"a 429 of the only attempt", http.StatusTooManyRequests, &bc.Response{}, false},
		{"a 429 after a lost attempt", http.StatusTooManyRequests, &bc.Response{MaybeApplied: true}, true},
		{"a 5xx", http.StatusBadGateway, &bc.Response{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := hintIfMaybeApplied(&bc.Error{Method: http.MethodPut, Path: "/v2/customer_groups/3", Status: tc.status}, tc.resp, http.MethodPut, note)
			if got := strings.Contains(toToolError(err).Hint, note); got != tc.noted {
				t.Errorf("hint %q: noted %v, want %v", toToolError(err).Hint, got, tc.noted)
			}
		})
	}
}
