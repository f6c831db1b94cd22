package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/tools"
)

// ListTools prints the tools srv lists: a table of names, behaviours and
// the first line of each description or, asJSON, the full definitions.
func ListTools(ctx context.Context, srv *server.MCPServer, out io.Writer, asJSON bool) error {
	c, err := connect(ctx, srv)
	if err != nil {
		return err
	}
	defer c.Close()
	result, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return fmt.Errorf("list tools: %w", err)
	}
	if asJSON {
		return writeJSON(out, result.Tools)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tANNOTATIONS\tDESCRIPTION")
	for _, tool := range result.Tools {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", tool.Name, tools.Behaviour(tool.Annotations), firstLine(tool.Description))
	}
	return tw.Flush()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
