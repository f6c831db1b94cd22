// Package journal records every write the server makes to a store, before it
// is sent (what will be written, to which ids, and the values it replaces) and
// after (what happened to each item), so that a write can be listed and undone.
//
// Two backends share one schema: a SQLite file (the default, through a pure-Go
// driver) and PostgreSQL, which replicas can share. The token is never given
// to the journal; it holds customer data, so the file is private to its owner
// and old changes are pruned by age and by size.
package journal

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// What an item is, and what the change does to it.
const (
	EntityCustomer = "customer"
	EntityGroup    = "customer_group"

	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
)

// A change's state: open while it runs, done once its outcome is recorded,
// interrupted when the process ended before that (found at the next start).
const (
	StateOpen        = "open"
	StateDone        = "done"
	StateInterrupted = "interrupted"
)

// Item outcomes. An item stays Pending until its outcome is known: after an
// interruption, whether it was applied is settled by reading it back.
const (
	Pending      = "pending"
	Applied      = "applied"
	Failed       = "failed"
	NotAttempted = "not_attempted"
	Unconfirmed  = "unconfirmed"
)

// Change is one write, as listed.
type Change struct {
	ID       int64          `json:"id"`
	At       time.Time      `json:"at"`
	Tool     string         `json:"tool"`
	Summary  string         `json:"summary"`
	State    string         `json:"state"`
	UndoOf   int64          `json:"undo_of,omitempty"`
	UndoneBy int64          `json:"undone_by,omitempty"`
	Items    int            `json:"items"`
	Counts   map[string]int `json:"counts,omitempty"`
}

// Item is one thing a change writes. Wrote is nil for a delete and Replaced
// for a create; for a customer both hold API field names and values.
type Item struct {
	Seq      int             `json:"seq"`
	Entity   string          `json:"entity"`
	Op       string          `json:"op"`
	Key      int             `json:"key"` // the store's id; 0 for a group not yet created
	Wrote    json.RawMessage `json:"wrote,omitempty"`
	Replaced json.RawMessage `json:"replaced,omitempty"`
	Outcome  string          `json:"outcome"`
}

// Outcome settles one item, by Seq. A non-zero Key and a non-nil Wrote replace
// what was recorded: a create learns its id and what was saved.
type Outcome struct {
	Seq     int
	Outcome string
	Key     int
	Wrote   json.RawMessage
}

// Filter narrows List. Zero fields do not filter.
type Filter struct {
	Tool   string
	Since  time.Time
	Until  time.Time
	Before int64 // only changes with a smaller id: the next page
	Limit  int   // default 20, at most 100
}

// Store is a journal of one BigCommerce store's changes.
type Store interface {
	// Record stores a change and its items before anything is sent, with
	// every item Pending, and returns its id. An error means nothing may be sent.
	Record(ctx context.Context, c Change, items []Item) (int64, error)
	// Settle records the items' outcomes and the counts, and marks the change done.
	Settle(ctx context.Context, id int64, outcomes []Outcome, counts map[string]int) error
	// MarkUndone says that change id was undone by change by.
	MarkUndone(ctx context.Context, id, by int64) error
	// Get returns a change with its items in Seq order; ErrNotFound if there is none.
	Get(ctx context.Context, id int64) (Change, []Item, error)
	// List returns changes newest first.
	List(ctx context.Context, f Filter) ([]Change, error)
	Close() error
}

// ErrNotFound is Get's answer for an id the journal does not hold.
var ErrNotFound = errors.New("no such change in the journal")

// Retention bounds what the journal keeps: changes older than MaxAge are
// deleted, and the oldest changes past MaxItems items in all.
type Retention struct {
	MaxAge   time.Duration
	MaxItems int
}

// DefaultRetention keeps 90 days and a million items (a few hundred MB at most).
var DefaultRetention = Retention{MaxAge: 90 * 24 * time.Hour, MaxItems: 1_000_000}

// List's page size: DefaultLimit unless the filter says, at most MaxLimit.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)
