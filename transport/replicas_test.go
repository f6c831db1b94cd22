package transport

import (
	"net/http"
	"strings"
	"testing"
)

// TestReplicasSharingASecretAcceptEachOthersSessions: behind a load balancer
// without affinity, a session made by one replica is valid on another that
// shares its secret, and only then.
func TestReplicasSharingASecretAcceptEachOthersSessions(t *testing.T) {
	t.Parallel()
	secret := []byte("replicas-of-one-deployment")
	serve := func(secret []byte) string {
		url, stop, _ := serveTestWith(t, slowServer(nil, nil), Config{Kind: StreamableHTTP, Logger: discard, SessionSecret: secret})
		t.Cleanup(stop)
		return url
	}
	a, b, stranger := serve(secret), serve(secret), serve([]byte("another deployment"))
	session := openSession(t, http.DefaultClient, a)
	if got := pingStatus(t, b, session); got != http.StatusOK {
		t.Errorf("a session of replica a pinged on replica b: %d, want 200", got)
	}
	if got := pingStatus(t, stranger, session); got != http.StatusNotFound {
		t.Errorf("the session on a server with another secret: %d, want 404", got)
	}
	base, _, _ := strings.Cut(session, ".")
	if got := pingStatus(t, b, base+".00000000000000000000000000000000"); got != http.StatusNotFound {
		t.Errorf("a forged signature: %d, want 404", got)
	}
	alone := serve(nil)
	if got := pingStatus(t, alone, session); got != http.StatusNotFound {
		t.Errorf("a server without a secret took another's session: %d, want 404", got)
	}
}
