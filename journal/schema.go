package journal

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// dialect is what differs between SQLite and PostgreSQL.
type dialect struct {
	name          string
	serialPK      string // an auto-incrementing 64-bit primary key column
	lock          string // taken in the migration transaction so that replicas migrate one at a time
	numbered      bool   // placeholders are $1, $2... rather than ?
	advisoryLocks bool   // running changes hold a lock (see running)
}

var (
	sqliteDialect   = dialect{name: "sqlite", serialPK: "INTEGER PRIMARY KEY AUTOINCREMENT"}
	postgresDialect = dialect{name: "postgres", serialPK: "BIGSERIAL PRIMARY KEY",
		lock: "SELECT pg_advisory_xact_lock(-7415926535)", numbered: true, advisoryLocks: true} // change locks are their ids: positive
)

// bind rewrites the ? placeholders of q for the dialect. No query here has a
// ? inside a string literal.
func (d dialect) bind(q string) string {
	if !d.numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// migrations take the schema from version i to i+1; append only, never edit
// one that has shipped. {{serial}} is the dialect's serial primary key.
var migrations = [][]string{
	{
		`CREATE TABLE changes (
			id {{serial}},
			store TEXT NOT NULL,
			at_ms BIGINT NOT NULL,
			tool TEXT NOT NULL,
			summary TEXT NOT NULL,
			state TEXT NOT NULL,
			undo_of BIGINT NOT NULL DEFAULT 0,
			undone_by BIGINT NOT NULL DEFAULT 0,
			item_count INTEGER NOT NULL,
			counts TEXT NOT NULL DEFAULT '{}'
		)`,
		`CREATE INDEX changes_store_at ON changes (store, at_ms)`,
		`CREATE TABLE change_items (
			change_id BIGINT NOT NULL,
			seq INTEGER NOT NULL,
			entity TEXT NOT NULL,
			op TEXT NOT NULL,
			item_key BIGINT NOT NULL,
			wrote TEXT,
			replaced TEXT,
			outcome TEXT NOT NULL,
			PRIMARY KEY (change_id, seq)
		)`,
	},
	{
		// The records of bulk updates run as jobs (see jobs.go), as JSON.
		`CREATE TABLE jobs (
			store TEXT NOT NULL,
			id TEXT NOT NULL,
			finished_at_ms BIGINT NOT NULL,
			record TEXT NOT NULL,
			PRIMARY KEY (store, id)
		)`,
	},
	{
		// Who runs an open change: a SQLite file's processes tell a change
		// still running elsewhere from one cut short (see owner).
		`ALTER TABLE changes ADD COLUMN owner TEXT NOT NULL DEFAULT ''`,
	},
}

// migrate brings the schema forward to the latest version, each step in the
// transaction that records it.
func migrate(ctx context.Context, db *sql.DB, d dialect) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.lock != "" {
		if _, err := tx.ExecContext(ctx, d.lock); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version)
	switch {
	case err == sql.ErrNoRows:
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return err
		}
	case err != nil:
		return err
	case version > len(migrations):
		return fmt.Errorf("the journal's schema is version %d, newer than this build knows (%d): use a newer bigcommerce-mcp or another journal", version, len(migrations))
	}
	for ; version < len(migrations); version++ {
		for _, stmt := range migrations[version] {
			if _, err := tx.ExecContext(ctx, strings.ReplaceAll(stmt, "{{serial}}", d.serialPK)); err != nil {
				return fmt.Errorf("schema version %d: %w", version+1, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, d.bind(`UPDATE schema_version SET version = ?`), version); err != nil {
		return err
	}
	return tx.Commit()
}
