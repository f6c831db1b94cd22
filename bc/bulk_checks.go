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
// (one lookup per group named), an email given to two customers of the
// request, or one that another customer has and keeps (one email query). The
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
		if u.Email != nil && emailProblems[strings.ToLower(*u.Email)] != "" {
			fields["email"] = emailProblems[strings.ToLower(*u.Email)]
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

// emailProblems maps each lower-cased email the updates assign that the
// store would refuse to why: the request gives it to several customers, or
// another customer has it and is not given another one by the request.
func (s *CustomersService) emailProblems(ctx context.Context, updates []CustomerUpdate) (map[string]string, error) {
	askers := map[string][]int{} // lower-cased email to the customers given it
	assigned := map[int]string{} // customer to the lower-cased email it is given
	for _, u := range updates {
		if u.Email != nil {
			email := strings.ToLower(*u.Email)
			askers[email] = append(askers[email], u.ID)
			assigned[u.ID] = email
		}
	}
	problems := map[string]string{}
	var query []string
	for _, email := range slices.Sorted(maps.Keys(askers)) {
		switch {
		case len(askers[email]) > 1:
			problems[email] = fmt.Sprintf("%s is given to %d customers in this request, and an email belongs to one customer", email, len(askers[email]))
		case !strings.Contains(email, ","): // a list separator cannot be queried; the store will judge it
			query = append(query, email)
		}
	}
	for emails := range slices.Chunk(query, MaxSelectorValues) {
		holders, _, err := s.Select(ctx, CustomerSelector{Emails: emails})
		if err != nil {
			return nil, err
		}
		for _, h := range holders {
			email := strings.ToLower(h.Email)
			next, reassigned := assigned[h.ID]
			if len(askers[email]) != 1 || askers[email][0] == h.ID || (reassigned && next != email) {
				continue // the customer's own email, or one its holder gives up in this request
			}
			problems[email] = fmt.Sprintf("%s already belongs to customer %d", email, h.ID)
		}
	}
	return problems, nil
}
