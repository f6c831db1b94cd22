package tools

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

const (
	readmePath  = "../README.md"
	tableStart  = "<!-- tools:start -->\n"
	tableEnd    = "<!-- tools:end -->"
	updateHowTo = "UPDATE_README=1 go test ./tools/"
)

// TestReadmeToolsTable keeps README.md's tools table in step with the
// registry. Run UPDATE_README=1 go test ./tools/ to regenerate it.
func TestReadmeToolsTable(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte(tableStart))
	end := bytes.Index(readme, []byte(tableEnd))
	if start < 0 || end < start {
		t.Fatalf("README.md needs the markers %q and %q, in that order", tableStart, tableEnd)
	}
	start += len(tableStart)
	want := toolsTable()
	if string(readme[start:end]) == want {
		return
	}
	if os.Getenv("UPDATE_README") == "" {
		t.Fatalf("README.md's tools table is stale; run %s\nwant:\n%s", updateHowTo, want)
	}
	updated := append(append(append([]byte{}, readme[:start]...), want...), readme[end:]...)
	if err := os.WriteFile(readmePath, updated, 0o644); err != nil {
		t.Fatal(err)
	}
}

// toolsTable is the README's tools table, generated from the registry.
func toolsTable() string {
	var b strings.Builder
	b.WriteString("| tool | what it does | annotations |\n| --- | --- | --- |\n")
	for _, t := range Registry(nil, nil) {
		summary, _, _ := strings.Cut(t.Tool.Description, "\n")
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.Tool.Name, strings.ReplaceAll(summary, "|", `\|`), Behaviour(t.Tool.Annotations))
	}
	return b.String()
}
