package bc

import (
	"context"
	"slices"
)

// BulkPlan is what a bulk update would do to the store as it stands: the dry
// run of BulkUpdate. Every requested customer appears once, in Changes,
// Unchanged or Failed (items that fail validation or name no customer).
type BulkPlan struct {
	Requested int
	Changes   []CustomerChange // sorted by id
	Unchanged []int
	Failed    []BulkFailure
}

// CustomerChange is the fields an update would change on one customer.
type CustomerChange struct {
	ID     int                    `json:"id"`
	Fields map[string]FieldChange `json:"fields"`
}

// FieldChange is one field's value before and after an update. Before is nil
// when the customer as read does not show the field.
type FieldChange struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// PlanBulkUpdate reads the customers the updates name, in chunks the list
// endpoint accepts, and says what BulkUpdate would change, and which updates
// it would not send because they fail validation, name no customer or would
// certainly be refused. It writes nothing.
func (s *CustomersService) PlanBulkUpdate(ctx context.Context, updates []CustomerUpdate) (*BulkPlan, error) {
	res, pending, err := screen(updates)
	if err != nil {
		return nil, err
	}
	current, err := s.current(ctx, pending)
	if err != nil {
		return nil, err
	}
	return s.plan(ctx, res, pending, current)
}

// plan completes a screened result into a plan against the current customers.
func (s *CustomersService) plan(ctx context.Context, r *BulkResult, pending []CustomerUpdate, current map[int]Customer) (*BulkPlan, error) {
	changed, err := s.sendable(ctx, r, pending, current)
	if err != nil {
		return nil, err
	}
	r.sort()
	p := &BulkPlan{Requested: r.Requested, Unchanged: r.Unchanged, Failed: r.Failed,
		Changes: make([]CustomerChange, len(changed))}
	for i, u := range changed {
		p.Changes[i] = CustomerChange{ID: u.ID, Fields: u.Diff(current[u.ID])}
	}
	slices.SortFunc(p.Changes, func(a, b CustomerChange) int { return a.ID - b.ID })
	return p, nil
}

// Diff returns the fields u would change on c, keyed by their API names.
// A field c does not show (left out of the read, or null) counts as changed,
// so that nothing is skipped on a guess.
func (u CustomerUpdate) Diff(c Customer) map[string]FieldChange {
	d := map[string]FieldChange{}
	diffValue(d, c, "email", u.Email, &c.Email)
	diffValue(d, c, "first_name", u.FirstName, &c.FirstName)
	diffValue(d, c, "last_name", u.LastName, &c.LastName)
	diffValue(d, c, "company", u.Company, &c.Company)
	diffValue(d, c, "phone", u.Phone, &c.Phone)
	diffValue(d, c, "notes", u.Notes, &c.Notes)
	diffValue(d, c, "tax_exempt_category", u.TaxExemptCategory, &c.TaxExemptCategory)
	diffValue(d, c, "customer_group_id", u.CustomerGroupID, &c.CustomerGroupID)
	diffValue(d, c, "accepts_product_review_abandoned_cart_emails",
		u.AcceptsProductReviewAbandonedCartEmails, &c.AcceptsProductReviewAbandonedCartEmails)
	diffList(d, "channel_ids", u.ChannelIDs, c.ChannelIDs)
	diffList(d, "store_credit_amounts", u.StoreCreditAmounts, c.StoreCreditAmounts)
	if u.Authentication != nil {
		var have *bool
		if c.Authentication != nil {
			have = &c.Authentication.ForcePasswordReset
		}
		diffValue(d, c, "authentication.force_password_reset", &u.Authentication.ForcePasswordReset, have)
	}
	return d
}

// diffValue records name when want is set and differs from have; a nil have,
// or a field c does not show, is unknown.
func diffValue[T comparable](d map[string]FieldChange, c Customer, name string, want, have *T) {
	switch {
	case want == nil:
	case have == nil || !c.shows(name):
		d[name] = FieldChange{After: *want}
	case *want != *have:
		d[name] = FieldChange{Before: *have, After: *want}
	}
}

// diffList records name when want is set and differs from have; a nil have
// is unknown.
func diffList[T comparable](d map[string]FieldChange, name string, want, have []T) {
	switch {
	case want == nil:
	case have == nil:
		d[name] = FieldChange{After: want}
	case !slices.Equal(want, have):
		d[name] = FieldChange{Before: have, After: want}
	}
}
