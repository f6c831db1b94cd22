package tools

// What the published input schemas leave out, so that tools/list stays
// small (under 15 KB: see TestToolListSize) without saying anything twice.
// Arguments are still checked against the full schemas.

import "github.com/invopop/jsonschema"

// trimSchema leaves out the read-only fields, accepted only to be refused by
// name (additionalProperties: false already says they cannot be sent), and
// publishes set and where as objects whose fields are named elsewhere: set's
// are a customers item's, and where's are list_customers' (listed whenever
// this tool is). Arguments are still checked field by field.
func (BulkUpdateCustomersInput) trimSchema(published *jsonschema.Schema) {
	items := property(published, "customers").Items
	for _, name := range readOnlyCustomerFields {
		items.Properties.Delete(name)
	}
	for _, name := range []string{"set", "where"} {
		published.Properties.Set(name, &jsonschema.Schema{Type: "object", Description: property(published, name).Description})
	}
}

// trimSchema publishes category_access and discount_rules as an object and
// a list of objects whose fields are create_customer_group's (listed whenever
// this tool is), and leaves out the settings' descriptions, which are create's
// too; the tool's own description repeats the two traps, that discount_rules
// replaces every rule and that there is one guest group. Arguments are still
// checked field by field.
func (UpdateCustomerGroupInput) trimSchema(published *jsonschema.Schema) {
	undescribe(published)
	published.Properties.Set("category_access", &jsonschema.Schema{Type: "object", Description: "As in create_customer_group."})
	published.Properties.Set("discount_rules", &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "object"},
		Description: "As in create_customer_group; [] removes all."})
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
