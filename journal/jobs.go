package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Jobs are the long bulk updates package jobs runs in the background. Their
// records are kept here, beside the changes they make, so that every replica
// sharing the journal answers for them and a restart finds the ones it cut
// short. The journal holds each record as the JSON package jobs gives it.

// JobStore keeps job records; the journal's SQL stores implement it.
type JobStore interface {
	// SaveJob inserts or replaces the record of job id. finishedAt is zero
	// while the job runs.
	SaveJob(ctx context.Context, id string, finishedAt time.Time, record json.RawMessage) error
	// LoadJob returns the record of job id, or ErrNotFound.
	LoadJob(ctx context.Context, id string) (json.RawMessage, error)
	// PruneJobs deletes the records of jobs that finished before t.
	PruneJobs(ctx context.Context, before time.Time) error
}

func (s *sqlStore) SaveJob(ctx context.Context, id string, finishedAt time.Time, record json.RawMessage) error {
	var finished int64
	if !finishedAt.IsZero() {
		finished = finishedAt.UnixMilli()
	}
	_, err := s.db.ExecContext(ctx, s.d.bind(`INSERT INTO jobs (store, id, finished_at_ms, record) VALUES (?, ?, ?, ?)
		ON CONFLICT (store, id) DO UPDATE SET finished_at_ms = excluded.finished_at_ms, record = excluded.record`),
		s.store, id, finished, string(record))
	return failed("save the job in the journal", err)
}

func (s *sqlStore) LoadJob(ctx context.Context, id string) (json.RawMessage, error) {
	var record string
	err := s.db.QueryRowContext(ctx, s.d.bind(`SELECT record FROM jobs WHERE store = ? AND id = ?`), s.store, id).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, failed("read the job from the journal", err)
	}
	return json.RawMessage(record), nil
}

func (s *sqlStore) PruneJobs(ctx context.Context, before time.Time) error {
	_, err := s.db.ExecContext(ctx, s.d.bind(`DELETE FROM jobs WHERE store = ? AND finished_at_ms > 0 AND finished_at_ms < ?`),
		s.store, before.UnixMilli())
	return failed("prune the journal's jobs", err)
}
