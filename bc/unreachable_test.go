package bc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/syncbuf"
)

// refusing is a transport whose every connection is refused, counting the attempts.
type refusing struct{ attempts atomic.Int32 }

func (r *refusing) RoundTrip(*http.Request) (*http.Response, error) {
	r.attempts.Add(1)
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
}

// retryLog collects the client's log lines as JSON objects.
type retryLog struct{ syncbuf.Buffer }

// retries are the retries logged at info or above: their reasons, and the waits in all.
func (l *retryLog) retries() (reasons []string, waited time.Duration) {
	dec := json.NewDecoder(strings.NewReader(l.String()))
	for {
		var line struct {
			Msg, Level, Reason string
			Wait               time.Duration
		}
		if err := dec.Decode(&line); err != nil {
			return reasons, waited
		}
		if line.Msg == "bigcommerce retry" && line.Level != "DEBUG" {
			reasons, waited = append(reasons, line.Reason), waited+line.Wait
		}
	}
}

func (l *retryLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func TestARefusedConnectionIsRetriedOnlyBrieflyAndSaysWhy(t *testing.T) {
	t.Parallel()
	var log retryLog
	double := &refusing{}
	// The default backoffs, with which eight retries took 28s.
	c, err := New(Config{StoreHash: "down", AccessToken: "store-token-123", BaseURL: "http://127.0.0.1:1",
		HTTPClient: &http.Client{Transport: double}, Logger: log.logger()})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.CustomerGroups.Count(context.Background())
	if !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want the refused connection", err)
	}
	if n := double.attempts.Load(); n != 1+maxUnreachableRetries {
		t.Errorf("%d attempts, want %d", n, 1+maxUnreachableRetries)
	}
	reasons, waited := log.retries()
	if len(reasons) != maxUnreachableRetries || waited > 750*time.Millisecond {
		t.Errorf("logged retries %q waiting %v in all; want %d, within 750ms (the first two default backoffs)", reasons, waited, maxUnreachableRetries)
	}
	for _, reason := range reasons {
		if !strings.Contains(reason, "connection refused") || strings.Contains(reason, "store-token-123") {
			t.Errorf("retry reason %q: want the refused connection, and no token", reason)
		}
	}
}

func TestEveryRetryOfA502IsLoggedWithItsStatus(t *testing.T) {
	t.Parallel()
	var log retryLog
	store := badstore.New(t)
	store.Misbehave(badstore.Answer(http.StatusBadGateway, `<html>502 Bad Gateway</html>`))
	c := BadStoreClient(t, store, func(cfg *Config) { cfg.MaxRetries, cfg.Logger = 3, log.logger() })
	if _, _, err := c.CustomerGroups.Count(context.Background()); !errors.Is(err, ErrUpstream) {
		t.Fatalf("err = %v, want the 502", err)
	}
	reasons, _ := log.retries()
	if len(reasons) != 3 {
		t.Errorf("logged %d retries, want 3: %q", len(reasons), reasons)
	}
	for _, reason := range reasons {
		if !strings.Contains(reason, "502") {
			t.Errorf("retry reason %q does not name the 502", reason)
		}
	}
}
