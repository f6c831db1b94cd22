package tools

import (
	"fmt"
	"strings"
)

// Markdown is the README's tools table, generated from the registry.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| tool | what it does | annotations |\n| --- | --- | --- |\n")
	for _, t := range Registry(nil, nil) {
		summary, _, _ := strings.Cut(t.Tool.Description, "\n")
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", t.Tool.Name, strings.ReplaceAll(summary, "|", `\|`), Behaviour(t.Tool.Annotations))
	}
	return b.String()
}
