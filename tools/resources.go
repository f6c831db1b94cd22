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
	groupsURI           = "bigcommerce://customer-groups"
	groupURITemplate    = "bigcommerce://customer-groups/{id}"
	customersURI        = "bigcommerce://customers"
	customerURITemplate = "bigcommerce://customers/{id}"
)

// addResources exposes the customer groups, and customers one at a time, as
// readable documents, for clients that let users attach data to a conversation.
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
		id, err := resourceID(req.Params.URI, groupsURI)
		if err != nil {
			return nil, err
		}
		group, _, err := client.CustomerGroups.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return jsonContents(req.Params.URI, groupFromAPI(*group))
	})
	s.AddResourceTemplate(mcp.NewResourceTemplate(customerURITemplate, "Customer",
		mcp.WithTemplateDescription("One customer by id, every field as BigCommerce returns it, as JSON."),
		mcp.WithTemplateMIMEType("application/json"),
	), func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id, err := resourceID(req.Params.URI, customersURI)
		if err != nil {
			return nil, err
		}
		found, _, err := client.Customers.GetByIDs(ctx, []int{id})
		if err != nil {
			return nil, err
		}
		customer, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("%w: %s: no customer has id %d", mcp.ErrResourceNotFound, req.Params.URI, id)
		}
		return jsonContents(req.Params.URI, customer)
	})
}

// resourceID reads the id at the end of a URI under collection.
func resourceID(uri, collection string) (int, error) {
	id, err := strconv.Atoi(strings.TrimPrefix(uri, collection+"/"))
	if err != nil || id < 1 {
		return 0, fmt.Errorf("%w: %s: the id must be a whole number of 1 or more", mcp.ErrResourceNotFound, uri)
	}
	return id, nil
}

func jsonContents(uri string, v any) ([]mcp.ResourceContents, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: b.String()}}, nil
}
