package drain

import (
	"context"
	"testing"
)

func TestBegunOnceTheSignalFires(t *testing.T) {
	t.Parallel()
	if Begun(context.Background()) {
		t.Error("a context without a signal reports a drain")
	}
	begun := make(chan struct{})
	ctx := WithSignal(context.Background(), begun)
	if Begun(ctx) {
		t.Error("a drain before the signal")
	}
	close(begun)
	if !Begun(ctx) || ctx.Err() != nil {
		t.Errorf("after the signal: Begun %v, Err %v; want true and no cancellation", Begun(ctx), ctx.Err())
	}
}
