package bc

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func ptr[T any](v T) *T { return &v }

func rules(r ...DiscountRule) *[]DiscountRule { return &r }

// assertProblemWith fails unless err is a *ValidationError naming field, or
// nil when field is "".
func assertProblemWith(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	switch {
	case field == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case field != "" && (!errors.As(err, &ve) || ve.Fields[field] == ""):
		t.Fatalf("err = %v, want a problem with %s", err, field)
	}
}

func TestCustomerGroupInputIsValidatedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        CustomerGroupInput
		create    bool
		wantField string // "" means valid
	}{
		{"a create needs a name", CustomerGroupInput{GroupSettings: GroupSettings{IsDefault: ptr(true)}}, true, "name"},
		{"an empty name is refused", CustomerGroupInput{Name: ptr("")}, true, "name"},
		{"a 256-character name is refused", CustomerGroupInput{Name: ptr(strings.Repeat("n", 256))}, true, "name"},
		{"a 255-character name is fine", CustomerGroupInput{Name: ptr(strings.Repeat("ñ", 255))}, true, ""},
		{"an empty update is refused", CustomerGroupInput{}, false, "body"},
		{"specific access needs categories", CustomerGroupInput{GroupSettings: GroupSettings{CategoryAccess: &CategoryAccess{Type: "specific"}}}, false, "category_access.categories"},
		{"an unknown access type is refused", CustomerGroupInput{GroupSettings: GroupSettings{CategoryAccess: &CategoryAccess{Type: "some"}}}, false, "category_access.type"},
		{"a price list must be the only rule", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(
			DiscountRule{Type: "price_list", PriceListID: 3}, DiscountRule{Type: "all", Method: "percent", Amount: 5})}}, false, "discount_rules[0].type"},
		{"a price list needs its id", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "price_list"})}}, false, "discount_rules[0].price_list_id"},
		{"only one all rule", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(
			DiscountRule{Type: "all", Method: "percent", Amount: 5}, DiscountRule{Type: "all", Method: "fixed", Amount: 1})}}, false, "discount_rules[1].type"},
		{"a category rule needs category_id", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "category", Method: "percent", Amount: 5})}}, false, "discount_rules[0].category_id"},
		{"a product rule needs product_id", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "product", Method: "fixed", Amount: 5})}}, false, "discount_rules[0].product_id"},
		{"the method must be known", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "all", Method: "half", Amount: 5})}}, false, "discount_rules[0].method"},
		{"a percent cannot exceed 100", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "all", Method: "percent", Amount: 101})}}, false, "discount_rules[0].amount"},
		{"an amount must be positive", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "all", Method: "fixed", Amount: -1})}}, false, "discount_rules[0].amount"},
		{"an empty rule list clears the rules", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules()}}, false, ""},
		{"the four variants together are fine", CustomerGroupInput{GroupSettings: GroupSettings{DiscountRules: rules(
			DiscountRule{Type: "all", Method: "percent", Amount: 5},
			DiscountRule{Type: "category", Method: "price", Amount: 9.5, CategoryID: 18},
			DiscountRule{Type: "product", Method: "fixed", Amount: 1, ProductID: 77})}}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblemWith(t, tt.in.Validate(tt.create), tt.wantField)
		})
	}
}

func TestCustomerUpdateIsValidatedAgainstTheDocumentedLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        CustomerUpdate
		wantField string
	}{
		{"an id is required", CustomerUpdate{CustomerFields: CustomerFields{FirstName: ptr("Ann")}}, "id"},
		{"something must change", CustomerUpdate{ID: 1}, "body"},
		{"an email needs 3 characters", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{Email: ptr("a@")}}, "email"},
		{"an email must be an address", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{Email: ptr("Ann <ann@example.com>")}}, "email"},
		{"a first name is 1-100 characters", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{FirstName: ptr(strings.Repeat("a", 101))}}, "first_name"},
		{"a last name cannot be empty", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{LastName: ptr("")}}, "last_name"},
		{"a phone is at most 50 characters", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{Phone: ptr(strings.Repeat("1", 51))}}, "phone"},
		{"a company is at most 255 characters", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{Company: ptr(strings.Repeat("c", 256))}}, "company"},
		{"a group id cannot be negative", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{CustomerGroupID: ptr(-1)}}, "customer_group_id"},
		{"invalid UTF-8 is refused", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{FirstName: ptr("\xff")}}, "first_name"},
		{"an empty channel list is refused", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{ChannelIDs: []int{}}}, "channel_ids"},
		{"an empty store credit list is refused", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{StoreCreditAmounts: []StoreCredit{}}}, "store_credit_amounts"},
		{"group 0 means no group", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{CustomerGroupID: ptr(0)}}, ""},
		{"an empty company clears it", CustomerUpdate{ID: 1, CustomerFields: CustomerFields{Company: ptr("")}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertProblemWith(t, tt.in.Validate(), tt.wantField)
		})
	}
}

func TestInvalidInputSendsNoRequest(t *testing.T) {
	t.Parallel()
	s := &script{steps: []http.HandlerFunc{respond(200, "{}")}}
	c := newTestClient(t, s)
	ctx := context.Background()
	calls := []func() error{
		func() error { _, _, err := c.CustomerGroups.Create(ctx, CustomerGroupInput{}); return err },
		func() error {
			_, _, err := c.CustomerGroups.Update(ctx, 0, CustomerGroupInput{Name: ptr("x")})
			return err
		},
		func() error { _, _, err := c.CustomerGroups.Get(ctx, -1); return err },
		func() error { _, err := c.CustomerGroups.Delete(ctx, 0); return err },
		func() error {
			_, _, err := c.CustomerGroups.List(ctx, ListCustomerGroupsOptions{Limit: 251})
			return err
		},
		func() error {
			_, _, err := c.CustomerGroups.List(ctx, ListCustomerGroupsOptions{DateCreatedMin: "last week"})
			return err
		},
		func() error { // RFC 1123 is how dates arrive, not a documented filter form
			_, _, err := c.CustomerGroups.List(ctx, ListCustomerGroupsOptions{DateModifiedMax: "Tue, 20 Nov 2012 00:00:00 +0000"})
			return err
		},
		func() error {
			_, _, err := c.Customers.Update(ctx, make([]CustomerUpdate, 11))
			return err
		},
		func() error {
			_, _, err := c.Customers.Update(ctx, []CustomerUpdate{{ID: 1, CustomerFields: CustomerFields{Notes: ptr("a")}}, {ID: 1, CustomerFields: CustomerFields{Notes: ptr("b")}}})
			return err
		},
	}
	for i, call := range calls {
		var ve *ValidationError
		if err := call(); !errors.As(err, &ve) {
			t.Errorf("call %d: err = %v, want *ValidationError", i, err)
		}
	}
	if n := s.calls.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

func TestASelectorWithImpossibleValuesIsRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		sel       CustomerSelector
		wantField string
	}{
		{"a negative customer id", CustomerSelector{IDs: []int{5, -1}}, "ids[1]"},
		{"customer id 0", CustomerSelector{IDs: []int{0}}, "ids[0]"},
		{"a negative group id", CustomerSelector{CustomerGroupIDs: []int{-7}}, "customer_group_ids[0]"},
		{"too many ids", CustomerSelector{IDs: make([]int, MaxSelectorValues+1)}, "ids"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.sel.options()
			assertProblemWith(t, err, tt.wantField)
		})
	}
}

func TestEmailFiltersStayShort(t *testing.T) {
	t.Parallel()
	emails := make([]string, 100)
	for i := range emails {
		emails[i] = strings.Repeat("e", 200) + "@example.com"
	}
	n := 0
	for chunk := range emailChunks(emails) {
		n += len(chunk)
		if length := len(url.QueryEscape(strings.Join(chunk, ","))); length > maxEmailFilterLength {
			t.Fatalf("a chunk of %d emails is %d characters long", len(chunk), length)
		}
	}
	if n != len(emails) {
		t.Fatalf("chunks hold %d emails, want %d", n, len(emails))
	}
	for chunk := range emailChunks(nil) {
		if chunk != nil {
			t.Fatal("no emails must be one query without an email filter")
		}
	}
}

// TestFilterErrorsNameTheFieldsByTheirJSONNames sets each date filter of the
// group list options and of the customer selector to a non-date, and wants
// the error keyed by that field's JSON name, which the tools use as theirs.
func TestFilterErrorsNameTheFieldsByTheirJSONNames(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, &script{steps: []http.HandlerFunc{respond(500, "")}})
	check := func(t *testing.T, typ reflect.Type, call func(v reflect.Value) error) {
		for _, f := range reflect.VisibleFields(typ) {
			if !strings.HasPrefix(f.Name, "Date") {
				continue
			}
			v := reflect.New(typ).Elem()
			v.FieldByIndex(f.Index).SetString("yesterday")
			var invalid *ValidationError
			if err := call(v); !errors.As(err, &invalid) || invalid.Fields[apiName(f)] == "" {
				t.Errorf("%s=yesterday: %v, want a problem with %s", f.Name, err, apiName(f))
			}
		}
	}
	check(t, reflect.TypeFor[ListCustomerGroupsOptions](), func(v reflect.Value) error {
		_, _, err := c.CustomerGroups.List(t.Context(), v.Interface().(ListCustomerGroupsOptions))
		return err
	})
	check(t, reflect.TypeFor[CustomerSelector](), func(v reflect.Value) error {
		_, _, err := c.Customers.Select(t.Context(), v.Interface().(CustomerSelector))
		return err
	})
}
