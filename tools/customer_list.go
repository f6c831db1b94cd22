package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// CustomerRow is a customer as list_customers shows it: the fields a model
// looks customers up by, not the whole record.
type CustomerRow struct {
	ID              int    `json:"id"`
	Email           string `json:"email"`
	FirstName       string `json:"first_name"`
	LastName        string `json:"last_name"`
	Company         string `json:"company,omitempty"`
	CustomerGroupID int    `json:"customer_group_id" jsonschema_description:"0: in no group."`
	DateCreated     string `json:"date_created,omitempty" jsonschema:"format=date" jsonschema_description:"The day the customer registered (UTC)."`
}

func formatDay(t bc.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func rowFromAPI(c bc.Customer) CustomerRow {
	return CustomerRow{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName,
		Company: c.Company, CustomerGroupID: c.CustomerGroupID, DateCreated: formatDay(c.DateCreated)}
}

// ListCustomersInput is a selector and a page.
type ListCustomersInput struct {
	Where bc.CustomerSelector `json:"where" jsonschema_description:"All filters given must match; {} is refused."`
	Page  int                 `json:"page,omitempty" jsonschema:"minimum=1,maximum=100000,default=1"`
	Limit int                 `json:"limit,omitempty" jsonschema:"minimum=1,maximum=250,default=50"`
}

// whereDescriptions describe the filters of bc.CustomerSelector that need it.
var whereDescriptions = map[string]string{
	"customer_group_ids": "0: in no group.",
	"date_created_min":   "YYYY-MM-DD or RFC 3339; ranges include their ends.",
	"all":                "Every customer; not with filters.",
}

// JSONSchemaExtend describes where's filters, which bc names.
func (ListCustomersInput) JSONSchemaExtend(s *jsonschema.Schema) {
	where := property(s, "where")
	for name, description := range whereDescriptions {
		property(where, name).Description = description
	}
}

// CustomerList is one page of the customers a selector matches.
type CustomerList struct {
	Customers []CustomerRow `json:"customers"`
	Total     int           `json:"total" jsonschema_description:"Customers matched, on all pages."`
	Page      int           `json:"page"`
	Limit     int           `json:"limit"`
	MorePages bool          `json:"more_pages"`
	NextPage  int           `json:"next_page,omitempty"`
}

func (l CustomerList) Summary() string {
	first := (l.Page-1)*l.Limit + 1
	switch {
	case l.Total == 0:
		return "No customer matches."
	case len(l.Customers) == 0:
		return fmt.Sprintf("Page %d is past the end: %s match, %d to a page.", l.Page, plural(l.Total, "customer"), l.Limit)
	case l.MorePages:
		return fmt.Sprintf("Customers %d-%d of %d matching. More follow: call list_customers again with the same where and page=%d.",
			first, first+len(l.Customers)-1, l.Total, l.NextPage)
	}
	return fmt.Sprintf("Customers %d-%d of %d matching; no more pages.", first, first+len(l.Customers)-1, l.Total)
}

const listCustomersDescription = `List the customers a selector matches, in compact rows (id, email, names, company, group, registration day), with the total.
Use it to turn emails into ids, or see who is in a group; limit: 1 just counts them.`

func listCustomers(client *bc.Client) server.ServerTool {
	return newTool("list_customers", "List customers", listCustomersDescription, reads,
		func(ctx context.Context, in ListCustomersInput) (CustomerList, error) {
			page, limit := max(in.Page, 1), cmp.Or(in.Limit, defaultPageSize)
			found, err := client.Customers.SelectPage(ctx, in.Where, page, limit)
			var invalid *bc.ValidationError
			if errors.As(err, &invalid) {
				return CustomerList{}, invalidArguments(fieldsUnder("where", invalid.Fields), "")
			}
			if err != nil {
				return CustomerList{}, err
			}
			list := CustomerList{Customers: make([]CustomerRow, len(found.Customers)), Total: found.Total, Page: page, Limit: limit}
			for i, c := range found.Customers {
				list.Customers[i] = rowFromAPI(c)
			}
			if list.MorePages = page*limit < found.Total; list.MorePages {
				list.NextPage = page + 1
			}
			return list, nil
		})
}
