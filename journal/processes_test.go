package journal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The tests here run the test binary again as other processes sharing one
// SQLite journal file, as two MCP clients' servers or a script's parallel
// `call`s do: SQLite locks, and flocks, differ between processes.

const (
	childRole = "JOURNAL_TEST_CHILD" // what TestJournalChild does: "write" or "hold"
	childPath = "JOURNAL_TEST_PATH"  // the journal file it opens
)

const writesPerChild = 25

// TestJournalChild is the other processes' half; it does nothing unless run
// as a child by the tests below.
func TestJournalChild(t *testing.T) {
	role := os.Getenv(childRole)
	if role == "" {
		return
	}
	ctx := context.Background()
	s := mustOpen(t, os.Getenv(childPath), Options{Store: "shared"})
	switch role {
	case "write":
		for i := range writesPerChild {
			id, err := s.Record(ctx, Change{Tool: "bulk_update_customers", Summary: fmt.Sprint("write ", i)}, customerItems(5))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.List(ctx, Filter{Limit: 1}); err != nil {
				t.Fatal(err)
			}
			if err := s.Settle(ctx, id, []Outcome{{Seq: 0, Outcome: Applied}}, map[string]int{"updated": 5}); err != nil {
				t.Fatal(err)
			}
		}
	case "hold":
		id, err := s.Record(ctx, Change{Tool: "bulk_update_customers", Summary: "held open"}, customerItems(3))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("held %d\n", id)
		io.Copy(io.Discard, os.Stdin) // until the parent kills this process
	}
}

func child(t *testing.T, role, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestJournalChild$")
	cmd.Env = append(os.Environ(), childRole+"="+role, childPath+"="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestProcessesOpenAndWriteOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db") // not there yet: the children race to create and migrate it
	const children = 4
	cmds := make([]*exec.Cmd, children)
	outputs := make([]strings.Builder, children)
	for i := range cmds {
		cmds[i] = child(t, "write", path)
		cmds[i].Stdout = &outputs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v\n%s", i, err, outputs[i].String())
		}
	}
	s := mustOpen(t, path, Options{Store: "shared"})
	changes, err := s.List(context.Background(), Filter{Limit: MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, c := range changes {
		if c.State == StateDone && c.Counts["updated"] == 5 {
			done++
		}
	}
	if done != children*writesPerChild {
		t.Errorf("%d changes done of %d written by %d processes", done, children*writesPerChild, children)
	}
}

func TestChangeOfALiveProcessIsNotInterrupted(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	holder := child(t, "hold", path)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "held ") {
		holder.Process.Kill()
		t.Fatalf("the holder said %q (%v)", line, err)
	}
	id, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "held ")), 10, 64)

	second := mustOpen(t, path, Options{Store: "shared"}) // its start-up looks for interrupted changes
	if c, _, err := second.Get(ctx, id); err != nil || c.State != StateOpen {
		t.Errorf("while its process runs, the change is %q (%v), want open", c.State, err)
	}

	if err := holder.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	holder.Wait()
	c, items, err := second.Get(ctx, id)
	if err != nil || c.State != StateInterrupted || items[0].Outcome != Pending {
		t.Errorf("after its process was killed, the change is %q, items %+v (%v), want interrupted", c.State, items, err)
	}
	entries, err := os.ReadDir(ownersDir(path))
	if err != nil || len(entries) != 1 || entries[0].Name() != second.(*sqlStore).owner.token {
		t.Errorf("owners' locks left: %v (%v), want only the live store's", entries, err)
	}
}
