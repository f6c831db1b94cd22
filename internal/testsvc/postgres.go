package testsvc

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Postgres starts a throwaway PostgreSQL server (Debian's initdb and pg_ctl)
// in a temporary directory on a free loopback port, stopped and removed when
// the test ends, and returns its DSN. PostgreSQL refuses to run as root, so
// as root the server runs as the postgres OS user.
func Postgres(t testing.TB) string {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		Missing(t, err.Error())
		return ""
	}
	runAs, err := postgresUser()
	if err != nil {
		Missing(t, err.Error())
		return ""
	}
	// Not t.TempDir: its parent is private to root, so the postgres user
	// could not reach it.
	dir, err := os.MkdirTemp("", "testsvc-postgres-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if runAs != nil {
		if err := os.Chown(dir, runAs.uid, runAs.gid); err != nil {
			t.Fatal(err)
		}
	}
	data, port := filepath.Join(dir, "data"), FreePort(t)
	pgCtl := filepath.Join(bin, "pg_ctl")
	runPostgres(t, runAs, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	runPostgres(t, runAs, pgCtl, "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir), "start")
	t.Cleanup(func() { runPostgres(t, runAs, pgCtl, "-D", data, "-m", "immediate", "-w", "stop") })
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
}

// postgresBin finds the newest installed server's binaries.
func postgresBin() (string, error) {
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		return "", fmt.Errorf("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb; apt-get install postgresql)")
	}
	slices.Sort(found)
	return filepath.Dir(found[len(found)-1]), nil
}

type osUser struct{ uid, gid int }

// postgresUser is the user to run the server as: nil for the current one,
// unless that is root.
func postgresUser() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and there is no postgres user to run PostgreSQL as: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &osUser{uid: uid, gid: gid}, nil
}

func runPostgres(t testing.TB, runAs *osUser, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if runAs != nil {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(name), err, out)
	}
}
