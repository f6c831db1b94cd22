package bc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ListCustomerGroupsOptions are the documented filters of the group list and
// the page to fetch. Dates accept YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or RFC 3339.
// Its validation errors name its fields by their JSON names.
type ListCustomerGroupsOptions struct {
	Name             string `json:"name,omitempty"`
	NameLike         string `json:"name_like,omitempty"`
	IsDefault        *bool  `json:"is_default,omitempty"`
	IsGroupForGuests *bool  `json:"is_group_for_guests,omitempty"`
	DateCreated      string `json:"date_created,omitempty"`
	DateCreatedMin   string `json:"date_created_min,omitempty"`
	DateCreatedMax   string `json:"date_created_max,omitempty"`
	DateModified     string `json:"date_modified,omitempty"`
	DateModifiedMin  string `json:"date_modified_min,omitempty"`
	DateModifiedMax  string `json:"date_modified_max,omitempty"`
	Page             int    `json:"page,omitempty"`  // 1-based; default 1
	Limit            int    `json:"limit,omitempty"` // 1-250; default 50
}

func (o ListCustomerGroupsOptions) query() (url.Values, error) {
	errs := fieldErrors{}
	q := pageQuery(errs, o.Page, o.Limit)
	setString(q, "name", o.Name)
	setString(q, "name:like", o.NameLike)
	setBool(q, "is_default", o.IsDefault)
	setBool(q, "is_group_for_guests", o.IsGroupForGuests)
	for _, d := range []struct{ field, key, value string }{
		{"date_created", "date_created", o.DateCreated},
		{"date_created_min", "date_created:min", o.DateCreatedMin},
		{"date_created_max", "date_created:max", o.DateCreatedMax},
		{"date_modified", "date_modified", o.DateModified},
		{"date_modified_min", "date_modified:min", o.DateModifiedMin},
		{"date_modified_max", "date_modified:max", o.DateModifiedMax},
	} {
		if checkDate(errs, d.field, d.value) {
			q.Set(d.key, d.value)
		}
	}
	return q, errs.err()
}

// CustomerGroupsService wraps the V2 customer-group endpoints.
type CustomerGroupsService struct{ client *Client }

func (s *CustomerGroupsService) request(method, path string, query url.Values, body any) request {
	return request{method: method, path: "/v2/customer_groups" + path, query: query, body: body, limit: s.client.groups}
}

// List fetches one page. A page past the end is empty, not an error.
func (s *CustomerGroupsService) List(ctx context.Context, opts ListCustomerGroupsOptions) ([]CustomerGroup, *Response, error) {
	q, err := opts.query()
	if err != nil {
		return nil, nil, err
	}
	var groups []CustomerGroup
	resp, err := s.client.do(ctx, s.request(http.MethodGet, "", q, nil), &groups)
	if err != nil {
		return nil, resp, fmt.Errorf("list customer groups: %w", err)
	}
	return groups, resp, nil
}

// ListAll fetches every page matching opts (whose Page and Limit are ignored),
// in id order. The count of all groups bounds the number of pages, so the
// pages are fetched concurrently, within the client's limits.
func (s *CustomerGroupsService) ListAll(ctx context.Context, opts ListCustomerGroupsOptions) ([]CustomerGroup, *Response, error) {
	total, resp, err := s.Count(ctx)
	if err != nil {
		return nil, resp, err
	}
	opts.Limit = MaxPageSize
	// One page more than the count needs: when the count is a multiple of the
	// page size, the extra (empty) page proves the end without another round trip.
	pages := total/MaxPageSize + 1
	results, err := fetchConcurrently(ctx, pages, resp, func(ctx context.Context, i int) ([]CustomerGroup, *Response, error) {
		page := opts
		page.Page = i + 1
		return s.List(ctx, page)
	})
	if err != nil {
		return nil, resp, err
	}
	// Groups created since the count may have pushed the list past the pages
	// we fetched: read on while the last page is full.
	for page := pages; len(results[len(results)-1]) == MaxPageSize; {
		page++
		next := opts
		next.Page = page
		groups, r, err := s.List(ctx, next)
		resp.add(r)
		if err != nil {
			return nil, resp, err
		}
		results = append(results, groups)
	}
	return mergeByID(results, groupID), resp, nil
}

func groupID(g CustomerGroup) int { return g.ID }

// Get fetches one group.
func (s *CustomerGroupsService) Get(ctx context.Context, id int) (*CustomerGroup, *Response, error) {
	if id < 1 {
		return nil, nil, &ValidationError{Fields: map[string]string{"id": "must be 1 or more"}}
	}
	var group CustomerGroup
	resp, err := s.client.do(ctx, s.request(http.MethodGet, "/"+strconv.Itoa(id), nil, nil), &group)
	if err != nil {
		return nil, resp, fmt.Errorf("get customer group %d: %w", id, err)
	}
	return &group, resp, nil
}

// Count returns the number of groups in the store.
func (s *CustomerGroupsService) Count(ctx context.Context) (int, *Response, error) {
	var body struct {
		Count int `json:"count"`
	}
	resp, err := s.client.do(ctx, s.request(http.MethodGet, "/count", nil, nil), &body)
	if err != nil {
		return 0, resp, fmt.Errorf("count customer groups: %w", err)
	}
	return body.Count, resp, nil
}

// Create makes a group. On a 207 the group was saved but the sitewide discount
// update was not: the saved group is returned (found by its unique name, since
// the 207 body has no id) with resp.SitewideDiscountFailed set.
//
// A POST whose answer was lost (a broken connection or a 5xx) may or may not
// have been applied, so it is not simply resent: Create looks the name up
// first, and only resends if no such group exists. One answered with a 2xx
// that cannot be read is never resent, but confirmed by reading it back.
func (s *CustomerGroupsService) Create(ctx context.Context, in CustomerGroupInput) (*CustomerGroup, *Response, error) {
	if err := in.Validate(true); err != nil {
		return nil, nil, err
	}
	ctx, _, cancel := s.client.withCallDeadline(ctx)
	defer cancel()
	var found *CustomerGroup
	var settled bool
	var settleErr error
	reads := &Response{}
	req := s.request(http.MethodPost, "", nil, in)
	req.settle = func(ctx context.Context) (bool, error) {
		found, settled, settleErr = s.settleLostCreate(ctx, in, reads)
		return settled, settleErr
	}
	var group CustomerGroup
	resp, err := s.client.do(ctx, req, &group)
	total := &Response{}
	total.add(reads)
	total.add(resp)
	switch {
	case settled:
		return found, total, settleErr
	case errors.Is(err, ErrBadAnswer):
		total.SitewideDiscountFailed = resp.StatusCode == http.StatusMultiStatus // a 207 says so without its body
		g, err := readBack("create customer group", in, err, total, func() (*CustomerGroup, error) {
			return s.findByName(ctx, *in.Name, total)
		})
		return g, total, err
	case err != nil:
		return nil, total, fmt.Errorf("create customer group: %w", err)
	case resp.StatusCode == http.StatusMultiStatus:
		total.SitewideDiscountFailed = true
		saved, err := s.findByName(ctx, *in.Name, total)
		if err != nil {
			total.MaybeApplied = true
			return nil, total, fmt.Errorf("create customer group: BigCommerce created it (207) without saying its id, and looking it up by name failed (%v): list the groups by that name to find it", err)
		}
		return saved, total, nil
	}
	return &group, total, nil
}

// settleLostCreate finds out what became of a POST whose answer was lost.
// settled is false when no such group exists, so the POST may be sent again.
// A group of that name with the settings sent is taken as ours: if it was
// there before, the store is as asked all the same. One with other settings
// is not ours, and the POST, if it arrived, was refused as a duplicate.
// (Creation dates cannot tell: V2 dates may come without a time zone.)
func (s *CustomerGroupsService) settleLostCreate(ctx context.Context, in CustomerGroupInput, resp *Response) (group *CustomerGroup, settled bool, err error) {
	found, err := s.findByName(ctx, *in.Name, resp)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, true, fmt.Errorf("create customer group: its answer was lost, and checking whether it was created failed: %w", err)
	case !in.Matches(*found):
		differ := in.Differing(*found)
		why := "it was there before, or this call created it without its discount rules; read the group to check it"
		if slices.Equal(differ, []string{"name"}) { // in case only: a group this call made has the name as sent
			why = "it was there before, and names are unique ignoring case, so this group was not created"
		}
		return nil, true, &Error{Method: http.MethodPost, Path: "/v2/customer_groups", Status: http.StatusConflict,
			Messages: []string{fmt.Sprintf("a customer group named %q exists (id %d) with another %s than sent: %s",
				found.Name, found.ID, strings.Join(differ, ", "), why)}}
	}
	return found, true, nil
}

// findByName looks a group up by its name, ignoring case as the store's
// uniqueness does: the one group that holds the name, whatever its case.
// The name filter is exact, so the search is by name:like, one full page:
// more than 250 names containing this one could hide it.
func (s *CustomerGroupsService) findByName(ctx context.Context, name string, resp *Response) (*CustomerGroup, error) {
	groups, r, err := s.List(ctx, ListCustomerGroupsOptions{NameLike: name, Limit: MaxPageSize})
	resp.add(r)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if strings.EqualFold(g.Name, name) {
			return &g, nil
		}
	}
	return nil, &Error{Method: http.MethodGet, Path: "/v2/customer_groups", Status: http.StatusNotFound,
		Messages: []string{fmt.Sprintf("no customer group named %q", name)}}
}

// Update changes a group. Only the fields set in in are sent; DiscountRules,
// when set, replaces the whole set. On a 207 the group was saved but the
// sitewide discount update was not: the saved group is re-read and returned
// with resp.SitewideDiscountFailed set. One answered with a 2xx that cannot
// be read is confirmed by reading the group back.
func (s *CustomerGroupsService) Update(ctx context.Context, id int, in CustomerGroupInput) (*CustomerGroup, *Response, error) {
	if err := in.Validate(false); err != nil {
		return nil, nil, err
	}
	if id < 1 {
		return nil, nil, &ValidationError{Fields: map[string]string{"id": "must be 1 or more"}}
	}
	ctx, _, cancel := s.client.withCallDeadline(ctx) // the re-read after a 207 included
	defer cancel()
	var group CustomerGroup
	resp, err := s.client.do(ctx, s.request(http.MethodPut, "/"+strconv.Itoa(id), nil, in), &group)
	if errors.Is(err, ErrBadAnswer) {
		resp.SitewideDiscountFailed = resp.StatusCode == http.StatusMultiStatus // a 207 says so without its body
		saved, err := readBack(fmt.Sprintf("update customer group %d", id), in, err, resp, func() (*CustomerGroup, error) {
			saved, r, err := s.Get(ctx, id)
			resp.add(r)
			return saved, err
		})
		return saved, resp, err
	}
	if err != nil {
		return nil, resp, fmt.Errorf("update customer group %d: %w", id, err)
	}
	if resp.StatusCode != http.StatusMultiStatus {
		return &group, resp, nil
	}
	saved, r, err := s.Get(ctx, id)
	resp.add(r)
	resp.SitewideDiscountFailed = true
	if err != nil {
		resp.MaybeApplied = true
		return nil, resp, fmt.Errorf("update customer group %d: saved with a warning, but re-reading it failed: %w", id, err)
	}
	return saved, resp, nil
}

// readBack confirms a write whose 2xx answer could not be read (unread) by
// reading the group back: it is the group, and resp says ConfirmedByReadBack,
// if it has every field in sets; otherwise the error says what differs, and
// resp still says the write may have been applied.
func readBack(what string, in CustomerGroupInput, unread error, resp *Response, read func() (*CustomerGroup, error)) (*CustomerGroup, error) {
	g, err := read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w; reading the group back failed: %v", what, unread, err)
	}
	if differ := in.Differing(*g); len(differ) > 0 {
		return nil, fmt.Errorf("%s: %w; read back, group %d has another %s than sent", what, unread, g.ID, strings.Join(differ, ", "))
	}
	resp.ConfirmedByReadBack = true
	return g, nil
}

// Delete removes a group; BigCommerce unassigns its customers. A DELETE that
// is retried after a broken connection and then finds the group gone counts
// as done: the earlier attempt deleted it.
func (s *CustomerGroupsService) Delete(ctx context.Context, id int) (*Response, error) {
	if id < 1 {
		return nil, &ValidationError{Fields: map[string]string{"id": "must be 1 or more"}}
	}
	resp, err := s.client.do(ctx, s.request(http.MethodDelete, "/"+strconv.Itoa(id), nil, nil), nil)
	if err != nil {
		if errors.Is(err, ErrNotFound) && resp.MaybeApplied {
			return resp, nil
		}
		return resp, fmt.Errorf("delete customer group %d: %w", id, err)
	}
	return resp, nil
}
