package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/fakeclock"
)

// blockingWork reports one item done, then waits for release or stop, and
// returns an account naming which ended it.
func blockingWork(release <-chan struct{}) Work {
	return func(ctx context.Context, stop <-chan struct{}, report func(Progress)) (json.RawMessage, json.RawMessage) {
		report(Progress{Total: 2, Done: 1, Updated: 1})
		select {
		case <-release:
			return json.RawMessage(`{"ended":"released"}`), nil
		case <-stop:
			return json.RawMessage(`{"ended":"stopped"}`), nil
		case <-ctx.Done():
			return nil, json.RawMessage(`{"ended":"aborted"}`)
		}
	}
}

func TestAJobOutlivesTheCallThatStartedIt(t *testing.T) {
	t.Parallel()
	r := NewRunner(Config{})
	defer r.Shutdown(t.Context())
	call, hangUp := context.WithCancel(t.Context())
	release := make(chan struct{})

	started, err := r.Start(call, "bulk", 2, time.Minute, blockingWork(release))
	if err != nil {
		t.Fatal(err)
	}
	hangUp()
	if rec, _ := r.Get(t.Context(), started.ID); rec.Status != Running || rec.Progress.Total != 2 {
		t.Fatalf("after the call ended: %+v", rec)
	}
	close(release)
	rec, err := r.Wait(t.Context(), started.ID)
	if err != nil || rec.Status != Done || string(rec.Result) != `{"ended":"released"}` || rec.Progress.Done != 1 {
		t.Fatalf("final record %+v, %v", rec, err)
	}
	if rec.FinishedAt.Before(rec.StartedAt) || rec.Estimate != time.Minute {
		t.Errorf("times: %+v", rec)
	}
}

func TestCancelStopsTheWorkAndReturnsItsAccount(t *testing.T) {
	t.Parallel()
	r := NewRunner(Config{})
	defer r.Shutdown(t.Context())
	started, err := r.Start(t.Context(), "bulk", 2, time.Minute, blockingWork(nil))
	if err != nil {
		t.Fatal(err)
	}

	rec, err := r.Cancel(t.Context(), started.ID)
	if err != nil || rec.Status != Cancelled || string(rec.Result) != `{"ended":"stopped"}` {
		t.Fatalf("cancelled: %+v, %v", rec, err)
	}
	again, err := r.Cancel(t.Context(), started.ID)
	if err != nil || again.Status != Cancelled || string(again.Result) != string(rec.Result) {
		t.Errorf("a second cancel: %+v, %v", again, err)
	}
}

func TestShutdownInterruptsRunningJobsAndRefusesNewOnes(t *testing.T) {
	t.Parallel()
	store := NewMemoryStore()
	r := NewRunner(Config{Store: store})
	started, err := r.Start(t.Context(), "bulk", 2, time.Minute, blockingWork(nil))
	if err != nil {
		t.Fatal(err)
	}

	r.Shutdown(t.Context())
	rec, err := store.Load(t.Context(), started.ID)
	if err != nil || rec.Status != Interrupted || string(rec.Result) != `{"ended":"stopped"}` {
		t.Errorf("stored after shutdown: %+v, %v", rec, err)
	}
	if _, err := r.Start(t.Context(), "bulk", 1, 0, blockingWork(nil)); !errors.Is(err, ErrShutDown) {
		t.Errorf("start after shutdown: %v", err)
	}
}

func TestShutdownAbortsWorkThatDoesNotStopInTime(t *testing.T) {
	t.Parallel()
	store := NewMemoryStore()
	r := NewRunner(Config{Store: store})
	stubborn := func(ctx context.Context, _ <-chan struct{}, _ func(Progress)) (json.RawMessage, json.RawMessage) {
		<-ctx.Done()
		return nil, json.RawMessage(`{"ended":"aborted"}`)
	}
	started, err := r.Start(t.Context(), "bulk", 1, 0, stubborn)
	if err != nil {
		t.Fatal(err)
	}
	expired, cancel := context.WithCancel(t.Context())
	cancel()

	r.Shutdown(expired)
	if rec, _ := store.Load(t.Context(), started.ID); rec.Status != Interrupted || string(rec.Failure) != `{"ended":"aborted"}` {
		t.Errorf("stored after shutdown: %+v", rec)
	}
}

func TestAJobWhoseProcessStoppedReadsAsInterruptedWithItsProgress(t *testing.T) {
	t.Parallel()
	store := NewMemoryStore()
	clk := fakeclock.At(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	// The record a killed process left behind: running, its heartbeat 3s old.
	left := Record{ID: "job_1", Tool: "bulk", Status: Running, Progress: Progress{Total: 100, Done: 40, Updated: 30, Unchanged: 10},
		StartedAt: clk.Now().Add(-time.Minute), UpdatedAt: clk.Now().Add(-3 * time.Second)}
	if err := store.Save(t.Context(), left); err != nil {
		t.Fatal(err)
	}
	restarted := NewRunner(Config{Store: store, Heartbeat: time.Second, Now: clk.Now})

	if rec, _ := restarted.Get(t.Context(), "job_1"); rec.Status != Running {
		t.Fatalf("a fresh heartbeat: %+v", rec)
	}
	if _, err := restarted.Cancel(t.Context(), "job_1"); !errors.Is(err, ErrElsewhere) {
		t.Errorf("cancelling another process's job: %v", err)
	}
	clk.Advance(3 * time.Second) // now 6s old: more than 5 heartbeats
	rec, err := restarted.Get(t.Context(), "job_1")
	if err != nil || rec.Status != Interrupted || rec.Progress != left.Progress || !rec.FinishedAt.Equal(left.UpdatedAt) {
		t.Fatalf("a stale heartbeat: %+v, %v", rec, err)
	}
	if saved, _ := store.Load(t.Context(), "job_1"); saved.Status != Interrupted {
		t.Errorf("the interruption was not saved: %+v", saved)
	}
}

func TestFinishedJobsExpire(t *testing.T) {
	t.Parallel()
	clk := fakeclock.At(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	store := NewMemoryStore()
	r := NewRunner(Config{Store: store, Keep: time.Hour, Now: clk.Now})
	defer r.Shutdown(t.Context())
	release := make(chan struct{})
	close(release)
	started, err := r.Start(t.Context(), "bulk", 2, 0, blockingWork(release))
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := r.Wait(t.Context(), started.ID); err != nil || rec.Status != Done {
		t.Fatalf("%+v, %v", rec, err)
	}

	clk.Advance(2 * time.Hour)
	if _, err := r.Get(t.Context(), started.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("an expired job: %v", err)
	}
	if _, err := r.Start(t.Context(), "bulk", 2, 0, blockingWork(release)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Load(t.Context(), started.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("starting a job did not prune the expired one: %v", err)
	}
}

func TestMemoryStoreDropsTheOldestFinishedRecordsBeyondItsBound(t *testing.T) {
	t.Parallel()
	store := NewMemoryStore()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := store.Save(t.Context(), Record{ID: "running", Status: Running}); err != nil {
		t.Fatal(err)
	}
	for i := range defaultMaxRecords + 5 {
		store.Save(t.Context(), Record{ID: fmt.Sprint(i), Status: Done, FinishedAt: start.Add(time.Duration(i) * time.Second)})
	}
	if len(store.records) != defaultMaxRecords {
		t.Errorf("%d records kept, want %d", len(store.records), defaultMaxRecords)
	}
	for _, id := range []string{"running", fmt.Sprint(defaultMaxRecords + 4)} {
		if _, err := store.Load(t.Context(), id); err != nil {
			t.Errorf("record %s was dropped", id)
		}
	}
	if _, err := store.Load(t.Context(), "0"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the oldest finished record was kept")
	}
}

func TestTheHeartbeatSavesARunningJobsProgress(t *testing.T) {
	t.Parallel()
	store := NewMemoryStore()
	r := NewRunner(Config{Store: store, Heartbeat: time.Millisecond})
	defer r.Shutdown(t.Context())
	started, err := r.Start(t.Context(), "bulk", 2, 0, blockingWork(nil))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		rec, _ := store.Load(t.Context(), started.ID)
		if rec.Progress.Done == 1 && rec.Status == Running && rec.UpdatedAt.After(started.UpdatedAt) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store never saw the progress: %+v", rec)
		}
	}
}
