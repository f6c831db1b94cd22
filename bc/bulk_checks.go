package bc

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// refuseCertain fails, without sending them, the updates the store is certain
// to refuse as far as cheap reads tell: a customer_group_id naming no group
// (one lookup per group named), an email that another customer has and keeps,
// or one given to two customers of the request (one email query). The
// dry runs and the real calls both run it, so they fail the same customers,
// with the same code and message: rejected, as the store's refusal would be,
// with a message that says nothing was sent. It returns the other updates.
func (s *CustomersService) refuseCertain(ctx context.Context, r *BulkResult, updates []CustomerUpdate) ([]CustomerUpdate, error) {
	missing, err := s.missingGroups(ctx, updates)
	if err != nil {
		return nil, fmt.Errorf("check the customer groups to assign: %w", err)
	}
	emailProblems, err := s.emailProblems(ctx, updates)
	if err != nil {
		return nil, fmt.Errorf("check the emails to assign: %w", err)
	}
	kept := make([]CustomerUpdate, 0, len(updates))
	for _, u := range updates {
		fields := map[string]string{}
		if u.CustomerGroupID != nil && missing[*u.CustomerGroupID] {
			fields["customer_group_id"] = fmt.Sprintf("customer group %d does not exist", *u.CustomerGroupID)
		}
		if problem := emailProblems[u.ID]; problem != "" {
			fields["email"] = problem
		}
		if len(fields) == 0 {
			kept = append(kept, u)
			continue
		}
		problems := make([]string, 0, len(fields))
		for _, field := range slices.Sorted(maps.Keys(fields)) {
			problems = append(problems, fields[field])
		}
		r.Failed = append(r.Failed, BulkFailure{ID: u.ID, Code: FailureRejected,
			Message: "not sent: " + strings.Join(problems, "; "), Fields: fields})
	}
	return kept, nil
}

// missingGroups looks up each group the updates assign and returns those
// that do not exist. Group 0, no group, always does.
func (s *CustomersService) missingGroups(ctx context.Context, updates []CustomerUpdate) (map[int]bool, error) {
	var ids []int
	for _, u := range updates {
		if u.CustomerGroupID != nil && *u.CustomerGroupID != 0 {
			ids = append(ids, *u.CustomerGroupID)
		}
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	found, err := fetchConcurrently(ctx, len(ids), &Response{}, func(ctx context.Context, i int) ([]int, *Response, error) {
		_, resp, err := s.client.CustomerGroups.Get(ctx, ids[i])
		if errors.Is(err, ErrNotFound) {
			return []int{ids[i]}, resp, nil
		}
		return nil, resp, err
	})
	if err != nil {
		return nil, err
	}
	missing := map[int]bool{}
	for _, id := range slices.Concat(found...) {
		missing[id] = true
	}
	return missing, nil
}

// emailProblems maps each customer given an email that the store would
// refuse to why: another customer has it and keeps it (neither is given
// another email by the request), or, when no customer has it, the request
// gives it to several customers. An email that several customers already
// share (stores with several storefronts may allow that) is left to the store.
func (s *CustomersService) emailProblems(ctx context.Context, updates []CustomerUpdate) (map[int]string, error) {
	askers := map[string][]int{} // lower-cased email to the customers given it
	assigned := map[int]string{} // customer to the lower-cased email it is given
	for _, u := range updates {
		if u.Email != nil {
			email := strings.ToLower(*u.Email)
			askers[email] = append(askers[email], u.ID)
			assigned[u.ID] = email
		}
	}
	holders, err := s.emailHolders(ctx, slices.Sorted(maps.Keys(askers)))
	if err != nil {
		return nil, err
	}
	problems := map[int]string{}
	for email, ids := range askers {
		held := holders[email]
		if len(held) == 1 {
			if next, reassigned := assigned[held[0]]; reassigned && next != email {
				held = nil // its holder gives it up in this request
			}
		}
		for _, id := range ids {
			switch {
			case len(held) == 1 && held[0] != id:
				problems[id] = fmt.Sprintf("%s already belongs to customer %d", email, held[0])
			case len(held) == 0 && len(ids) > 1:
				problems[id] = fmt.Sprintf("%s is given to %d customers in this request, and an email belongs to one customer", email, len(ids))
			}
		}
	}
	return problems, nil
}

// emailHolders maps each lower-cased email to the customers that have it.
func (s *CustomersService) emailHolders(ctx context.Context, emails []string) (map[string][]int, error) {
	// A list separator cannot be queried; the store will judge such an email.
	emails = slices.DeleteFunc(emails, func(e string) bool { return strings.Contains(e, ",") })
	holders := map[string][]int{}
	for chunk := range slices.Chunk(emails, MaxSelectorValues) {
		found, _, err := s.Select(ctx, CustomerSelector{Emails: chunk})
		if err != nil {
			return nil, err
		}
		for _, c := range found {
			email := strings.ToLower(c.Email)
			holders[email] = append(holders[email], c.ID)
		}
	}
	return holders, nil
}
