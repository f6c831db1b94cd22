package tools

import (
	"net/http"
	"strings"
	"testing"

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
