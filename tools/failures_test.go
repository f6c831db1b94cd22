package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestFailuresAreGroupedByCause(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	items := []map[string]any{{"id": 1, "company": "Acme"}}
	for id := 9012; id > 9000; id-- {
		items = append(items, map[string]any{"id": id, "company": "Nobody"})
	}
	for id := 2; id <= 4; id++ {
		items = append(items, map[string]any{"id": id, "first_name": ""})
	}

	res := s.bulk(map[string]any{"customers": items})
	if res.Counts.Failed != 15 || res.Failed != nil || len(res.Failures) != 2 {
		t.Fatalf("counts %+v, failures %+v, failed %+v: want 15 failed in two groups and no per-item list", res.Counts, res.Failures, res.Failed)
	}
	missing, invalid := res.Failures[0], res.Failures[1]
	if missing.Code != "not_found" || missing.Count != 12 || missing.Message != "not sent: customer {id} does not exist" ||
		!slices.Equal(missing.IDs, []int{9001, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009, 9010}) {
		t.Errorf("the largest group %+v, want the 12 unknown ids, the first 10 shown", missing)
	}
	if invalid.Code != "invalid" || invalid.Count != 3 || invalid.Fields["first_name"] == "" || !slices.Equal(invalid.IDs, []int{2, 3, 4}) {
		t.Errorf("the second group %+v, want the 3 invalid first names", invalid)
	}
	if !strings.Contains(res.LeftOut, "details: true") {
		t.Errorf("left_out %q does not say how to get the detail", res.LeftOut)
	}

	detailed := s.bulk(map[string]any{"customers": items, "details": true})
	if len(detailed.Failed) != 15 || len(detailed.Failures) != 2 || detailed.LeftOut != "" {
		t.Errorf("with details: %d failures listed, %d groups, left out %q; want 15, 2 and nothing", len(detailed.Failed), len(detailed.Failures), detailed.LeftOut)
	}
}

func TestIDListsAreCutShortUnlessDetailsAreAsked(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	args := map[string]any{"where": map[string]any{"all": true}, "set": map[string]any{"notes": "cut"}, "expect_count": 300}

	res := s.bulk(args)
	if res.Counts.Updated != 300 || len(res.Updated) != maxListedIDs || !strings.Contains(res.LeftOut, "first 100 ids") {
		t.Errorf("updated %d, listed %d, left out %q; want 300 counted, %d listed and a note", res.Counts.Updated, len(res.Updated), res.LeftOut, maxListedIDs)
	}
	args["details"] = true
	if again := s.bulk(args); len(again.Unchanged) != 300 || again.LeftOut != "" {
		t.Errorf("with details: %d unchanged listed, left out %q; want all 300", len(again.Unchanged), again.LeftOut)
	}
}

// TestBulkAnswersStayBounded pins the size of a whole answer, as the client
// receives it, when every customer fails: in one way, or each differently.
func TestBulkAnswersStayBounded(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1_000, 10_000} {
		for cause, item := range map[string]func(i int) map[string]any{
			"unknown ids": func(i int) map[string]any { return map[string]any{"id": 100_000 + i, "notes": "x"} },
			"a different bad email": func(i int) map[string]any {
				return map[string]any{"id": 1 + i, "email": fmt.Sprintf("not-an-email-%d", i)}
			},
		} {
			t.Run(fmt.Sprintf("%d customers, %s", n, cause), func(t *testing.T) {
				t.Parallel()
				s := newSession(t, Config{Jobs: NewJobs(nil, Synchronous)}) // the answer of the call itself
				items := make([]map[string]any, n)
				for i := range items {
					items[i] = item(i)
				}
				res := s.call(bulkTool, map[string]any{"customers": items})
				out := decode[BulkUpdateCustomersResult](t, res)
				if out.Counts.Failed != n {
					t.Fatalf("counts %+v, want all %d failed", out.Counts, n)
				}
				data, _ := json.Marshal(res)
				t.Logf("%d bytes", len(data))
				if len(data) >= 20_000 {
					t.Errorf("the answer is %d bytes, want under 20 KB", len(data))
				}
			})
		}
	}
}

func TestGeneralizeWritesOnlyTheCustomersOwnID(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		message string
		id      int
		want    string
	}{
		{"not sent: customer 12 does not exist", 12, "not sent: customer {id} does not exist"},
		{"not sent: customer 12 does not exist", 1, "not sent: customer 12 does not exist"},
		{"customer 1 and customer 12 clash", 1, "customer {id} and customer 12 clash"},
		{"customer group 5 does not exist", 5, "customer group 5 does not exist"},
		{"is customer 7", 7, "is customer {id}"},
	} {
		if got := generalize(tc.message, tc.id); got != tc.want {
			t.Errorf("generalize(%q, %d) = %q, want %q", tc.message, tc.id, got, tc.want)
		}
	}
}

func TestADryRunCutsLongTextValues(t *testing.T) {
	t.Parallel()
	s := newSession(t, Config{})
	notes := strings.Repeat("n", 60_000)
	args := map[string]any{"where": map[string]any{"customer_group_ids": []int{2}}, "set": map[string]any{"notes": notes}, "dry_run": true}

	res := s.call(bulkTool, args)
	out := decode[BulkUpdateCustomersResult](t, res)
	after, _ := out.Changes[0].Fields["notes"].After.(string)
	if data, _ := json.Marshal(res); len(data) >= 20_000 || len([]rune(after)) != maxChangeRunes+1 || !strings.Contains(out.LeftOut, "cut at 200") {
		t.Errorf("answer of %d bytes, notes after %d runes, left out %q; want under 20 KB, cut at %d and said so", len(data), len([]rune(after)), out.LeftOut, maxChangeRunes)
	}
	args["details"] = true
	if full := s.bulk(args); full.Changes[0].Fields["notes"].After != notes {
		t.Error("with details, the notes are cut")
	}
}
