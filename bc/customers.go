package bc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Customer is a V3 customer, with the fields this server reads.
type Customer struct {
	ID                                      int             `json:"id"`
	Email                                   string          `json:"email"`
	FirstName                               string          `json:"first_name"`
	LastName                                string          `json:"last_name"`
	Company                                 string          `json:"company"`
	Phone                                   string          `json:"phone"`
	Notes                                   string          `json:"notes"`
	TaxExemptCategory                       string          `json:"tax_exempt_category"`
	CustomerGroupID                         int             `json:"customer_group_id"`
	AcceptsProductReviewAbandonedCartEmails bool            `json:"accepts_product_review_abandoned_cart_emails"`
	ChannelIDs                              []int           `json:"channel_ids,omitempty"`
	StoreCreditAmounts                      []StoreCredit   `json:"store_credit_amounts,omitempty"`
	Authentication                          *Authentication `json:"authentication,omitempty"`
	RegistrationIPAddress                   string          `json:"registration_ip_address"`
	OriginChannelID                         int             `json:"origin_channel_id"`
	DateCreated                             Time            `json:"date_created"`
	DateModified                            Time            `json:"date_modified"`

	// unshown holds the fields a read left out (or sent as null), which are
	// unknown rather than empty; nil when every field is known.
	unshown map[string]bool
}

// UnmarshalJSON records which fields the JSON leaves out, so that a missing
// customer_group_id reads as unknown, not as group 0. Lists and
// authentication left out are nil already; authentication without
// force_password_reset is taken as left out.
func (c *Customer) UnmarshalJSON(data []byte) error {
	type plain Customer // without this method
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	if err := json.Unmarshal(data, (*plain)(c)); err != nil {
		return err
	}
	c.unshown = nil
	for _, f := range customerFields {
		if raw, ok := fields[f.name]; f.scalar && (!ok || string(raw) == "null") {
			if c.unshown == nil {
				c.unshown = map[string]bool{}
			}
			c.unshown[f.name] = true
		}
	}
	var auth map[string]json.RawMessage
	if json.Unmarshal(fields["authentication"], &auth) != nil || auth["force_password_reset"] == nil || string(auth["force_password_reset"]) == "null" {
		c.Authentication = nil
	}
	return nil
}

// shows reports whether the customer as read shows the field (by its API name).
func (c Customer) shows(field string) bool { return !c.unshown[field] }

// StoreCredit is one store-credit balance. BigCommerce writes amounts as
// numbers or decimal strings; both are read.
type StoreCredit struct {
	Amount Amount `json:"amount"`
}

// Authentication holds the password settings an update may change.
type Authentication struct {
	ForcePasswordReset bool `json:"force_password_reset"`
}

// CustomerUpdate is one item of an Update Customers call: the customer's id
// and the fields to change (nil fields are left alone). The read-only fields
// (registration_ip_address, date_created, date_modified, origin_channel_id)
// have no place here, so they cannot be sent.
type CustomerUpdate struct {
	ID int `json:"id"`
	CustomerFields
	Authentication *Authentication `json:"authentication,omitempty"`
}

// CustomerFields are the writable fields of a customer that an update sends
// at the top level of its item, as the API names them.
type CustomerFields struct {
	Email                                   *string       `json:"email,omitempty"`
	FirstName                               *string       `json:"first_name,omitempty"`
	LastName                                *string       `json:"last_name,omitempty"`
	Company                                 *string       `json:"company,omitempty"`
	Phone                                   *string       `json:"phone,omitempty"`
	Notes                                   *string       `json:"notes,omitempty"`
	TaxExemptCategory                       *string       `json:"tax_exempt_category,omitempty"`
	CustomerGroupID                         *int          `json:"customer_group_id,omitempty"`
	AcceptsProductReviewAbandonedCartEmails *bool         `json:"accepts_product_review_abandoned_cart_emails,omitempty"`
	ChannelIDs                              []int         `json:"channel_ids,omitempty"`
	StoreCreditAmounts                      []StoreCredit `json:"store_credit_amounts,omitempty"`
}

// ListCustomersOptions are the V3 customer list filters this server uses.
// In CustomerGroupIDIn, 0 means customers in no group.
type ListCustomersOptions struct {
	Page              int // 1-based
	Limit             int // 1-250
	IDIn              []int
	CustomerGroupIDIn []int
	EmailIn           []string
	DateCreatedMin    string
	DateCreatedMax    string
	DateModifiedMin   string
	DateModifiedMax   string
}

func (o ListCustomersOptions) query() (url.Values, error) {
	errs := fieldErrors{}
	q := pageQuery(errs, o.Page, o.Limit)
	setList(q, "id:in", o.IDIn)
	setList(q, "customer_group_id:in", o.CustomerGroupIDIn)
	if len(o.EmailIn) > 0 {
		q.Set("email:in", strings.Join(o.EmailIn, ","))
	}
	setDate(errs, q, "date_created:min", o.DateCreatedMin)
	setDate(errs, q, "date_created:max", o.DateCreatedMax)
	setDate(errs, q, "date_modified:min", o.DateModifiedMin)
	setDate(errs, q, "date_modified:max", o.DateModifiedMax)
	return q, errs.err()
}

// Pagination is the V3 list metadata.
type Pagination struct {
	Total       int `json:"total"`
	Count       int `json:"count"`
	PerPage     int `json:"per_page"`
	CurrentPage int `json:"current_page"`
	TotalPages  int `json:"total_pages"`
}

// CustomersService wraps the V3 customer endpoints.
type CustomersService struct{ client *Client }

// ErrBadAnswer is matched by the *Error of a 2xx answer that does not hold
// what was asked for: an empty or unreadable body, a customer list page that
// is no page, or that holds customers its filters exclude. A read is asked
// again after one, like after a 5xx; a write is not, since the store most
// likely applied it, and its Response says MaybeApplied.
var ErrBadAnswer = errors.New("BigCommerce's answer is not what was asked for")

// List fetches one page of customers. A 2xx answer that is not such a page
// (no data array, no pagination, figures that contradict each other), or
// that holds a customer the filters exclude (a store that ignored one), is
// retried like a 5xx, then fails with ErrBadAnswer: it never reads as an
// empty page, nor as a match.
func (s *CustomersService) List(ctx context.Context, opts ListCustomersOptions) ([]Customer, *Response, error) {
	q, err := opts.query()
	if err != nil {
		return nil, nil, err
	}
	var customers []Customer
	var pagination *Pagination
	resp, err := s.client.do(ctx, request{method: http.MethodGet, path: "/v3/customers", query: q, limit: s.client.reads,
		accept: func(payload []byte) (err error) {
			customers, pagination, err = readPage(payload, opts)
			return err
		}}, nil)
	if err != nil {
		return nil, resp, fmt.Errorf("list customers: %w", err)
	}
	resp.Pagination = pagination
	return customers, resp, nil
}

// readPage reads a List answer, or says why it is not the page opts asked for.
func readPage(payload []byte, opts ListCustomersOptions) ([]Customer, *Pagination, error) {
	var body struct {
		Data *[]Customer `json:"data"`
		Meta struct {
			Pagination *Pagination `json:"pagination"`
		} `json:"meta"`
	}
	problem := "it is not JSON"
	if json.Unmarshal(payload, &body) == nil {
		problem = pageProblem(body.Data, body.Meta.Pagination, opts)
	}
	if problem != "" {
		return nil, nil, errors.New("the answer is not a page of customers: " + problem)
	}
	for _, c := range *body.Data {
		if filter := opts.mismatch(c); filter != "" {
			return nil, nil, fmt.Errorf(
				"the answer holds customer %d, which does not match the filter %s: the store seems to have ignored it, so nothing was done on its answer", c.ID, filter)
		}
	}
	return *body.Data, body.Meta.Pagination, nil
}

// pageProblem says what keeps an answer from being the page opts asked for,
// or "" when nothing does.
func pageProblem(data *[]Customer, p *Pagination, opts ListCustomersOptions) string {
	switch {
	case data == nil:
		return "it has no data array"
	case p == nil:
		return "it has no pagination"
	case p.Total < 0 || p.Count != len(*data) || p.Total < p.Count:
		return fmt.Sprintf("its pagination (total %d, count %d) does not fit its %d customers", p.Total, p.Count, len(*data))
	case p.PerPage < 1 || (opts.Limit > 0 && p.PerPage != opts.Limit) || p.Count > p.PerPage:
		return fmt.Sprintf("its %d customers per page are not the %d asked for", p.PerPage, opts.Limit)
	case p.TotalPages != (p.Total+p.PerPage-1)/p.PerPage && (p.Total > 0 || p.TotalPages > 1): // no match may count as one empty page
		return fmt.Sprintf("its %d pages do not fit %d customers at %d a page", p.TotalPages, p.Total, p.PerPage)
	case p.CurrentPage != max(opts.Page, 1):
		return fmt.Sprintf("it is page %d, not page %d", p.CurrentPage, max(opts.Page, 1))
	case p.Count != min(p.PerPage, max(p.Total-(p.CurrentPage-1)*p.PerPage, 0)):
		return fmt.Sprintf("its page %d holds %d of %d customers at %d a page", p.CurrentPage, p.Count, p.Total, p.PerPage)
	case len(opts.IDIn) > 0 && p.Total > len(opts.IDIn):
		return fmt.Sprintf("it counts %d matches for the %d ids of the filter id:in", p.Total, len(opts.IDIn))
	}
	return ""
}

// ListAll fetches every customer matching opts (Page and Limit are ignored) in
// id order: the first page says how many pages there are, the rest are
// fetched concurrently within the client's limits.
func (s *CustomersService) ListAll(ctx context.Context, opts ListCustomersOptions) ([]Customer, *Response, error) {
	first, resp, err := s.firstPage(ctx, opts)
	if err != nil {
		return nil, resp, err
	}
	return s.restPages(ctx, opts, first, resp)
}

// firstPage fetches the first page of ListAll, whose pagination tells how
// many customers match before the rest is fetched.
func (s *CustomersService) firstPage(ctx context.Context, opts ListCustomersOptions) ([]Customer, *Response, error) {
	opts.Page, opts.Limit = 1, MaxPageSize
	return s.List(ctx, opts)
}

// restPages fetches the pages after first, given its answer resp, and
// returns all the customers in id order.
func (s *CustomersService) restPages(ctx context.Context, opts ListCustomersOptions, first []Customer, resp *Response) ([]Customer, *Response, error) {
	if resp.Pagination == nil || resp.Pagination.TotalPages <= 1 {
		return first, resp, nil
	}
	opts.Limit = MaxPageSize
	rest, err := fetchConcurrently(ctx, resp.Pagination.TotalPages-1, resp, func(ctx context.Context, i int) ([]Customer, *Response, error) {
		page := opts
		page.Page = i + 2
		return s.List(ctx, page)
	})
	if err != nil {
		return nil, resp, err
	}
	return mergeByID(append(rest, first), customerID), resp, nil
}

func customerID(c Customer) int { return c.ID }

// GetByIDs fetches the customers with the given ids, in chunks the list
// endpoint accepts, concurrently within the client's limits. Ids that do not
// exist are simply absent from the result.
func (s *CustomersService) GetByIDs(ctx context.Context, ids []int) (map[int]Customer, *Response, error) {
	chunks := slices.Collect(slices.Chunk(slices.Compact(slices.Sorted(slices.Values(ids))), MaxPageSize))
	total := &Response{}
	results, err := fetchConcurrently(ctx, len(chunks), total, func(ctx context.Context, i int) ([]Customer, *Response, error) {
		return s.ListAll(ctx, ListCustomersOptions{IDIn: chunks[i]})
	})
	if err != nil {
		return nil, total, err
	}
	found := make(map[int]Customer, len(ids))
	for _, c := range slices.Concat(results...) {
		found[c.ID] = c
	}
	return found, total, nil
}

// UpdateAnswer is what a 2xx answer to Update Customers says of the batch:
// the customers its data lists, and the items its errors name (a 207).
type UpdateAnswer struct {
	Confirmed map[int]bool              // ids of the batch that the answer's data lists
	Rejected  map[int]map[string]string // batch index to field errors, from the answer's errors
	Title     string                    // the answer's summary of what failed, when it names items
}

// Update sends one Update Customers call of at most MaxCustomersPerUpdate
// customers. It is retried after 5xx and broken connections (a PUT of the same
// values is idempotent). A 422 rejects the whole batch; its *Error says which
// items failed, keyed "<index>.<field>". A 2xx answer is read for what it
// confirms: one that is not JSON, or that neither lists nor names any customer
// sent (a proxy's page, say), is an error with resp.StatusCode set: the batch
// may or may not have been applied.
func (s *CustomersService) Update(ctx context.Context, batch []CustomerUpdate) (*UpdateAnswer, *Response, error) {
	if err := validateBatch(batch); err != nil {
		return nil, nil, err
	}
	return s.update(ctx, batch)
}

// update is Update without the validation.
func (s *CustomersService) update(ctx context.Context, batch []CustomerUpdate) (*UpdateAnswer, *Response, error) {
	var body struct {
		Data []struct {
			ID int `json:"id"`
		} `json:"data"`
		Title  string          `json:"title"`
		Errors json.RawMessage `json:"errors"`
	}
	resp, err := s.client.do(ctx, request{method: http.MethodPut, path: "/v3/customers", body: batch, limit: s.client.updates}, &body)
	if err != nil {
		return nil, resp, fmt.Errorf("update customers: %w", err)
	}
	sent := make(map[int]bool, len(batch))
	for _, u := range batch {
		sent[u.ID] = true
	}
	clean := s.client.redactor().clean
	answer := &UpdateAnswer{Confirmed: map[int]bool{}, Title: clean(body.Title),
		Rejected: itemErrors(parseFieldErrors(body.Errors, clean), len(batch))}
	for _, c := range body.Data {
		if sent[c.ID] {
			answer.Confirmed[c.ID] = true
		}
	}
	if len(answer.Confirmed) == 0 && len(answer.Rejected) == 0 {
		resp.MaybeApplied = true
		return nil, resp, errors.New("update customers: the answer neither lists nor names any of the customers sent")
	}
	s.client.stats.customersUpdated.Add(int64(len(answer.Confirmed)))
	return answer, resp, nil
}

func validateBatch(batch []CustomerUpdate) error {
	errs := fieldErrors{}
	if len(batch) == 0 || len(batch) > MaxCustomersPerUpdate {
		errs.add("body", fmt.Sprintf("a batch holds 1 to %d customers, not %d", MaxCustomersPerUpdate, len(batch)))
	}
	seen := make(map[int]bool, len(batch))
	for i, u := range batch {
		if err, ok := u.Validate().(*ValidationError); ok {
			for field, problem := range err.Fields {
				errs.add(fmt.Sprintf("%d.%s", i, field), problem)
			}
		}
		if seen[u.ID] {
			errs.add(fmt.Sprintf("%d.id", i), fmt.Sprintf("customer %d appears twice in the batch", u.ID))
		}
		seen[u.ID] = true
	}
	return errs.err()
}
