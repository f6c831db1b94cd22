package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

func openJournal(t *testing.T, path string) JournalStore {
	t.Helper()
	j, err := journal.Open(context.Background(), path, journal.Options{Store: "jobs-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return JournalStore{Journal: j.(journal.JobStore)}
}

func TestAJournaledJobSurvivesTheProcessThatRanIt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.db")
	first := NewRunner(Config{Store: openJournal(t, path)})
	started, err := first.Start(t.Context(), "bulk", 2, time.Minute, blockingWork(nil))
	if err != nil {
		t.Fatal(err)
	}
	first.Shutdown(t.Context())

	// The next process opens the same journal file.
	next := NewRunner(Config{Store: openJournal(t, path)})
	rec, err := next.Get(t.Context(), started.ID)
	if err != nil || rec.Status != Interrupted || string(rec.Result) != `{"ended":"stopped"}` || rec.Progress.Updated != 1 || rec.Estimate != time.Minute {
		t.Fatalf("after a restart: %+v, %v", rec, err)
	}
	if _, err := next.Get(t.Context(), "job_0000000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown job: %v", err)
	}
}

func TestAJournaledJobWhoseProcessWasKilledReadsAsInterrupted(t *testing.T) {
	t.Parallel()
	store := openJournal(t, filepath.Join(t.TempDir(), "journal.db"))
	now := time.Now()
	// What a SIGKILLed process leaves: a running record, its heartbeat old.
	left := Record{ID: "job_00000000000000aa", Tool: "bulk", Status: Running, Progress: Progress{Total: 50, Done: 20, Updated: 20},
		StartedAt: now.Add(-time.Minute), UpdatedAt: now.Add(-time.Minute)}
	if err := store.Save(t.Context(), left); err != nil {
		t.Fatal(err)
	}
	rec, err := NewRunner(Config{Store: store}).Get(t.Context(), left.ID)
	if err != nil || rec.Status != Interrupted || rec.Progress != left.Progress || rec.Result != nil {
		t.Fatalf("%+v, %v", rec, err)
	}
}
