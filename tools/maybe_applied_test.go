package tools

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// TestAWriteThatMayHaveBeenAppliedSaysSo checks that the note follows bc's
// word alone, and that a cancelled call, whose hint says so already, does
// not repeat it.
func TestAWriteThatMayHaveBeenAppliedSaysSo(t *testing.T) {
	t.Parallel()
	const note = "Check with get_customer_group."
	refusal := &bc.Error{Method: http.MethodPut, Path: "/v2/customer_groups/3", Status: http.StatusConflict}
	for _, tc := range []struct {
		name  string
		err   error
		resp  *bc.Response
		noted bool
	}{
		{"nothing sent", refusal, nil, false},
		{"bc says the store is as it was", refusal, &bc.Response{}, false},
		{"bc says it may have been applied", refusal, &bc.Response{MaybeApplied: true}, true},
		{"a cancelled call", context.Canceled, &bc.Response{MaybeApplied: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hint := toToolError(hintIfMaybeApplied(tc.err, tc.resp, note)).Hint
			if got := strings.Contains(hint, note); got != tc.noted {
				t.Errorf("hint %q: noted %v, want %v", hint, got, tc.noted)
			}
		})
	}
}
