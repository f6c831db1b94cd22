package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// sqlStore is the journal over database/sql, for either dialect.
type sqlStore struct {
	db        *sql.DB
	d         dialect
	store     string // the store hash: one PostgreSQL database may hold several stores' journals
	retention Retention
	now       func() time.Time
	running   running
	owner     owner
}

// rowsPerInsert bounds the rows of one multi-row INSERT or IN list, well
// within both databases' limits on bound parameters.
const rowsPerInsert = 500

func (s *sqlStore) Record(ctx context.Context, c Change, items []Item) (int64, error) {
	if c.At.IsZero() {
		c.At = s.now()
	}
	if err := s.prune(ctx); err != nil {
		return 0, failed("record the change in the journal", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, failed("record the change in the journal", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, s.d.bind(`INSERT INTO changes (store, at_ms, tool, summary, state, undo_of, item_count, owner)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		s.store, c.At.UnixMilli(), c.Tool, c.Summary, StateOpen, c.UndoOf, len(items), s.owner.token).Scan(&id)
	if err != nil {
		return 0, failed("record the change in the journal", err)
	}
	for chunk := range slices.Chunk(items, rowsPerInsert) {
		if err := s.insertItems(ctx, tx, id, chunk); err != nil {
			return 0, failed("record the change in the journal", err)
		}
	}
	if err := s.hold(ctx, id); err != nil {
		return 0, failed("record the change in the journal", err)
	}
	if err := tx.Commit(); err != nil {
		s.release(id)
		return 0, failed("record the change in the journal", err)
	}
	return id, nil
}

func (s *sqlStore) insertItems(ctx context.Context, tx *sql.Tx, id int64, items []Item) error {
	const row = "(?, ?, ?, ?, ?, ?, ?, ?)"
	args := make([]any, 0, len(items)*8)
	for _, it := range items {
		args = append(args, id, it.Seq, it.Entity, it.Op, it.Key, nullJSON(it.Wrote), nullJSON(it.Replaced), Pending)
	}
	q := `INSERT INTO change_items (change_id, seq, entity, op, item_key, wrote, replaced, outcome) VALUES ` +
		strings.Repeat(row+",", len(items)-1) + row
	_, err := tx.ExecContext(ctx, s.d.bind(q), args...)
	return err
}

func nullJSON(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

func (s *sqlStore) Settle(ctx context.Context, id int64, outcomes []Outcome, counts map[string]int) error {
	defer s.release(id)
	countsJSON, err := json.Marshal(counts)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return failed("record the outcome in the journal", err)
	}
	defer tx.Rollback()
	if err := s.setOutcomes(ctx, tx, id, outcomes); err != nil {
		return failed("record the outcome in the journal", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.bind(`UPDATE changes SET state = ?, counts = ? WHERE id = ?`),
		StateDone, string(countsJSON), id); err != nil {
		return failed("record the outcome in the journal", err)
	}
	return failed("record the outcome in the journal", tx.Commit())
}

// setOutcomes writes the items' outcomes in a few statements: when outcomes
// cover every item, the most common one is set on all at once (a 10,000-item
// change is mostly "applied"), then the others by seq.
func (s *sqlStore) setOutcomes(ctx context.Context, tx *sql.Tx, id int64, outcomes []Outcome) error {
	bySeqs := map[string][]any{} // outcome -> seqs, for outcomes that change nothing else
	for _, o := range outcomes {
		if o.Key == 0 && o.Wrote == nil {
			bySeqs[o.Outcome] = append(bySeqs[o.Outcome], o.Seq)
			continue
		}
		if _, err := tx.ExecContext(ctx, s.d.bind(`UPDATE change_items SET outcome = ?, item_key = COALESCE(NULLIF(?, 0), item_key),
			wrote = COALESCE(?, wrote) WHERE change_id = ? AND seq = ?`), o.Outcome, o.Key, nullJSON(o.Wrote), id, o.Seq); err != nil {
			return err
		}
	}
	var items int
	if err := tx.QueryRowContext(ctx, s.d.bind(`SELECT item_count FROM changes WHERE id = ?`), id).Scan(&items); err != nil {
		return err
	}
	if common := mostCommon(bySeqs); len(outcomes) == items && common != "" {
		if _, err := tx.ExecContext(ctx, s.d.bind(`UPDATE change_items SET outcome = ? WHERE change_id = ? AND outcome = ?`), common, id, Pending); err != nil {
			return err
		}
		delete(bySeqs, common)
	}
	for outcome, seqs := range bySeqs {
		for chunk := range slices.Chunk(seqs, rowsPerInsert) {
			q := `UPDATE change_items SET outcome = ? WHERE change_id = ? AND seq IN (?` + strings.Repeat(", ?", len(chunk)-1) + `)`
			if _, err := tx.ExecContext(ctx, s.d.bind(q), append([]any{outcome, id}, chunk...)...); err != nil {
				return err
			}
		}
	}
	return nil
}

func mostCommon(bySeqs map[string][]any) string {
	common := ""
	for outcome, seqs := range bySeqs {
		if common == "" || len(seqs) > len(bySeqs[common]) {
			common = outcome
		}
	}
	return common
}

func (s *sqlStore) MarkUndone(ctx context.Context, id, by int64) error {
	_, err := s.db.ExecContext(ctx, s.d.bind(`UPDATE changes SET undone_by = ? WHERE id = ? AND store = ?`), by, id, s.store)
	if err != nil {
		return fmt.Errorf("record the undo in the journal: %w", err)
	}
	return nil
}

const changeColumns = `id, at_ms, tool, summary, state, undo_of, undone_by, item_count, counts`

func scanChange(row interface{ Scan(...any) error }) (Change, error) {
	var c Change
	var atMS int64
	var counts string
	if err := row.Scan(&c.ID, &atMS, &c.Tool, &c.Summary, &c.State, &c.UndoOf, &c.UndoneBy, &c.Items, &counts); err != nil {
		return c, err
	}
	c.At = time.UnixMilli(atMS).UTC()
	return c, json.Unmarshal([]byte(counts), &c.Counts)
}

// settleAbandoned marks interrupted, before a read of a journal that
// processes share, the changes of processes that died mid-write.
func (s *sqlStore) settleAbandoned(ctx context.Context) error {
	return failed("read the journal", s.interrupt(ctx))
}

func (s *sqlStore) Get(ctx context.Context, id int64) (Change, []Item, error) {
	if err := s.settleAbandoned(ctx); err != nil {
		return Change{}, nil, err
	}
	c, err := scanChange(s.db.QueryRowContext(ctx, s.d.bind(`SELECT `+changeColumns+` FROM changes WHERE id = ? AND store = ?`), id, s.store))
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil, ErrNotFound
	}
	if err != nil {
		return c, nil, failed("read the journal", err)
	}
	rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT seq, entity, op, item_key, wrote, replaced, outcome
		FROM change_items WHERE change_id = ? ORDER BY seq`), id)
	if err != nil {
		return c, nil, failed("read the journal", err)
	}
	defer rows.Close()
	items := make([]Item, 0, c.Items)
	for rows.Next() {
		var it Item
		var wrote, replaced sql.NullString
		if err := rows.Scan(&it.Seq, &it.Entity, &it.Op, &it.Key, &wrote, &replaced, &it.Outcome); err != nil {
			return c, nil, failed("read the journal", err)
		}
		it.Wrote, it.Replaced = rawOrNil(wrote), rawOrNil(replaced)
		items = append(items, it)
	}
	return c, items, failed("read the journal", rows.Err())
}

func rawOrNil(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

func (s *sqlStore) List(ctx context.Context, f Filter) ([]Change, error) {
	if err := s.settleAbandoned(ctx); err != nil {
		return nil, err
	}
	q, args := `SELECT `+changeColumns+` FROM changes WHERE store = ?`, []any{s.store}
	if f.Tool != "" {
		q, args = q+` AND tool = ?`, append(args, f.Tool)
	}
	if !f.Since.IsZero() {
		q, args = q+` AND at_ms >= ?`, append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		q, args = q+` AND at_ms <= ?`, append(args, f.Until.UnixMilli())
	}
	if f.Before > 0 {
		q, args = q+` AND id < ?`, append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	q, args = q+` ORDER BY id DESC LIMIT ?`, append(args, min(limit, MaxLimit))
	rows, err := s.db.QueryContext(ctx, s.d.bind(q), args...)
	if err != nil {
		return nil, failed("read the journal", err)
	}
	defer rows.Close()
	changes := []Change{}
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, failed("read the journal", err)
		}
		changes = append(changes, c)
	}
	return changes, failed("read the journal", rows.Err())
}

func (s *sqlStore) Close() error {
	s.releaseAll()
	err := s.db.Close()
	s.owner.release()
	return err
}

// prune applies the retention limits: changes older than MaxAge, then the
// oldest changes beyond MaxItems items in all (the newest change is kept
// whatever its size).
func (s *sqlStore) prune(ctx context.Context) error {
	cutoff := s.now().Add(-s.retention.MaxAge).UnixMilli()
	if err := s.deleteWhere(ctx, `at_ms < ?`, cutoff); err != nil {
		return err
	}
	var oldestKept int64
	err := s.db.QueryRowContext(ctx, s.d.bind(`SELECT COALESCE(MIN(id), 0) FROM (
		SELECT id, item_count, SUM(item_count) OVER (ORDER BY id DESC) AS newer FROM changes WHERE store = ?) kept
		WHERE newer <= ? OR newer = item_count`), s.store, s.retention.MaxItems).Scan(&oldestKept)
	if err != nil || oldestKept == 0 {
		return failed("prune the journal", err)
	}
	return s.deleteWhere(ctx, `id < ?`, oldestKept)
}

func (s *sqlStore) deleteWhere(ctx context.Context, cond string, arg any) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return failed("prune the journal", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, s.d.bind(`DELETE FROM change_items WHERE change_id IN (SELECT id FROM changes WHERE store = ? AND `+cond+`)`), s.store, arg); err != nil {
		return failed("prune the journal", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.bind(`DELETE FROM changes WHERE store = ? AND `+cond), s.store, arg); err != nil {
		return failed("prune the journal", err)
	}
	return failed("prune the journal", tx.Commit())
}

// failed says what the journal was doing when err happened; nil stays nil.
func failed(doing string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", doing, err)
}
