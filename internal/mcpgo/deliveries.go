// Package mcpgo works around bugs in mark3labs/mcp-go v1.2.1 that tools and
// transport both meet, so that each workaround has one seam to remove once
// upstream fixes its bug. upstream_test.go holds, for each, a test of the
// library's own behaviour that fails once the bug is fixed; the workarounds
// that only the transport needs live in transport/mcpgo.go.
//
// Deliveries answers two of them for progress notifications:
//
//   - The transports take a notification off the session's queue before they
//     write it, on another goroutine than the one writing results, so an empty
//     queue does not mean the notification is out: on stdio and SSE the result
//     can overtake it (the dedicated goroutine came with
//     https://github.com/mark3labs/mcp-go/pull/73), and Streamable HTTP drops it
//     when the result's drain wins the race
//     (https://github.com/mark3labs/mcp-go/pull/969, open; the drain itself is
//     https://github.com/mark3labs/mcp-go/pull/670). A call therefore releases
//     its result only once the transport reports every progress notification
//     it sent as written. On Streamable HTTP that also keeps the POST's own
//     forwarder from losing the race, as the result's drain cannot begin
//     before the call returns; but another POST of the same session whose
//     response is done can still take a notification and drop it (its
//     forwarder outlives it, the same race), and then the call gives up
//     waiting after deliveryWait. #969's fix, one consumer at a time, ends both.
//   - SendNotificationToClient drops a notification when the session's queue
//     is full and returns ErrNotificationChannelBlocked. SendProgress waits for
//     room instead.
package mcpgo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// deliveryWait bounds how long a call waits for room in the queue, or for
// its notifications to be written: a client that stopped reading, or a
// notification the library lost, must not hold a result back for ever.
const deliveryWait = 2 * time.Second

// Deliveries counts, per output stream and progress token, the progress
// notifications queued and not yet seen written. A transport makes one, binds
// each request's context to the stream its notifications will be written on,
// and reports every message it writes there.
type Deliveries struct {
	mu      sync.Mutex
	pending map[delivery]int
	wrote   chan struct{} // closed, and replaced, whenever a notification is written
}

// delivery names the notifications of one call: the stream they are written
// on, as the transport names it, and the call's token spelled as JSON.
type delivery struct{ stream, token string }

func NewDeliveries() *Deliveries {
	return &Deliveries{pending: map[delivery]int{}, wrote: make(chan struct{})}
}

type boundKey struct{}

type bound struct {
	deliveries *Deliveries
	stream     string
}

// Bind marks ctx's requests as having their notifications written on stream.
func (d *Deliveries) Bind(ctx context.Context, stream string) context.Context {
	return context.WithValue(ctx, boundKey{}, bound{d, stream})
}

// Wrote reports a JSON-RPC message written on stream, after its write returned.
func (d *Deliveries) Wrote(stream string, message []byte) {
	if !bytes.Contains(message, []byte(`"notifications/`)) {
		return // the common case, a response, costs no parse
	}
	var m struct {
		Method string `json:"method"`
		Params struct {
			Token any `json:"progressToken"`
		} `json:"params"`
	}
	if json.Unmarshal(message, &m) != nil || !strings.HasPrefix(m.Method, "notifications/") {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if m.Method == string(mcp.MethodNotificationProgress) {
		if key, ok := tokenKey(m.Params.Token); ok {
			d.written(delivery{stream, key})
		}
	}
	// Any notification written leaves room in its session's queue.
	close(d.wrote)
	d.wrote = make(chan struct{})
}

func (d *Deliveries) written(key delivery) {
	if d.pending[key] == 0 {
		return // not one a call is waiting for
	}
	if d.pending[key]--; d.pending[key] == 0 {
		delete(d.pending, key)
	}
}

// SendProgress sends a notifications/progress for the call whose token is
// given. Bound to Deliveries, it waits (within ctx and deliveryWait) for room
// in the session's queue rather than see the notification dropped, and
// counts it until it is written; unbound (an in-process client, such as the
// command line's), it only sends: that client reads its queue as it fills,
// and were the queue ever full, a lost step would cost only a step of
// progress, never the result.
func SendProgress(ctx context.Context, srv *server.MCPServer, token mcp.ProgressToken, params map[string]any) error {
	params["progressToken"] = token
	send := func() error {
		return srv.SendNotificationToClient(ctx, string(mcp.MethodNotificationProgress), params)
	}
	b, ok := ctx.Value(boundKey{}).(bound)
	key, known := tokenKey(token)
	if !ok || !known {
		return send()
	}
	return b.deliveries.send(ctx, delivery{b.stream, key}, send)
}

func (d *Deliveries) send(ctx context.Context, key delivery, send func() error) error {
	deadline := time.After(deliveryWait)
	for {
		d.mu.Lock()
		d.pending[key]++ // before the send, so that its write cannot come first
		err := send()
		if err != nil {
			d.written(key)
		}
		wrote := d.wrote
		d.mu.Unlock()
		if !errors.Is(err, server.ErrNotificationChannelBlocked) {
			return err
		}
		select {
		case <-wrote:
		case <-ctx.Done():
			return err
		case <-deadline:
			return err
		}
	}
}

// AwaitProgress returns once every progress notification SendProgress sent
// for token has been written, or when ctx ends, or after deliveryWait.
func AwaitProgress(ctx context.Context, token mcp.ProgressToken) {
	b, ok := ctx.Value(boundKey{}).(bound)
	key, known := tokenKey(token)
	if ok && known {
		b.deliveries.await(ctx, delivery{b.stream, key})
	}
}

func (d *Deliveries) await(ctx context.Context, key delivery) {
	defer d.forget(key) // what is still pending was lost, or is no longer awaited
	deadline := time.After(deliveryWait)
	for {
		d.mu.Lock()
		left, wrote := d.pending[key], d.wrote
		d.mu.Unlock()
		if left == 0 {
			return
		}
		select {
		case <-wrote:
		case <-ctx.Done():
			return
		case <-deadline:
			return
		}
	}
}

// forget stops counting a call's notifications, so that a later call with
// the same token does not wait for them.
func (d *Deliveries) forget(key delivery) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.pending, key)
}

// tokenKey spells a progress token as it reads on the wire, so that the
// token a call was given and the one in a written notification match.
func tokenKey(token any) (string, bool) {
	switch token.(type) {
	case string, float64, int, int64:
		key, err := json.Marshal(token)
		return string(key), err == nil
	}
	return "", false
}
