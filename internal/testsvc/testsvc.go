// Package testsvc starts real outside services (Redis, PostgreSQL) for tests, each on a free
// loopback port in a temporary directory, stopped when the test ends.
//
// A service whose binaries are missing skips the test with the reason, except when
// SERVICES_REQUIRED=1 (as .ci/run sets), where it fails it: CI must never go green by skipping.
package testsvc

import (
	"net"
	"os"
	"testing"
)

// Missing skips or fails t because a service cannot be started, as SERVICES_REQUIRED says.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("SERVICES_REQUIRED") == "1" {
		t.Fatal(reason + "; SERVICES_REQUIRED=1 forbids skipping")
	}
	t.Skip(reason + " (set SERVICES_REQUIRED=1 to make this a failure)")
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
