package main

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// TestABulkUpdateKilledMidRunIsUndoneAfterARestart SIGKILLs the server while
// a bulk update is being sent; the next process lists the change as
// interrupted and undoes exactly what it had applied.
func TestABulkUpdateKilledMidRunIsUndoneAfterARestart(t *testing.T) {
	t.Parallel()
	const customers = 3000
	const token = "bc-access-token-journal-0123456789"
	store := bcsim.New(bcsim.WithAccessToken(token), bcsim.WithCustomers(customers), bcsim.WithLatency(20*time.Millisecond, 0))
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	env := cleanEnv("BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN="+token, "BIGCOMMERCE_API_URL="+srv.URL,
		"BIGCOMMERCE_MCP_JOURNAL="+filepath.Join(t.TempDir(), "journal.db"))

	p := start(t, env, "call", "bulk_update_customers",
		`{"where": {"all": true}, "set": {"company": "Killed Mid-Run"}, "expect_count": `+strconv.Itoa(customers)+`}`)
	for deadline := time.Now().Add(30 * time.Second); store.Stats().CustomersUpdated < 300; {
		select {
		case <-p.exited:
			t.Fatal("the bulk update ended before it could be killed")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the bulk update never got going")
		}
		time.Sleep(5 * time.Millisecond) // polling the store, not waiting on a guess
	}
	p.cmd.Process.Kill()
	<-p.exited
	// Close waits for the requests the store had in hand; the restarted
	// process talks to the same store on a new server.
	srv.Close()
	srv = httptest.NewServer(store)
	t.Cleanup(srv.Close)
	env = append(env, "BIGCOMMERCE_API_URL="+srv.URL)
	applied := killed(store)
	if applied == 0 || applied == customers {
		t.Fatalf("%d of %d customers were updated before the kill: the test needs a run cut short", applied, customers)
	}

	var list struct {
		Changes []struct {
			ID    int64
			State string
			Items int
		}
	}
	callJSON(t, env, &list, "list_changes", `{}`)
	if len(list.Changes) != 1 || list.Changes[0].State != "interrupted" || list.Changes[0].Items != customers {
		t.Fatalf("after the restart, list_changes shows %+v", list.Changes)
	}
	var dry struct {
		Counts struct {
			Restored        int `json:"restored"`
			AlreadyRestored int `json:"already_restored"`
			Conflicts       int `json:"conflicts"`
		} `json:"counts"`
	}
	id := strconv.FormatInt(list.Changes[0].ID, 10)
	callJSON(t, env, &dry, "undo_change", `{"change_id": `+id+`, "dry_run": true}`)
	if dry.Counts.Restored != applied || dry.Counts.AlreadyRestored != customers-applied || dry.Counts.Conflicts != 0 {
		t.Fatalf("the dry run counts %+v, want %d to restore and %d already as before", dry.Counts, applied, customers-applied)
	}
	callJSON(t, env, &dry, "undo_change", `{"change_id": `+id+`, "expect_count": `+strconv.Itoa(applied)+`}`)
	if n := killed(store); n != 0 || dry.Counts.Restored != applied {
		t.Errorf("after the undo, %d customers keep the interrupted change's value (undo restored %d)", n, dry.Counts.Restored)
	}
}

func killed(store *bcsim.Store) int {
	n := 0
	for _, c := range store.Customers() {
		if c.Company == "Killed Mid-Run" {
			n++
		}
	}
	return n
}

func callJSON(t *testing.T, env []string, out any, tool, args string) {
	t.Helper()
	stdout, stderr, code := runBinary(t, env, "", "call", tool, args)
	if code != 0 {
		t.Fatalf("%s exited %d:\n%s\n%s", tool, code, stdout, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, stdout)
	}
}
