package tools

// Asking the person: before a destructive act, a client that declared the
// elicitation capability is asked to confirm with the person. The handler
// returns an input request (mcp-go sends clients before 2026-07-28 the
// elicitation/create request they know, and calls the handler again with the
// answer); declined or cancelled, nothing is written. Clients without
// elicitation keep the explicit-argument flow.

import (
	"context"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

const confirmKey = "confirm"

var confirmSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"confirm": map[string]any{"type": "boolean", "title": "Go ahead", "description": "Tick to make the change; leave unticked or decline to write nothing."},
	},
	"required": []string{"confirm"},
}

// question says what to ask the person before a call, or "" when there is
// nothing to confirm (the call then goes ahead, and reports its own errors).
type question func(ctx context.Context, req mcp.CallToolRequest) string

// confirmFirst asks the person ask's question before tool runs, when the
// client can ask.
func confirmFirst(tool server.ServerTool, ask question) server.ServerTool {
	handle := tool.Handler
	tool.Handler = func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if !clientElicits(ctx) {
			return handle(ctx, req)
		}
		if answer := server.ElicitationResponse(req.Params.InputResponses, confirmKey); answer != nil {
			if confirmed(answer) {
				return handle(ctx, req)
			}
			return errorResult(&toolError{Code: codeCanceled, Message: fmt.Sprintf("the person did not confirm (%s): nothing was written", answer.Action),
				Hint: "ask the person what they want instead; do not repeat the call unless they ask for it"}), nil
		}
		message := ask(ctx, req)
		if message == "" {
			return handle(ctx, req)
		}
		return server.NewInputRequestBuilder("").Elicit(confirmKey, mcp.ElicitationParams{
			Mode: mcp.ElicitationModeForm, Message: message, RequestedSchema: confirmSchema}).ToolResult(), nil
	}
	return tool
}

func confirmed(answer *mcp.ElicitationResult) bool {
	content, _ := answer.Content.(map[string]any)
	yes, _ := content["confirm"].(bool)
	return answer.Action == mcp.ElicitationResponseActionAccept && yes
}

// clientElicits reports whether the client declared the elicitation
// capability: on the request (2026-07-28) or at initialize.
func clientElicits(ctx context.Context) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.ClientCapabilities != nil {
		return info.ClientCapabilities.Elicitation != nil
	}
	session, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo)
	return ok && session.GetClientCapabilities().Elicitation != nil
}

// askDelete names the group, its customers and what cannot come back.
func askDelete(client *bc.Client) question {
	return func(ctx context.Context, req mcp.CallToolRequest) string {
		id := req.GetInt("id", 0)
		g, _, err := client.CustomerGroups.Get(ctx, id)
		if err != nil {
			return "" // the delete reports it
		}
		members := "an unknown number of"
		if _, resp, err := client.Customers.List(ctx, bc.ListCustomersOptions{CustomerGroupIDIn: []int{id}, Limit: 1}); err == nil && resp.Pagination != nil {
			members = fmt.Sprint(resp.Pagination.Total)
		}
		restore := "This cannot be undone: the journal is off."
		if journalFrom(ctx) != nil {
			restore = "undo_change can create it again with its settings and customers, but under a new id: anything that refers to id " + fmt.Sprint(id) + " will not follow."
		}
		return fmt.Sprintf("Delete customer group %q (id %d)? Its %s customers will be left in no group and lose its pricing and category access. %s",
			g.Name, id, members, restore)
	}
}

// askUndo asks before an undo of more than expectCountThreshold items.
func askUndo(client *bc.Client) question {
	return func(ctx context.Context, req mcp.CallToolRequest) string {
		j := journalFrom(ctx)
		if j == nil || req.GetBool("dry_run", false) {
			return ""
		}
		c, items, err := j.Get(ctx, int64(req.GetInt("change_id", 0)))
		if err != nil || c.UndoneBy != 0 {
			return ""
		}
		plan, err := planUndo(ctx, client, c, items)
		if err != nil || plan.size() <= expectCountThreshold {
			return ""
		}
		return fmt.Sprintf("Undo change %d (%s)? %d items will be set back to their earlier values; %d changed since will be left alone.",
			c.ID, c.Summary, plan.size(), len(plan.conflicts))
	}
}
