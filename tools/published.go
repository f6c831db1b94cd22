package tools

// What the published input schemas leave out, so that tools/list stays
// small (under 15 KB: see TestToolListSize) without saying anything twice.
// Arguments are still checked against the full schemas.

import "github.com/invopop/jsonschema"

// trimSchema leaves out the read-only fields, accepted only to be refused by
// name (additionalProperties: false already says they cannot be sent), and
// the descriptions of set's fields, which are a customers item's, and of
// where's, which are list_customers' (listed whenever this tool is).
func (BulkUpdateCustomersInput) trimSchema(published *jsonschema.Schema) {
	item, set, where := property(published, "customers").Items, property(published, "set"), property(published, "where")
	for _, fields := range []*jsonschema.Schema{item, set} {
		for _, name := range readOnlyCustomerFields {
			fields.Properties.Delete(name)
		}
	}
	undescribe(set)
	undescribe(where)
}

// trimSchema leaves out the descriptions of the settings, which are
// create_customer_group's (listed whenever this tool is); the tool's own
// description repeats the two traps, that discount_rules replaces every rule
// and that there is one guest group.
func (UpdateCustomerGroupInput) trimSchema(published *jsonschema.Schema) {
	undescribe(published)
	undescribe(property(published, "discount_rules").Items)
	undescribe(property(published, "category_access"))
	property(published, "id").Description = "The customer group's id."
}

func property(s *jsonschema.Schema, name string) *jsonschema.Schema {
	p, ok := s.Properties.Get(name)
	if !ok {
		panic("the schema has no property " + name) // a programming error, caught by any test
	}
	return p
}

// undescribe drops the descriptions of an object's properties.
func undescribe(object *jsonschema.Schema) {
	for pair := object.Properties.Oldest(); pair != nil; pair = pair.Next() {
		pair.Value.Description = ""
	}
}
