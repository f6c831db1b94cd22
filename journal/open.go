package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"modernc.org/sqlite"               // the "sqlite" database/sql driver, pure Go
	sqlite3 "modernc.org/sqlite/lib"
)

// Off is the --journal value that turns the journal off.
const Off = "off"

// Memory is the --journal value of a journal kept in memory, lost on exit (the sandbox's).
const Memory = ":memory:"

// Options say whose journal to open and what it keeps.
type Options struct {
	Store     string    // the store hash: names the default file, and the store's rows in PostgreSQL
	Retention Retention // zero fields take DefaultRetention's
	Now       func() time.Time
}

// Open opens the journal spec names, creating and migrating it as needed, and
// marks the changes a previous process left open as interrupted. spec is Off
// (no journal: nil, nil), Memory, a postgres:// URL, a file path, or "" for
// the default file of opts.Store (see DefaultPath).
func Open(ctx context.Context, spec string, opts Options) (Store, error) {
	switch {
	case spec == Off:
		return nil, nil
	case strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://"):
		return openSQL(ctx, "pgx", spec, postgresDialect, owner{token: newToken()}, opts)
	case spec == Memory:
		return openSQL(ctx, "sqlite", "file::memory:", sqliteDialect, owner{token: newToken()}, opts)
	case spec == "":
		path, err := DefaultPath(opts.Store, os.Getenv)
		if err != nil {
			return nil, err
		}
		spec = path
	}
	return openFile(ctx, spec, opts)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// DefaultPath is the journal file of a store: $XDG_STATE_HOME/bigcommerce-mcp/<store>.db,
// or ~/.local/state/bigcommerce-mcp/<store>.db when XDG_STATE_HOME is unset.
func DefaultPath(store string, getenv func(string) string) (string, error) {
	base := getenv("XDG_STATE_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("no journal location: set XDG_STATE_HOME or HOME, choose a file with --journal PATH, or turn the journal off with --journal off")
		}
		base = filepath.Join(home, ".local", "state")
	}
	name := unsafeName.ReplaceAllString(store, "_")
	if name == "" {
		name = "store"
	}
	return filepath.Join(base, "bigcommerce-mcp", name+".db"), nil
}

// openFile opens a SQLite journal file, private to its owner (it holds
// customers' names and emails): the directory 0700, the file 0600 (SQLite
// gives its -wal and -shm files the database file's mode).
func openFile(ctx context.Context, path string, opts Options) (Store, error) {
	if strings.ContainsAny(path, "?#%") {
		return nil, fmt.Errorf("journal path %q: ?, # and %% are not allowed in it (SQLite would read it as a URI)", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal file: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return nil, fmt.Errorf("journal file: %w", err)
	}
	o, err := claim(ownersDir(path))
	if err != nil {
		return nil, err
	}
	return openSQL(ctx, "sqlite", fileDSN(path), sqliteDialect, o, opts)
}

// fileDSN opens a SQLite file that other processes may be writing too. The
// busy timeout comes first (the driver applies it before the other pragmas
// whatever their order), so that switching to WAL waits for another process's
// lock rather than failing with SQLITE_BUSY. _txlock=immediate begins every
// transaction with BEGIN IMMEDIATE, taking the write lock up front: a
// transaction that reads and then writes would otherwise fail with
// SQLITE_BUSY, without waiting, when another process wrote in between.
func fileDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

func openSQL(ctx context.Context, driver, dsn string, d dialect, o owner, opts Options) (Store, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		o.release()
		return nil, fmt.Errorf("open the journal: %w", err)
	}
	if d == sqliteDialect {
		// One connection: SQLite has one writer at a time anyway, and an
		// in-memory database lives and dies with its connection.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	s := &sqlStore{db: db, d: d, store: opts.Store, retention: opts.Retention, now: opts.Now,
		running: running{conns: map[int64]*sql.Conn{}}, owner: o}
	if s.retention.MaxAge <= 0 {
		s.retention.MaxAge = DefaultRetention.MaxAge
	}
	if s.retention.MaxItems <= 0 {
		s.retention.MaxItems = DefaultRetention.MaxItems
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.startWhenFree(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open the journal: %w", err)
	}
	return s, nil
}

// busyRetryFor bounds how long opening a journal retries an SQLITE_BUSY that
// the busy timeout does not cover. SQLite answers SQLITE_BUSY at once, not
// after waiting, when waiting could deadlock: so it does when several
// processes open a new file together and each switches it to WAL (seen in
// TestProcessesOpenAndWriteOneFile about once in 40 runs on a busy machine).
// Starting again is safe: the schema migrates in one transaction, and the
// sweeps of interrupted and old changes can run twice.
const busyRetryFor = 10 * time.Second

func (s *sqlStore) startWhenFree(ctx context.Context) error {
	deadline := time.Now().Add(busyRetryFor)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 250*time.Millisecond) {
		err := s.start(ctx)
		if !isBusy(err) || time.Now().Add(delay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY, extended codes included.
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

func (s *sqlStore) start(ctx context.Context) error {
	if err := migrate(ctx, s.db, s.d); err != nil {
		return err
	}
	if err := s.interrupt(ctx); err != nil {
		return err
	}
	return s.prune(ctx)
}
