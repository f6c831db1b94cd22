package bc

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CustomerGroup is a V2 customer group.
type CustomerGroup struct {
	ID               int             `json:"id"`
	Name             string          `json:"name"`
	IsDefault        bool            `json:"is_default"`
	IsGroupForGuests bool            `json:"is_group_for_guests"`
	CategoryAccess   *CategoryAccess `json:"category_access,omitempty"`
	DiscountRules    []DiscountRule  `json:"discount_rules"`
	DateCreated      Time            `json:"date_created"`
	DateModified     Time            `json:"date_modified"`
}

// Category access types.
const (
	CategoryAccessAll      = "all"
	CategoryAccessSpecific = "specific"
	CategoryAccessNone     = "none"
)

// CategoryAccess says which categories the group's customers can see.
type CategoryAccess struct {
	Type       string `json:"type"`
	Categories []int  `json:"categories,omitempty"`
}

// Discount rule types and methods.
const (
	RuleTypePriceList = "price_list"
	RuleTypeAll       = "all"
	RuleTypeCategory  = "category"
	RuleTypeProduct   = "product"

	MethodPercent = "percent"
	MethodFixed   = "fixed"
	MethodPrice   = "price"
)

// DiscountRule is one of four variants, told apart by Type: a price list (which
// must be the group's only rule), a store-wide discount (at most one), or a
// discount on one category or one product.
type DiscountRule struct {
	Type        string `json:"type"`
	Method      string `json:"method,omitempty"`
	Amount      Amount `json:"amount,omitempty"`
	CategoryID  int    `json:"category_id,omitempty"`
	ProductID   int    `json:"product_id,omitempty"`
	PriceListID int    `json:"price_list_id,omitempty"`
}

// CustomerGroupInput is the body of a create or update. Nil fields are not
// sent.
type CustomerGroupInput struct {
	Name *string `json:"name,omitempty"`
	GroupSettings
}

// GroupSettings are what a create or update may set besides the name.
// DiscountRules, when not nil, replaces the group's whole set of rules; a
// pointer to an empty slice removes them all.
type GroupSettings struct {
	IsDefault        *bool           `json:"is_default,omitempty"`
	IsGroupForGuests *bool           `json:"is_group_for_guests,omitempty"`
	CategoryAccess   *CategoryAccess `json:"category_access,omitempty"`
	DiscountRules    *[]DiscountRule `json:"discount_rules,omitempty"`
}

// Validate checks the input against BigCommerce's documented rules. A create
// needs a name; an update needs at least one field.
func (in CustomerGroupInput) Validate(create bool) error {
	errs := fieldErrors{}
	switch {
	case in.Name != nil:
		validateGroupName(errs, *in.Name)
	case create:
		errs.add("name", "is required")
	}
	if !create && in == (CustomerGroupInput{}) {
		errs.add("body", "nothing to update: give at least one field")
	}
	if in.CategoryAccess != nil {
		validateCategoryAccess(errs, *in.CategoryAccess)
	}
	if in.DiscountRules != nil {
		validateDiscountRules(errs, *in.DiscountRules)
	}
	return errs.err()
}

// validateGroupName refuses a name that would not read as it is stored: a
// blank one, one with control characters or line breaks (a name is one line),
// and one with spaces at either end. Those are refused, not trimmed: the store
// keeps them, and its uniqueness check ignores case but not spaces, so " VIP"
// would be a second group that reads as "VIP".
func validateGroupName(errs fieldErrors, name string) {
	validateLength(errs, "name", name, 1, 255)
	trimmed, hidden := strings.TrimSpace(name), strings.IndexFunc(name, breaksLine)
	switch {
	case trimmed == "":
		errs.add("name", "must not be blank: give the group a name people can read")
	case hidden >= 0:
		r, _ := utf8.DecodeRuneInString(name[hidden:])
		errs.add("name", fmt.Sprintf("contains %U, a control character or line break: a group name is one line of text", r))
	case trimmed != name:
		errs.add("name", fmt.Sprintf("has spaces at the start or end, which BigCommerce would keep: send %q", trimmed))
	}
}

func breaksLine(r rune) bool { return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) }

func validateCategoryAccess(errs fieldErrors, ca CategoryAccess) {
	switch ca.Type {
	case CategoryAccessAll, CategoryAccessNone:
	case CategoryAccessSpecific:
		if len(ca.Categories) == 0 {
			errs.add("category_access.categories", `must list at least one category id when type is "specific"`)
		}
	default:
		errs.add("category_access.type", fmt.Sprintf("%q is not one of all, specific, none", ca.Type))
	}
	for i, id := range ca.Categories {
		if id < 1 {
			errs.add(fmt.Sprintf("category_access.categories[%d]", i), "must be a category id (1 or more)")
		}
	}
}

func validateDiscountRules(errs fieldErrors, rules []DiscountRule) {
	storeWide := 0
	for i, r := range rules {
		field := func(name string) string { return fmt.Sprintf("discount_rules[%d].%s", i, name) }
		switch r.Type {
		case RuleTypePriceList:
			if len(rules) > 1 {
				errs.add(field("type"), "a price_list rule must be the group's only rule")
			}
			if r.PriceListID < 1 {
				errs.add(field("price_list_id"), "is required for a price_list rule")
			}
			if r.Method != "" || r.Amount != 0 || r.CategoryID != 0 || r.ProductID != 0 {
				errs.add(field("type"), "a price_list rule takes only price_list_id")
			}
			continue
		case RuleTypeAll:
			if storeWide++; storeWide > 1 {
				errs.add(field("type"), `only one "all" rule is allowed`)
			}
		case RuleTypeCategory:
			if r.CategoryID < 1 {
				errs.add(field("category_id"), "is required for a category rule")
			}
		case RuleTypeProduct:
			if r.ProductID < 1 {
				errs.add(field("product_id"), "is required for a product rule")
			}
		default:
			errs.add(field("type"), fmt.Sprintf("%q is not one of price_list, all, category, product", r.Type))
			continue
		}
		validateDiscount(errs, field, r)
	}
}

func validateDiscount(errs fieldErrors, field func(string) string, r DiscountRule) {
	switch r.Method {
	case MethodPercent:
		if r.Amount > 100 {
			errs.add(field("amount"), "a percent discount cannot exceed 100")
		}
	case MethodFixed, MethodPrice:
	default:
		errs.add(field("method"), fmt.Sprintf("%q is not one of percent, fixed, price", r.Method))
	}
	switch {
	case r.Amount <= 0:
		errs.add(field("amount"), "must be greater than 0")
	case r.Amount.Stored() == 0:
		errs.add(field("amount"), fmt.Sprintf("%v rounds to 0.0000 at BigCommerce's 4 decimal places: the smallest discount is 0.0001", float64(r.Amount)))
	case r.Amount > MaxAmount:
		errs.add(field("amount"), fmt.Sprintf("%v is beyond any price: amounts are at most %.0f", float64(r.Amount), float64(MaxAmount)))
	}
	if r.PriceListID != 0 {
		errs.add(field("price_list_id"), "is only for price_list rules")
	}
}

func validateLength(errs fieldErrors, field, value string, minLen, maxLen int) {
	switch n := utf8.RuneCountInString(value); {
	case !utf8.ValidString(value):
		errs.add(field, "is not valid UTF-8")
	case n < minLen && minLen == 1:
		errs.add(field, "must not be empty")
	case n < minLen:
		errs.add(field, fmt.Sprintf("must be at least %d characters", minLen))
	case n > maxLen:
		errs.add(field, fmt.Sprintf("must be at most %d characters (got %d)", maxLen, n))
	}
}

// InputOf is every setting of g, its name included, as a create or update
// would send it.
func InputOf(g CustomerGroup) CustomerGroupInput {
	rules := slices.Clone(g.DiscountRules)
	if rules == nil {
		rules = []DiscountRule{}
	}
	in := CustomerGroupInput{Name: &g.Name, GroupSettings: GroupSettings{IsDefault: &g.IsDefault,
		IsGroupForGuests: &g.IsGroupForGuests, DiscountRules: &rules}}
	if g.CategoryAccess != nil {
		in.CategoryAccess = &CategoryAccess{Type: g.CategoryAccess.Type, Categories: slices.Clone(g.CategoryAccess.Categories)}
	}
	return in
}

// Restoring is the input that sets back each field in sets to what it was
// on before.
func (in CustomerGroupInput) Restoring(before CustomerGroup) CustomerGroupInput {
	all := InputOf(before)
	out := CustomerGroupInput{}
	if in.Name != nil {
		out.Name = all.Name
	}
	if in.IsDefault != nil {
		out.IsDefault = all.IsDefault
	}
	if in.IsGroupForGuests != nil {
		out.IsGroupForGuests = all.IsGroupForGuests
	}
	if in.CategoryAccess != nil {
		out.CategoryAccess = cmp.Or(all.CategoryAccess, &CategoryAccess{Type: CategoryAccessAll}) // what a group without one shows
	}
	if in.DiscountRules != nil {
		out.DiscountRules = all.DiscountRules
	}
	return out
}

// Matches reports whether g has every field the input sets, its name included.
func (in CustomerGroupInput) Matches(g CustomerGroup) bool { return len(in.Differing(g)) == 0 }

// Differing names, by their JSON names, the fields the input sets that g
// has otherwise, its name included.
func (in CustomerGroupInput) Differing(g CustomerGroup) []string {
	var fields []string
	if in.Name != nil && *in.Name != g.Name {
		fields = append(fields, "name")
	}
	return append(fields, in.settingsDiffering(g)...)
}

func (in CustomerGroupInput) settingsDiffering(g CustomerGroup) []string {
	var fields []string
	for _, f := range []struct {
		name    string
		differs bool
	}{
		{"is_default", in.IsDefault != nil && *in.IsDefault != g.IsDefault},
		{"is_group_for_guests", in.IsGroupForGuests != nil && *in.IsGroupForGuests != g.IsGroupForGuests},
		{"category_access", in.CategoryAccess != nil && !sameCategoryAccess(*in.CategoryAccess, g.CategoryAccess)},
		{"discount_rules", in.DiscountRules != nil && !sameRules(*in.DiscountRules, g.DiscountRules)},
	} {
		if f.differs {
			fields = append(fields, f.name)
		}
	}
	return fields
}

func sameCategoryAccess(want CategoryAccess, have *CategoryAccess) bool {
	if have == nil {
		return want.Type == CategoryAccessAll && len(want.Categories) == 0
	}
	return want.Type == have.Type && slices.Equal(slices.Sorted(slices.Values(want.Categories)), slices.Sorted(slices.Values(have.Categories)))
}

// sameRules compares rule sets in any order. A price list rule is known by
// its id alone: BigCommerce does not show its method and amount.
func sameRules(want, have []DiscountRule) bool {
	key := func(r DiscountRule) DiscountRule {
		if r.Type == RuleTypePriceList {
			return DiscountRule{Type: r.Type, PriceListID: r.PriceListID}
		}
		return r
	}
	compare := func(a, b DiscountRule) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }
	w, h := make([]DiscountRule, len(want)), make([]DiscountRule, len(have))
	for i, r := range want {
		w[i] = key(r)
	}
	for i, r := range have {
		h[i] = key(r)
	}
	slices.SortFunc(w, compare)
	slices.SortFunc(h, compare)
	return slices.Equal(w, h)
}
