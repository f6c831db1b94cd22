package bc

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEveryGroupFieldIsReadRestoredAndCompared walks the fields of
// CustomerGroupInput, so that a field added to it, or left out of InputOf,
// Restoring, Matches or Differing, fails here: an input that sets only
// that field, taken from one group, must tell it from another group, and
// restore the other group's value and nothing else.
func TestEveryGroupFieldIsReadRestoredAndCompared(t *testing.T) {
	t.Parallel()
	before := CustomerGroup{Name: "Before", CategoryAccess: &CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{3}},
		DiscountRules: []DiscountRule{{Type: RuleTypeAll, Method: MethodPercent, Amount: 5}}}
	after := CustomerGroup{Name: "After", IsDefault: true, IsGroupForGuests: true, CategoryAccess: &CategoryAccess{Type: CategoryAccessNone}}
	all := reflect.ValueOf(InputOf(after))
	for _, f := range reflect.VisibleFields(reflect.TypeFor[CustomerGroupInput]()) {
		if f.Anonymous {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			if all.FieldByIndex(f.Index).IsNil() {
				t.Fatalf("InputOf leaves %s out", f.Name)
			}
			var in CustomerGroupInput
			reflect.ValueOf(&in).Elem().FieldByIndex(f.Index).Set(all.FieldByIndex(f.Index))
			if !in.Matches(after) || in.Matches(before) {
				t.Errorf("%s alone: matches the group it came from %v, the other %v; want true, false", f.Name, in.Matches(after), in.Matches(before))
			}
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); !slices.Equal(in.Differing(before), []string{name}) {
				t.Errorf("%s alone: differing from the other group names %v, want [%s]", f.Name, in.Differing(before), name)
			}
			restore := in.Restoring(before)
			for _, g := range reflect.VisibleFields(reflect.TypeFor[CustomerGroupInput]()) {
				if !g.Anonymous && reflect.ValueOf(restore).FieldByIndex(g.Index).IsNil() == (g.Name == f.Name) {
					t.Errorf("restoring %s: %s set %v", f.Name, g.Name, g.Name != f.Name)
				}
			}
			if !restore.Matches(before) || restore.Matches(after) {
				t.Errorf("restoring %s: %+v does not set back what the group had", f.Name, restore)
			}
		})
	}
}
