// Package drain lets a server ask long-running work to wind down without
// cancelling it: start nothing new, finish what is under way, and report.
// Cancelling the context instead would abort the requests in flight, so that
// their outcome could not be known.
package drain

import (
	"context"
	"errors"
)

// ErrShuttingDown is why work left unstarted during a drain was not done.
var ErrShuttingDown = errors.New("the server is shutting down")

type key struct{}

// WithSignal returns a context under which Begun reports true once begun is closed.
func WithSignal(ctx context.Context, begun <-chan struct{}) context.Context {
	return context.WithValue(ctx, key{}, begun)
}

// Begun reports whether ctx carries a drain signal that has fired.
func Begun(ctx context.Context) bool {
	begun, _ := ctx.Value(key{}).(<-chan struct{})
	select {
	case <-begun:
		return true
	default:
		return false
	}
}
