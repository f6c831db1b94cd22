package testsvc

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	redisBinary    = "/usr/bin/redis-server"
	redisStartWait = 10 * time.Second
)

// RedisServer is a redis-server process that a test started and owns.
type RedisServer struct {
	URL  string // redis://127.0.0.1:PORT/0
	Addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// Redis starts a redis-server for t and returns its redis:// URL.
func Redis(t testing.TB) string {
	t.Helper()
	return StartRedis(t).URL
}

// StartRedis starts a redis-server on a free loopback port with no
// persistence, waits until it answers PING, and stops it when t ends.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	path, err := exec.LookPath(redisBinary)
	if err != nil {
		Missing(t, "redis-server is not installed at "+redisBinary+" (Debian package redis-server)")
		return nil
	}
	port := FreePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", t.TempDir(), "--save", "", "--appendonly", "no", "--loglevel", "notice")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("redis-server stdout: %v", err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	s := &RedisServer{URL: "redis://" + addr + "/0", Addr: addr, cmd: cmd, done: make(chan struct{})}
	ready := make(chan struct{})
	go s.watch(stdout, ready)
	t.Cleanup(s.Stop)
	select {
	case <-ready:
	case <-s.done:
		t.Fatalf("redis-server exited before it was ready (port %d may have been taken)", port)
	case <-time.After(redisStartWait):
		t.Fatalf("redis-server was not ready after %v", redisStartWait)
	}
	if err := ping(addr); err != nil {
		t.Fatalf("redis-server said it was ready but does not answer PING: %v", err)
	}
	return s
}

// watch closes ready when the server logs that it accepts connections, drains
// the rest of its output, and closes s.done when it exits.
func (s *RedisServer) watch(out io.Reader, ready chan struct{}) {
	defer close(s.done)
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if ready != nil && strings.Contains(lines.Text(), "Ready to accept connections") {
			close(ready)
			ready = nil
		}
	}
	s.cmd.Wait()
}

// Stop kills the server (as a crash would) and waits for it to exit. It may be
// called more than once.
func (s *RedisServer) Stop() {
	s.cmd.Process.Kill()
	<-s.done
}

// ping sends PING in RESP and expects +PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "*1\r\n$4\r\nPING\r\n"); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if reply != "+PONG\r\n" {
		return fmt.Errorf("unexpected reply %q", reply)
	}
	return nil
}
