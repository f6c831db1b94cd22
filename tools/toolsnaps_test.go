package tools

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
)

const toolsnaps = "testdata/toolsnaps"

// toolsnap is what a client sees of a tool: its name, description,
// annotations and both schemas.
type toolsnap struct {
	Name         string             `json:"name"`
	Description  string             `json:"description"`
	Annotations  mcp.ToolAnnotation `json:"annotations"`
	InputSchema  json.RawMessage    `json:"inputSchema"`
	OutputSchema json.RawMessage    `json:"outputSchema"`
}

// TestToolSnapshots compares each tool as clients see it with its committed
// snapshot, testdata/toolsnaps/<tool>.snap, so that a change to what models
// read shows up in review. After an intended change, run
// UPDATE_SNAPSHOTS=1 go test ./tools/ -run TestToolSnapshots and review the diff.
func TestToolSnapshots(t *testing.T) {
	update := os.Getenv("UPDATE_SNAPSHOTS") != ""
	want := map[string]bool{}
	for _, tool := range Registry(nil, nil) {
		name := tool.Tool.Name + ".snap"
		want[name] = true
		t.Run(tool.Tool.Name, func(t *testing.T) {
			for _, raw := range []json.RawMessage{tool.Tool.RawInputSchema, tool.Tool.RawOutputSchema} {
				if err := schemas.Check(raw); err != nil {
					t.Fatalf("not flat: %v", err)
				}
			}
			snap, err := json.MarshalIndent(toolsnap{Name: tool.Tool.Name, Description: tool.Tool.Description, Annotations: tool.Tool.Annotations,
				InputSchema: tool.Tool.RawInputSchema, OutputSchema: tool.Tool.RawOutputSchema}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			compareSnapshot(t, filepath.Join(toolsnaps, name), append(snap, '\n'), update)
		})
	}
	files, _ := filepath.Glob(filepath.Join(toolsnaps, "*"))
	for _, f := range files {
		if name := filepath.Base(f); !want[name] {
			if update {
				os.Remove(f)
				continue
			}
			t.Errorf("%s belongs to no tool; run UPDATE_SNAPSHOTS=1 go test ./tools/ -run TestToolSnapshots to remove it", f)
		}
	}
}

func compareSnapshot(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run UPDATE_SNAPSHOTS=1 go test ./tools/ -run TestToolSnapshots to create it", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the tool differs from %s; if the change is intended, run UPDATE_SNAPSHOTS=1 go test ./tools/ -run TestToolSnapshots and review the diff\ngot:\n%s", path, got)
	}
}
