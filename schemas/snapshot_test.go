package schemas_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
)

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
