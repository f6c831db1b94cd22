package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

const (
	groupsURI        = "bigcommerce://customer-groups"
	groupURITemplate = "bigcommerce://customer-groups/{id}"
)

// addResources exposes the customer groups as readable documents, for
// clients that let users attach data to a conversation.
func addResources(s *server.MCPServer, client *bc.Client) {
	s.AddResource(mcp.NewResource(groupsURI, "Customer groups",
		mcp.WithResourceDescription("Every customer group of the store, with discount rules and category access, as JSON."),
		mcp.WithMIMEType("application/json"),
	), func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		groups, _, err := client.CustomerGroups.ListAll(ctx, bc.ListCustomerGroupsOptions{})
		if err != nil {
			return nil, err
		}
		return jsonContents(req.Params.URI, groupsFromAPI(groups))
	})
	s.AddResourceTemplate(mcp.NewResourceTemplate(groupURITemplate, "Customer group",
		mcp.WithTemplateDescription("One customer group by id, as JSON."),
		mcp.WithTemplateMIMEType("application/json"),
	), func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id, err := strconv.Atoi(strings.TrimPrefix(req.Params.URI, groupsURI+"/"))
		if err != nil || id < 1 {
			return nil, fmt.Errorf("%w: %s: the id must be a whole number of 1 or more", mcp.ErrResourceNotFound, req.Params.URI)
		}
		group, _, err := client.CustomerGroups.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return jsonContents(req.Params.URI, groupFromAPI(*group))
	})
}

func jsonContents(uri string, v any) ([]mcp.ResourceContents, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: string(data)}}, nil
}
