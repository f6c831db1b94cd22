package jobs

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemoryStore keeps records in the process: they are lost on exit and seen
// by no other replica. It holds at most maxRecords, dropping the oldest
// finished ones first, so that a busy server's memory stays bounded between
// prunes.
type MemoryStore struct {
	mu         sync.Mutex
	records    map[string]Record
	maxRecords int
}

const defaultMaxRecords = 200

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{records: map[string]Record{}, maxRecords: defaultMaxRecords}
}

func (s *MemoryStore) Save(_ context.Context, r Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[r.ID] = r
	s.dropOldestFinished()
	return nil
}

func (s *MemoryStore) Load(_ context.Context, id string) (Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[id]
	if !ok {
		return Record{}, ErrNotFound
	}
	return r, nil
}

func (s *MemoryStore) Prune(_ context.Context, before time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.records {
		if r.Finished() && r.FinishedAt.Before(before) {
			delete(s.records, id)
		}
	}
	return nil
}

func (s *MemoryStore) dropOldestFinished() {
	excess := len(s.records) - s.maxRecords
	if excess <= 0 {
		return
	}
	var finished []Record
	for _, r := range s.records {
		if r.Finished() {
			finished = append(finished, r)
		}
	}
	slices.SortFunc(finished, func(a, b Record) int { return a.FinishedAt.Compare(b.FinishedAt) })
	for _, r := range finished[:min(excess, len(finished))] {
		delete(s.records, r.ID)
	}
}
