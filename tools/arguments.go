package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/invopop/jsonschema"
)

// decodeArguments checks a call's arguments, as sent, against the tool's input
// schema (with a JSON Schema validator: every constraint published is
// enforced) and for what no schema says (checker.read, checker.inspect),
// decodes them into In and runs In's own Validate. Every problem found is reported at once,
// keyed by argument path, so a model can fix them all in one go.
func decodeArguments[In any](a *argumentSchema, arguments any) (In, error) {
	var in In
	data, err := argumentJSON(arguments)
	if err != nil {
		return in, invalidArguments(map[string]string{"arguments": err.Error()}, "")
	}
	c := checker{problems: map[string]string{}}
	tree, err := c.read(data)
	if err != nil {
		return in, invalidArguments(map[string]string{"arguments": "not valid JSON: " + err.Error()}, "")
	}
	if tree == nil {
		tree = map[string]any{}
	}
	c.inspect("", a.schema, tree)
	c.validate(a, tree)
	if len(c.problems) > 0 {
		return in, invalidArguments(c.problems, c.hint())
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return in, invalidArguments(map[string]string{"arguments": err.Error()}, "")
	}
	if v, ok := any(in).(validator); ok {
		if err := v.Validate(); err != nil {
			return in, err
		}
	}
	return in, nil
}

// argumentJSON accepts arguments as the transport delivered them: raw JSON or
// already decoded.
func argumentJSON(arguments any) ([]byte, error) {
	if raw, ok := arguments.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(arguments)
}

// checker collects the problems of one call's arguments, keyed by argument
// path; the first problem found at a path is the one reported.
type checker struct {
	problems map[string]string
	unknown  bool     // an argument name was not recognised
	valid    []string // the names allowed where it was found
}

// read decodes data as json.Decoder with UseNumber would, and reports every
// key an object repeats: a decoder keeps one of them silently, so
// {"dry_run": true, "dry_run": false} would write.
func (c *checker) read(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tree, err := c.readValue(dec, "")
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("more than one value")
		}
	}
	return tree, err
}

func (c *checker) readValue(dec *json.Decoder, path string) (any, error) {
	token, err := dec.Token()
	switch {
	case err != nil:
		return nil, err
	case token == json.Delim('{'):
		return c.readObject(dec, path)
	case token == json.Delim('['):
		return c.readArray(dec, path)
	}
	return token, nil
}

func (c *checker) readObject(dec *json.Decoder, path string) (any, error) {
	object := map[string]any{}
	for dec.More() {
		token, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := token.(string) // the decoder allows only a string here
		value, err := c.readValue(dec, join(path, key))
		if err != nil {
			return nil, err
		}
		if _, repeated := object[key]; repeated {
			c.add(join(path, key), "is given more than once: give each argument once")
		}
		object[key] = value
	}
	_, err := dec.Token() // the closing brace
	return object, err
}

func (c *checker) readArray(dec *json.Decoder, path string) (any, error) {
	array := []any{}
	for dec.More() {
		value, err := c.readValue(dec, fmt.Sprintf("%s[%d]", path, len(array)))
		if err != nil {
			return nil, err
		}
		array = append(array, value)
	}
	_, err := dec.Token() // the closing bracket
	return array, err
}

// add records the first problem found at path: a repeated key is reported
// as such, whatever its values are.
func (c *checker) add(path, problem string) {
	if path == "" {
		path = "arguments"
	}
	if _, seen := c.problems[path]; !seen {
		c.problems[path] = problem
	}
}

func (c *checker) hint() string {
	switch {
	case !c.unknown:
		return ""
	case len(c.valid) == 0:
		return "this takes no arguments: call it with {}"
	}
	return "valid argument names here: " + strings.Join(c.valid, ", ")
}

// inspect is what a JSON Schema validator does not do: it names unknown
// arguments with the one likely meant, takes an optional argument sent as
// null as not given (models often do; the validator would refuse the null),
// refuses hidden characters in every string, and integers beyond BigCommerce's.
func (c *checker) inspect(path string, s *jsonschema.Schema, v any) {
	s = choiceFor(s, v)
	switch v := v.(type) {
	case map[string]any:
		c.inspectObject(path, s, v)
	case []any:
		for i, item := range v {
			if s.Items != nil {
				c.inspect(fmt.Sprintf("%s[%d]", path, i), s.Items, item)
			}
		}
	case string:
		if problem := hiddenCharacter(v); problem != "" {
			c.add(path, problem)
		}
	case json.Number:
		c.inspectNumber(path, s, v)
	}
}

// choiceFor is the choice of an anyOf that has v's type, or s itself.
func choiceFor(s *jsonschema.Schema, v any) *jsonschema.Schema {
	for _, choice := range s.AnyOf {
		if kind := kindOf(v); choice.Type == kind || choice.Type == "number" && kind == "integer" {
			return choice
		}
	}
	return s
}

func (c *checker) inspectObject(path string, s *jsonschema.Schema, v map[string]any) {
	if s.Properties == nil {
		return // an object of any shape
	}
	var names []string
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		names = append(names, pair.Key)
	}
	for _, key := range slices.Sorted(maps.Keys(v)) {
		switch prop, known := s.Properties.Get(key); {
		case !known:
			c.add(join(path, key), unknownArgument(key, names))
			c.unknown, c.valid = true, names
		case v[key] == nil && !slices.Contains(s.Required, key):
			delete(v, key)
		default:
			c.inspect(join(path, key), prop, v[key])
		}
	}
}

// hiddenCharacter describes the first character of v that no name, note or
// filter needs and that can hide or disguise text: control characters other
// than tab and newline, bidirectional overrides and isolates (which can make
// text read differently from what it is), and U+FFFD, which is what a lone
// surrogate or broken UTF-8 turns into on the way here.
func hiddenCharacter(v string) string {
	for _, r := range v {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r == utf8.RuneError:
			return "contains U+FFFD, the mark of text that was not valid Unicode (a lone surrogate or broken UTF-8): send the text as it should read"
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character %U: remove it", r)
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return fmt.Sprintf("contains %U, an invisible bidirectional override that can disguise text: remove it", r)
		}
	}
	return ""
}

// maxInteger bounds every integer argument: BigCommerce's ids, counts and
// pages are 32-bit, so anything larger is a mistake, never a record.
const maxInteger = math.MaxInt32

func (c *checker) inspectNumber(path string, s *jsonschema.Schema, v json.Number) {
	_, err := v.Float64()
	n, notInteger := v.Int64()
	switch {
	case err != nil:
		c.add(path, fmt.Sprintf("is out of range (got %s)", v))
	case s.Type != "integer":
	case kindOf(v) != "integer": // 2.0 passes JSON Schema's "integer"; Go will not decode it into an int
		c.add(path, fmt.Sprintf("must be an integer, not a number (got %s)", v))
	case notInteger != nil || n > maxInteger || n < -maxInteger:
		c.add(path, fmt.Sprintf("is out of range: BigCommerce's ids and counts are at most %d (got %s)", maxInteger, v))
	}
}

// kindOf names a decoded JSON value's type as JSON Schema does.
func kindOf(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case json.Number:
		if strings.ContainsAny(v.String(), ".eE") {
			return "number"
		}
		return "integer"
	}
	return fmt.Sprintf("%T", v)
}

func article(kind string) string {
	switch kind {
	case "null":
		return "null"
	case "boolean":
		return "true or false"
	case "integer", "object", "array":
		return "an " + kind
	}
	return "a " + kind
}

// unknownArgument says a name is unknown and suggests the valid one most
// likely meant.
func unknownArgument(name string, valid []string) string {
	if best := likelyMeant(snakeCase(name), valid); best != "" {
		return fmt.Sprintf("unknown argument; did you mean %q?", best)
	}
	return "unknown argument"
}

// likelyMeant picks the valid name a mistaken (snake_case) one most likely
// stands for. Models add the resource's name to a field ("customer_id" for a
// customer's id) or drop it ("group_id" for customer_group_id), so after an
// exact match, a name that ends with a valid one in whole words, or is the
// end of one in two words or more (a bare "id" could end any id), comes
// before the closest spelling.
func likelyMeant(name string, valid []string) string {
	if slices.Contains(valid, name) { // only its case differed
		return name
	}
	best, bestWords := "", 0
	for _, candidate := range valid {
		words := 0
		switch {
		case strings.HasSuffix(name, "_"+candidate):
			words = strings.Count(candidate, "_") + 1
		case strings.HasSuffix(candidate, "_"+name) && strings.Contains(name, "_"):
			words = strings.Count(name, "_") + 1
		}
		if words > bestWords {
			best, bestWords = candidate, words
		}
	}
	if best != "" {
		return best
	}
	bestDistance := len(name)/2 + 2
	for _, candidate := range valid {
		if d := editDistance(name, candidate); d < bestDistance {
			best, bestDistance = candidate, d
		}
	}
	return best
}

// snakeCase writes a camelCase or kebab-case name as the tools' arguments
// are written: customerGroupId becomes customer_group_id.
func snakeCase(name string) string {
	var b strings.Builder
	var previous rune
	for _, r := range name {
		switch {
		case r == '-':
			r = '_'
		case unicode.IsUpper(r) && (unicode.IsLower(previous) || unicode.IsDigit(previous)):
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
		previous = r
	}
	return b.String()
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func enumList(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
