package tools

// Resources: the customer groups, and one group or one customer by id.
//
// mcp-go v1.2.1 answers any error a resource handler returns as -32603
// internal error, so a handler cannot say "no such resource". The records
// are therefore read in a before-read hook, which can still change the
// request: a URI that names no record is rewritten into one that no handler
// serves (and that says why), which mcp-go answers with its resource-not-found
// error; what was read is left on the request for the handler to return.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// recordTemplate is a resource template for one record by id.
type recordTemplate struct {
	collection, template, name, title, description string
	read                                           func(ctx context.Context, id int) (any, error) // errNoRecord when there is none
}

var errNoRecord = errors.New("no record has this id")

func records(client *bc.Client) []recordTemplate {
	return []recordTemplate{
		{groupsURI, groupURITemplate, "customer group", "Customer group", "One customer group by id, as JSON.",
			func(ctx context.Context, id int) (any, error) {
				group, _, err := client.CustomerGroups.Get(ctx, id)
				if apiErr, ok := errors.AsType[*bc.Error](err); ok && apiErr.Status == http.StatusNotFound {
					return nil, errNoRecord
				}
				if err != nil {
					return nil, err
				}
				return groupFromAPI(*group), nil
			}},
		{customersURI, customerURITemplate, "customer", "Customer", "One customer by id, every field as BigCommerce returns it, as JSON.",
			func(ctx context.Context, id int) (any, error) {
				found, _, err := client.Customers.GetByIDs(ctx, []int{id})
				if err != nil {
					return nil, err
				}
				customer, ok := found[id]
				if !ok {
					return nil, errNoRecord
				}
				return customer, nil
			}},
	}
}

// addResources exposes the customer groups, and customers one at a time, as
// readable documents, for clients that let users attach data to a
// conversation. prefetchRecords(records) must be among the server's hooks.
func addResources(s *server.MCPServer, client *bc.Client, records []recordTemplate) {
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
	for _, r := range records {
		s.AddResourceTemplate(mcp.NewResourceTemplate(r.template, r.title,
			mcp.WithTemplateDescription(r.description),
			mcp.WithTemplateMIMEType("application/json"),
		), returnPrefetched)
	}
}

// prefetched is what the hook read for the handler to return.
type prefetched struct {
	contents []mcp.ResourceContents
	err      error
}

// prefetchedKey holds a *prefetched in the request's _meta: a Go pointer,
// which no client's JSON can put there.
const prefetchedKey = "bigcommerce-mcp/prefetched"

// prefetchRecords is the before-read hook that reads the record a URI names.
func prefetchRecords(records []recordTemplate) server.OnBeforeReadResourceFunc {
	return func(ctx context.Context, _ any, req *mcp.ReadResourceRequest) {
		for _, r := range records {
			rest, ok := strings.CutPrefix(req.Params.URI, r.collection+"/")
			if !ok || strings.ContainsAny(rest, "/?#") { // not this template's
				continue
			}
			id, err := strconv.Atoi(rest)
			if err != nil || id < 1 {
				req.Params.URI += fmt.Sprintf(": a %s id is a whole number of 1 or more", r.name)
				return
			}
			value, err := r.read(ctx, id)
			if errors.Is(err, errNoRecord) {
				req.Params.URI += fmt.Sprintf(": no %s has id %d", r.name, id)
				return
			}
			p := &prefetched{err: err}
			if err == nil {
				p.contents, p.err = jsonContents(req.Params.URI, value)
			}
			if req.Params.Meta == nil {
				req.Params.Meta = &mcp.Meta{}
			}
			if req.Params.Meta.AdditionalFields == nil {
				req.Params.Meta.AdditionalFields = map[string]any{}
			}
			req.Params.Meta.AdditionalFields[prefetchedKey] = p
			return
		}
	}
}

func returnPrefetched(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	var p *prefetched
	if req.Params.Meta != nil {
		p, _ = req.Params.Meta.AdditionalFields[prefetchedKey].(*prefetched)
	}
	if p == nil {
		return nil, errors.New("the record was not read: the server lacks its before-read hook")
	}
	return p.contents, p.err
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
