package bc

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fieldSamples hold, for each writable field of CustomerUpdate by its API
// name, a value to send, another value a customer may hold, and a value
// Validate refuses ("" for a field every value of whose type is valid).
var fieldSamples = map[string]struct{ send, held, invalid string }{
	"email":               {`"new@example.com"`, `"old@example.com"`, `"not an address"`},
	"first_name":          {`"Ada"`, `"Grace"`, `""`},
	"last_name":           {`"Lovelace"`, `"Hopper"`, `""`},
	"company":             {`"Acme"`, `"Initech"`, `"` + strings.Repeat("c", 256) + `"`},
	"phone":               {`"+1 555 0100"`, `"+44 20 7946"`, `"` + strings.Repeat("1", 51) + `"`},
	"notes":               {`"vip"`, `"new"`, `"` + strings.Repeat("n", 65536) + `"`},
	"tax_exempt_category": {`"A"`, `"B"`, `"` + strings.Repeat("t", 256) + `"`},
	"customer_group_id":   {`2`, `3`, `-1`},
	"accepts_product_review_abandoned_cart_emails": {`true`, `false`, ``},
	"channel_ids":          {`[1, 2]`, `[1]`, `[0]`},
	"store_credit_amounts": {`[{"amount": 5}]`, `[{"amount": "0.0000"}]`, `[{"amount": -1}]`},
	"authentication":       {`{"force_password_reset": true}`, `{"force_password_reset": false}`, ``},
}

// writableFields are CustomerUpdate's fields besides id, its embedded
// CustomerFields walked one by one.
func writableFields(t *testing.T) []reflect.StructField {
	t.Helper()
	var fields []reflect.StructField
	for _, f := range reflect.VisibleFields(reflect.TypeFor[CustomerUpdate]()) {
		if name := apiName(f); !f.Anonymous && name != "id" {
			fields = append(fields, f)
		}
	}
	return fields
}

func apiName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

func decodeStrict[T any](t *testing.T, doc string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	return v
}

func item(name, value string) string { return `{"id": 1, "` + name + `": ` + value + `}` }

// namesField reports whether a field path (as in a ValidationError or a
// diff) is the field or lies below it.
func namesField(path, name string) bool {
	return path == name || strings.HasPrefix(path, name+".") || strings.HasPrefix(path, name+"[")
}

func anyNames[V any](m map[string]V, name string) bool {
	for path := range m {
		if namesField(path, name) {
			return true
		}
	}
	return false
}

// TestEveryWritableFieldIsValidatedDiffedAndSent walks the fields of
// CustomerUpdate, so that a field added to it, or dropped from any one of
// Validate, IsEmpty, Diff, UpdateFrom or the reading of left-out fields,
// fails here.
func TestEveryWritableFieldIsValidatedDiffedAndSent(t *testing.T) {
	t.Parallel()
	fields := writableFields(t)
	if len(fields) != len(fieldSamples) {
		t.Errorf("CustomerUpdate has %d writable fields, the samples %d: give every field a sample", len(fields), len(fieldSamples))
	}
	for _, f := range fields {
		name := apiName(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sample, ok := fieldSamples[name]
			if !ok {
				t.Fatalf("no sample for %s: add one to fieldSamples", name)
			}
			u := decodeStrict[CustomerUpdate](t, item(name, sample.send))
			if u.IsEmpty() {
				t.Errorf("IsEmpty ignores %s", name)
			}
			if err := u.Validate(); err != nil {
				t.Errorf("Validate refuses %s=%s: %v", name, sample.send, err)
			}
			if sent, _ := json.Marshal(u); !bytes.Contains(sent, []byte(`"`+name+`":`)) {
				t.Errorf("the update sent, %s, leaves out %s", sent, name)
			}
			if sample.invalid != "" {
				var invalid *ValidationError
				err := decodeStrict[CustomerUpdate](t, item(name, sample.invalid)).Validate()
				if !errors.As(err, &invalid) || !anyNames(invalid.Fields, name) {
					t.Errorf("Validate of %s=%.40s: %v, want a problem with %s", name, sample.invalid, err, name)
				}
			}
			if f.Type.Kind() == reflect.Slice {
				// An empty list would not be sent (omitempty), yet count as a change.
				assertProblemWith(t, decodeStrict[CustomerUpdate](t, item(name, `[]`)).Validate(), name)
			}
			d := u.Diff(decodeStrict[Customer](t, item(name, sample.held)))
			if !anyNames(d, name) {
				t.Errorf("Diff against a customer holding %s=%s: %v, want %s changed", name, sample.held, d, name)
			}
			if back, _ := UpdateFrom(1, afterValues(t, d)); !reflect.DeepEqual(back, u) {
				t.Errorf("UpdateFrom the diff %v is %+v, want %+v", d, back, u)
			}
			if d := u.Diff(decodeStrict[Customer](t, item(name, sample.send))); len(d) != 0 {
				t.Errorf("Diff against a customer already holding %s=%s: %v, want no change", name, sample.send, d)
			}
			zero := decodeStrict[CustomerUpdate](t, item(name, zeroJSON(t, f.Type)))
			for _, read := range []string{`{"id": 1}`, item(name, "null")} {
				if d := zero.Diff(decodeStrict[Customer](t, read)); !anyNames(d, name) {
					t.Errorf("Diff of %s=%s against a read %s: %v, want it changed (unknown is not empty)", name, zeroJSON(t, f.Type), read, d)
				}
			}
		})
	}
}

// afterValues are the values a diff changes to, by path, as the journal
// keeps them.
func afterValues(t *testing.T, d map[string]FieldChange) map[string]json.RawMessage {
	t.Helper()
	values := map[string]json.RawMessage{}
	for path, change := range d {
		value, err := json.Marshal(change.After)
		if err != nil {
			t.Fatal(err)
		}
		values[path] = value
	}
	return values
}

// zeroJSON is the JSON of the zero value a field of type typ points to or lists.
func zeroJSON(t *testing.T, typ reflect.Type) string {
	t.Helper()
	v := reflect.New(typ.Elem()).Interface()
	if typ.Kind() == reflect.Slice {
		v = reflect.MakeSlice(typ, 0, 0).Interface()
	}
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
