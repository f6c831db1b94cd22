package e2e

// The command line: --version, usage errors, and the tools and call commands
// a script uses.

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	t.Parallel()
	stdout, _, code := runBinary(t, cleanEnv(), "", "--version")
	if code != 0 || strings.TrimSpace(stdout) != "bigcommerce-mcp "+testVersion {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
}

func TestUsageErrorsExitWithStatus2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		mention string
	}{
		{[]string{"--transport", "carrier-pigeon"}, "carrier-pigeon"},
		{[]string{"--log-level", "loud"}, "log-level"},
		{[]string{"--no-such-flag"}, "no-such-flag"},
		{[]string{"--addr", "8080"}, "--addr"},
		{[]string{"frobnicate"}, "frobnicate"},
		{[]string{"call"}, "call TOOL"},
		{[]string{"tools", "extra"}, "extra"},
		{[]string{"--json"}, "--json"},
		{[]string{"--sandbox", "call", "count_customer_groups", "{not json"}, "JSON object"},
		{[]string{"--sandbox", "call", "count_customer_groups", "[1]"}, "JSON object"},
	}
	for _, tt := range tests {
		stdout, stderr, code := runBinary(t, cleanEnv(), "", tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.mention) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and a message naming %q", tt.args, code, stdout, stderr, tt.mention)
		}
	}
}

// Listing the tools reads no store, so it needs neither credentials nor --sandbox.
func TestCLIListsTools(t *testing.T) {
	t.Parallel()
	for _, readOnly := range []bool{false, true} {
		args := []string{"tools"}
		if readOnly {
			args = append(args, "--read-only")
		}
		stdout, _, code := runBinary(t, cleanEnv(), "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		for _, name := range append(slices.Clone(readTools), writeTools...) {
			if listed, want := strings.Contains("\n"+stdout, "\n"+name+" "), !readOnly || slices.Contains(readTools, name); listed != want {
				t.Errorf("%v: %s listed %t, want %t:\n%s", args, name, listed, want, stdout)
			}
		}
	}

	stdout, _, code := runBinary(t, cleanEnv(), "", "tools", "--json")
	var tools []struct {
		Name        string
		InputSchema struct{ Type string } `json:"inputSchema"`
		Annotations map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &tools); err != nil || code != 0 {
		t.Fatalf("tools --json: exit %d, %v:\n%s", code, err, stdout)
	}
	if len(tools) != len(readTools)+len(writeTools) {
		t.Errorf("tools --json lists %d tools", len(tools))
	}
	for _, tool := range tools {
		if tool.InputSchema.Type != "object" || len(tool.Annotations) == 0 {
			t.Errorf("%s: input schema type %q, annotations %v", tool.Name, tool.InputSchema.Type, tool.Annotations)
		}
	}
}

func TestCLICallsATool(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string // in stdout
	}{
		{"a call prints the structured result", "", []string{"call", "count_customer_groups", "{}"}, 0, `"count": 6`},
		{"arguments are optional", "", []string{"call", "count_customer_groups"}, 0, `"count": 6`},
		{"arguments can come from stdin", `{"id": 1}`, []string{"call", "get_customer_group", "-"}, 0, `"customer_group"`},
		{"a tool error prints the error and exits 1", "", []string{"call", "get_customer_group", `{"id": "one"}`}, 1, `"invalid_argument"`},
		{"an unknown tool exits 2, naming the tools", "", []string{"call", "no_such_tool", "{}"}, 2, `"list_customers"`},
		{"a customer not updated exits 3", "", []string{"call", "bulk_update_customers", `{"customers": [{"id": 99999, "notes": "x"}]}`}, 3, `"not_found"`},
		{"read-only refuses writes", "", []string{"call", "--read-only", "create_customer_group", `{"name": "x"}`}, 1, `"read_only"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runBinary(t, cleanEnv(), tt.stdin, append(tt.args, "--sandbox")...)
			if code != tt.code || !strings.Contains(stdout, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %s", code, stdout, stderr, tt.code, tt.want)
			}
			if !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON: %q", stdout)
			}
		})
	}
}
