package journal

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestIsBusyKnowsSQLiteBusy checks what startWhenFree retries on against
// a real SQLITE_BUSY: a write while another connection holds the file's lock,
// with no busy timeout to wait it out.
func TestIsBusyKnowsSQLiteBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return db
	}
	holder, writer := open(), open()
	if _, err := holder.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}

	_, err = writer.ExecContext(ctx, `INSERT INTO t VALUES (2)`)
	if !isBusy(fmt.Errorf("open the journal: %w", err)) {
		t.Errorf("a write to a locked file failed with %v, which isBusy does not take for SQLITE_BUSY", err)
	}
	if _, err := writer.ExecContext(ctx, `INSERT INTO missing VALUES (1)`); err == nil || isBusy(err) {
		t.Errorf("isBusy takes %v for SQLITE_BUSY", err)
	}
}
