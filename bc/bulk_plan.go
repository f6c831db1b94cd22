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

// PlanBulkUpdate says what BulkUpdate would change, with SkipUnchanged, and
// which updates it would not send because they fail validation, name no
// customer or would certainly be refused. It reads the customers the updates
// name (unless the input holds them as read), and writes nothing.
func (s *CustomersService) PlanBulkUpdate(ctx context.Context, in BulkInput) (*BulkPlan, error) {
	res, pending, err := in.splitInvalid()
	if err != nil {
		return nil, err
	}
	current, err := s.current(ctx, in, pending)
	if err != nil {
		return nil, err
	}
	changed, err := s.refuseCertain(ctx, res, res.skipUnchanged(pending, current))
	if err != nil {
		return nil, err
	}
	res.sort()
	p := &BulkPlan{Requested: res.Requested, Unchanged: res.Unchanged, Failed: res.Failed,
		Changes: make([]CustomerChange, len(changed))}
	for i, u := range changed {
		p.Changes[i] = CustomerChange{ID: u.ID, Fields: u.Diff(current[u.ID])}
	}
	slices.SortFunc(p.Changes, func(a, b CustomerChange) int { return a.ID - b.ID })
	return p, nil
}
