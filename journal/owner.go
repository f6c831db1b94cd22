package journal

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// owner is a Store's claim on the changes it runs in a SQLite file, which
// several processes may share (two MCP clients each start a server; a script
// runs `call` in parallel). Each Store names itself with a random token,
// written on every change it records, and holds an flock on the file
// <journal>-owners/<token> for as long as it is open. The kernel lets go of
// an flock when its process ends, however it ends (SIGKILL included), and a
// random token is never reused, so a free lock (or no file) proves that the
// change's owner is gone; a PID could belong to another process by then.
// flock is per open file, so two Stores in one process are told apart too.
type owner struct {
	token string
	dir   string   // "" when no other Store can share the journal (in memory, or PostgreSQL, which has its locks)
	lock  *os.File // holds the flock; nil when dir is ""
}

// claimPrefix names lock files not yet in place: a file is locked before it
// is renamed to its token, so a sweep never takes a new owner's file for a
// dead one's.
const claimPrefix = "claim-"

func newToken() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ownersDir is where the owners of journal file path keep their locks.
func ownersDir(path string) string { return path + "-owners" }

// claim makes a token and holds its lock in dir, then removes the locks that
// dead owners left behind.
func claim(dir string) (owner, error) {
	o := owner{token: newToken(), dir: dir}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return o, fmt.Errorf("journal owners: %w", err)
	}
	f, err := os.CreateTemp(dir, claimPrefix+"*")
	if err != nil {
		return o, fmt.Errorf("journal owners: %w", err)
	}
	if err := flock(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return o, fmt.Errorf("journal owners: %w", err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, o.token)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return o, fmt.Errorf("journal owners: %w", err)
	}
	o.lock = f
	return o, o.sweep()
}

// sweep removes the lock files of owners that are gone.
func (o owner) sweep() error {
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return fmt.Errorf("journal owners: %w", err)
	}
	for _, e := range entries {
		if name := e.Name(); name != o.token && !strings.HasPrefix(name, claimPrefix) {
			if _, err := o.alive(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// alive reports whether the owner named token still runs (for this Store's
// own token, yes). A gone owner's lock file is removed: nobody needs to ask again.
func (o owner) alive(token string) (bool, error) {
	switch {
	case token == o.token:
		return true, nil
	case o.dir == "" || !isToken(token):
		// In memory only this Store writes; an empty owner is a change
		// recorded before owners were (schema version 3), by a build that
		// cannot be asked: interrupted at start-up, as that build did.
		return false, nil
	}
	f, err := os.OpenFile(filepath.Join(o.dir, token), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("journal owners: %w", err)
	}
	defer f.Close()
	err = flock(f)
	if errors.Is(err, errLocked) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("journal owners: %w", err)
	}
	os.Remove(f.Name())
	return false, nil
}

func isToken(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 16
}

// release lets go of the claim: its changes still open are interrupted.
func (o owner) release() {
	if o.lock != nil {
		os.Remove(filepath.Join(o.dir, o.token))
		o.lock.Close()
	}
}
