package tools

import (
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
)

// Markdown is the README's tools table, generated from the registry.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| tool | what it does | annotations |\n| --- | --- | --- |\n")
	for _, t := range Registry(nil) {
		summary, _, _ := strings.Cut(t.Tool.Description, "\n")
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.Tool.Name, strings.ReplaceAll(summary, "|", `\|`), behaviour(t.Tool.Annotations))
	}
	return b.String()
}

// behaviour describes annotations in the words of DESIGN.md's tools table.
func behaviour(a mcp.ToolAnnotation) string {
	is := func(hint *bool) bool { return hint != nil && *hint }
	switch {
	case is(a.ReadOnlyHint):
		return "read-only"
	case is(a.DestructiveHint):
		return "write, destructive"
	case is(a.IdempotentHint):
		return "write, idempotent"
	}
	return "write"
}
