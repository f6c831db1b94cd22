package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

// JournalStore keeps records in the journal, so that every replica sharing it
// answers for a job and a restart finds the jobs it cut short.
type JournalStore struct {
	Journal journal.JobStore
}

func (s JournalStore) Save(ctx context.Context, r Record) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.Journal.SaveJob(ctx, r.ID, r.FinishedAt, data)
}

func (s JournalStore) Load(ctx context.Context, id string) (Record, error) {
	data, err := s.Journal.LoadJob(ctx, id)
	if errors.Is(err, journal.ErrNotFound) {
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, err
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, err
	}
	return r, nil
}

func (s JournalStore) Prune(ctx context.Context, before time.Time) error {
	return s.Journal.PruneJobs(ctx, before)
}
