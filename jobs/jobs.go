// Package jobs runs long bulk updates apart from the call that asked for
// them, so that a client that gives up on a call (most hosts drop one after
// about 60 seconds) neither stops the run nor loses its account. A job's
// state lives in a Store, so that it can be read after the run, from another
// replica sharing the store, or after a restart that cut it short.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"
)

// Status is where a job stands.
type Status string

const (
	Running     Status = "running"
	Done        Status = "done"        // ran to the end; the account says how each item went
	Cancelled   Status = "cancelled"   // stopped on request after the batches in flight
	Interrupted Status = "interrupted" // cut short by a shutdown, or its process stopped
)

// Progress is the running count of a job's items, by outcome.
type Progress struct {
	Total     int `json:"total"`
	Done      int `json:"done"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

// Record is a job as stored. Result and Failure are the work's own JSON: its
// account once it finished, or the error that stopped it as a whole.
type Record struct {
	ID         string          `json:"id"`
	Tool       string          `json:"tool"`
	Status     Status          `json:"status"`
	Progress   Progress        `json:"progress"`
	Estimate   time.Duration   `json:"estimate"`
	StartedAt  time.Time       `json:"started_at"`
	UpdatedAt  time.Time       `json:"updated_at"` // the heartbeat of a running job
	FinishedAt time.Time       `json:"finished_at,omitzero"`
	Result     json.RawMessage `json:"result,omitempty"`
	Failure    json.RawMessage `json:"failure,omitempty"`
}

// Finished reports whether the job has stopped, for whatever reason.
func (r Record) Finished() bool { return r.Status != Running }

// Elapsed is how long the job ran, or has been running.
func (r Record) Elapsed(now time.Time) time.Duration {
	if r.Finished() {
		return r.FinishedAt.Sub(r.StartedAt)
	}
	return now.Sub(r.StartedAt)
}

// ErrNotFound is returned for an id no job has, or whose record has expired.
var ErrNotFound = errors.New("no such job")

// Store keeps job records. Implementations must be safe for concurrent use.
type Store interface {
	// Save inserts or replaces the record with r's id.
	Save(ctx context.Context, r Record) error
	// Load returns the record with id, or ErrNotFound.
	Load(ctx context.Context, id string) (Record, error)
	// Prune deletes the records of jobs that finished before t.
	Prune(ctx context.Context, before time.Time) error
}

// Work is the run a job makes. It must stop starting new work once stop is
// closed, report progress as it goes, and return its account (result) or
// the error that stopped it as a whole (failure), each as JSON.
type Work func(ctx context.Context, stop <-chan struct{}, report func(Progress)) (result, failure json.RawMessage)

func newID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand documents it)
	return "job_" + hex.EncodeToString(b)
}
