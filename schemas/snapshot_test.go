package schemas_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

// TestSnapshots compares every tool's input and output schema with its
// committed snapshot in snapshots/. After an intended change, run
// UPDATE_SNAPSHOTS=1 go test ./schemas/... and review the diff.
func TestSnapshots(t *testing.T) {
	update := os.Getenv("UPDATE_SNAPSHOTS") != ""
	want := map[string]bool{}
	for _, tool := range tools.Registry(nil, nil) {
		for kind, raw := range map[string]json.RawMessage{"input": tool.Tool.RawInputSchema, "output": tool.Tool.RawOutputSchema} {
			name := tool.Tool.Name + "." + kind + ".json"
			want[name] = true
			t.Run(name, func(t *testing.T) {
				if err := schemas.Check(raw); err != nil {
					t.Fatalf("not flat: %v", err)
				}
				compare(t, filepath.Join("snapshots", name), raw, update)
			})
		}
	}
	files, _ := filepath.Glob(filepath.Join("snapshots", "*.json"))
	for _, f := range files {
		if name := filepath.Base(f); !want[name] {
			if update {
				os.Remove(f)
				continue
			}
			t.Errorf("snapshots/%s belongs to no tool; run UPDATE_SNAPSHOTS=1 go test ./schemas/... to remove it", name)
		}
	}
}

func compare(t *testing.T, path string, raw json.RawMessage, update bool) {
	t.Helper()
	var got bytes.Buffer
	if err := json.Indent(&got, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	got.WriteByte('\n')
	if update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; run UPDATE_SNAPSHOTS=1 go test ./schemas/... to create it", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("the schema differs from %s; if the change is intended, run UPDATE_SNAPSHOTS=1 go test ./schemas/... and review the diff\ngot:\n%s", path, got.String())
	}
}

func TestCheckRejectsSchemasThatAreNotFlat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, schema, problem string
	}{
		{"a reference", `{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}}}`, "$ref"},
		{"definitions", `{"type":"object","$defs":{"A":{"type":"string"}}}`, "$defs"},
		{"a $schema", `{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object"}`, "$schema"},
		{"a top-level combinator", `{"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}]}`, "anyOf"},
		{"a root that is not an object", `{"type":"array"}`, "not object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := schemas.Check(json.RawMessage(tc.schema))
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Errorf("Check(%s) = %v, want an error about %s", tc.schema, err, tc.problem)
			}
		})
	}
}

func TestReflectIsFlat(t *testing.T) {
	t.Parallel()
	type rule struct {
		Kind string `json:"kind" jsonschema:"enum=a,enum=b"`
	}
	type input struct {
		Rules []rule `json:"rules"`
		First *rule  `json:"first,omitempty"`
	}
	raw := schemas.Raw[input]()
	if err := schemas.Check(raw); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if !strings.Contains(string(raw), `"additionalProperties":false`) {
		t.Errorf("objects are not closed: %s", raw)
	}
}
