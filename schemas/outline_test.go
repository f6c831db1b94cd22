package schemas_test

import (
	"encoding/json"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
)

type outlinedRule struct {
	Type string `json:"type" jsonschema:"enum=all,enum=product"`
}

type outlined struct {
	Name  string         `json:"name" jsonschema:"minLength=1" jsonschema_description:"A name."`
	Note  string         `json:"note,omitempty"`
	Rules []outlinedRule `json:"rules"`
	Group struct {
		ID int `json:"id"`
	} `json:"group"`
}

func TestOutlineKeepsTheResultsFieldsAndTheirTypesOnly(t *testing.T) {
	t.Parallel()
	got := string(schemas.Marshal(schemas.Outline(schemas.Reflect[outlined]())))
	want := `{"properties":{"name":{"type":"string"},"note":{"type":"string"},"rules":{"type":"array"},` +
		`"group":{"type":"object"}},"type":"object"}`
	if got != want {
		t.Errorf("outline\n%s\nwant\n%s", got, want)
	}
	if err := schemas.Check(json.RawMessage(got)); err != nil {
		t.Error(err)
	}
}
