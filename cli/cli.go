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

// writeJSON writes v indented, keeping the order of keys in raw JSON.
func writeJSON(w io.Writer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = out.WriteTo(w)
	return err
}
