package tools

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

// journals opens a fresh journal of each backend for a test.
func journals(t *testing.T) map[string]func(t *testing.T) (journal.Store, string) {
	return map[string]func(t *testing.T) (journal.Store, string){
		"sqlite": func(t *testing.T) (journal.Store, string) {
			path := filepath.Join(t.TempDir(), "journal.db")
			return openJournal(t, path), path
		},
		"postgres": func(t *testing.T) (journal.Store, string) {
			dsn := testsvc.Postgres(t)
			return openJournal(t, dsn), dsn
		},
	}
}

func openJournal(t *testing.T, spec string) journal.Store {
	t.Helper()
	j, err := journal.Open(context.Background(), spec, journal.Options{Store: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// eachJournal runs test with a session journaling to each backend.
func eachJournal(t *testing.T, test func(t *testing.T, s *session, j journal.Store, spec string)) {
	for name, open := range journals(t) {
		t.Run(name, func(t *testing.T) {
			j, spec := open(t)
			test(t, newSession(t, Config{Journal: j}, bcsim.WithCustomers(300)), j, spec)
		})
	}
}

func groupOf(t *testing.T, store *bcsim.Store, id int) int {
	t.Helper()
	c, ok := store.Customer(id)
	if !ok {
		t.Fatalf("no customer %d", id)
	}
	return c.CustomerGroupID
}

func membersOf(store *bcsim.Store, group int) []int {
	var ids []int
	for _, c := range store.Customers() {
		if c.CustomerGroupID == group {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func TestUndoASelectorMoveLeavesACustomerChangedSinceAlone(t *testing.T) {
	eachJournal(t, func(t *testing.T, s *session, _ journal.Store, _ string) {
		retail := membersOf(s.store, 1)
		if len(retail) < 3 {
			t.Fatalf("the seed has %d Retail customers", len(retail))
		}
		moved := succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{
			"where": map[string]any{"customer_group_ids": []int{1}}, "set": map[string]any{"customer_group_id": 2}, "expect_count": len(retail)})
		if moved.Counts.Updated != len(retail) {
			t.Fatalf("moved %+v", moved.Counts)
		}
		list := succeed[ChangeList](s, "list_changes", map[string]any{})
		if list.Count != 1 || list.Changes[0].Summary != "moved "+strconv.Itoa(len(retail))+" customers from Retail (1) to Wholesale (2)" || list.Changes[0].Counts["updated"] != len(retail) {
			t.Fatalf("list_changes: %+v", list)
		}
		changeID := list.Changes[0].ID

		// One customer is moved on by someone else before the undo.
		changed := retail[1]
		c, _ := s.store.Customer(changed)
		c.CustomerGroupID = 3
		s.store.PutCustomer(c)

		args := map[string]any{"change_id": changeID, "dry_run": true}
		dry := succeed[UndoChangeResult](s, "undo_change", args)
		if dry.Counts.Restored != len(retail)-1 || dry.Counts.Conflicts != 1 || dry.Conflicts[0].ID != changed || groupOf(t, s.store, retail[0]) != 2 {
			t.Fatalf("dry run: %+v", dry)
		}
		args["dry_run"] = false
		if len(retail)-1 > expectCountThreshold {
			args["expect_count"] = len(retail) - 1
		}
		undone := succeed[UndoChangeResult](s, "undo_change", args)
		if undone.Counts.Restored != len(retail)-1 || undone.Counts.Conflicts != 1 || undone.UndoChangeID == 0 {
			t.Fatalf("undo: %+v", undone)
		}
		for _, id := range retail {
			want := 1
			if id == changed {
				want = 3
			}
			if got := groupOf(t, s.store, id); got != want {
				t.Errorf("customer %d is in group %d after the undo, want %d", id, got, want)
			}
		}
		if e := s.fail("undo_change", map[string]any{"change_id": changeID}); e.Code != codeConflict || !strings.Contains(e.Message, "already undone") {
			t.Errorf("a second undo: %+v", e)
		}

		// Undoing the undo redoes the move.
		redo := map[string]any{"change_id": undone.UndoChangeID}
		if len(retail)-1 > expectCountThreshold {
			redo["expect_count"] = len(retail) - 1
		}
		succeed[UndoChangeResult](s, "undo_change", redo)
		if got := groupOf(t, s.store, retail[0]); got != 2 {
			t.Errorf("after undoing the undo, customer %d is in group %d, want 2", retail[0], got)
		}
		list = succeed[ChangeList](s, "list_changes", map[string]any{"tool": "undo_change"})
		if list.Count != 2 || list.Changes[1].UndoOf != changeID || list.Changes[1].UndoneBy != list.Changes[0].ID {
			t.Errorf("undo changes: %+v", list)
		}
	})
}

func TestUndoADeletedGroupRecreatesItAndMovesItsMembersBack(t *testing.T) {
	eachJournal(t, func(t *testing.T, s *session, _ journal.Store, _ string) {
		vip, _ := s.store.Group(3)
		members := membersOf(s.store, 3)
		succeed[DeletedCustomerGroup](s, "delete_customer_group", map[string]any{"id": 3})
		if len(membersOf(s.store, 3)) != 0 {
			t.Fatal("the delete left members")
		}
		list := succeed[ChangeList](s, "list_changes", map[string]any{"tool": "delete_customer_group"})
		args := map[string]any{"change_id": list.Changes[0].ID}
		if len(members)+1 > expectCountThreshold {
			args["expect_count"] = len(members) + 1
		}
		undone := succeed[UndoChangeResult](s, "undo_change", args)
		if len(undone.RecreatedGroups) != 1 || undone.RecreatedGroups[0].OldID != 3 || !strings.Contains(undone.Note, "NEW id") {
			t.Fatalf("undo of a delete: %+v", undone)
		}
		newID := undone.RecreatedGroups[0].NewID
		again, ok := s.store.Group(newID)
		if !ok || again.Name != vip.Name || len(again.DiscountRules) != len(vip.DiscountRules) {
			t.Fatalf("recreated %+v, want the settings of %+v", again, vip)
		}
		if got := membersOf(s.store, newID); len(got) != len(members) {
			t.Errorf("%d customers back in the group, want %d", len(got), len(members))
		}
	})
}

func TestUndoGroupCreateAndUpdate(t *testing.T) {
	eachJournal(t, func(t *testing.T, s *session, _ journal.Store, _ string) {
		succeed[CustomerGroupResult](s, "update_customer_group", map[string]any{"id": 2, "name": "Trade Plus", "discount_rules": []any{}})
		created := succeed[CustomerGroupResult](s, "create_customer_group", map[string]any{"name": "Pop-up"})
		list := succeed[ChangeList](s, "list_changes", map[string]any{})
		createID, updateID := list.Changes[0].ID, list.Changes[1].ID

		succeed[UndoChangeResult](s, "undo_change", map[string]any{"change_id": updateID})
		if g, _ := s.store.Group(2); g.Name != "Wholesale" || len(g.DiscountRules) != 1 {
			t.Errorf("after undoing the update, group 2 is %+v", g)
		}

		// A customer joins the new group: undoing its create is a conflict.
		c, _ := s.store.Customer(1)
		c.CustomerGroupID = created.CustomerGroup.ID
		s.store.PutCustomer(c)
		res := succeed[UndoChangeResult](s, "undo_change", map[string]any{"change_id": createID})
		if res.Counts.Conflicts != 1 || res.Counts.Restored != 0 {
			t.Fatalf("undo of a create with a member: %+v", res)
		}
		if _, ok := s.store.Group(created.CustomerGroup.ID); !ok {
			t.Fatal("a group with a customer was deleted")
		}
		c.CustomerGroupID = 0
		s.store.PutCustomer(c)
		succeed[UndoChangeResult](s, "undo_change", map[string]any{"change_id": createID})
		if _, ok := s.store.Group(created.CustomerGroup.ID); ok {
			t.Error("undoing the create left the group")
		}
	})
}

// settleless drops outcomes, as a process killed mid-write would.
type settleless struct{ journal.Store }

func (settleless) Settle(context.Context, int64, []journal.Outcome, map[string]int) error { return nil }

func TestAnInterruptedChangeSurvivesARestartAndIsUndone(t *testing.T) {
	for name, open := range journals(t) {
		t.Run(name, func(t *testing.T) {
			j, spec := open(t)
			store := bcsim.New(bcsim.WithAccessToken(testToken), bcsim.WithCustomers(50))
			s := newSessionWith(t, store, testToken, Config{Journal: settleless{j}})
			succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{
				"customers": []map[string]any{{"id": 1, "company": "Cut Short"}, {"id": 2, "company": "Cut Short"}}})
			j.Close()

			restarted := newSessionWith(t, store, testToken, Config{Journal: openJournal(t, spec)})
			list := succeed[ChangeList](restarted, "list_changes", map[string]any{})
			if list.Count != 1 || list.Changes[0].State != journal.StateInterrupted {
				t.Fatalf("after the restart: %+v", list)
			}
			res := succeed[UndoChangeResult](restarted, "undo_change", map[string]any{"change_id": list.Changes[0].ID})
			if res.Counts.Restored != 2 {
				t.Fatalf("undo of the interrupted change: %+v", res)
			}
			if c, _ := store.Customer(1); c.Company == "Cut Short" {
				t.Error("customer 1 was not restored")
			}
		})
	}
}

func TestAWriteThatCannotBeJournaledIsNotMade(t *testing.T) {
	j := openJournal(t, filepath.Join(t.TempDir(), "journal.db"))
	s := newSession(t, Config{Journal: j}, bcsim.WithCustomers(20))
	j.Close()
	before, _ := s.store.Customer(1)
	for name, args := range map[string]map[string]any{
		"bulk_update_customers": {"customers": []map[string]any{{"id": 1, "company": "Never"}}},
		"create_customer_group": {"name": "Never"},
		"update_customer_group": {"id": 2, "name": "Never"},
		"delete_customer_group": {"id": 2},
	} {
		if e := s.fail(name, args); e.Code != codeUnavailable || !strings.Contains(e.Message, "nothing was written") {
			t.Errorf("%s with a broken journal: %+v", name, e)
		}
	}
	if after, _ := s.store.Customer(1); after.Company != before.Company {
		t.Error("a customer was updated without a journal record")
	}
	if g, ok := s.store.Group(2); !ok || g.Name != "Wholesale" || len(s.store.Groups()) != 6 {
		t.Error("a group was written without a journal record")
	}
}

func TestTheJournalNeverHoldsTheToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	s := newSession(t, Config{Journal: openJournal(t, path)}, bcsim.WithCustomers(20))
	succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{"customers": []map[string]any{{"id": 1, "company": "Kept"}}})
	succeed[DeletedCustomerGroup](s, "delete_customer_group", map[string]any{"id": 6})
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, data...)
	}
	if bytes.Contains(all, []byte(testToken)) {
		t.Fatal("the journal holds the access token")
	}
	if !bytes.Contains(all, []byte("Kept")) {
		t.Fatal("the journal does not hold the change either: the check proves nothing")
	}
}

func TestChangesToolsWithTheJournalOff(t *testing.T) {
	s := newSession(t, Config{})
	for _, name := range []string{"list_changes", "undo_change"} {
		args := map[string]any{}
		if name == "undo_change" {
			args["change_id"] = 1
		}
		if e := s.fail(name, args); e.Code != codeUnavailable || !strings.Contains(e.Message, "journal is off") {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestSummariesNameTheGroups(t *testing.T) {
	names := map[int]string{1: "Retail", 2: "Wholesale"}
	for _, tc := range []struct {
		moves map[[2]int]int
		want  string
	}{
		{map[[2]int]int{{1, 2}: 312}, "moved 312 customers from Retail (1) to Wholesale (2)"},
		{map[[2]int]int{{1, 2}: 300, {0, 2}: 12}, "moved 312 customers to Wholesale (2) (300 from Retail (1), 12 from no group)"},
		{map[[2]int]int{{9, 1}: 3}, "moved 3 customers from group 9 to Retail (1)"},
	} {
		if got := describeMoves(tc.moves, names); got != tc.want {
			t.Errorf("describeMoves(%v) = %q, want %q", tc.moves, got, tc.want)
		}
	}
}

func TestListChangesRefusesABadDate(t *testing.T) {
	s := newSession(t, Config{Journal: openJournal(t, journal.Memory)})
	if e := s.fail("list_changes", map[string]any{"since": "last tuesday"}); e.Code != codeInvalidArgument || e.Fields["since"] == "" {
		t.Errorf("a bad since: %+v", e)
	}
}

func TestAPartialUndoLeavesTheChangeToUndoAgain(t *testing.T) {
	s := newSession(t, Config{Journal: openJournal(t, journal.Memory)}, bcsim.WithCustomers(100))
	vip := membersOf(s.store, 3)
	succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{
		"where": map[string]any{"customer_group_ids": []int{3}}, "set": map[string]any{"customer_group_id": 2}, "expect_count": len(vip)})
	succeed[DeletedCustomerGroup](s, "delete_customer_group", map[string]any{"id": 3}) // the group they came from is gone
	args := map[string]any{"change_id": 1}
	if len(vip) > expectCountThreshold {
		args["expect_count"] = len(vip)
	}
	res := succeed[UndoChangeResult](s, "undo_change", args)
	if res.Counts.Restored != 0 || res.Counts.Failed != len(vip) || len(res.Failed) == 0 || !strings.Contains(res.Note, "again") {
		t.Fatalf("undo into a deleted group: %+v", res)
	}
	list := succeed[ChangeList](s, "list_changes", map[string]any{"tool": "bulk_update_customers"})
	if list.Changes[0].UndoneBy != 0 {
		t.Errorf("a failed undo marked the change undone by %d", list.Changes[0].UndoneBy)
	}
	if e := s.call("undo_change", args); e.IsError {
		t.Errorf("undoing the change again was refused: %s", text(e))
	}
}
