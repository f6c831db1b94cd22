package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Call is one tool call from the command line.
type Call struct {
	Tool string
	// Arguments is a JSON object, "-" to read it from Stdin, or "" for none.
	Arguments string
	Stdin     io.Reader
	Stdout    io.Writer
	// Progress is where to draw a progress bar (a terminal); nil for none.
	Progress io.Writer
}

// CallTool runs call through srv and prints its result as JSON on Stdout: the
// structured result, or the tool's error. It returns ErrToolFailed when the
// tool reported an error, ErrNotAllDone when its result counts items failed
// or not attempted, and a *UsageError when the arguments are not a JSON object.
func CallTool(ctx context.Context, srv *server.MCPServer, call Call) error {
	args, err := call.arguments()
	if err != nil {
		return err
	}
	c, err := connect(ctx, srv)
	if err != nil {
		return err
	}
	defer c.Close()

	var req mcp.CallToolRequest
	req.Params.Name = call.Tool
	req.Params.Arguments = args
	if call.Progress != nil {
		bar := &progressBar{w: call.Progress}
		req.Params.Meta = &mcp.Meta{ProgressToken: progressToken}
		c.OnNotification(bar.update)
		defer bar.clear()
	}
	result, err := c.CallTool(ctx, req)
	if err != nil {
		return protocolError(ctx, c, call, err)
	}
	if err := writeJSON(call.Stdout, output(result)); err != nil {
		return err
	}
	switch {
	case result.IsError:
		return ErrToolFailed
	case notAllDone(result):
		return ErrNotAllDone
	}
	return nil
}

// notAllDone reports whether a result's counts (those of bulk_update_customers)
// say that some requested items failed or were not attempted.
func notAllDone(r *mcp.CallToolResult) bool {
	data, err := json.Marshal(output(r))
	var answer struct {
		Counts struct {
			Failed       int `json:"failed"`
			NotAttempted int `json:"not_attempted"`
		} `json:"counts"`
	}
	if err != nil || json.Unmarshal(data, &answer) != nil {
		return false
	}
	return answer.Counts.Failed > 0 || answer.Counts.NotAttempted > 0
}

// cliError is a failure of the call itself, printed like a tool's error.
type cliError struct {
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Tools   []string `json:"tools,omitempty"`
}

// protocolError prints a call that failed at the protocol level as JSON on
// stdout, for scripts: an unknown tool, with the tools there are (a usage
// error), or any other refusal.
func protocolError(ctx context.Context, c *client.Client, call Call, err error) error {
	names, listErr := toolNames(ctx, c)
	failure := cliError{Code: "protocol_error", Message: err.Error()}
	known := listErr != nil || slices.Contains(names, call.Tool)
	if !known {
		failure = cliError{Code: "unknown_tool", Message: fmt.Sprintf("there is no tool %q", call.Tool), Tools: names}
	}
	if werr := writeJSON(call.Stdout, map[string]cliError{"error": failure}); werr != nil {
		return werr
	}
	if !known {
		return &UsageError{Err: fmt.Errorf("unknown tool %q; the tools are %s", call.Tool, strings.Join(names, ", "))}
	}
	return fmt.Errorf("call %s: %w", call.Tool, err)
}

func toolNames(ctx context.Context, c *client.Client) ([]string, error) {
	listed, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(listed.Tools))
	for i, tool := range listed.Tools {
		names[i] = tool.Name
	}
	return names, nil
}

func (call Call) arguments() (json.RawMessage, error) {
	raw := []byte(call.Arguments)
	switch call.Arguments {
	case "":
		return json.RawMessage("{}"), nil
	case "-":
		var err error
		if raw, err = io.ReadAll(call.Stdin); err != nil {
			return nil, fmt.Errorf("read arguments from stdin: %w", err)
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		if err == nil {
			err = errors.New("got null")
		}
		return nil, &UsageError{Err: fmt.Errorf(`arguments must be a JSON object, such as '{"id": 1}': %w`, err)}
	}
	return raw, nil
}

// output is what a call prints: the structured result; else a text result
// that is JSON, as errors are; else the content as the server sent it.
func output(r *mcp.CallToolResult) any {
	switch {
	case r.RawStructuredContent != nil:
		return r.RawStructuredContent
	case r.StructuredContent != nil:
		return r.StructuredContent
	}
	if len(r.Content) == 1 {
		if text, ok := r.Content[0].(mcp.TextContent); ok && json.Valid([]byte(text.Text)) {
			return json.RawMessage(text.Text)
		}
	}
	return map[string]any{"content": r.Content}
}
