package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
	validation "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// argumentSchema is a tool's input schema, as published and compiled by the
// JSON Schema validator mcp-go uses, so that every constraint a schema
// publishes is enforced.
//
// mcp-go's own server.WithInputSchemaValidation() cannot serve here:
//   - it validates Params.Arguments, which went through float64 and a map, so
//     it sees 9007199254740993 as ...992 and one of two repeated keys;
//   - on failure it answers before the handler runs, with one line of text per
//     violation: no code, no fields map, no hint, no "did you mean", and no
//     bound (10,000 misspelled items make 10,000 lines);
//   - it skips a schema that fails to compile, and the task-augmented call
//     path, without a word.
//
// So the arguments are validated here, with the same validator
// (santhosh-tekuri/jsonschema), on the arguments exactly as sent.
type argumentSchema struct {
	schema    *jsonschema.Schema // for the names and checks of checker.inspect
	document  any                // the published schema, to read descriptions from
	validator *validation.Schema
}

const schemaURL = "mem:///input.json"

// newArgumentSchema compiles s. It panics when s does not compile: the
// schemas are ours, and any test that builds the tools catches it.
func newArgumentSchema(s *jsonschema.Schema) *argumentSchema {
	document, err := validation.UnmarshalJSON(bytes.NewReader(mustMarshal(s)))
	compiler := validation.NewCompiler()
	compiler.AssertFormat() // a format a tag publishes is a promise too
	if err == nil {
		err = compiler.AddResource(schemaURL, document)
	}
	var compiled *validation.Schema
	if err == nil {
		compiled, err = compiler.Compile(schemaURL)
	}
	if err != nil {
		panic(fmt.Sprintf("compile input schema: %v", err))
	}
	return &argumentSchema{schema: s, document: document, validator: compiled}
}

func mustMarshal(s *jsonschema.Schema) []byte {
	data, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("encode input schema: %v", err))
	}
	return data
}

// validate reports what the validator finds in tree, by argument path, in the
// words the rest of the tools use.
func (c *checker) validate(a *argumentSchema, tree any) {
	var invalid *validation.ValidationError
	switch err := a.validator.Validate(tree); {
	case errors.As(err, &invalid):
		c.translate(a, tree, invalid)
	case err != nil:
		c.add("", err.Error())
	}
}

func (c *checker) translate(a *argumentSchema, tree any, e *validation.ValidationError) {
	path := argumentPath(tree, e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.AnyOf:
		c.translateAnyOf(a, tree, e)
	case *kind.Required:
		for _, name := range k.Missing {
			c.add(join(path, name), "is required")
		}
	case *kind.AdditionalProperties:
		// checker.inspect has named them, with a suggestion.
		for _, name := range k.Properties {
			c.add(join(path, name), "unknown argument")
		}
	case *kind.Pattern:
		c.add(path, fmt.Sprintf("%q is not %s", k.Got, a.describe(e.SchemaURL, "of the form "+k.Want)))
	default:
		if len(e.Causes) == 0 {
			c.add(path, problem(e.ErrorKind, valueAt(tree, e.InstanceLocation)))
		}
		for _, cause := range e.Causes {
			c.translate(a, tree, cause)
		}
	}
}

// translateAnyOf reports the choice of the value's own type, which says what
// is wrong with it; when no choice has that type, it lists the types allowed.
func (c *checker) translateAnyOf(a *argumentSchema, tree any, e *validation.ValidationError) {
	var kinds []string
	for _, choice := range e.Causes {
		only := leaf(choice)
		wrongType, ok := only.ErrorKind.(*kind.Type)
		if !ok || len(only.InstanceLocation) != len(e.InstanceLocation) {
			c.translate(a, tree, choice)
			return
		}
		kinds = append(kinds, article(wrongType.Want[0]))
	}
	got := kindOf(valueAt(tree, e.InstanceLocation))
	c.add(argumentPath(tree, e.InstanceLocation), fmt.Sprintf("must be %s, not %s", strings.Join(kinds, " or "), article(got)))
}

// leaf is the one violation a failed choice holds, or the choice itself.
func leaf(e *validation.ValidationError) *validation.ValidationError {
	for len(e.Causes) == 1 {
		e = e.Causes[0]
	}
	return e
}

var english = message.NewPrinter(language.English)

// problem says what is wrong with v, in the tools' words where they have them.
func problem(k validation.ErrorKind, v any) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("must be %s, not %s", article(k.Want[0]), article(kindOf(v)))
	case *kind.Enum:
		return fmt.Sprintf("%s is not one of %s", quoted(v), enumList(k.Want))
	case *kind.Minimum:
		return fmt.Sprintf("must be %s or more (got %v)", ratText(k.Want), v)
	case *kind.Maximum:
		return fmt.Sprintf("must be %s or less (got %v)", ratText(k.Want), v)
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("must be greater than %s (got %v)", ratText(k.Want), v)
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("must be less than %s (got %v)", ratText(k.Want), v)
	case *kind.MinLength:
		if k.Want == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("must be at most %d characters (got %d)", k.Want, k.Got)
	case *kind.MinItems:
		return fmt.Sprintf("must have at least %d items", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("must have at most %d items (got %d)", k.Want, k.Got)
	}
	return k.LocalizedString(english)
}

func ratText(r *big.Rat) string {
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func quoted(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// describe is the description of the schema at url, or otherwise.
func (a *argumentSchema) describe(url, otherwise string) string {
	_, pointer, _ := strings.Cut(url, "#")
	node := a.document
	for _, token := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		node = child(node, strings.NewReplacer("~1", "/", "~0", "~").Replace(token))
	}
	if object, ok := node.(map[string]any); ok {
		if description, ok := object["description"].(string); ok {
			return description
		}
	}
	return otherwise
}

// child is node's member or item named token, or nil.
func child(node any, token string) any {
	switch node := node.(type) {
	case map[string]any:
		return node[token]
	case []any:
		if i, err := strconv.Atoi(token); err == nil && i >= 0 && i < len(node) {
			return node[i]
		}
	}
	return nil
}

// argumentPath writes a validator's instance location as the tools name
// arguments: customers[0].id.
func argumentPath(tree any, location []string) string {
	path, node := "", tree
	for _, token := range location {
		if _, isArray := node.([]any); isArray {
			path += "[" + token + "]"
		} else {
			path = join(path, token)
		}
		node = child(node, token)
	}
	return path
}

func valueAt(tree any, location []string) any {
	for _, token := range location {
		tree = child(tree, token)
	}
	return tree
}
