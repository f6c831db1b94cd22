package e2e

// The binary under test: built once per test run, for the Node suites and
// the Go tests alike, and run the way users run it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/syncbuf"
)

const testVersion = "v0.0.0-e2e"

// workDir holds the built binary and the state directory of the processes
// the tests start; TestMain removes it.
var workDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bigcommerce-mcp-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build builds the binary from the module root, once, with the race detector
// under `go test -race`: the server is then checked for data races while the
// tests drive it.
var build = sync.OnceValues(func() (string, error) {
	out := filepath.Join(workDir, "bigcommerce-mcp")
	args := []string{"build", "-ldflags", "-X main.version=" + testVersion, "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = ".."
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, output)
	}
	return out, nil
})

// serverBinary returns the built binary, building it on first use.
func serverBinary(t testing.TB) string {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// cleanEnv is the test's environment without any store credentials or auth
// token, plus extra.
func cleanEnv(extra ...string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "BIGCOMMERCE_") || strings.HasPrefix(kv, "MCP_AUTH_TOKEN=") || strings.HasPrefix(kv, "REDIS_URL=")
	})
	// Journals go to the test's temporary directory, not the user's state directory.
	return append(append(env, "XDG_STATE_HOME="+filepath.Join(workDir, "state")), extra...)
}

// process is a running bigcommerce-mcp.
type process struct {
	cmd    *exec.Cmd
	stderr *syncbuf.Buffer
	exited chan struct{}
}

func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(serverBinary(t), args...), stderr: &syncbuf.Buffer{}, exited: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("stderr of %v:\n%s", args, p.stderr)
		}
	})
	return p
}

// waitExit waits at most bound for the process to end and returns its exit code.
func (p *process) waitExit(t *testing.T, bound time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(bound):
		t.Fatalf("the process did not exit within %v", bound)
		return -1
	}
}

func runBinary(t *testing.T, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(serverBinary(t), args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exitErr, ok := errors.AsType[*exec.ExitError](err); ok {
		return out.String(), errOut.String(), exitErr.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), 0
}

// stdioSession drives the binary's stdin and stdout by hand, to check every
// byte it writes there.
type stdioSession struct {
	*process
	stdin     io.WriteCloser
	responses chan map[string]any
	garbage   chan string // stdout lines that are not JSON-RPC
}

func startStdio(t *testing.T, args ...string) *stdioSession {
	t.Helper()
	return startStdioWith(t, cleanEnv(), args...)
}

func startStdioWith(t *testing.T, env []string, args ...string) *stdioSession {
	t.Helper()
	s := &stdioSession{responses: make(chan map[string]any, 100), garbage: make(chan string, 100)}
	cmd := exec.Command(serverBinary(t), args...)
	var err error
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.process = &process{cmd: cmd, stderr: &syncbuf.Buffer{}, exited: make(chan struct{})}
	cmd.Env, cmd.Stderr = env, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go s.readResponses(stdout)
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.exited
	})
	return s
}

func (s *stdioSession) readResponses(stdout io.Reader) {
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var msg map[string]any
		if json.Unmarshal(lines.Bytes(), &msg) != nil || msg["jsonrpc"] != "2.0" {
			s.garbage <- lines.Text()
			continue
		}
		s.responses <- msg
	}
	s.cmd.Wait()
	close(s.exited)
}

func (s *stdioSession) send(t *testing.T, lines ...string) {
	t.Helper()
	for _, line := range lines {
		if _, err := io.WriteString(s.stdin, line+"\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// collect waits for n responses, failing on anything on stdout that is not JSON-RPC.
func (s *stdioSession) collect(t *testing.T, n int) []map[string]any {
	t.Helper()
	var got []map[string]any
	timeout := time.After(20 * time.Second)
	for len(got) < n {
		select {
		case msg := <-s.responses:
			got = append(got, msg)
		case line := <-s.garbage:
			t.Fatalf("stdout carried something other than JSON-RPC: %.200q", line)
		case <-timeout:
			t.Fatalf("got %d of %d responses: %v\nstderr: %s", len(got), n, got, s.stderr)
		}
	}
	return got
}
