package tools

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// bc and the store nest the password flag under authentication; the tools
// take it flat, as force_password_reset, and every answer names it so.
func TestEveryAnswerNamesThePasswordFlagAsItsArgument(t *testing.T) {
	t.Parallel()
	t.Run("dry runs", func(t *testing.T) {
		t.Parallel()
		s := newSession(t, Config{})
		for _, args := range []map[string]any{
			{"customers": []map[string]any{{"id": 1, "force_password_reset": true}}, "dry_run": true},
			{"where": map[string]any{"ids": []int{1, 2}}, "set": map[string]any{"force_password_reset": true}, "dry_run": true},
		} {
			res := s.call("bulk_update_customers", args)
			namesTheFlagAsItsArgument(t, res)
			if changes := decode[BulkUpdateCustomersResult](t, res).Changes; len(changes) == 0 || changes[0].Fields["force_password_reset"].After != true {
				t.Errorf("%v: changes %+v, want force_password_reset to become true", args, changes)
			}
		}
	})
	t.Run("failures", func(t *testing.T) {
		t.Parallel()
		s, store := newBadStoreSession(t, Config{})
		store.Misbehave(badstore.On(http.MethodPut, "/v3/customers",
			badstore.MultiStatus(0, "authentication.force_password_reset", "cannot be reset for this customer")))
		for id, details := range []bool{false, true} { // a customer each: the store applies what it reports refused
			res := s.call("bulk_update_customers", map[string]any{
				"customers": []map[string]any{{"id": id + 1, "force_password_reset": true}}, "details": details})
			namesTheFlagAsItsArgument(t, res)
			out := decode[BulkUpdateCustomersResult](t, res)
			if len(out.Failures) != 1 || out.Failures[0].Fields["force_password_reset"] != "cannot be reset for this customer" {
				t.Errorf("details %v: failures %+v, want the store's refusal of force_password_reset", details, out.Failures)
			}
		}
	})
	t.Run("list_changes and undo_change", func(t *testing.T) {
		t.Parallel()
		s := newSession(t, Config{Journal: openJournal(t, filepath.Join(t.TempDir(), "journal.db"))})
		succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{
			"customers": []map[string]any{{"id": 1, "force_password_reset": true, "company": "Reset Co"}}})
		list := s.call("list_changes", map[string]any{})
		namesTheFlagAsItsArgument(t, list)
		changes := decode[ChangeList](t, list).Changes

		c, _ := s.store.Customer(1) // changed since, by someone else: a conflict the undo names
		c.ForcePasswordReset, c.Company = false, "Other Co"
		s.store.PutCustomer(c)
		undo := s.call("undo_change", map[string]any{"change_id": changes[0].ID, "dry_run": true})
		namesTheFlagAsItsArgument(t, undo)
		if conflicts := decode[UndoChangeResult](t, undo).Conflicts; len(conflicts) != 1 || !strings.Contains(conflicts[0].Reason, "force_password_reset") {
			t.Errorf("conflicts %+v, want customer 1's force_password_reset named", conflicts)
		}
	})
}

func namesTheFlagAsItsArgument(t *testing.T, res *mcp.CallToolResult) {
	t.Helper()
	answer, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(answer), "force_password_reset") || strings.Contains(string(answer), "authentication") {
		t.Errorf("the answer does not name the flag force_password_reset alone: %s", answer)
	}
}
