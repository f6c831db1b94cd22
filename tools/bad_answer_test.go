package tools

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// A store (or a proxy before it) that does its work and answers an unreadable
// 200: a read is asked again, then fails as upstream_error; a write is sent
// once, and its error says that it may have been applied.
func TestAnUnreadable2xxFailsAReadAfterRetriesAndAWriteAsMaybeApplied(t *testing.T) {
	t.Parallel()
	s, store := newBadStoreSession(t, Config{}, bcsim.WithGroups(3))
	store.Misbehave(badstore.AnswerAfter(http.StatusOK, "<html>ok</html>"))
	for tool, read := range map[string]struct {
		args  map[string]any
		route string
	}{
		"get_customer_group": {map[string]any{"id": 1}, "GET /v2/customer_groups/{id}"},
		"list_customers":     {map[string]any{"where": map[string]any{"all": true}}, "GET /v3/customers"},
	} {
		if e := s.fail(tool, read.args); e.Code != codeUpstream || store.Sim.Total(read.route) != 3 {
			t.Errorf("%s: %+v after %d requests; want upstream_error after 3 (2 retries)", tool, e, store.Sim.Total(read.route))
		}
	}
	e := s.fail("update_customer_group", map[string]any{"id": 1, "name": "Garbled"})
	if e.Code != codeUpstream || !strings.Contains(e.Hint, "may have been applied") || store.Sim.Total("PUT /v2/customer_groups/{id}") != 1 {
		t.Errorf("update: %+v after %d PUTs; want upstream_error saying it may have been applied, after one", e, store.Sim.Total("PUT /v2/customer_groups/{id}"))
	}
	if g, _ := store.Sim.Group(1); g.Name != "Garbled" {
		t.Errorf("group 1 is named %q: the store applied the update it answered so", g.Name)
	}
}
