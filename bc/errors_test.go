package bc

import (
	"errors"
	"net/http"
	"testing"
)

// unhashable is an error errors.Is may be asked about that cannot be a map key.
type unhashable []error

func (unhashable) Error() string { return "several errors" }

func TestAnErrorIsTheSentinelOfItsStatusOnly(t *testing.T) {
	err := error(&Error{Status: http.StatusNotFound})
	if !errors.Is(err, ErrNotFound) {
		t.Error("a 404 is not ErrNotFound")
	}
	for _, other := range []error{ErrConflict, ErrUpstream, ErrTransport, ErrRedirected, unhashable{}} {
		if errors.Is(err, other) {
			t.Errorf("a 404 is %v", other)
		}
	}
	if !errors.Is(&Error{Status: http.StatusBadGateway}, ErrUpstream) || !errors.Is(&Error{Status: http.StatusTemporaryRedirect}, ErrRedirected) {
		t.Error("a 502 is not ErrUpstream, or a 307 not ErrRedirected")
	}
}
