package bc

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
	"time"
)

// MaxSelectorValues bounds each list of a selector, and MaxSelectorMatches the
// customers it may match, like the bulk tool's explicit list of customers.
const (
	MaxSelectorValues  = 10_000
	MaxSelectorMatches = 10_000
)

const maxEmailFilterLength = 2000

// CustomerSelector picks customers by the V3 list filters; the filters given
// must all match. In CustomerGroupIDs, 0 means customers in no group. An empty
// selector selects nothing: every customer must be asked for with All. Its
// validation errors name its fields by their JSON names.
type CustomerSelector struct {
	CustomerGroupIDs []int    `json:"customer_group_ids,omitempty"`
	IDs              []int    `json:"ids,omitempty"`
	Emails           []string `json:"emails,omitempty"`
	DateCreatedMin   string   `json:"date_created_min,omitempty"`
	DateCreatedMax   string   `json:"date_created_max,omitempty"`
	DateModifiedMin  string   `json:"date_modified_min,omitempty"`
	DateModifiedMax  string   `json:"date_modified_max,omitempty"`
	All              bool     `json:"all,omitempty"`
}

func (sel CustomerSelector) options() (ListCustomersOptions, error) {
	opts := ListCustomersOptions{
		CustomerGroupIDIn: sel.CustomerGroupIDs,
		DateCreatedMin:    sel.DateCreatedMin,
		DateCreatedMax:    sel.DateCreatedMax,
		DateModifiedMin:   sel.DateModifiedMin,
		DateModifiedMax:   sel.DateModifiedMax,
	}
	filtered := len(sel.IDs) > 0 || len(sel.Emails) > 0 || len(sel.CustomerGroupIDs) > 0 ||
		sel.DateCreatedMin != "" || sel.DateCreatedMax != "" || sel.DateModifiedMin != "" || sel.DateModifiedMax != ""
	errs := fieldErrors{}
	switch {
	case sel.All && filtered:
		errs.add("all", "selects every customer, so it cannot be combined with filters")
	case !sel.All && !filtered:
		errs.add("body", "give at least one filter, or all: true to select every customer in the store")
	}
	for i, id := range sel.IDs {
		if id < 1 {
			errs.add(fmt.Sprintf("ids[%d]", i), "must be a customer id (1 or more)")
		}
	}
	for i, id := range sel.CustomerGroupIDs {
		if id < 0 {
			errs.add(fmt.Sprintf("customer_group_ids[%d]", i), "must be a group id, or 0 for customers in no group")
		}
	}
	for field, n := range map[string]int{"ids": len(sel.IDs), "emails": len(sel.Emails)} {
		if n > MaxSelectorValues {
			errs.add(field, fmt.Sprintf("lists at most %d values, not %d: split the work into several calls", MaxSelectorValues, n))
		}
	}
	if n := len(sel.CustomerGroupIDs); n > MaxPageSize { // they go into every query's URL
		errs.add("customer_group_ids", fmt.Sprintf("lists at most %d groups, not %d", MaxPageSize, n))
	}
	for i, email := range sel.Emails {
		if email == "" || strings.Contains(email, ",") {
			errs.add(fmt.Sprintf("emails[%d]", i), fmt.Sprintf("%q is not an email address", email))
		}
	}
	checkDate(errs, "date_created_min", sel.DateCreatedMin)
	checkDate(errs, "date_created_max", sel.DateCreatedMax)
	checkDate(errs, "date_modified_min", sel.DateModifiedMin)
	checkDate(errs, "date_modified_max", sel.DateModifiedMax)
	return opts, errs.err()
}

// Select returns the customers sel matches, in id order, paging the customer
// list at MaxPageSize. Long id and email lists are queried in chunks, all at
// once within the client's limits. A selector matching more than
// MaxSelectorMatches customers is refused as soon as the first page says so.
func (s *CustomersService) Select(ctx context.Context, sel CustomerSelector) ([]Customer, *Response, error) {
	opts, err := sel.options()
	if err != nil {
		return nil, nil, err
	}
	queries, keep := sel.queries(opts)
	total := &Response{}
	results, err := fetchConcurrently(ctx, len(queries), total, func(ctx context.Context, i int) ([]Customer, *Response, error) {
		return s.listCapped(ctx, queries[i])
	})
	if err != nil {
		return nil, total, fmt.Errorf("select customers: %w", err)
	}
	matched := slices.DeleteFunc(mergeByID(results, customerID), func(c Customer) bool { return !keep(c) })
	if len(matched) > MaxSelectorMatches {
		return nil, total, tooManyMatches(len(matched))
	}
	return matched, total, nil
}

// listCapped is ListAll, refusing after the first page when more than
// MaxSelectorMatches customers match.
func (s *CustomersService) listCapped(ctx context.Context, opts ListCustomersOptions) ([]Customer, *Response, error) {
	first, resp, err := s.firstPage(ctx, opts)
	if err != nil {
		return nil, resp, err
	}
	if resp.Pagination != nil && resp.Pagination.Total > MaxSelectorMatches {
		return nil, resp, tooManyMatches(resp.Pagination.Total)
	}
	return s.restPages(ctx, opts, first, resp)
}

// queries splits the selector into list queries whose URLs stay short: ids
// in chunks of MaxPageSize, or else emails in chunks of bounded length. When
// it names both, emails are checked here rather than queried, which would take
// a query for every pair of chunks.
func (sel CustomerSelector) queries(opts ListCustomersOptions) ([]ListCustomersOptions, func(Customer) bool) {
	var queries []ListCustomersOptions
	keep := func(Customer) bool { return true }
	switch {
	case len(sel.IDs) > 0:
		for ids := range slices.Chunk(sel.IDs, MaxPageSize) {
			q := opts
			q.IDIn = ids
			queries = append(queries, q)
		}
		if len(sel.Emails) > 0 {
			keep = func(c Customer) bool {
				return slices.ContainsFunc(sel.Emails, func(e string) bool { return strings.EqualFold(e, c.Email) })
			}
		}
	case len(sel.Emails) > 0:
		for emails := range emailChunks(sel.Emails) {
			q := opts
			q.EmailIn = emails
			queries = append(queries, q)
		}
	default:
		queries = append(queries, opts)
	}
	return queries, keep
}

// mismatch names the filter of o that c does not meet, or returns "". A
// field the customer as read does not show meets no filter on it.
func (o ListCustomersOptions) mismatch(c Customer) string {
	switch {
	case len(o.IDIn) > 0 && !slices.Contains(o.IDIn, c.ID):
		return "id:in"
	case len(o.CustomerGroupIDIn) > 0 && (!c.shows("customer_group_id") || !slices.Contains(o.CustomerGroupIDIn, c.CustomerGroupID)):
		return "customer_group_id:in"
	case len(o.EmailIn) > 0 && (!c.shows("email") || !slices.ContainsFunc(o.EmailIn, func(e string) bool { return strings.EqualFold(e, c.Email) })):
		return "email:in"
	}
	for _, f := range []struct {
		name, value string
		at          Time
		isMax       bool
	}{
		{"date_created:min", o.DateCreatedMin, c.DateCreated, false},
		{"date_created:max", o.DateCreatedMax, c.DateCreated, true},
		{"date_modified:min", o.DateModifiedMin, c.DateModified, false},
		{"date_modified:max", o.DateModifiedMax, c.DateModified, true},
	} {
		if f.value == "" {
			continue
		}
		from, to := filterSpan(f.value)
		if f.at.IsZero() || (f.isMax && !f.at.Before(to)) || (!f.isMax && f.at.Before(from)) {
			return f.name + "=" + f.value
		}
	}
	return ""
}

// filterSpan is the time a date filter names: a day for a date, a second
// otherwise. A value without a zone is widened by the largest zone offset,
// as the store may read it in its own zone: the check is there to catch a
// filter ignored, not to second-guess the store's calendar.
func filterSpan(value string) (from, to time.Time) {
	if t, err := time.Parse(time.RFC3339, value); err == nil {
		return t, t.Add(time.Second)
	}
	t, _ := parseFilterDate(value) // the query was checked before it was sent
	length := time.Second
	if len(value) == len(time.DateOnly) {
		length = 24 * time.Hour
	}
	const widest = 14 * time.Hour
	return t.Add(-widest), t.Add(length + widest)
}

func tooManyMatches(n int) error {
	return &ValidationError{Fields: map[string]string{"body": fmt.Sprintf(
		"matches %d customers, more than the %d one call may change: narrow it (for example by group or date range) and make several calls",
		n, MaxSelectorMatches)}}
}

// emailChunks splits emails so that each email:in filter stays under
// maxEmailFilterLength characters once URL-encoded: emails can be 255
// characters long, and servers and proxies commonly refuse URLs over 8 KB.
func emailChunks(emails []string) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		start, length := 0, 0
		for i, email := range emails {
			encoded := len(url.QueryEscape(email)) + len("%2C")
			if i > start && length+encoded > maxEmailFilterLength {
				if !yield(emails[start:i]) {
					return
				}
				start, length = i, 0
			}
			length += encoded
		}
		yield(emails[start:])
	}
}
