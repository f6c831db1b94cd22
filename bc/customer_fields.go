package bc

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// customerField is one writable field of a customer, by its API name: the
// one place that says whether an update gives it, how it is checked and how
// it compares with the customer as read. Validate, IsEmpty, Diff and the
// reading of a customer's left-out fields all walk customerFields.
type customerField struct {
	name  string
	given func(CustomerUpdate) bool
	check func(fieldErrors, CustomerUpdate)
	diff  func(map[string]FieldChange, CustomerUpdate, Customer)
	// scalar: a read that leaves the field out cannot be told from an empty
	// value by the Customer struct alone (see Customer.unshown).
	scalar bool
	// lengths is a text field's [min, max] characters.
	lengths *[2]int
}

var customerFields = []customerField{
	textField("email", 3, 255, func(u CustomerUpdate) *string { return u.Email }, func(c Customer) string { return c.Email }),
	textField("first_name", 1, 100, func(u CustomerUpdate) *string { return u.FirstName }, func(c Customer) string { return c.FirstName }),
	textField("last_name", 1, 100, func(u CustomerUpdate) *string { return u.LastName }, func(c Customer) string { return c.LastName }),
	textField("company", 0, 255, func(u CustomerUpdate) *string { return u.Company }, func(c Customer) string { return c.Company }),
	textField("phone", 0, 50, func(u CustomerUpdate) *string { return u.Phone }, func(c Customer) string { return c.Phone }),
	textField("notes", 0, 65535, // undocumented; a TEXT column's size
		func(u CustomerUpdate) *string { return u.Notes }, func(c Customer) string { return c.Notes }),
	textField("tax_exempt_category", 0, 255,
		func(u CustomerUpdate) *string { return u.TaxExemptCategory }, func(c Customer) string { return c.TaxExemptCategory }),
	valueField("customer_group_id", func(u CustomerUpdate) *int { return u.CustomerGroupID },
		func(c Customer) int { return c.CustomerGroupID }, checkGroupID),
	valueField("accepts_product_review_abandoned_cart_emails",
		func(u CustomerUpdate) *bool { return u.AcceptsProductReviewAbandonedCartEmails },
		func(c Customer) bool { return c.AcceptsProductReviewAbandonedCartEmails }, nil),
	listField("channel_ids", func(u CustomerUpdate) []int { return u.ChannelIDs }, func(c Customer) []int { return c.ChannelIDs },
		"give at least one channel id, or leave channel_ids out to keep the customer's channels", checkChannelID),
	listField("store_credit_amounts", func(u CustomerUpdate) []StoreCredit { return u.StoreCreditAmounts },
		func(c Customer) []StoreCredit { return c.StoreCreditAmounts },
		`give at least one balance ([{"amount": 0}] clears the credit), or leave store_credit_amounts out`, checkStoreCredit),
	{
		name:  "authentication",
		given: func(u CustomerUpdate) bool { return u.Authentication != nil },
		check: func(fieldErrors, CustomerUpdate) {},
		diff: func(d map[string]FieldChange, u CustomerUpdate, c Customer) {
			if u.Authentication == nil {
				return
			}
			var have *bool
			if c.Authentication != nil {
				have = &c.Authentication.ForcePasswordReset
			}
			diffValue(d, c, "authentication.force_password_reset", &u.Authentication.ForcePasswordReset, have)
		},
	},
}

// TextFieldLengths returns the lengths, in characters, a customer's text
// field (by its API name) may have; ok is false for any other field.
func TextFieldLengths(name string) (minLen, maxLen int, ok bool) {
	for _, f := range customerFields {
		if f.name == name && f.lengths != nil {
			return f.lengths[0], f.lengths[1], true
		}
	}
	return 0, 0, false
}

// textField is a string field of minLen to maxLen characters; an email must
// also be a plain address.
func textField(name string, minLen, maxLen int, want func(CustomerUpdate) *string, have func(Customer) string) customerField {
	f := valueField(name, want, have, func(errs fieldErrors, value string) {
		validateLength(errs, name, value, minLen, maxLen)
		if name != "email" {
			return
		}
		if addr, err := mail.ParseAddress(value); err != nil || addr.Address != value {
			errs.add(name, fmt.Sprintf("%q is not a plain email address", value))
		}
	})
	f.lengths = &[2]int{minLen, maxLen}
	return f
}

// valueField is a field sent as one JSON value; check (nil: none) is called
// with the value when the update gives it.
func valueField[T comparable](name string, want func(CustomerUpdate) *T, have func(Customer) T, check func(fieldErrors, T)) customerField {
	return customerField{name: name, scalar: true,
		given: func(u CustomerUpdate) bool { return want(u) != nil },
		check: func(errs fieldErrors, u CustomerUpdate) {
			if v := want(u); v != nil && check != nil {
				check(errs, *v)
			}
		},
		diff: func(d map[string]FieldChange, u CustomerUpdate, c Customer) {
			current := have(c)
			diffValue(d, c, name, want(u), &current)
		},
	}
}

// listField is a list that replaces the customer's; an empty one would not be
// sent at all (omitempty), yet count as a change, so it is refused with
// ifEmpty. checkItem returns the path below the item and its problem, or "".
func listField[T comparable](name string, want func(CustomerUpdate) []T, have func(Customer) []T, ifEmpty string, checkItem func(T) (string, string)) customerField {
	return customerField{name: name,
		given: func(u CustomerUpdate) bool { return want(u) != nil },
		check: func(errs fieldErrors, u CustomerUpdate) {
			list := want(u)
			if list != nil && len(list) == 0 {
				errs.add(name, ifEmpty)
			}
			for i, item := range list {
				if below, problem := checkItem(item); problem != "" {
					errs.add(fmt.Sprintf("%s[%d]%s", name, i, below), problem)
				}
			}
		},
		diff: func(d map[string]FieldChange, u CustomerUpdate, c Customer) { diffList(d, name, want(u), have(c)) },
	}
}

func checkGroupID(errs fieldErrors, id int) {
	if id < 0 {
		errs.add("customer_group_id", "must be a group id, or 0 for no group")
	}
}

func checkChannelID(id int) (string, string) {
	if id < 1 {
		return "", "must be a channel id (1 or more)"
	}
	return "", ""
}

func checkStoreCredit(c StoreCredit) (string, string) {
	if c.Amount < 0 {
		return ".amount", "must not be negative"
	}
	return "", ""
}

// Validate checks the documented limits of each field.
func (u CustomerUpdate) Validate() error {
	errs := fieldErrors{}
	if u.ID < 1 {
		errs.add("id", "is required and must be 1 or more")
	}
	for _, f := range customerFields {
		f.check(errs, u)
	}
	if u.IsEmpty() {
		errs.add("body", "nothing to update: give at least one field besides id")
	}
	return errs.err()
}

// IsEmpty reports whether the update changes nothing.
func (u CustomerUpdate) IsEmpty() bool {
	return !slices.ContainsFunc(customerFields, func(f customerField) bool { return f.given(u) })
}

// Diff returns the fields u would change on c, keyed by their API names.
// A field c does not show (left out of the read, or null) counts as changed,
// so that nothing is skipped on a guess.
func (u CustomerUpdate) Diff(c Customer) map[string]FieldChange {
	d := map[string]FieldChange{}
	for _, f := range customerFields {
		f.diff(d, u, c)
	}
	return d
}

// UpdateFrom is the update of customer id that writes values, keyed by the
// field paths Diff returns (authentication.force_password_reset among
// them), and the paths whose value is null, which are unknown, in order.
func UpdateFrom(id int, values map[string]json.RawMessage) (CustomerUpdate, []string) {
	body, unknown := map[string]any{}, []string{}
	for path, value := range values {
		switch parent, child, nested := strings.Cut(path, "."); {
		case string(value) == "null":
			unknown = append(unknown, path)
		case nested:
			inner, _ := body[parent].(map[string]json.RawMessage)
			if inner == nil {
				inner = map[string]json.RawMessage{}
				body[parent] = inner
			}
			inner[child] = value
		default:
			body[path] = value
		}
	}
	var u CustomerUpdate
	if encoded, err := json.Marshal(body); err == nil {
		json.Unmarshal(encoded, &u)
	}
	u.ID = id
	slices.Sort(unknown)
	return u, unknown
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
