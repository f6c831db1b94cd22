package tools

// How to define a tool
//
// A tool is an input struct, an output struct and a handler that reads like
// the API call it makes; newTool does the MCP side (schemas, strict argument
// decoding, validation, results and errors):
//
//	type GetThingInput struct {
//		ID int `json:"id" jsonschema:"minimum=1" jsonschema_description:"The thing's id."`
//	}
//
//	func getThing(client *bc.Client) server.ServerTool {
//		return newTool("get_thing", "Get a thing", getThingDescription, reads,
//			func(ctx context.Context, in GetThingInput) (ThingResult, error) { ... })
//	}
//
//   - Input: json tags name the arguments; a field without omitempty is
//     required; constraints (minimum, maximum, enum, pattern, format, any
//     JSON Schema keyword) go in jsonschema tags and are enforced before the
//     handler runs. For rules across fields, give the input a Validate() error
//     method (returning *bc.ValidationError or calling bc's Validate methods).
//   - Output: a struct with a Summary() string method (one line for the text
//     content). Slices must not be nil: the output schema says array.
//   - Handler: return bc's errors as they are (toToolError maps them), or a
//     *toolError for a failure of your own.
//   - Register the constructor in Registry.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/schemas"
)

// result is what every tool's output type provides besides its fields.
type result interface {
	Summary() string
}

// validator is implemented by inputs with rules beyond their schema.
type validator interface {
	Validate() error
}

// trimmer is implemented by inputs whose published schema can say less than
// the one their arguments are checked against: fields accepted only to be
// refused with a reason, descriptions that repeat another argument's.
type trimmer interface {
	trimSchema(published *jsonschema.Schema)
}

// inputSchemas returns the schema In's arguments are checked against and the
// one clients are shown.
func inputSchemas[In any]() (checked, published *jsonschema.Schema) {
	checked, published = schemas.Reflect[In](), schemas.Reflect[In]()
	if t, ok := any(*new(In)).(trimmer); ok {
		t.trimSchema(published)
	}
	bareAlternatives(published)
	return checked, published
}

// bareAlternatives leaves only the types of anyOf alternatives (a decimal's
// string form, and its pattern): the property's own description says "a
// number or a decimal string", and the arguments are still checked in full.
func bareAlternatives(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	for _, alt := range s.AnyOf {
		*alt = jsonschema.Schema{Type: alt.Type}
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			bareAlternatives(pair.Value)
		}
	}
	bareAlternatives(s.Items)
}

// effect is what a tool does to the store; it decides the annotations.
type effect int

const (
	reads   effect = iota // read-only
	creates               // writes; calling twice makes two
	updates               // writes; calling twice with the same arguments changes nothing more
	deletes               // destroys data
)

// A hint left out takes the value the MCP specification gives it, the worst a
// client can assume: a write, destructive, not idempotent, open world.
const (
	defaultReadOnly    = false
	defaultDestructive = true
	defaultIdempotent  = false
	defaultOpenWorld   = true
)

// annotations sends only the hints that say something: those that differ
// from their defaults, and for a read-only tool not the destructive and
// idempotent hints, which the specification gives no meaning then. The others
// would cost every model bytes to say nothing (see TestToolListSize). Every
// tool works on a live store, so none differs from defaultOpenWorld. The one
// exception: a write always states destructiveHint, true included, because a
// client that reads a missing hint as false would not ask before a delete.
func (e effect) annotations(title string) mcp.ToolAnnotation {
	a := mcp.ToolAnnotation{Title: title, ReadOnlyHint: unlessDefault(e == reads, defaultReadOnly)}
	if e != reads {
		a.DestructiveHint = new(e == deletes)
		a.IdempotentHint = unlessDefault(e != creates, defaultIdempotent)
	}
	return a
}

// unlessDefault is the hint, or nil when the default says the same.
func unlessDefault(hint, byDefault bool) *bool {
	if hint == byDefault {
		return nil
	}
	return &hint
}

// Behaviour puts what a tool's annotations say it does to data into words,
// as the README's and the command line's tool lists show it: "read-only", or
// "write" followed by "destructive" and "idempotent" when they apply. Hints
// left out take the defaults the MCP specification gives them.
func Behaviour(a mcp.ToolAnnotation) string {
	if hint(a.ReadOnlyHint, defaultReadOnly) {
		return "read-only"
	}
	words := []string{"write"}
	if hint(a.DestructiveHint, defaultDestructive) {
		words = append(words, "destructive")
	}
	if hint(a.IdempotentHint, defaultIdempotent) {
		words = append(words, "idempotent")
	}
	return strings.Join(words, ", ")
}

// hint is what h says, or byDefault when it is left out.
func hint(h *bool, byDefault bool) bool {
	if h == nil {
		return byDefault
	}
	return *h
}

// newTool builds a tool from a typed handler; see the note at the top of this file.
func newTool[In any, Out result](name, title, description string, e effect, handle func(context.Context, In) (Out, error)) server.ServerTool {
	input, published := inputSchemas[In]()
	arguments := newArgumentSchema(input)
	tool := mcp.Tool{
		Name:            name,
		Description:     description,
		RawInputSchema:  schemas.Marshal(published),
		RawOutputSchema: schemas.Marshal(schemas.Outline(schemas.Reflect[Out]())),
		Annotations:     e.annotations(title),
	}
	return server.ServerTool{
		Tool: tool,
		Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			// The raw arguments, as the client wrote them: Params.Arguments went
			// through float64, which rounds integers above 2^53.
			in, err := decodeArguments[In](arguments, req.GetRawArguments())
			if d, ok := ctx.Value(decodingKey{}).(*decoding); ok {
				d.in, d.err = in, err
				return nil, nil
			}
			if err != nil {
				return errorResult(err), nil
			}
			out, err := handle(ctx, in)
			if err != nil {
				return errorResult(err), nil
			}
			return successResult(out)
		},
	}
}

type decodingKey struct{}

// decoding receives what a tool's handler decoded from a call's arguments
// when the call's context holds one under decodingKey: the handler then
// stops there. The fuzz test reaches every registered tool's decoding that
// way, through the wrappers around it, so a new tool is fuzzed as soon as
// Registry lists it.
type decoding struct {
	in  any
	err error
}

// successResult carries out as structured content and, for clients that only
// read text, a one-line summary followed by the same data as JSON.
func successResult(out result) (*mcp.CallToolResult, error) {
	data, err := marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return &mcp.CallToolResult{
		Content: []mcp.Content{
			mcp.NewTextContent(out.Summary()),
			mcp.NewTextContent(string(data)),
		},
		StructuredContent: json.RawMessage(data),
	}, nil
}

// errorResult is a failed call as the model sees it: isError, and the error
// as JSON text. It has no structured content, which clients would check
// against the success schema.
func errorResult(err error) *mcp.CallToolResult {
	data, _ := marshal(map[string]*toolError{"error": toToolError(err)})
	return &mcp.CallToolResult{
		Content: []mcp.Content{mcp.NewTextContent(string(data))},
		IsError: true,
	}
}

// marshal is json.Marshal leaving <, > and & as they are: escaped, they reach
// a model or a script as \u003c and the like.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
