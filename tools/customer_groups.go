package tools

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// CustomerGroup is a customer group as the tools show it.
type CustomerGroup struct {
	ID               int                `json:"id"`
	Name             string             `json:"name"`
	IsDefault        bool               `json:"is_default" jsonschema_description:"New customers join this group when they register."`
	IsGroupForGuests bool               `json:"is_group_for_guests" jsonschema_description:"Shoppers who are not signed in get this group's pricing."`
	CategoryAccess   *bc.CategoryAccess `json:"category_access,omitempty"`
	DiscountRules    []bc.DiscountRule  `json:"discount_rules"`
	DateCreated      string             `json:"date_created,omitempty" jsonschema:"format=date-time"`
	DateModified     string             `json:"date_modified,omitempty" jsonschema:"format=date-time"`
}

func groupFromAPI(g bc.CustomerGroup) CustomerGroup {
	return CustomerGroup{
		ID:               g.ID,
		Name:             g.Name,
		IsDefault:        g.IsDefault,
		IsGroupForGuests: g.IsGroupForGuests,
		CategoryAccess:   g.CategoryAccess,
		DiscountRules:    orEmpty(g.DiscountRules),
		DateCreated:      formatTime(g.DateCreated),
		DateModified:     formatTime(g.DateModified),
	}
}

func groupsFromAPI(groups []bc.CustomerGroup) []CustomerGroup {
	out := make([]CustomerGroup, len(groups))
	for i, g := range groups {
		out[i] = groupFromAPI(g)
	}
	return out
}

func formatTime(t bc.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ListCustomerGroupsInput holds the documented filters of the group list.
type ListCustomerGroupsInput struct {
	bc.ListCustomerGroupsOptions
	AllPages bool `json:"all_pages,omitempty" jsonschema_description:"Every match in one call; page and limit are ignored."`
}

// groupFilterDescriptions describe the filters of bc.ListCustomerGroupsOptions.
var groupFilterDescriptions = map[string]string{
	"name":                "Exact, case-sensitive.",
	"name_like":           "Name contains this, ignoring case.",
	"is_default":          "Only the default group, or only the others.",
	"is_group_for_guests": "Only the guest group, or only the others.",
	"date_created":        "YYYY-MM-DD or RFC 3339, like every date; _min and _max include their ends.",
}

// JSONSchemaExtend describes the filters bc names, and bounds the page.
func (ListCustomerGroupsInput) JSONSchemaExtend(s *jsonschema.Schema) {
	for name, description := range groupFilterDescriptions {
		property(s, name).Description = description
	}
	page, limit := property(s, "page"), property(s, "limit")
	page.Minimum, page.Default = "1", 1
	limit.Minimum, limit.Maximum, limit.Default = "1", json.Number(strconv.Itoa(bc.MaxPageSize)), defaultPageSize
}

// CustomerGroupList is one page of groups, or all of them.
type CustomerGroupList struct {
	CustomerGroups []CustomerGroup `json:"customer_groups"`
	Count          int             `json:"count" jsonschema_description:"Groups in this response."`
	Page           int             `json:"page,omitempty" jsonschema_description:"The page returned; absent when all_pages was used."`
	Limit          int             `json:"limit,omitempty" jsonschema_description:"The page size used; absent when all_pages was used."`
	MorePages      bool            `json:"more_pages" jsonschema_description:"True when the page was full, so another page may follow."`
	NextPage       int             `json:"next_page,omitempty" jsonschema_description:"The page to ask for next, when more_pages is true."`
}

func (l CustomerGroupList) Summary() string {
	switch {
	case l.Page == 0:
		return fmt.Sprintf("All %s matching.", plural(l.Count, "customer group"))
	case l.MorePages:
		return fmt.Sprintf("%s (page %d, limit %d). More may follow: call list_customer_groups again with the same filters and page=%d, or with all_pages=true.",
			plural(l.Count, "customer group"), l.Page, l.Limit, l.NextPage)
	}
	return fmt.Sprintf("%s (page %d, limit %d); no more pages.", plural(l.Count, "customer group"), l.Page, l.Limit)
}

const defaultPageSize = 50 // BigCommerce's default limit

const listDescription = `List customer groups, with their discount rules and category access.
Names are unique ignoring case but the name filter is exact: check a name with name_like, comparing ignoring case.
When more_pages is true, ask for next_page (or use all_pages).`

func listCustomerGroups(client *bc.Client) server.ServerTool {
	return newTool("list_customer_groups", "List groups", listDescription, reads,
		func(ctx context.Context, in ListCustomerGroupsInput) (CustomerGroupList, error) {
			if in.AllPages {
				groups, _, err := client.CustomerGroups.ListAll(ctx, in.ListCustomerGroupsOptions)
				return CustomerGroupList{CustomerGroups: groupsFromAPI(groups), Count: len(groups)}, err
			}
			groups, _, err := client.CustomerGroups.List(ctx, in.ListCustomerGroupsOptions)
			if err != nil {
				return CustomerGroupList{}, err
			}
			list := CustomerGroupList{CustomerGroups: groupsFromAPI(groups), Count: len(groups),
				Page: max(in.Page, 1), Limit: cmp.Or(in.Limit, defaultPageSize)}
			if list.MorePages = list.Count == list.Limit; list.MorePages {
				list.NextPage = list.Page + 1
			}
			return list, nil
		})
}

// CustomerGroupID names one group.
type CustomerGroupID struct {
	ID int `json:"id" jsonschema:"minimum=1"`
}

// CustomerGroupResult is one group, as read or as saved.
type CustomerGroupResult struct {
	CustomerGroup CustomerGroup `json:"customer_group"`
	Warning       string        `json:"warning,omitempty" jsonschema_description:"Set when BigCommerce saved the group but not everything: says what was saved, what was not, and how to finish."`
	Note          string        `json:"note,omitempty"`
	action        string        // "found", "created", "updated"
}

func (r CustomerGroupResult) Summary() string {
	g := r.CustomerGroup
	s := fmt.Sprintf("Customer group %d %q %s (%s).", g.ID, g.Name, r.action, plural(len(g.DiscountRules), "discount rule"))
	if r.Warning != "" {
		s += " WARNING: " + r.Warning
	}
	if r.Note != "" {
		s += " " + r.Note
	}
	return s
}

// savedGroup reports a create or update, turning a 207 into a warning that
// says how to finish the job, and saying when the store's answer was bad.
func savedGroup(action string, g *bc.CustomerGroup, resp *bc.Response) CustomerGroupResult {
	r := CustomerGroupResult{CustomerGroup: groupFromAPI(*g), action: action}
	if resp != nil && resp.ConfirmedByReadBack {
		r.Note = "BigCommerce's answer could not be read, so the group was read back: it is saved as shown."
	}
	if resp != nil && resp.SitewideDiscountFailed {
		r.Warning = fmt.Sprintf("BigCommerce saved group %d %q with every field sent, but its sitewide discount update failed (HTTP 207), "+
			"so the discount rules may not be applied to prices yet. To finish, call update_customer_group with id %d and the same discount_rules.",
			g.ID, g.Name, g.ID)
	}
	return r
}

const getDescription = `Get one customer group, with its discount rules and category access.`

func getCustomerGroup(client *bc.Client) server.ServerTool {
	return newTool("get_customer_group", "Get group", getDescription, reads,
		func(ctx context.Context, in CustomerGroupID) (CustomerGroupResult, error) {
			g, _, err := client.CustomerGroups.Get(ctx, in.ID)
			if err != nil {
				return CustomerGroupResult{}, err
			}
			return CustomerGroupResult{CustomerGroup: groupFromAPI(*g), action: "found"}, nil
		})
}

// CountCustomerGroupsInput takes no arguments.
type CountCustomerGroupsInput struct{}

// CustomerGroupCount is the number of groups in the store.
type CustomerGroupCount struct {
	Count int `json:"count"`
}

func (c CustomerGroupCount) Summary() string {
	return fmt.Sprintf("The store has %s.", plural(c.Count, "customer group"))
}

func countCustomerGroups(client *bc.Client) server.ServerTool {
	return newTool("count_customer_groups", "Count groups",
		"Count the store's customer groups (cheap).", reads,
		func(ctx context.Context, _ CountCustomerGroupsInput) (CustomerGroupCount, error) {
			n, _, err := client.CustomerGroups.Count(ctx)
			return CustomerGroupCount{Count: n}, err
		})
}

// groupSettings are the fields a create or an update may set besides the
// name: bc's, described for the tools.
type groupSettings struct{ bc.GroupSettings }

// JSONSchemaExtend describes the settings, and holds the category access
// types, rule types and methods to bc's. It is promoted to the create and
// update inputs, which embed the settings.
func (groupSettings) JSONSchemaExtend(s *jsonschema.Schema) {
	property(s, "is_default").Description = "New customers join this group, not the current default."
	access := property(s, "category_access")
	oneOf(property(access, "type"), "specific: only those in categories.",
		bc.CategoryAccessAll, bc.CategoryAccessSpecific, bc.CategoryAccessNone)
	property(access, "categories").Description = "Required when type is specific."
	rule := property(s, "discount_rules").Items
	oneOf(property(rule, "type"), "price_list: the only rule then; all: store-wide, one at most; category, product: on one of them.",
		bc.RuleTypePriceList, bc.RuleTypeAll, bc.RuleTypeCategory, bc.RuleTypeProduct)
	oneOf(property(rule, "method"), "Not for price_list.", bc.MethodPercent, bc.MethodFixed, bc.MethodPrice)
	rule.Properties.Set("amount", decimalSchema(`Not for price_list: a number or decimal string ("5.0000"), 0.0001 or more; at most 100 for percent.`))
	for _, id := range []string{"category_id", "product_id", "price_list_id"} {
		property(rule, id).Minimum = "1"
	}
}

// oneOf describes a string property that takes one of values.
func oneOf(p *jsonschema.Schema, description string, values ...string) {
	p.Description = description
	for _, v := range values {
		p.Enum = append(p.Enum, v)
	}
}

func (s groupSettings) toAPI(name *string) bc.CustomerGroupInput {
	return bc.CustomerGroupInput{Name: name, GroupSettings: s.GroupSettings}
}

// CreateCustomerGroupInput is a new group.
type CreateCustomerGroupInput struct {
	Name string `json:"name" jsonschema:"minLength=1,maxLength=255" jsonschema_description:"One line, no spaces at either end."`
	groupSettings
}

func (in CreateCustomerGroupInput) Validate() error { return in.toAPI(&in.Name).Validate(true) }

const createDescription = `Create a customer group.
Names are unique ignoring case: check with list_customer_groups name_like first; a taken name fails with conflict.
` + oneGuestGroup + `
Not idempotent: twice creates two groups. ` + followWarning

// oneGuestGroup and followWarning are said by both create and update.
const (
	oneGuestGroup = "One guest group at most: unset is_group_for_guests on the current one first, or this fails with conflict."
	followWarning = "If the result has a warning, follow it."
)

func createCustomerGroup(client *bc.Client) server.ServerTool {
	return newTool("create_customer_group", "Create group", createDescription, creates,
		func(ctx context.Context, in CreateCustomerGroupInput) (CustomerGroupResult, error) {
			g, resp, err := journaledGroups(client, "create_customer_group").create(ctx, in.toAPI(&in.Name))
			if err != nil {
				return CustomerGroupResult{}, hintIfMaybeApplied(err, resp, fmt.Sprintf(
					"The group may have been created all the same: look for it with list_customer_groups name=%q before creating it again.", in.Name))
			}
			return savedGroup("created", g, resp), nil
		})
}

// UpdateCustomerGroupInput changes the fields given and leaves the rest alone.
type UpdateCustomerGroupInput struct {
	ID   int     `json:"id" jsonschema:"minimum=1"`
	Name *string `json:"name,omitempty" jsonschema:"minLength=1,maxLength=255" jsonschema_description:"New unique name (ignoring case): one line, without spaces at either end."`
	groupSettings
}

func (in UpdateCustomerGroupInput) Validate() error { return in.toAPI(in.Name).Validate(false) }

const updateDescription = `Change a customer group: only the fields you pass change.
WARNING: discount_rules REPLACES ALL THE GROUP'S RULES: to add or change one, get_customer_group first and send every rule to keep plus the new one.
` + oneGuestGroup + " " + followWarning

func updateCustomerGroup(client *bc.Client) server.ServerTool {
	return newTool("update_customer_group", "Update group", updateDescription, updates,
		func(ctx context.Context, in UpdateCustomerGroupInput) (CustomerGroupResult, error) {
			g, resp, err := journaledGroups(client, "update_customer_group").update(ctx, in.ID, in.toAPI(in.Name))
			if err != nil {
				return CustomerGroupResult{}, hintIfMaybeApplied(err, resp,
					"The change may have been applied all the same: check with get_customer_group, or repeat the same update, which is safe.")
			}
			return savedGroup("updated", g, resp), nil
		})
}

// DeletedCustomerGroup confirms a deletion.
type DeletedCustomerGroup struct {
	ID      int    `json:"id"`
	Deleted bool   `json:"deleted"`
	Note    string `json:"note"`
}

func (d DeletedCustomerGroup) Summary() string {
	return fmt.Sprintf("Customer group %d deleted. %s", d.ID, d.Note)
}

const deleteDescription = `Delete a customer group. undo_change can create it again, but under a NEW id.
Its customers are NOT deleted but left in no group, losing its pricing and category access; to keep them grouped, move them first with bulk_update_customers.`

func deleteCustomerGroup(client *bc.Client) server.ServerTool {
	return newTool("delete_customer_group", "Delete group", deleteDescription, deletes,
		func(ctx context.Context, in CustomerGroupID) (DeletedCustomerGroup, error) {
			if resp, err := journaledGroups(client, "delete_customer_group").delete(ctx, in.ID); err != nil {
				return DeletedCustomerGroup{}, hintIfMaybeApplied(err, resp,
					"The group may have been deleted all the same: check with get_customer_group (not_found means it is gone).")
			}
			return DeletedCustomerGroup{ID: in.ID, Deleted: true,
				Note: "Customers who were in it now belong to no group."}, nil
		})
}

// hintIfMaybeApplied adds note to the hint of a write's error when bc says
// the write may have happened all the same. A cancelled call's hint says so
// already.
func hintIfMaybeApplied(err error, resp *bc.Response, note string) error {
	te := toToolError(err)
	if resp == nil || !resp.MaybeApplied || te.Code == codeCanceled {
		return te
	}
	out := *te
	out.Hint = strings.TrimSpace(note + " " + te.Hint)
	return &out
}
