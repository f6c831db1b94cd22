package e2e

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
)

func TestRefusesToStartWhenRedisDoesNotAnswer(t *testing.T) {
	t.Parallel()
	url := "redis://:hunter2-secret@127.0.0.1:" + strconv.Itoa(testsvc.FreePort(t)) + "/0"
	for _, how := range [][]string{{"REDIS_URL=" + url}, {}} {
		args := []string{"--sandbox", "call", "count_customer_groups"}
		if len(how) == 0 {
			args = append(args, "--redis-url", url)
		}
		_, stderr, code := runBinary(t, cleanEnv(how...), "", args...)
		if code == 0 || !strings.Contains(stderr, "not starting: REDIS_URL is set, but redis at 127.0.0.1:") {
			t.Errorf("%v: exit %d, stderr %q: want a refusal naming Redis", how, code, stderr)
		}
		if strings.Contains(stderr, "hunter2-secret") {
			t.Errorf("the refusal shows Redis's password: %q", stderr)
		}
	}
}

func TestHealthzReportsTheSharedLimits(t *testing.T) {
	t.Parallel()
	redis := testsvc.StartRedis(t)
	_, base := serveHTTP(t, cleanEnv("REDIS_URL="+redis.URL, "BIGCOMMERCE_MCP_JOURNAL=off"), "http", "--sandbox")
	if body := healthz(t, base); !strings.Contains(body, `"status":"ok","checks":{"shared_limits":"ok"}`) {
		t.Fatalf("healthz with Redis up: %s", body)
	}
	redis.Stop()
	if body := healthz(t, base); !strings.Contains(body, `"status":"degraded"`) || strings.Contains(body, redis.Addr) {
		t.Fatalf("healthz with Redis gone: %s (want degraded, naming no address)", body)
	}
}

func healthz(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
