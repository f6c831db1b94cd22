package journal

import (
	"context"
	"database/sql"
	"sync"
)

// running knows which changes are still being written. In PostgreSQL, shared
// by replicas, each process holds an advisory lock per change it runs, on a
// connection of its own, from before the change is committed until it is
// settled: a process that dies loses its connections and so its locks, which
// tells the others that its changes were interrupted. In a SQLite file, which
// processes on one machine may share, each change names its owner, and the
// owner's lock file says whether it still runs (see owner).
type running struct {
	mu    sync.Mutex
	conns map[int64]*sql.Conn // change id -> the connection holding its lock
}

// hold takes change id's lock, if the dialect has locks.
func (s *sqlStore) hold(ctx context.Context, id int64) error {
	if !s.d.advisoryLocks {
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, id); err != nil {
		conn.Close()
		return err
	}
	s.running.mu.Lock()
	defer s.running.mu.Unlock()
	s.running.conns[id] = conn
	return nil
}

// release lets go of change id's lock, if this process holds it.
func (s *sqlStore) release(id int64) {
	s.running.mu.Lock()
	conn := s.running.conns[id]
	delete(s.running.conns, id)
	s.running.mu.Unlock()
	if conn != nil {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, id)
		conn.Close()
	}
}

func (s *sqlStore) releaseAll() {
	s.running.mu.Lock()
	ids := make([]int64, 0, len(s.running.conns))
	for id := range s.running.conns {
		ids = append(ids, id)
	}
	s.running.mu.Unlock()
	for _, id := range ids {
		s.release(id)
	}
}

// interrupt marks the changes left open by a process that ended mid-write:
// those whose owner is gone. It runs at start-up and before each read.
func (s *sqlStore) interrupt(ctx context.Context) error {
	open, err := s.openChanges(ctx)
	if err != nil {
		return err
	}
	for id, owner := range open {
		abandoned, err := s.abandoned(ctx, id, owner)
		if err != nil {
			return err
		}
		if abandoned {
			if _, err := s.db.ExecContext(ctx, s.d.bind(`UPDATE changes SET state = ? WHERE id = ? AND state = ?`),
				StateInterrupted, id, StateOpen); err != nil {
				return err
			}
		}
	}
	return nil
}

// openChanges returns the open changes' owners by id.
func (s *sqlStore) openChanges(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT id, owner FROM changes WHERE state = ? AND store = ?`), StateOpen, s.store)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	owners := map[int64]string{}
	for rows.Next() {
		var id int64
		var owner string
		if err := rows.Scan(&id, &owner); err != nil {
			return nil, err
		}
		owners[id] = owner
	}
	return owners, rows.Err()
}

// abandoned reports whether the process running change id is gone: in
// SQLite, its owner's lock is free; in PostgreSQL, no process holds the
// change's lock. (Once it is free its owner has settled the change or is
// gone, so the lock is let go at once.)
func (s *sqlStore) abandoned(ctx context.Context, id int64, owner string) (bool, error) {
	if !s.d.advisoryLocks {
		alive, err := s.owner.alive(owner)
		return !alive, err
	}
	s.running.mu.Lock()
	_, ours := s.running.conns[id]
	s.running.mu.Unlock()
	if ours {
		return false, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var free bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&free); err != nil || !free {
		return false, err
	}
	_, err = conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, id)
	return true, err
}
