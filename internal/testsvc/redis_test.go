package testsvc

import (
	"strings"
	"testing"
)

func TestRedisAnswersUntilStopped(t *testing.T) {
	s := StartRedis(t)
	if !strings.HasPrefix(s.URL, "redis://127.0.0.1:") {
		t.Fatalf("URL = %q, want a loopback redis:// URL", s.URL)
	}
	if err := ping(s.Addr); err != nil {
		t.Fatalf("PING after start: %v", err)
	}
	s.Stop()
	if err := ping(s.Addr); err == nil {
		t.Fatal("PING answered after Stop")
	}
}
