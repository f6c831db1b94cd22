package tools

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
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

// A group write whose unreadable 2xx is confirmed by reading the group back
// succeeds with a note saying so, and is journaled as done, the create with
// the group read back; one not confirmed fails as maybe applied, naming what
// differs, and stays unconfirmed in the journal.
func TestAGroupWriteConfirmedByReadingItBackSucceedsWithANote(t *testing.T) {
	t.Parallel()
	garbled := badstore.AnswerAfter(http.StatusOK, "<html>ok</html>")
	recasedOnRead := badstore.GarbleWrites(func(body []byte) []byte {
		return bytes.ReplaceAll(body, []byte(`"Garbled"`), []byte(`"GARBLED"`))
	})
	create := map[string]any{"name": "Garbled", "discount_rules": []map[string]any{{"type": "all", "method": "percent", "amount": "5"}}}
	update := map[string]any{"id": 1, "name": "Garbled"}
	for _, tc := range []struct {
		name, tool string
		args       map[string]any
		answer     badstore.Misbehaviour
		differs    string // in the error, or "" for a confirmed write
	}{
		{"create confirmed", "create_customer_group", create, badstore.On(http.MethodPost, "/v2/customer_groups", garbled), ""},
		{"create found nowhere", "create_customer_group", create,
			badstore.On(http.MethodPost, "/v2/customer_groups", badstore.Answer(http.StatusOK, "<html>ok</html>")), `no customer group named "Garbled"`},
		{"update confirmed", "update_customer_group", update, badstore.On(http.MethodPut, "/v2/customer_groups/1", garbled), ""},
		{"update read back otherwise", "update_customer_group", update, recasedOnRead, "group 1 has another name than sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := openJournal(t, journal.Memory)
			s, store := newBadStoreSession(t, Config{Journal: j}, bcsim.WithGroups(3))
			store.Misbehave(tc.answer)
			var got CustomerGroupResult
			if tc.differs == "" {
				got = succeed[CustomerGroupResult](s, tc.tool, tc.args)
				if got.CustomerGroup.Name != "Garbled" || !strings.Contains(got.Note, "read back") {
					t.Errorf("got %+v; want group Garbled with a note that it was read back", got)
				}
			} else if e := s.fail(tc.tool, tc.args); !strings.Contains(e.Message, tc.differs) || !strings.Contains(e.Hint, "may have been") {
				t.Errorf("got %+v; want an error saying %q, and that the write may have been applied", e, tc.differs)
			}
			changes, err := j.List(t.Context(), journal.Filter{})
			if err != nil || len(changes) != 1 {
				t.Fatalf("journal: %v, %v; want one change", changes, err)
			}
			_, items, err := j.Get(t.Context(), changes[0].ID)
			if err != nil || len(items) != 1 {
				t.Fatalf("journal items: %v, %v; want one", items, err)
			}
			want := journal.Applied
			if tc.differs != "" {
				want = journal.Unconfirmed
			}
			if items[0].Outcome != want {
				t.Errorf("journaled %s, want %s", items[0].Outcome, want)
			}
			var wrote bc.CustomerGroup
			if tc.tool == "create_customer_group" && want == journal.Applied &&
				(json.Unmarshal(items[0].Wrote, &wrote) != nil || items[0].Key != got.CustomerGroup.ID || wrote.ID != got.CustomerGroup.ID) {
				t.Errorf("journaled key %d, wrote %s; want the group read back, %d", items[0].Key, items[0].Wrote, got.CustomerGroup.ID)
			}
		})
	}
}
