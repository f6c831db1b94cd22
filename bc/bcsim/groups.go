package bcsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	ruleTypePriceList = "price_list"
	ruleTypeAll       = "all"
	ruleTypeCategory  = "category"
	ruleTypeProduct   = "product"
)

var (
	ruleTypes     = []string{ruleTypePriceList, ruleTypeAll, ruleTypeCategory, ruleTypeProduct}
	ruleMethods   = []string{"percent", "fixed", "price"}
	categoryTypes = []string{"all", "specific", "none"}
)

// errConflict marks input that clashes with another group; it answers 409, not 400.
var errConflict = errors.New("conflict")

func (s *Store) listGroups(r *http.Request) reply {
	q := r.URL.Query()
	page, limit, err := pageParams(q)
	if err != nil {
		return v2Fail(http.StatusBadRequest, err.Error())
	}
	// The docs give 250 as the maximum but not what happens above it; clamping is the
	// forgiving reading, and the client can still notice the short page.
	limit = min(limit, maxLimit)
	preds, err := groupFilters(q)
	if err != nil {
		return v2Fail(http.StatusBadRequest, err.Error())
	}
	s.mu.Lock()
	groups, _ := matchPage(s.groups, preds, page, limit)
	out := make([]groupJSON, len(groups))
	for i, g := range groups {
		out[i] = toGroupJSON(g)
	}
	s.mu.Unlock()
	if len(out) == 0 {
		return reply{status: http.StatusNoContent}
	}
	return reply{status: http.StatusOK, body: out}
}

func groupFilters(q url.Values) ([]predicate[Group], error) {
	var preds []predicate[Group]
	if q.Has("name") {
		name := q.Get("name")
		preds = append(preds, func(g Group) bool { return g.Name == name })
	}
	if q.Has("name:like") {
		needle := strings.ToLower(q.Get("name:like"))
		preds = append(preds, func(g Group) bool { return strings.Contains(strings.ToLower(g.Name), needle) })
	}
	for _, f := range []struct {
		field string
		get   func(Group) bool
	}{
		{"is_default", func(g Group) bool { return g.IsDefault }},
		{"is_group_for_guests", func(g Group) bool { return g.IsGroupForGuests }},
	} {
		p, err := boolFilter(q, f.field, f.get)
		if err != nil {
			return nil, err
		}
		if p != nil {
			preds = append(preds, p)
		}
	}
	created, err := dateFilters(q, "date_created", func(g Group) time.Time { return g.DateCreated })
	if err != nil {
		return nil, err
	}
	modified, err := dateFilters(q, "date_modified", func(g Group) time.Time { return g.DateModified })
	return append(append(preds, created...), modified...), err
}

func boolFilter(q url.Values, field string, get func(Group) bool) (predicate[Group], error) {
	if !q.Has(field) {
		return nil, nil
	}
	want, err := strconv.ParseBool(q.Get(field))
	if err != nil {
		return nil, fmt.Errorf("%s must be true or false, got %q", field, q.Get(field))
	}
	return func(g Group) bool { return get(g) == want }, nil
}

func (s *Store) countGroups(*http.Request) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return reply{status: http.StatusOK, body: map[string]int{"count": len(s.groups)}}
}

func (s *Store) getGroup(r *http.Request) reply {
	return s.onGroup(r, func(i int) reply { return reply{status: http.StatusOK, body: toGroupJSON(s.groups[i])} })
}

// onGroup answers with do, given the index of the group named by the {id}
// path segment and holding s.mu, or with a 404 when there is no such group.
func (s *Store) onGroup(r *http.Request, do func(i int) reply) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return v2NotFound()
	}
	i, ok := find(s.groups, id)
	if !ok {
		return v2NotFound()
	}
	return do(i)
}

func (s *Store) createGroup(r *http.Request) reply {
	in, err := decodeGroupInput(r)
	if err != nil {
		return v2Fail(http.StatusBadRequest, err.Error())
	}
	if in.Name == nil {
		return v2Fail(http.StatusBadRequest, "The field 'name' is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	g := Group{ID: s.nextGroupID, CategoryAccess: CategoryAccess{Type: "all"}, DateCreated: now, DateModified: now}
	if err := s.applyGroupInput(&g, in); err != nil {
		return groupInputFailure(err)
	}
	s.nextGroupID++
	s.groups = append(s.groups, g)
	return reply{status: http.StatusCreated, body: toGroupJSON(g)}
}

func (s *Store) updateGroup(r *http.Request) reply {
	in, err := decodeGroupInput(r)
	return s.onGroup(r, func(i int) reply {
		if err != nil {
			return v2Fail(http.StatusBadRequest, err.Error())
		}
		g := s.groups[i].clone()
		if err := s.applyGroupInput(&g, in); err != nil {
			return groupInputFailure(err)
		}
		g.DateModified = s.now()
		s.groups[i] = g
		return reply{status: http.StatusOK, body: toGroupJSON(g)}
	})
}

func (s *Store) deleteGroup(r *http.Request) reply {
	return s.onGroup(r, func(i int) reply {
		id := s.groups[i].ID
		s.groups = slices.Delete(s.groups, i, i+1)
		for j := range s.customers {
			if s.customers[j].CustomerGroupID == id {
				s.customers[j].CustomerGroupID = 0
			}
		}
		return reply{status: http.StatusNoContent}
	})
}

// decodeGroupInput rejects unknown fields (including read-only ones such as id) so the
// simulator surfaces a client sending more than the documented body.
func decodeGroupInput(r *http.Request) (groupInput, error) {
	var in groupInput
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("request body is not a valid customer group: %v", err)
	}
	return in, nil
}

func groupInputFailure(err error) reply {
	if errors.Is(err, errConflict) {
		return v2Fail(http.StatusConflict, err.Error())
	}
	return v2Fail(http.StatusBadRequest, err.Error())
}

// applyGroupInput validates in against g and the other groups, then applies it to g.
// Nothing outside g changes unless every check passes. Callers hold s.mu.
func (s *Store) applyGroupInput(g *Group, in groupInput) error {
	if err := s.validateGroupInput(g.ID, in); err != nil {
		return err
	}
	if in.Name != nil {
		g.Name = *in.Name
	}
	if in.CategoryAccess != nil {
		g.CategoryAccess = CategoryAccess{Type: in.CategoryAccess.Type, Categories: slices.Clone(in.CategoryAccess.Categories)}
	}
	if in.DiscountRules != nil {
		g.DiscountRules = toDiscountRules(*in.DiscountRules)
	}
	if in.IsGroupForGuests != nil {
		g.IsGroupForGuests = *in.IsGroupForGuests
	}
	if in.IsDefault != nil {
		g.IsDefault = *in.IsDefault
		if g.IsDefault {
			s.clearDefault(g.ID)
		}
	}
	return nil
}

func (s *Store) validateGroupInput(id int, in groupInput) error {
	if in.Name != nil {
		if err := s.validateGroupName(id, *in.Name); err != nil {
			return err
		}
	}
	if in.CategoryAccess != nil && !slices.Contains(categoryTypes, in.CategoryAccess.Type) {
		return fmt.Errorf("category_access.type must be one of %s", strings.Join(categoryTypes, ", "))
	}
	if in.DiscountRules != nil {
		if err := validateRules(*in.DiscountRules); err != nil {
			return err
		}
	}
	if in.IsGroupForGuests != nil && *in.IsGroupForGuests {
		return s.checkGuestGroup(id)
	}
	return nil
}

func (s *Store) validateGroupName(id int, name string) error {
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > 255 {
		return errors.New("name must be 1-255 characters")
	}
	for _, other := range s.groups {
		if other.ID != id && strings.EqualFold(other.Name, name) {
			return fmt.Errorf("%w: the customer group name %q is already in use by group %d", errConflict, name, other.ID)
		}
	}
	return nil
}

// checkGuestGroup enforces the documented "only one guest group at a time". The docs do not
// say whether a second one is refused or replaces the first; refusing with 409 is the
// reading that cannot silently change another group.
func (s *Store) checkGuestGroup(id int) error {
	for _, other := range s.groups {
		if other.ID != id && other.IsGroupForGuests {
			return fmt.Errorf("%w: group %d (%s) is already the group for guests; there can only be one", errConflict, other.ID, other.Name)
		}
	}
	return nil
}

// clearDefault unsets the previous default: a store has a single default group, and
// choosing a new one in the control panel moves the flag.
func (s *Store) clearDefault(except int) {
	for i := range s.groups {
		if s.groups[i].ID != except {
			s.groups[i].IsDefault = false
		}
	}
}

func validateRules(rules []ruleJSON) error {
	allRules := 0
	for i, r := range rules {
		if err := validateRule(r, len(rules)); err != nil {
			return fmt.Errorf("discount_rules[%d]: %w", i, err)
		}
		if r.Type == ruleTypeAll {
			allRules++
		}
	}
	if allRules > 1 {
		return errors.New("discount_rules: at most one rule may have type 'all'")
	}
	return nil
}

func validateRule(r ruleJSON, count int) error {
	switch r.Type {
	case ruleTypePriceList:
		if count > 1 {
			return errors.New("a price_list rule must be the only discount rule")
		}
		if r.PriceListID <= 0 {
			return errors.New("a price_list rule needs price_list_id")
		}
		return nil
	case ruleTypeCategory:
		if r.CategoryID <= 0 {
			return errors.New("a category rule needs category_id")
		}
	case ruleTypeProduct:
		if r.ProductID <= 0 {
			return errors.New("a product rule needs product_id")
		}
	case ruleTypeAll:
	default:
		return fmt.Errorf("type must be one of %s", strings.Join(ruleTypes, ", "))
	}
	return validateDiscount(r)
}

func validateDiscount(r ruleJSON) error {
	if !slices.Contains(ruleMethods, r.Method) {
		return fmt.Errorf("method must be one of %s", strings.Join(ruleMethods, ", "))
	}
	if r.Amount == nil || *r.Amount < 0 {
		return errors.New("amount must be a number of at least 0")
	}
	if r.Method == "percent" && *r.Amount > 100 {
		return errors.New("a percent amount cannot exceed 100")
	}
	return nil
}

func toDiscountRules(in []ruleJSON) []DiscountRule {
	rules := make([]DiscountRule, len(in))
	for i, r := range in {
		rules[i] = DiscountRule{Type: r.Type, PriceListID: r.PriceListID}
		if r.Type != ruleTypePriceList {
			rules[i] = DiscountRule{Type: r.Type, Method: r.Method, Amount: float64(*r.Amount), CategoryID: r.CategoryID, ProductID: r.ProductID}
		}
	}
	return rules
}
