// Package cli runs the server's tools from the command line, for scripts. It
// talks to the server through an in-process MCP client, so it lists and runs
// exactly what an agent would see, with the same validation and limits.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// UsageError is a mistake in how the command was invoked, as opposed to a
// failure while running it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ErrToolFailed means the tool ran and reported an error, which is on stdout.
var ErrToolFailed = errors.New("the tool reported an error")

// ErrNotAllDone means the tool answered, but some of the items it was asked
// to change were not changed (failed, unconfirmed or not attempted) or, on a
// dry run, would not be; the answer on stdout says which.
var ErrNotAllDone = errors.New("the call succeeded, but not every requested item was done: see counts in the result")

// Exit codes of the command.
const (
	ExitOK         = 0
	ExitFailed     = 1 // a tool error, or the command could not run
	ExitUsage      = 2
	ExitNotAllDone = 3
)

// ExitCode is the process status for err.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrNotAllDone):
		return ExitNotAllDone
	}
	if _, ok := errors.AsType[*UsageError](err); ok {
		return ExitUsage
	}
	return ExitFailed
}

// connect opens an initialized in-process session with srv.
func connect(ctx context.Context, srv *server.MCPServer) (*client.Client, error) {
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		return nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, fmt.Errorf("start MCP session: %w", err)
	}
	var init mcp.InitializeRequest
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "bigcommerce-mcp-cli", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		c.Close()
		return nil, fmt.Errorf("initialize MCP session: %w", err)
	}
	return c, nil
}

// writeJSON writes v indented, keeping the order of keys in raw JSON, and
// <, > and & as they are: Go's encoders (the server's, the transport's)
// write them as \u003c, \u003e and \u0026, which a reader would have to decode.
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(unescapeMarkup(b.Bytes()))
	return err
}

// unescapeMarkup turns the escapes \u003c, \u003e and \u0026 in valid JSON
// back into the characters; an escaped backslash followed by u003c is left alone.
func unescapeMarkup(data []byte) []byte {
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		if data[i] != '\\' {
			out = append(out, data[i])
			i++
			continue
		}
		if r, ok := markupEscapes[string(data[i:min(i+6, len(data))])]; ok {
			out = append(out, r)
			i += 6
			continue
		}
		end := min(i+2, len(data)) // the start of any other escape, \\ included, is copied as it is
		out = append(out, data[i:end]...)
		i = end
	}
	return out
}

var markupEscapes = map[string]byte{`\u003c`: '<', `\u003e`: '>', `\u0026`: '&'}
