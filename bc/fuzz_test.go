package bc

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseError feeds arbitrary bodies to the error parser. The normal test
// run replays the seed corpus in testdata/fuzz; `go test -fuzz=FuzzParseError ./bc`
// explores further.
func FuzzParseError(f *testing.F) {
	for _, seed := range []string{
		`[{"status":404,"message":"The requested resource was not found."}]`,
		`{"status":422,"title":"bad","type":"x","errors":{"0.email":"taken"}}`,
		`{"status":422,"errors":{"0.email":["a","b"]}}`,
		`{"errors":[1,2,3]}`, `[]`, `null`, `"text"`, `<html>`, "",
	} {
		f.Add(422, []byte(seed))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseError(status, body, "")
		if e.Status != status {
			t.Fatalf("status %d became %d", status, e.Status)
		}
		text := e.Error()
		if !json.Valid(body) && len(body) > 0 && utf8.Valid(body) && len(e.Message()) > 210+len("…") {
			t.Fatalf("a non-JSON body must be trimmed, got %d bytes", len(e.Message()))
		}
		if status == 429 && !errors.Is(e, ErrRateLimited) {
			t.Fatal("a 429 must match ErrRateLimited")
		}
		if status >= 500 && !e.Retryable() {
			t.Fatal("a 5xx must be retryable")
		}
		if !strings.Contains(text, e.Message()) {
			t.Fatalf("Error() %q omits the message %q", text, e.Message())
		}
	})
}

// FuzzTimeAndAmount checks that decoding never panics and that what decodes
// re-encodes to something that decodes to the same value.
func FuzzTimeAndAmount(f *testing.F) {
	for _, seed := range []string{`"2023-07-17 06:30:41"`, `"Tue, 20 Nov 2012 00:00:00 +0000"`, `"2024-01-15T09:30:00Z"`,
		`{}`, `null`, `""`, `"5.0000"`, `5`, `"abc"`, `1e400`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var tm Time
		if tm.UnmarshalJSON(data) == nil {
			out, err := tm.MarshalJSON()
			var back Time
			if err != nil || back.UnmarshalJSON(out) != nil || !back.Equal(tm.Time) {
				t.Fatalf("time %s did not round-trip: %s", data, out)
			}
		}
		var a Amount
		if a.UnmarshalJSON(data) == nil {
			out, err := a.MarshalJSON()
			var back Amount
			if err == nil && (back.UnmarshalJSON(out) != nil || back != a) {
				t.Fatalf("amount %s did not round-trip: %s", data, out)
			}
		}
	})
}
