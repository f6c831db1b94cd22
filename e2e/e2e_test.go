// Package e2e tests the built bigcommerce-mcp binary the way users meet it.
// TestMain's run builds it once (with -race under `go test -race`), for all
// of these:
//
//   - Go tests driving it with mcp-go's clients and raw JSON-RPC
//     (transports_test.go), from a shell (cli_test.go), with the settings it
//     must refuse or keep secret (config_test.go), with SIGTERM
//     (signals_test.go), SIGKILL and a restart on the same journal
//     (restart_test.go), and as three processes sharing a real Redis
//     (replicas_test.go, shared_limits_test.go). They need no Node.
//   - Node test files driving it (with --sandbox) through clients we did not
//     write: the official TypeScript SDK client over stdio, SSE and
//     Streamable HTTP (sdk.test.mjs), and through a round-robin proxy over two
//     replicas sharing a real Redis (replicas.test.mjs), the MCP Inspector's
//     CLI (inspector.test.mjs), the official conformance suite
//     (conformance.test.mjs), and a large update followed as a job
//     (jobs.test.mjs, run by jobs_test.go); and the client bugs the server
//     works around, each pinned so it fails once fixed (upstream.test.mjs).
//
// The Node tests need Node 22 and the packages pinned in package-lock.json,
// which `npm ci` in this directory installs (Node 22 itself comes from npm's
// `node` package, as node_modules/.bin/node). Without e2e/node_modules they
// skip and say so, so that `go test ./...` passes on a machine without Node;
// with E2E_REQUIRED=1 (as .ci/run sets) they fail instead. The tests needing
// Redis skip or fail by the same rule under SERVICES_REQUIRED (testsvc).
//
// The Dockerfile's checks (dockerfile_test.go) need neither Node nor Docker.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/testsvc"
)

// nodeTestFiles are run in this order, each as a subtest of TestClients.
var nodeTestFiles = []string{"sdk.test.mjs", "elicitation.test.mjs", "inspector.test.mjs", "conformance.test.mjs", "replicas.test.mjs", "upstream.test.mjs"}

const minNodeMajor = 22 // the Inspector and the conformance suite need it

func TestClients(t *testing.T) {
	t.Parallel()
	node := nodeBinary(t)
	bin := serverBinary(t)
	for _, file := range nodeTestFiles {
		t.Run(strings.TrimSuffix(file, ".test.mjs"), func(t *testing.T) {
			var env []string
			if file == "replicas.test.mjs" {
				env = append(env, "E2E_REDIS_URL="+testsvc.Redis(t)) // the replicas share it
			}
			runNodeTests(t, node, bin, file, env...)
		})
	}
}

// nodeBinary returns the Node 22 that `npm ci` installed in node_modules,
// skipping the test when there is none (see the package documentation).
func nodeBinary(t *testing.T) string {
	t.Helper()
	node, err := filepath.Abs(filepath.Join("node_modules", ".bin", "node"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("node_modules"); errors.Is(err, fs.ErrNotExist) {
		reason := "e2e/node_modules is absent: run `npm ci` in e2e/ (it installs Node 22 and the MCP clients) to run the end-to-end tests"
		if os.Getenv("E2E_REQUIRED") == "1" {
			t.Fatal(reason + "; E2E_REQUIRED=1 forbids skipping")
		}
		t.Skip(reason)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		t.Fatalf("e2e/node_modules exists but %s does not run (%v): run `npm ci` in e2e/ again", node, err)
	}
	version := strings.TrimSpace(string(out))
	major, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(version, ".")[0], "v"))
	if major < minNodeMajor {
		t.Fatalf("%s is Node %s; the end-to-end tests need Node %d or later: run `npm ci` in e2e/ again", node, version, minNodeMajor)
	}
	return node
}

// summaryLine is one of the closing lines of node's spec reporter, such as "ℹ pass 40".
var summaryLine = regexp.MustCompile(`(?m)^ℹ (tests|pass|fail|cancelled|skipped|todo|duration_ms) .*$`)

// runNodeTests runs one test file with node's test runner and fails the test
// with the runner's report if any Node test fails, is cancelled, or is
// skipped (nothing there skips itself, so a skip is a mistake).
func runNodeTests(t *testing.T, node, bin, file string, env ...string) {
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "--test-timeout=300000", file)
	cmd.Env = append(os.Environ(),
		"BIGCOMMERCE_MCP_BIN="+bin,
		// Scripts with `#!/usr/bin/env node` get Node 22 too.
		"PATH="+filepath.Dir(node)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"NO_COLOR=1",
		"FORCE_COLOR=0",
	)
	cmd.Env = append(cmd.Env, env...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	start := time.Now()
	err := cmd.Run()
	summary := strings.Join(summaryLine.FindAllString(output.String(), -1), "; ")
	if err != nil {
		t.Fatalf("node --test %s: %v after %s\n%s", file, err, time.Since(start).Round(time.Millisecond), output.String())
	}
	for _, none := range []string{"ℹ fail 0", "ℹ cancelled 0", "ℹ skipped 0"} {
		if !strings.Contains(output.String(), none) {
			t.Fatalf("node --test %s: want %q in its report:\n%s", file, none, output.String())
		}
	}
	t.Logf("%s in %s: %s", file, time.Since(start).Round(time.Millisecond), summary)
}
