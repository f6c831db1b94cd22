package tools

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// fieldWalk holds, for each writable argument of CustomerFields, a value
// that differs from what customer c holds, and a value bc refuses (nil for
// a field every value of whose type is valid).
var fieldWalk = map[string]struct {
	send    func(c bcsim.Customer) any
	invalid any
}{
	"email":               {func(c bcsim.Customer) any { return "walked." + c.Email }, "not an address"},
	"first_name":          {func(c bcsim.Customer) any { return c.FirstName + "a" }, ""},
	"last_name":           {func(c bcsim.Customer) any { return c.LastName + "a" }, ""},
	"company":             {func(c bcsim.Customer) any { return c.Company + " Ltd" }, strings.Repeat("c", 256)},
	"phone":               {func(c bcsim.Customer) any { return c.Phone + "9" }, strings.Repeat("1", 51)},
	"notes":               {func(c bcsim.Customer) any { return c.Notes + "walked" }, strings.Repeat("n", 65536)},
	"tax_exempt_category": {func(c bcsim.Customer) any { return c.TaxExemptCategory + "W" }, strings.Repeat("t", 256)},
	"customer_group_id":   {func(c bcsim.Customer) any { return 1 + c.CustomerGroupID%3 }, -1},
	"accepts_product_review_abandoned_cart_emails": {func(c bcsim.Customer) any { return !c.AcceptsProductReviewAbandonedCartEmails }, nil},
	"channel_ids":          {func(c bcsim.Customer) any { return append(slices.Clone(c.ChannelIDs), 7) }, []int{0}},
	"store_credit_amounts": {func(c bcsim.Customer) any { return []map[string]any{{"amount": 12.5}} }, []map[string]any{{"amount": -1}}},
	"force_password_reset": {func(c bcsim.Customer) any { return !c.ForcePasswordReset }, nil},
}

// TestEveryCustomerFieldIsValidatedDiffedAndSent walks the writable arguments
// of CustomerFields through the bulk tool, as an explicit list and as a
// selector's set: each must be refused when invalid, show in the dry run's
// changes, be sent (the store then holds it: a repeat is unchanged), and map
// to a field of bc.CustomerUpdate; together they must cover all of them.
func TestEveryCustomerFieldIsValidatedDiffedAndSent(t *testing.T) {
	t.Parallel()
	reached := map[string]bool{}
	for _, field := range reflect.VisibleFields(reflect.TypeFor[CustomerFields]()) {
		name := jsonName(field)
		if field.Anonymous || field.Type.Kind() == reflect.Interface {
			continue // bc's fields, walked one by one; or read-only, refused
		}
		walk, ok := fieldWalk[name]
		if !ok {
			t.Errorf("no walk values for %s: add them to fieldWalk", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			s := newSession(t, Config{})
			c1, _ := s.store.Customer(1)
			listed := func(value any) map[string]any {
				return map[string]any{"customers": []map[string]any{{"id": 1, name: value}}}
			}
			walkThrough(s, 1, name, listed(walk.send(c1)))
			c2, _ := s.store.Customer(2)
			selected := func(value any) map[string]any {
				return map[string]any{"where": map[string]any{"ids": []int{2}}, "set": map[string]any{name: value}}
			}
			walkThrough(s, 2, name, selected(walk.send(c2)))
			reached[reaches(t, name, walk.send(c2))] = true
			if walk.invalid == nil {
				return
			}
			if res := s.bulk(listed(walk.invalid)); len(res.Failures) != 1 || res.Failures[0].Code != bc.FailureInvalid || res.Failures[0].Count != 1 {
				t.Errorf("%s=%.40v in a list: failures %+v, want it invalid", name, walk.invalid, res.Failures)
			}
			if err := s.fail(bulkTool, selected(walk.invalid)); !anyUnder(err.Fields, "set."+name) {
				t.Errorf("%s=%.40v in a set: fields %v, want a problem with set.%s", name, walk.invalid, err.Fields, name)
			}
		})
	}
	var want []string
	for _, field := range reflect.VisibleFields(reflect.TypeFor[bc.CustomerUpdate]()) {
		if name := jsonName(field); !field.Anonymous && name != "id" {
			want = append(want, name)
			if !reached[name] {
				t.Errorf("no argument of the bulk tool changes bc's %s", name)
			}
		}
	}
	if len(reached) != len(want) {
		t.Errorf("the walk reached %v, want each of %v once", reached, want)
	}
}

// walkThrough dry-runs, applies and repeats one call changing argument on
// customer id; the dry run must name the argument as the one change.
func walkThrough(s *session, id int, argument string, args map[string]any) {
	s.t.Helper()
	dry := map[string]any{"dry_run": true}
	for k, v := range args {
		dry[k] = v
	}
	plan := s.bulk(dry)
	if plan.Counts.WouldChange != 1 || len(plan.Changes) != 1 || len(plan.Changes[0].Fields) != 1 || !hasKey(plan.Changes[0].Fields, argument) {
		s.t.Fatalf("dry run of %v: %+v, want %s of one customer changed", args, plan, argument)
	}
	if res := s.bulk(args); !slices.Equal(res.Updated, []int{id}) {
		s.t.Fatalf("%v: updated %v, failed %+v, want [%d] updated", args, res.Updated, res.Failed, id)
	}
	if again := s.bulk(dry); !slices.Equal(again.Unchanged, []int{id}) {
		s.t.Errorf("%v once applied: the store does not hold it (dry run %+v)", args, again)
	}
}

// reaches is the field of bc.CustomerUpdate that argument, given value, sets.
func reaches(t *testing.T, argument string, value any) string {
	var f CustomerFields
	data, _ := json.Marshal(map[string]any{argument: value})
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	u := reflect.ValueOf(f.toAPI(1))
	for _, field := range reflect.VisibleFields(u.Type()) {
		if name := jsonName(field); !field.Anonymous && name != "id" && !u.FieldByIndex(field.Index).IsZero() {
			return name
		}
	}
	return ""
}

func hasKey[V any](m map[string]V, key string) bool {
	_, ok := m[key]
	return ok
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

func anyUnder(fields map[string]string, path string) bool {
	for field := range fields {
		if field == path || strings.HasPrefix(field, path+".") || strings.HasPrefix(field, path+"[") {
			return true
		}
	}
	return false
}
