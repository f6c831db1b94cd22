package bc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// BulkInput is the work of one bulk update, for PlanBulkUpdate and
// BulkUpdate: either a list of updates, each with its own id and fields
// (Listed), or one set of fields applied to customers already read (SetOn).
type BulkInput struct {
	updates []CustomerUpdate
	set     *CustomerUpdate // the fields of every update, checked once; nil for a list
	read    []Customer      // the customers as read, when the caller has them
}

// Listed is the input of a list of updates; each is checked on its own, and
// one that fails validation fails alone.
func Listed(updates []CustomerUpdate) BulkInput { return BulkInput{updates: updates} }

// SetOn is the input applying set (a CustomerUpdate without an id) to each of
// the selected customers. They are judged as selected rather than read again:
// where the quota binds, every read delays the writes.
func SetOn(selected []Customer, set CustomerUpdate) BulkInput {
	updates := make([]CustomerUpdate, len(selected))
	for i, c := range selected {
		updates[i] = set
		updates[i].ID = c.ID
	}
	return BulkInput{updates: updates, set: &set, read: selected}
}

// ValidateSet checks the fields of a set: a CustomerUpdate without an id,
// to be applied to every selected customer.
func ValidateSet(set CustomerUpdate) error {
	if set.ID != 0 {
		return &ValidationError{Fields: map[string]string{"id": "a set applies to every selected customer, so it has no id"}}
	}
	set.ID = 1 // any id: what is checked here are the fields
	return set.Validate()
}

// splitInvalid refuses duplicate ids, and an invalid set as a whole; it records the
// listed items that fail validation and returns the others.
func (in BulkInput) splitInvalid() (*BulkResult, []CustomerUpdate, error) {
	if in.set != nil {
		if err := ValidateSet(*in.set); err != nil {
			return nil, nil, err
		}
	}
	if err := checkDistinctIDs(in.updates); err != nil {
		return nil, nil, err
	}
	res := &BulkResult{Requested: len(in.updates)}
	if in.set != nil {
		return res, in.updates, nil
	}
	valid := make([]CustomerUpdate, 0, len(in.updates))
	for _, u := range in.updates {
		var invalid *ValidationError
		if errors.As(u.Validate(), &invalid) {
			res.Failed = append(res.Failed, BulkFailure{ID: u.ID, Code: FailureInvalid,
				Message: "not sent: the update is not valid", Fields: invalid.Fields})
			continue
		}
		valid = append(valid, u)
	}
	return res, valid, nil
}

func checkDistinctIDs(updates []CustomerUpdate) error {
	seen := make(map[int]bool, len(updates))
	var repeated []string
	for _, u := range updates {
		if u.ID >= 1 && seen[u.ID] { // a missing id fails that item's validation instead
			repeated = append(repeated, strconv.Itoa(u.ID))
		}
		seen[u.ID] = true
	}
	if len(repeated) == 0 {
		return nil
	}
	const shown = 20
	list := strings.Join(repeated[:min(shown, len(repeated))], ", ")
	if len(repeated) > shown {
		list += fmt.Sprintf(" and %d more", len(repeated)-shown)
	}
	return &ValidationError{Fields: map[string]string{"body": "give each customer once; repeated ids: " + list}}
}

// current returns the customers the pending updates name: as the caller read
// them, or else read now.
func (s *CustomersService) current(ctx context.Context, in BulkInput, pending []CustomerUpdate) (map[int]Customer, error) {
	if in.read != nil {
		found := make(map[int]Customer, len(in.read))
		for _, c := range in.read {
			found[c.ID] = c
		}
		return found, nil
	}
	ids := make([]int, len(pending))
	for i, u := range pending {
		ids[i] = u.ID
	}
	found, _, err := s.GetByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read the customers before updating them: %w", err)
	}
	return found, nil
}
