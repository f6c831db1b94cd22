package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
)

// backend opens journals of one kind; open(t, opts) opens the same journal
// again when called again with the same opts.Store.
type backend struct {
	name string
	open func(t *testing.T, opts Options) Store
}

// backends are SQLite in a temporary directory and a real PostgreSQL that
// the test starts, where each test keeps to its own store name.
func backends(t *testing.T) []backend {
	dir := t.TempDir()
	sqlite := backend{"sqlite", func(t *testing.T, opts Options) Store {
		return mustOpen(t, filepath.Join(dir, opts.Store+".db"), opts)
	}}
	var dsn string
	postgres := backend{"postgres", func(t *testing.T, opts Options) Store {
		if dsn == "" {
			dsn = testsvc.Postgres(t)
		}
		return mustOpen(t, dsn, opts)
	}}
	return []backend{sqlite, postgres}
}

func mustOpen(t *testing.T, spec string, opts Options) Store {
	t.Helper()
	s, err := Open(context.Background(), spec, opts)
	if err != nil {
		t.Fatalf("open %s: %v", spec, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// each runs test against every backend with a store name of its own.
func each(t *testing.T, test func(t *testing.T, b backend, opts Options)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			test(t, b, Options{Store: strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())})
		})
	}
}

func customerItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{Seq: i, Entity: EntityCustomer, Op: OpUpdate, Key: 1000 + i,
			Wrote:    json.RawMessage(`{"customer_group_id":2}`),
			Replaced: json.RawMessage(fmt.Sprintf(`{"customer_group_id":%d}`, i%3))}
	}
	return items
}

func TestRecordSettleGet(t *testing.T) {
	each(t, func(t *testing.T, b backend, opts Options) {
		ctx := context.Background()
		s := b.open(t, opts)
		items := append(customerItems(1200), Item{Seq: 1200, Entity: EntityGroup, Op: OpCreate, Wrote: json.RawMessage(`{"name":"New"}`)})
		id, err := s.Record(ctx, Change{Tool: "bulk_update_customers", Summary: "moved 1200 customers"}, items)
		if err != nil {
			t.Fatal(err)
		}
		c, got, err := s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != StateOpen || c.Items != 1201 || len(got) != 1201 || got[5].Outcome != Pending || string(got[5].Replaced) != `{"customer_group_id":2}` {
			t.Fatalf("recorded %+v with %d items, item 5 %+v", c, len(got), got[5])
		}
		if got[1200].Replaced != nil || got[1200].Key != 0 {
			t.Errorf("a create's item has no replaced value nor key yet: %+v", got[1200])
		}
		outcomes := []Outcome{{Seq: 1200, Outcome: Applied, Key: 77, Wrote: json.RawMessage(`{"id":77,"name":"New"}`)},
			{Seq: 3, Outcome: Applied, Wrote: json.RawMessage(`{"customer_group_id":9}`)}}
		for i := range 1200 {
			if i == 3 {
				continue
			}
			outcomes = append(outcomes, Outcome{Seq: i, Outcome: map[bool]string{true: Applied, false: Failed}[i%100 != 0]})
		}
		if err := s.Settle(ctx, id, outcomes, map[string]int{"updated": 1188, "failed": 12}); err != nil {
			t.Fatal(err)
		}
		c, got, err = s.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State != StateDone || c.Counts["updated"] != 1188 || got[0].Outcome != Failed || got[1].Outcome != Applied {
			t.Errorf("settled %+v, items 0 and 1: %+v %+v", c, got[0], got[1])
		}
		if got[3].Key != 1003 || string(got[3].Wrote) != `{"customer_group_id":9}` || got[3].Outcome != Applied {
			t.Errorf("a new Wrote alone changed the key: %+v", got[3])
		}
		if got[1200].Key != 77 || string(got[1200].Wrote) != `{"id":77,"name":"New"}` || got[1200].Outcome != Applied {
			t.Errorf("the create did not learn its id: %+v", got[1200])
		}
		if _, _, err := s.Get(ctx, id+1000); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get of an unknown id: %v, want ErrNotFound", err)
		}
	})
}

func TestListNewestFirstWithFilters(t *testing.T) {
	each(t, func(t *testing.T, b backend, opts Options) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		opts.Now = func() time.Time { return now }
		s := b.open(t, opts)
		var ids []int64
		for i, tool := range []string{"create_customer_group", "bulk_update_customers", "bulk_update_customers", "undo_change"} {
			id, err := s.Record(ctx, Change{Tool: tool, Summary: tool, At: now.Add(time.Duration(i) * time.Hour), UndoOf: int64(i / 3)}, customerItems(1))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := s.MarkUndone(ctx, ids[2], ids[3]); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			f    Filter
			want []int64
		}{
			{"all", Filter{}, []int64{ids[3], ids[2], ids[1], ids[0]}},
			{"tool", Filter{Tool: "bulk_update_customers"}, []int64{ids[2], ids[1]}},
			{"since", Filter{Since: now.Add(time.Hour)}, []int64{ids[3], ids[2], ids[1]}},
			{"until", Filter{Until: now.Add(time.Hour)}, []int64{ids[1], ids[0]}},
			{"page", Filter{Before: ids[2], Limit: 1}, []int64{ids[1]}},
		} {
			changes, err := s.List(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range changes {
				got = append(got, c.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		all, _ := s.List(ctx, Filter{})
		if all[1].UndoneBy != ids[3] || all[0].UndoOf != 1 || !all[0].At.Equal(now.Add(3*time.Hour)) {
			t.Errorf("listed %+v and %+v", all[0], all[1])
		}
	})
}

func TestReopenMarksOpenChangesInterrupted(t *testing.T) {
	each(t, func(t *testing.T, b backend, opts Options) {
		ctx := context.Background()
		first := b.open(t, opts)
		open, err := first.Record(ctx, Change{Tool: "bulk_update_customers", Summary: "cut short"}, customerItems(3))
		if err != nil {
			t.Fatal(err)
		}
		done, _ := first.Record(ctx, Change{Tool: "bulk_update_customers", Summary: "finished"}, customerItems(1))
		if err := first.Settle(ctx, done, []Outcome{{Seq: 0, Outcome: Applied}}, nil); err != nil {
			t.Fatal(err)
		}
		first.Close()
		second := b.open(t, opts)
		c, items, err := second.Get(ctx, open)
		if err != nil || c.State != StateInterrupted || items[2].Outcome != Pending {
			t.Fatalf("after a restart: %+v, %v, %v", c, items, err)
		}
		if c, _, _ := second.Get(ctx, done); c.State != StateDone {
			t.Errorf("a finished change became %s", c.State)
		}
	})
}

func TestRetention(t *testing.T) {
	each(t, func(t *testing.T, b backend, opts Options) {
		ctx := context.Background()
		now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		opts.Now = func() time.Time { return now }
		opts.Retention = Retention{MaxAge: 48 * time.Hour, MaxItems: 10}
		s := b.open(t, opts)
		old, _ := s.Record(ctx, Change{Tool: "t", Summary: "old", At: now.Add(-72 * time.Hour)}, customerItems(1))
		mid, _ := s.Record(ctx, Change{Tool: "t", Summary: "mid"}, customerItems(6))
		newer, err := s.Record(ctx, Change{Tool: "t", Summary: "new"}, customerItems(4))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, old); !errors.Is(err, ErrNotFound) {
			t.Errorf("a change past MaxAge is kept: %v", err)
		}
		if _, _, err := s.Get(ctx, mid); err != nil {
			t.Errorf("10 items in all fit MaxItems, yet: %v", err)
		}
		huge, err := s.Record(ctx, Change{Tool: "t", Summary: "huge"}, customerItems(25))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, huge); err != nil {
			t.Errorf("the newest change is kept whatever its size: %v", err)
		}
		s.Record(ctx, Change{Tool: "t", Summary: "next"}, customerItems(1)) // prunes before recording
		for _, id := range []int64{mid, newer} {
			if _, _, err := s.Get(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("change %d is kept past MaxItems: %v", id, err)
			}
		}
	})
}

func TestFailsClosed(t *testing.T) {
	each(t, func(t *testing.T, b backend, opts Options) {
		s := b.open(t, opts)
		s.Close()
		if _, err := s.Record(context.Background(), Change{Tool: "t", Summary: "s"}, customerItems(1)); err == nil {
			t.Fatal("a closed journal recorded a change")
		}
	})
	t.Run("read-only sqlite file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "j.db")
		s := mustOpen(t, path, Options{Store: "s"})
		// Tests run as root, whom file modes do not stop: make the file
		// read-only to SQLite instead, on its one connection.
		if _, err := s.(*sqlStore).db.Exec(`PRAGMA query_only = 1`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(context.Background(), Change{Tool: "t", Summary: "s"}, customerItems(1)); err == nil {
			t.Fatal("a read-only journal recorded a change")
		}
		s.Close()
		if _, err := openSQL(context.Background(), "sqlite", "file:"+path+"?mode=ro", sqliteDialect, owner{token: newToken()}, Options{Store: "s"}); err == nil {
			t.Fatal("a journal that cannot be written opened")
		}
	})
}

func TestSQLiteFileIsPrivateAndVersioned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "bigcommerce-mcp", "store.db")
	s := mustOpen(t, path, Options{Store: "store"})
	if _, err := s.Record(context.Background(), Change{Tool: "t", Summary: "s"}, customerItems(1)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(p), mode)
		}
	}
	if info, _ := os.Stat(filepath.Dir(path)); info.Mode().Perm() != 0o700 {
		t.Errorf("journal directory has mode %o, want 700", info.Mode().Perm())
	}
	s.Close()

	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var version int
	if err := db.QueryRow(`SELECT version FROM schema_version`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema_version %d (%v), want %d", version, err, len(migrations))
	}
	if _, err := db.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), path, Options{Store: "store"}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("a journal from a newer build opened: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/a"}, "/x/state/bigcommerce-mcp/abc123.db"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/state/bigcommerce-mcp/abc123.db"},
	} {
		if got, err := DefaultPath("abc123", env(tc.env)); err != nil || got != tc.want {
			t.Errorf("DefaultPath with %v = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
	if got, _ := DefaultPath("../../etc", env(map[string]string{"HOME": "/h"})); filepath.Dir(got) != "/h/.local/state/bigcommerce-mcp" {
		t.Errorf("a store hash escaped the journal directory: %s", got)
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "a%20b.db"), Options{}); err == nil {
		t.Error("a path SQLite would decode as a URI was accepted")
	}
	if _, err := DefaultPath("abc", env(nil)); err == nil {
		t.Error("no HOME nor XDG_STATE_HOME, yet a path")
	}
}

func TestOffAndMemory(t *testing.T) {
	if s, err := Open(context.Background(), Off, Options{}); s != nil || err != nil {
		t.Errorf("off opened %v, %v", s, err)
	}
	s := mustOpen(t, Memory, Options{Store: "sandbox"})
	id, err := s.Record(context.Background(), Change{Tool: "t", Summary: "s"}, customerItems(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, items, err := s.Get(context.Background(), id); err != nil || len(items) != 2 {
		t.Errorf("in memory: %v, %v", items, err)
	}
}

// TestReplicasSeeEachOthersRunningAndDeadChanges: in a shared PostgreSQL
// journal, a replica starting up leaves another's running change open, and
// marks it interrupted once that replica's connection is gone.
func TestReplicasSeeEachOthersRunningAndDeadChanges(t *testing.T) {
	ctx := context.Background()
	dsn := testsvc.Postgres(t)
	a := mustOpen(t, dsn, Options{Store: "shared"})
	id, err := a.Record(ctx, Change{Tool: "bulk_update_customers", Summary: "running on a"}, customerItems(2))
	if err != nil {
		t.Fatal(err)
	}
	b := mustOpen(t, dsn, Options{Store: "shared"})
	if c, _, err := b.Get(ctx, id); err != nil || c.State != StateOpen {
		t.Fatalf("replica b sees a's running change as %q (%v), want open", c.State, err)
	}
	// a dies: its lock's connection goes.
	db := b.(*sqlStore).db
	const holders = `FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`
	var terminated bool
	if err := db.QueryRow(`SELECT pg_terminate_backend(pid) `+holders, id).Scan(&terminated); err != nil || !terminated {
		t.Fatalf("terminating a's lock connection: %v, %v", terminated, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; { // termination is asynchronous: wait for the lock to go
		var n int
		if err := db.QueryRow(`SELECT count(*) `+holders, id).Scan(&n); err != nil || n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a's lock outlived its connection")
		}
		time.Sleep(10 * time.Millisecond)
	}
	changes, err := b.List(ctx, Filter{})
	if err != nil || len(changes) != 1 || changes[0].State != StateInterrupted {
		t.Fatalf("after a died, b lists %+v (%v), want the change interrupted", changes, err)
	}
}
