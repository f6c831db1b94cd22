// Package schemas turns the tools' Go input and output types into the flat
// JSON Schemas MCP clients see. The snapshots of every tool as clients see
// it live beside the tools, in tools/testdata/toolsnaps.
package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/invopop/jsonschema"
)

// Some MCP clients cannot resolve references or combinators, so every schema
// is flat: nested types are written out in place and objects are closed.
var reflector = jsonschema.Reflector{
	Anonymous:                 true, // no $id
	DoNotReference:            true, // no $ref or $defs
	ExpandedStruct:            true, // the root is the object itself, not a reference to it
	AllowAdditionalProperties: false,
	Mapper:                    anyValue,
}

// anyValue describes an interface-typed field as "any JSON value" spelled
// out: invopop writes a bare `true`, which strict clients (the MCP Inspector's
// --strict mode) reject as a schema without a type.
func anyValue(t reflect.Type) *jsonschema.Schema {
	if t.Kind() != reflect.Interface {
		return nil
	}
	s := &jsonschema.Schema{}
	for _, typ := range []string{"string", "number", "boolean", "array", "object", "null"} {
		s.AnyOf = append(s.AnyOf, &jsonschema.Schema{Type: typ})
	}
	return s
}

// Reflect returns the schema of T, which must be a struct, ready to send.
// It panics when T cannot be described by a flat object schema: that is a
// programming error, caught by any test that builds the tools.
func Reflect[T any]() *jsonschema.Schema {
	s := reflector.ReflectFromType(reflect.TypeFor[T]())
	s.Version = "" // no $schema: clients assume the MCP default
	s.Definitions = nil
	raw, err := json.Marshal(s)
	if err == nil {
		err = Check(raw)
	}
	if err != nil {
		panic(fmt.Sprintf("schema of %v: %v", reflect.TypeFor[T](), err))
	}
	return s
}

// Raw returns the schema of T as JSON.
func Raw[T any]() json.RawMessage { return Marshal(Reflect[T]()) }

// Marshal encodes a schema built by Reflect.
func Marshal(s *jsonschema.Schema) json.RawMessage {
	raw, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("encode schema: %v", err))
	}
	return raw
}

// Check reports why a schema is not flat: any $ref, $defs, definitions,
// $schema or $id anywhere, a combinator at the top, or a root that is not an
// object.
func Check(raw json.RawMessage) error {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	var problems []error
	if root["type"] != "object" {
		problems = append(problems, fmt.Errorf("root type is %v, not object", root["type"]))
	}
	for _, combinator := range []string{"anyOf", "oneOf", "allOf", "not", "if"} {
		if _, ok := root[combinator]; ok {
			problems = append(problems, fmt.Errorf("top-level %s", combinator))
		}
	}
	walk(root, "#", func(path, key string) {
		switch key {
		case "$ref", "$defs", "definitions", "$schema", "$id":
			problems = append(problems, fmt.Errorf("%s at %s", key, path))
		}
	})
	return errors.Join(problems...)
}

// walk calls visit for every object key in v, depth first.
func walk(v any, path string, visit func(path, key string)) {
	switch v := v.(type) {
	case map[string]any:
		for key, child := range v {
			visit(path, key)
			walk(child, path+"/"+key, visit)
		}
	case []any:
		for i, child := range v {
			walk(child, fmt.Sprintf("%s/%d", path, i), visit)
		}
	}
}

// Outline reduces an output schema to what a client checks a result against:
// the result's own fields and their types. Their insides (a group's rules, a
// list's rows or ids) are just objects and arrays, described by the tool and
// by the input schemas, and descriptions and constraints are left out. Every
// result that satisfies the full schema satisfies the outline, so it stays
// true while costing a model a fraction.
func Outline(s *jsonschema.Schema) *jsonschema.Schema {
	outline(s, 1)
	return s
}

func outline(s *jsonschema.Schema, levels int) {
	s.Description, s.Enum, s.Format, s.Minimum, s.Maximum, s.Default = "", nil, "", "", "", nil
	s.MinItems, s.MaxItems, s.MinLength, s.MaxLength = nil, nil, nil, nil
	if s.AdditionalProperties == jsonschema.FalseSchema {
		s.AdditionalProperties = nil
	}
	s.Required = nil
	if levels == 0 {
		s.Properties, s.AdditionalProperties, s.AnyOf, s.Items = nil, nil, nil, nil
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			outline(pair.Value, levels-1)
		}
	}
	if s.Items != nil {
		outline(s.Items, levels)
	}
	if s.AdditionalProperties != nil {
		outline(s.AdditionalProperties, levels-1)
	}
	for _, alt := range s.AnyOf {
		outline(alt, levels-1)
	}
}
