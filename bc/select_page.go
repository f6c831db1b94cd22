package bc

import (
	"context"
	"fmt"
)

// CustomerPage is one page of the customers a selector matches.
type CustomerPage struct {
	Customers []Customer
	Total     int // customers matched in all, on every page
}

// SelectPage returns one page (1-based; below 1 is 1) of limit customers
// (1 to MaxPageSize) of those sel matches, and how many match in all. A
// selector that one list query answers is paged by BigCommerce, so it may
// match any number of customers; a long list of ids or emails takes several
// queries, so it is selected whole, within Select's bounds, and paged here.
func (s *CustomersService) SelectPage(ctx context.Context, sel CustomerSelector, page, limit int) (*CustomerPage, error) {
	page = max(page, 1)
	if limit < 1 || limit > MaxPageSize {
		return nil, &ValidationError{Fields: map[string]string{"limit": fmt.Sprintf("must be between 1 and %d", MaxPageSize)}}
	}
	opts, err := sel.options()
	if err != nil {
		return nil, err
	}
	queries, _ := sel.queries(opts)
	if len(queries) > 1 || (len(sel.IDs) > 0 && len(sel.Emails) > 0) {
		return s.pageOfSelected(ctx, sel, page, limit)
	}
	query := queries[0]
	query.Page, query.Limit = page, limit
	customers, resp, err := s.List(ctx, query)
	if err != nil {
		return nil, err
	}
	return &CustomerPage{Customers: customers, Total: resp.Pagination.Total}, nil // List checked the page
}

func (s *CustomersService) pageOfSelected(ctx context.Context, sel CustomerSelector, page, limit int) (*CustomerPage, error) {
	matched, _, err := s.Select(ctx, sel)
	if err != nil {
		return nil, err
	}
	start := min((page-1)*limit, len(matched))
	end := min(start+limit, len(matched))
	return &CustomerPage{Customers: matched[start:end], Total: len(matched)}, nil
}
