package bc

import (
	"context"
	"net/http"
	"testing"
)

// TestAFailedWriteSaysWhetherItMayHaveBeenApplied pins Response.MaybeApplied,
// which the tools read instead of judging statuses themselves: a refusal of
// the only attempt leaves the store as it was; a lost or unreadable answer,
// a 5xx, a refusal after a lost attempt, or a failed re-read after a 207 may not.
func TestAFailedWriteSaysWhetherItMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	conflict := respond(409, `[{"status":409,"message":"taken"}]`)
	partial := respond(207, `{"status":207,"message":"saved, but the sitewide discount update failed"}`)
	name := "Wholesale"
	for _, tc := range []struct {
		name  string
		steps []http.HandlerFunc
		maybe bool
	}{
		{"a refusal of the only attempt", []http.HandlerFunc{conflict}, false},
		{"a 429 of every attempt", []http.HandlerFunc{respond(429, "", "X-Rate-Limit-Requests-Left", "5", "X-Retry-After", "0")}, false},
		{"a refusal after a lost answer", []http.HandlerFunc{dropConnection, conflict}, true},
		{"a 5xx of every attempt", []http.HandlerFunc{respond(502, "")}, true},
		{"a lost answer every time", []http.HandlerFunc{dropConnection}, true},
		{"a 2xx that cannot be read", []http.HandlerFunc{respond(200, "<html>")}, true},
		{"a 207 whose re-read fails", []http.HandlerFunc{partial, respond(404, `[{"status":404,"message":"gone"}]`)}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, &script{steps: tc.steps})
			_, resp, err := c.CustomerGroups.Update(context.Background(), 7, CustomerGroupInput{Name: &name})
			if err == nil || resp == nil || resp.MaybeApplied != tc.maybe {
				t.Errorf("err %v, response %+v: want an error with MaybeApplied %v", err, resp, tc.maybe)
			}
		})
	}
}
