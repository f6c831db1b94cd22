package tools

import (
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestSummariesCountOneInTheSingular(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{}, bcsim.WithGroups(1))
	s.call("update_customer_group", map[string]any{"id": 1, "discount_rules": []map[string]any{{"type": "all", "method": "percent", "amount": 5}}})
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"count_customer_groups", nil, "The store has 1 customer group."},
		{"list_customer_groups", nil, "1 customer group (page 1, limit 50)"},
		{"list_customer_groups", map[string]any{"all_pages": true}, "All 1 customer group matching."},
		{"get_customer_group", map[string]any{"id": 1}, "(1 discount rule)."},
		{"bulk_update_customers", map[string]any{"customers": []map[string]any{{"id": 1, "notes": "one"}}}, "Of 1 customer: 1 updated, 0 unchanged, 0 failed, 0 not attempted (1 update call;"},
		{"bulk_update_customers", map[string]any{"customers": []map[string]any{{"id": 2, "notes": "one"}}, "dry_run": true}, "Dry run, nothing written: of 1 customer,"},
	} {
		if got := text(s.call(tc.tool, tc.args)); !strings.Contains(got, tc.want) {
			t.Errorf("%s %v: %q, want %q", tc.tool, tc.args, got, tc.want)
		}
	}
	if got := plural(2, "customer group"); got != "2 customer groups" {
		t.Errorf("plural(2) = %q", got)
	}
}
