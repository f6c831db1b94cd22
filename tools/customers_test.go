package tools

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

const bulkTool = "bulk_update_customers"

func (s *session) bulk(args map[string]any) BulkUpdateCustomersResult {
	s.t.Helper()
	return succeed[BulkUpdateCustomersResult](s, bulkTool, args)
}

func (s *session) puts() int { return s.store.Total("PUT /v3/customers") }

// inGroup lists the ids of the store's customers in group.
func (s *session) inGroup(group int) []int {
	var ids []int
	for _, c := range s.store.Customers() {
		if c.CustomerGroupID == group {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func TestBulkUpdateAnExplicitList(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	taken, _ := s.store.Customer(2)

	res := s.bulk(map[string]any{"customers": []map[string]any{
		{"id": 1, "company": "Acme", "customer_group_id": 3},
		{"id": 3, "first_name": ""},                            // fails validation alone
		{"id": 4, "email": taken.Email},                        // BigCommerce refuses it
		{"id": 9999, "company": "Nobody"},                      // no such customer
		{"id": 5, "force_password_reset": true, "phone": "+1"}, // shares a batch with the failures
	}, "details": true})

	if res.Total != 5 || !slices.Equal(res.Updated, []int{1, 5}) || res.Counts.Failed != 3 {
		t.Fatalf("result %+v", res)
	}
	codes := map[int]string{}
	for _, f := range res.Failed {
		codes[f.ID] = f.Code
	}
	if codes[3] != "invalid" || codes[4] != "rejected" || codes[9999] != "not_found" {
		t.Errorf("failure codes %v", codes)
	}
	if c, _ := s.store.Customer(1); c.Company != "Acme" || c.CustomerGroupID != 3 {
		t.Errorf("customer 1 = %+v", c)
	}
	if c, _ := s.store.Customer(5); !c.ForcePasswordReset || c.Phone != "+1" {
		t.Errorf("customer 5 = %+v", c)
	}
}

func TestABadItemFailsAloneWhileTheOthersAreUpdated(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	res := s.bulk(map[string]any{"customers": []map[string]any{
		{"id": 0, "company": "Nobody"},
		{"id": 2, "channel_ids": []int{0}},
		{"id": 3, "store_credit_amounts": []any{}},
		{"id": 1, "company": "Acme"},
	}})
	if res.Total != 4 || !slices.Equal(res.Updated, []int{1}) || res.Counts.Failed != 3 {
		t.Fatalf("result %+v, want customer 1 updated and three failures", res)
	}
	for _, g := range res.Failures {
		if g.Code != "invalid" || len(g.Fields) == 0 || g.Count != 1 {
			t.Errorf("failure %+v, want one customer failing invalid, naming the field", g)
		}
	}
	if c, _ := s.store.Customer(1); c.Company != "Acme" {
		t.Errorf("customer 1 = %+v", c)
	}
	if c, _ := s.store.Customer(2); !slices.Equal(c.ChannelIDs, []int{1}) {
		t.Errorf("customer 2's channels became %v", c.ChannelIDs)
	}
}

func TestAMiscountedBulkResultFailsTheCallAndIsLogged(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	ctx := context.WithValue(context.Background(), loggerKey{}, slog.New(slog.NewTextHandler(&logs, nil)))
	for name, res := range map[string]*bc.BulkResult{
		"a customer counted twice": {Requested: 2, Updated: []int{1, 2}, Unchanged: []int{2}},
		"a customer left out":      {Requested: 2, Updated: []int{1}},
		"a customer never asked":   {Requested: 2, Updated: []int{1, 2}, Failed: []bc.BulkFailure{{ID: 3}}},
	} {
		logs.Reset()
		_, err := runReport(ctx, []int{1, 2}, res, nil)
		if got := toToolError(err); got.Code != codeInternal || got.Retryable {
			t.Errorf("%s: error %+v, want internal", name, got)
		}
		if !strings.Contains(logs.String(), "level=ERROR") {
			t.Errorf("%s: logged %q, want an error", name, logs.String())
		}
	}
	if _, err := runReport(ctx, []int{1, 2}, &bc.BulkResult{Requested: 2, Updated: []int{2}, NotAttempted: []int{1}}, nil); err != nil {
		t.Errorf("a result that accounts for every customer: %v", err)
	}
}

func TestBulkUpdateRefusesMalformedRequestsBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	for _, tc := range []struct {
		name  string
		args  map[string]any
		field string
	}{
		{"both forms", map[string]any{"customers": []map[string]any{{"id": 1, "company": "A"}},
			"where": map[string]any{"ids": []int{1}}, "set": map[string]any{"company": "A"}}, "customers"},
		{"neither form", map[string]any{"dry_run": true}, "arguments"},
		{"a selector without set", map[string]any{"where": map[string]any{"ids": []int{1}}}, "set"},
		{"set without a selector", map[string]any{"set": map[string]any{"company": "A"}}, "where"},
		{"an empty selector", map[string]any{"where": map[string]any{}, "set": map[string]any{"company": "A"}}, "where"},
		{"all with filters", map[string]any{"where": map[string]any{"all": true, "ids": []int{1}}, "set": map[string]any{"company": "A"}}, "where.all"},
		{"an empty set", map[string]any{"where": map[string]any{"ids": []int{1}}, "set": map[string]any{}}, "set"},
		{"an invalid set", map[string]any{"where": map[string]any{"ids": []int{1}}, "set": map[string]any{"email": "nope"}}, "set.email"},
		{"a read-only field in an item", map[string]any{"customers": []map[string]any{{"id": 1, "date_created": "2024-01-01"}}}, "customers[0].date_created"},
		{"a read-only field in set", map[string]any{"where": map[string]any{"ids": []int{1}},
			"set": map[string]any{"company": "A", "registration_ip_address": "1.2.3.4"}}, "set.registration_ip_address"},
		{"a repeated id", map[string]any{"customers": []map[string]any{{"id": 1, "company": "A"}, {"id": 1, "company": "B"}}}, "customers"},
		{"expect_count with a list", map[string]any{"customers": []map[string]any{{"id": 1, "company": "A"}}, "expect_count": 1}, "expect_count"},
		{"a bad date", map[string]any{"where": map[string]any{"date_created_min": "soon"}, "set": map[string]any{"company": "A"}}, "where.date_created_min"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := s.fail(bulkTool, tc.args)
			if got.Code != codeInvalidArgument || got.Fields[tc.field] == "" {
				t.Errorf("error %+v, want invalid_argument on %s", got, tc.field)
			}
		})
	}
	if got := s.fail(bulkTool, map[string]any{"customers": []map[string]any{{"id": 1, "origin_channel_id": 2}}}); !strings.Contains(got.Message, "origin_channel_id is read-only") {
		t.Errorf("a read-only field is refused with %q", got.Message)
	}
	if n := s.puts(); n != 0 {
		t.Errorf("%d updates were sent", n)
	}
}

func TestBulkUpdateSelectsByEachFilter(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	seven, _ := s.store.Customer(7)
	for _, tc := range []struct {
		name  string
		where map[string]any
		want  func(bcsim.Customer) bool
	}{
		{"customers in no group", map[string]any{"customer_group_ids": []int{0}}, func(c bcsim.Customer) bool { return c.CustomerGroupID == 0 }},
		{"ids", map[string]any{"ids": []int{10, 11, 12}}, func(c bcsim.Customer) bool { return c.ID >= 10 && c.ID <= 12 }},
		{"emails", map[string]any{"emails": []string{seven.Email}}, func(c bcsim.Customer) bool { return c.ID == 7 }},
		{"a modification date range", map[string]any{"date_modified_min": "2025-06-01", "date_modified_max": "2025-06-30"},
			func(c bcsim.Customer) bool {
				day := c.DateModified.Format(time.DateOnly)
				return day >= "2025-06-01" && day <= "2025-06-30"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []int
			for _, c := range s.store.Customers() {
				if tc.want(c) {
					want = append(want, c.ID)
				}
			}
			note := "selected by " + tc.name
			res := s.bulk(map[string]any{"where": tc.where, "set": map[string]any{"notes": note}})
			if len(want) == 0 || !slices.Equal(res.Updated, want) {
				t.Errorf("updated %v, want %v", res.Updated, want)
			}
			for _, id := range want {
				if c, _ := s.store.Customer(id); c.Notes != note {
					t.Errorf("customer %d has notes %q", id, c.Notes)
				}
			}
		})
	}
}

func TestASelectorMatchingTooManyCustomersIsRefused(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{}, bcsim.WithCustomers(bc.MaxSelectorMatches+1))
	got := s.fail(bulkTool, map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"notes": "x"}, "dry_run": true})
	if got.Code != codeInvalidArgument || !strings.Contains(got.Fields["where"], "10001 customers") || !strings.Contains(got.Message, "where: matches") {
		t.Errorf("error %+v, want invalid_argument saying where matches too many", got)
	}
}

func TestADryRunShowsASampleAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	retail, wholesale := s.inGroup(1), s.inGroup(2)
	where := map[string]any{"customer_group_ids": []int{1, 2}}

	res := s.bulk(map[string]any{"where": where, "set": map[string]any{"customer_group_id": 2}, "dry_run": true})
	if !res.DryRun || res.Total != len(retail)+len(wholesale) || res.Counts.WouldChange != len(retail) ||
		!slices.Equal(res.Unchanged, wholesale) || len(res.Changes) != min(20, len(retail)) {
		t.Errorf("dry run %+v", res)
	}
	change := res.Changes[0]
	if got := change.Fields["customer_group_id"]; change.ID != retail[0] || got.Before != float64(1) || got.After != float64(2) {
		t.Errorf("first change %+v, want customer %d from group 1 to 2", change, retail[0])
	}

	listed := s.bulk(map[string]any{"dry_run": true, "customers": []map[string]any{
		{"id": retail[0], "customer_group_id": 2}, {"id": 9999, "company": "Nobody"}}})
	if listed.Counts.WouldChange != 1 || listed.Counts.Failed != 1 || len(listed.Changes) != 1 {
		t.Errorf("dry run of a list %+v", listed)
	}
	if n := s.puts(); n != 0 {
		t.Errorf("a dry run sent %d updates", n)
	}
}

func TestExpectCountGuardsLargeSelectors(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	args := func(expect any) map[string]any {
		a := map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"tax_exempt_category": "G"}}
		if expect != nil {
			a["expect_count"] = expect
		}
		return a
	}

	dry := s.call(bulkTool, map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"tax_exempt_category": "G"}, "dry_run": true})
	if summary := text(dry); !strings.Contains(summary, "expect_count=300") {
		t.Errorf("the dry run does not say how to apply: %s", summary)
	}
	for _, expect := range []any{nil, 299} {
		got := s.fail(bulkTool, args(expect))
		if got.Code != codeInvalidArgument || !strings.Contains(got.Fields["expect_count"], "300") || !strings.Contains(got.Message, "nothing was written") {
			t.Errorf("expect_count %v: %+v", expect, got)
		}
	}
	if n := s.puts(); n != 0 {
		t.Fatalf("a refused call sent %d updates", n)
	}
	if res := s.bulk(args(300)); res.Counts.Updated+res.Counts.Unchanged != 300 {
		t.Errorf("with the right count: %+v", res.Counts)
	}
}

func TestARepeatedCallWritesNothing(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	args := map[string]any{"where": map[string]any{"customer_group_ids": []int{3}}, "set": map[string]any{"company": "VIP Co"}}

	first := s.bulk(args)
	puts := s.puts()
	second := s.bulk(args)
	if len(first.Updated) == 0 || len(second.Updated) != 0 || !slices.Equal(second.Unchanged, first.Updated) || s.puts() != puts {
		t.Errorf("first updated %d; second updated %d, left %d unchanged, sent %d updates",
			len(first.Updated), len(second.Updated), len(second.Unchanged), s.puts()-puts)
	}
}

func TestASelectorOverTwoThousandCustomers(t *testing.T) {
	t.Parallel()
	// A threshold no run reaches: with no latency measured yet, 2,000
	// customers would be estimated long enough to run as a job.
	cfg, _ := jobConfig(time.Hour)
	s := newSession(t, cfg, bcsim.WithCustomers(2000), bcsim.WithLatency(time.Millisecond, 0))
	start := time.Now()

	res := s.bulk(map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"notes": "migrated"}, "expect_count": 2000})
	if res.Counts.Updated != 2000 || res.Batches != 200 {
		t.Errorf("updated %d in %d batches, want 2000 in 200", res.Counts.Updated, res.Batches)
	}
	t.Logf("2,000 customers in %v (%d batches at 1ms latency; the engine's floor is %v)",
		time.Since(start).Round(time.Millisecond), res.Batches, 200/3*time.Millisecond)
}

func TestProgressIsNotifiedOncePerBatchInOrder(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	var mu sync.Mutex
	var progress []float64
	s.mcp.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method != string(mcp.MethodNotificationProgress) || n.Params.AdditionalFields["progressToken"] != "bulk-1" {
			return
		}
		var params struct{ Progress, Total float64 } // as a client reads them off the wire
		data, _ := json.Marshal(n.Params.AdditionalFields)
		if err := json.Unmarshal(data, &params); err != nil || params.Total != 95 {
			t.Errorf("progress notification %s: %v", data, err)
		}
		mu.Lock()
		defer mu.Unlock()
		progress = append(progress, params.Progress)
	})
	req := mcp.CallToolRequest{}
	req.Params.Name = bulkTool
	req.Params.Arguments = map[string]any{"where": map[string]any{"ids": ids(1, 95)}, "set": map[string]any{"notes": "tracked"}}
	req.Params.Meta = &mcp.Meta{ProgressToken: "bulk-1"}

	if _, err := s.mcp.CallTool(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// Batches finish in any order, so the steps vary, but each report counts more than the last.
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		got := slices.Clone(progress)
		mu.Unlock()
		if len(got) >= 10 || time.Now().After(deadline) {
			if len(got) != 10 || got[9] != 95 || !rising(got) {
				t.Errorf("progress %v, want 10 rising reports ending at 95", got)
			}
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func rising(values []float64) bool {
	for i := 1; i < len(values); i++ {
		if values[i] <= values[i-1] {
			return false
		}
	}
	return true
}

func ids(first, last int) []int {
	var out []int
	for id := first; id <= last; id++ {
		out = append(out, id)
	}
	return out
}

func TestARepeatedIdIsReportedUnderCustomers(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	for _, dryRun := range []bool{true, false} {
		err := s.fail(bulkTool, map[string]any{"dry_run": dryRun, "customers": []map[string]any{
			{"id": 3, "company": "A"}, {"id": 3, "company": "B"}}})
		if err.Code != codeInvalidArgument || !strings.Contains(err.Fields["customers"], "repeated ids: 3") {
			t.Errorf("dry run %v: %+v, want the repeated id under customers", dryRun, err)
		}
	}
	if s.puts() != 0 {
		t.Error("a call with a repeated id wrote")
	}
}
