package journal

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestJobsAreSavedLoadedAndPruned(t *testing.T) {
	each(t, func(t *testing.T, b backend, opts Options) {
		ctx := context.Background()
		jobs := b.open(t, opts).(JobStore)
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := jobs.SaveJob(ctx, "job_a", time.Time{}, json.RawMessage(`{"status":"running"}`)); err != nil {
			t.Fatal(err)
		}
		if err := jobs.SaveJob(ctx, "job_a", start, json.RawMessage(`{"status":"done"}`)); err != nil {
			t.Fatal(err)
		}
		if err := jobs.SaveJob(ctx, "job_b", time.Time{}, json.RawMessage(`{"status":"running"}`)); err != nil {
			t.Fatal(err)
		}
		reopened := b.open(t, opts).(JobStore) // another process, or a replica
		if got, err := reopened.LoadJob(ctx, "job_a"); err != nil || string(got) != `{"status":"done"}` {
			t.Fatalf("job_a: %s, %v", got, err)
		}
		if err := reopened.PruneJobs(ctx, start.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := reopened.LoadJob(ctx, "job_a"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a job finished before the cutoff was kept: %v", err)
		}
		if got, err := reopened.LoadJob(ctx, "job_b"); err != nil || string(got) != `{"status":"running"}` {
			t.Errorf("a running job was pruned: %s, %v", got, err)
		}
		other := b.open(t, Options{Store: opts.Store + "_other"}).(JobStore)
		if _, err := other.LoadJob(ctx, "job_b"); !errors.Is(err, ErrNotFound) {
			t.Errorf("another store's journal sees the job: %v", err)
		}
	})
}
