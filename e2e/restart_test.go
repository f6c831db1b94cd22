package e2e

// A server SIGKILLed mid-run, and what the next process makes of the journal
// it left behind.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

const restartToken = "bc-access-token-restart-0123456789"

// restartStore is a simulated store served over HTTP to a binary that
// journals to a file of the test's; it says when it has updated killAt
// customers, the moment to kill that binary.
type restartStore struct {
	*bcsim.Store
	srv     *httptest.Server
	env     []string // less BIGCOMMERCE_API_URL, which environ adds
	killAt  int
	reached chan struct{}
	once    sync.Once
}

func newRestartStore(t *testing.T, customers int, latency time.Duration, killAt int, env ...string) *restartStore {
	t.Helper()
	s := &restartStore{
		Store: bcsim.New(bcsim.WithAccessToken(restartToken), bcsim.WithCustomers(customers), bcsim.WithLatency(latency, 0)),
		env: cleanEnv(append([]string{"BIGCOMMERCE_STORE_HASH=abc123", "BIGCOMMERCE_ACCESS_TOKEN=" + restartToken,
			"BIGCOMMERCE_MCP_JOURNAL=" + filepath.Join(t.TempDir(), "journal.db")}, env...)...),
		killAt:  killAt,
		reached: make(chan struct{}),
	}
	s.serve(t)
	return s
}

func (s *restartStore) serve(t *testing.T) {
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Store.ServeHTTP(w, r)
		if r.Method == http.MethodPut && s.Stats().CustomersUpdated >= s.killAt {
			s.once.Do(func() { close(s.reached) })
		}
	}))
	t.Cleanup(s.srv.Close)
}

// environ is the binary's environment for the store as it is served now.
func (s *restartStore) environ() []string {
	return append(slices.Clip(s.env), "BIGCOMMERCE_API_URL="+s.srv.URL)
}

// killMidRun SIGKILLs p once the store has updated killAt customers, and
// serves the store again on a new server: closing the old one waits for the
// requests p had in flight, so that the store then holds all it will ever
// take from p. It returns how many customers have company, which must be
// some but not all of them.
func (s *restartStore) killMidRun(t *testing.T, p *process, company string) int {
	t.Helper()
	select {
	case <-s.reached:
	case <-p.exited:
		t.Fatal("the update ended before it could be killed")
	case <-time.After(30 * time.Second):
		t.Fatal("the update never got going")
	}
	p.cmd.Process.Kill()
	<-p.exited
	s.srv.Close()
	s.serve(t)
	applied, customers := withCompany(s.Store, company), len(s.Customers())
	if applied == 0 || applied == customers {
		t.Fatalf("%d of %d customers were updated before the kill: the test needs a run cut short", applied, customers)
	}
	return applied
}

// TestAJobKilledMidRunReadsAsInterruptedAfterARestart SIGKILLs a server
// running a job (its records in the journal file); the next process reads the
// job as interrupted, with progress no greater than what the store took, once
// the killed process's heartbeat has gone stale (10 s at most).
func TestAJobKilledMidRunReadsAsInterruptedAfterARestart(t *testing.T) {
	t.Parallel()
	const customers = 3000
	// Past the first heartbeat (2s), which saves the job's progress.
	store := newRestartStore(t, customers, 50*time.Millisecond, 1500, "BIGCOMMERCE_MCP_JOB_AFTER=0")
	p, called := startBulkCall(t, "stdio", store.environ(), map[string]any{"customers": renaming(customers, "Killed job")})
	ticket := waitFor(t, called, "the job's ticket")
	if ticket.Job.JobID == "" {
		t.Fatalf("no job: %+v", ticket)
	}
	applied := store.killMidRun(t, p, "Killed job")

	var job struct {
		Status   string
		Progress struct{ Updated, Done int }
		Next     string
	}
	args := `{"job_id": "` + ticket.Job.JobID + `"}`
	for deadline := time.Now().Add(30 * time.Second); job.Status != "interrupted"; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the killed job still reads as %q", job.Status)
		}
		callJSON(t, store.environ(), &job, "get_bulk_job", args)
	}
	if job.Progress.Updated == 0 || job.Progress.Updated > applied || !strings.Contains(job.Next, "again with the same arguments") {
		t.Errorf("interrupted with %+v, %q; the store took %d", job.Progress, job.Next, applied)
	}
}

// TestABulkUpdateKilledMidRunIsUndoneAfterARestart SIGKILLs the server while
// a bulk update is being sent; the next process lists the change as
// interrupted and undoes exactly what it had applied.
func TestABulkUpdateKilledMidRunIsUndoneAfterARestart(t *testing.T) {
	t.Parallel()
	const customers = 3000
	store := newRestartStore(t, customers, 20*time.Millisecond, 300)
	p := start(t, store.environ(), "call", "bulk_update_customers",
		`{"where": {"all": true}, "set": {"company": "Killed Mid-Run"}, "expect_count": `+strconv.Itoa(customers)+`}`)
	applied := store.killMidRun(t, p, "Killed Mid-Run")

	env := store.environ()
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
	if n := withCompany(store.Store, "Killed Mid-Run"); n != 0 || dry.Counts.Restored != applied {
		t.Errorf("after the undo, %d customers keep the interrupted change's value (undo restored %d)", n, dry.Counts.Restored)
	}
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
