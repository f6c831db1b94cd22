package bc_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// bulkClient connects to store with fast retries; tweak, when given, adjusts the config.
func bulkClient(t testing.TB, store *bcsim.Store, tweak func(*bc.Config)) *bc.Client {
	t.Helper()
	cfg := bc.Config{StoreHash: "t", AccessToken: "x", BaseURL: "http://bcsim", HTTPClient: store.Client(),
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 5 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	c, err := bc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// companyUpdates sets a company naming the id on customers first..last.
func companyUpdates(first, last int) []bc.CustomerUpdate {
	var updates []bc.CustomerUpdate
	for id := first; id <= last; id++ {
		updates = append(updates, bc.CustomerUpdate{ID: id, CustomerFields: bc.CustomerFields{Company: new(fmt.Sprintf("Bulk Co %d", id))}})
	}
	return updates
}

func ids(updates []bc.CustomerUpdate) []int {
	out := make([]int, len(updates))
	for i, u := range updates {
		out[i] = u.ID
	}
	return out
}

// mustAccount fails the test unless res accounts for every update exactly once,
// and every customer reported updated holds the company asked for.
func mustAccount(t *testing.T, store *bcsim.Store, res *bc.BulkResult, updates []bc.CustomerUpdate) {
	t.Helper()
	if err := res.AccountsFor(ids(updates)); err != nil {
		t.Fatal(err)
	}
	for _, u := range updates {
		c, _ := store.Customer(u.ID)
		if slices.Contains(res.Updated, u.ID) && u.Company != nil && c.Company != *u.Company {
			t.Errorf("customer %d reported updated but has company %q, want %q", u.ID, c.Company, *u.Company)
		}
	}
}

// updateCompanies sets a company on customers 1..n of store with maxRetries
// (0: the default) and checks that the result accounts for every one of them.
func updateCompanies(t *testing.T, store *bcsim.Store, maxRetries, n int) *bc.BulkResult {
	t.Helper()
	c := bulkClient(t, store, func(cfg *bc.Config) { cfg.MaxRetries = maxRetries })
	updates := companyUpdates(1, n)
	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	return res
}

func failureCodes(res *bc.BulkResult) map[int]string {
	codes := map[int]string{}
	for _, f := range res.Failed {
		codes[f.ID] = f.Code
	}
	return codes
}

func TestBulkUpdateFailsBadItemsAloneAndUpdatesTheRest(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	taken, _ := store.Customer(2)
	updates := companyUpdates(1, 25)
	updates = append(updates,
		bc.CustomerUpdate{ID: 40, CustomerFields: bc.CustomerFields{FirstName: new("")}},           // invalid locally
		bc.CustomerUpdate{ID: 41, CustomerFields: bc.CustomerFields{Email: new("not an address")}}, // invalid locally
		bc.CustomerUpdate{ID: 9999, CustomerFields: bc.CustomerFields{Company: new("Nobody")}},     // 422: no such customer
		bc.CustomerUpdate{ID: 42, CustomerFields: bc.CustomerFields{Email: new(taken.Email)}},      // 422: email in use
		bc.CustomerUpdate{ID: 43, CustomerFields: bc.CustomerFields{LastName: new("Stays Valid")}}) // shares a batch with the 422s

	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	want := map[int]string{40: bc.FailureInvalid, 41: bc.FailureInvalid, 9999: bc.FailureRejected, 42: bc.FailureRejected}
	if got := failureCodes(res); !maps.Equal(got, want) {
		t.Errorf("failures %v, want %v", got, want)
	}
	if len(res.Updated) != 26 {
		t.Errorf("updated %d customers, want 26", len(res.Updated))
	}
	for _, f := range res.Failed {
		if len(f.Fields) == 0 {
			t.Errorf("failure of %d has no field errors: %+v", f.ID, f)
		}
	}
	if got, _ := store.Customer(42); got.Email == taken.Email {
		t.Error("the rejected email was applied")
	}
}

func TestBulkUpdateRefusesRepeatedIDsBeforeAnyWrite(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	updates := append(companyUpdates(1, 15), companyUpdates(5, 5)...)

	_, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{})
	var invalid *bc.ValidationError
	if !errors.As(err, &invalid) || !strings.Contains(invalid.Fields["body"], "5") {
		t.Fatalf("err = %v, want a validation error naming id 5", err)
	}
	if n := store.Total("PUT /v3/customers"); n != 0 {
		t.Errorf("%d updates were sent", n)
	}
}

// anonymous422 strips the field errors from 422s, as a server that names no items would.
type anonymous422 struct{ next http.RoundTripper }

func (a anonymous422) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusUnprocessableEntity {
		resp.Body = io.NopCloser(strings.NewReader(`{"status":422,"title":"Input is invalid"}`))
		resp.ContentLength = -1
	}
	return resp, err
}

func TestA422ThatNamesNoItemIsNarrowedDownBySplitting(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, func(cfg *bc.Config) { cfg.HTTPClient.Transport = anonymous422{cfg.HTTPClient.Transport} })
	updates := companyUpdates(1, 20)
	updates[3].ID, updates[17].ID = 9001, 9002 // no such customers

	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	if want := map[int]string{9001: bc.FailureRejected, 9002: bc.FailureRejected}; !maps.Equal(failureCodes(res), want) {
		t.Errorf("failures %v, want %v", failureCodes(res), want)
	}
	if len(res.Updated) != 18 {
		t.Errorf("updated %d, want 18", len(res.Updated))
	}
	// A batch of 10 with one bad item: the first call, then two calls per level of a binary split.
	if res.Batches > 2*(1+2*4) {
		t.Errorf("took %d calls to isolate 2 bad items", res.Batches)
	}
}

func TestBulkUpdateRidesOutTransientFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults bcsim.Faults
	}{
		{"connections reset before the write is applied", bcsim.Faults{ResetBeforeApply: 0.3}},
		{"connections reset after the write is applied", bcsim.Faults{ResetAfterApply: 0.3}},
		{"a storm of 429s", bcsim.Faults{RateLimit429: 0.6, RetryAfter: time.Millisecond}},
		{"503s", bcsim.Faults{Error503: 0.3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New(bcsim.WithFaults(tc.faults), bcsim.WithSeed(7))
			res := updateCompanies(t, store, 40, 120)
			if len(res.Updated) != 120 || res.Retries == 0 {
				t.Errorf("updated %d of 120 with %d retries: %+v", len(res.Updated), res.Retries, res)
			}
			if tc.faults.RateLimit429 > 0 && res.RateLimited == 0 {
				t.Error("no 429 was counted")
			}
			if st := store.Stats(); st.MaxInFlight["customers_update"] > 3 {
				t.Errorf("%d updates were in flight at once", st.MaxInFlight["customers_update"])
			}
		})
	}
}

func TestABatchThatCannotCompleteStopsTheRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     []bcsim.Option
		wantCode string // for the batches that were sent; "" means they are not attempted
	}{
		{"429s outlast the retries", []bcsim.Option{bcsim.WithFaults(bcsim.Faults{RateLimit429: 1, RetryAfter: time.Millisecond})}, ""},
		{"500s outlast the retries", []bcsim.Option{bcsim.WithFaults(bcsim.Faults{Error500: 1})}, bc.FailureUnconfirmed},
		{"the token may not write", []bcsim.Option{bcsim.WithReadOnlyScope()}, "forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := updateCompanies(t, bcsim.New(tc.opts...), 2, 200)
			const workers = 2 * bc.MaxUpdateRequestsInFlight
			if len(res.Updated) != 0 || res.Batches > workers {
				t.Errorf("updated %d in %d batches, want none and at most one batch per worker", len(res.Updated), res.Batches)
			}
			if len(res.NotAttempted) < 200-workers*bc.MaxCustomersPerUpdate || !strings.Contains(res.NotAttemptedReason, "could not be completed") {
				t.Errorf("%d not attempted because %q", len(res.NotAttempted), res.NotAttemptedReason)
			}
			for _, f := range res.Failed {
				if f.Code != tc.wantCode {
					t.Errorf("customer %d failed with %q, want %q", f.ID, f.Code, tc.wantCode)
				}
			}
		})
	}
}

func TestCancellationStartsNoNewBatch(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithLatency(5*time.Millisecond, 0))
	c := bulkClient(t, store, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	updates := companyUpdates(1, 300)
	before := store.Customers()

	sentAtCancel := 0
	res, err := c.Customers.BulkUpdate(ctx, bc.Listed(updates), bc.BulkOptions{Progress: func(p bc.BulkProgress) {
		if p.Batches == 1 {
			sentAtCancel = store.Total("PUT /v3/customers")
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	// Progress is reported apart from the writes, so a few more batches may
	// have started before the cancel; none may start after it.
	if sent := store.Total("PUT /v3/customers"); sent > sentAtCancel+bc.MaxUpdateRequestsInFlight {
		t.Errorf("%d batches were sent after the cancel; at most %d were in flight", sent-sentAtCancel, bc.MaxUpdateRequestsInFlight)
	}
	if len(res.NotAttempted) == 0 || res.NotAttemptedReason != "the request was canceled before these were sent" {
		t.Errorf("%d not attempted because %q", len(res.NotAttempted), res.NotAttemptedReason)
	}
	for _, id := range res.NotAttempted {
		if got, _ := store.Customer(id); got.Company != before[id-1].Company {
			t.Errorf("customer %d was not attempted but changed", id)
		}
	}
}

func TestADeadlineStartsNoNewBatch(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithLatency(5*time.Millisecond, 0))
	c := bulkClient(t, store, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Millisecond)
	defer cancel()
	updates := companyUpdates(1, 300)

	res, err := c.Customers.BulkUpdate(ctx, bc.Listed(updates), bc.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	if len(res.NotAttempted) == 0 || res.NotAttemptedReason != "the deadline passed before these were sent" {
		t.Errorf("%d not attempted because %q", len(res.NotAttempted), res.NotAttemptedReason)
	}
}

func TestProgressIsReportedOncePerBatchInOrder(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	updates := append(companyUpdates(1, 95), bc.CustomerUpdate{ID: 200}) // the last one is invalid
	var seen []bc.BulkProgress

	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{Progress: func(p bc.BulkProgress) {
		seen = append(seen, p)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 10 {
		t.Fatalf("%d progress reports for 10 batches", len(seen))
	}
	for i, p := range seen {
		if p.Batches != i+1 || p.Total != 96 || (i > 0 && p.Done <= seen[i-1].Done) {
			t.Errorf("report %d: %+v after %+v", i, p, seen[max(i-1, 0)])
		}
	}
	if last := seen[len(seen)-1]; last.Done != 96 || res.Batches != 10 {
		t.Errorf("last report %+v after %d batches", last, res.Batches)
	}
}

func TestSkipUnchangedMakesAReRunWriteNothing(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	updates := append(companyUpdates(1, 30), bc.CustomerUpdate{ID: 9999, CustomerFields: bc.CustomerFields{Company: new("Nobody")}})
	opts := bc.BulkOptions{SkipUnchanged: true}

	first, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), opts)
	if err != nil {
		t.Fatal(err)
	}
	puts := store.Total("PUT /v3/customers")
	second, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), opts)
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, second, updates)
	if len(first.Updated) != 30 || len(second.Unchanged) != 30 || store.Total("PUT /v3/customers") != puts {
		t.Errorf("first updated %d, second left %d unchanged and sent %d more updates",
			len(first.Updated), len(second.Unchanged), store.Total("PUT /v3/customers")-puts)
	}
	if codes := failureCodes(second); codes[9999] != bc.FailureNotFound {
		t.Errorf("the unknown id failed with %q", codes[9999])
	}
}

func TestPlanBulkUpdateShowsTheDiffAndWritesNothing(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	c := bulkClient(t, store, nil)
	one, _ := store.Customer(1)
	two, _ := store.Customer(2)
	updates := []bc.CustomerUpdate{
		{ID: 1, CustomerFields: bc.CustomerFields{FirstName: new("Renamed"), LastName: new(one.LastName)}},
		{ID: 2, CustomerFields: bc.CustomerFields{CustomerGroupID: new(two.CustomerGroupID)}},
		{ID: 3, CustomerFields: bc.CustomerFields{Phone: new(strings.Repeat("9", 51))}},
		{ID: 9999, CustomerFields: bc.CustomerFields{Company: new("Nobody")}},
	}

	plan, err := c.Customers.PlanBulkUpdate(t.Context(), bc.Listed(updates))
	if err != nil {
		t.Fatal(err)
	}
	wantChange := bc.CustomerChange{ID: 1, Fields: map[string]bc.FieldChange{"first_name": {Before: one.FirstName, After: "Renamed"}}}
	if len(plan.Changes) != 1 || fmt.Sprint(plan.Changes[0]) != fmt.Sprint(wantChange) {
		t.Errorf("changes %+v, want %+v", plan.Changes, wantChange)
	}
	if !slices.Equal(plan.Unchanged, []int{2}) {
		t.Errorf("unchanged %v, want [2]", plan.Unchanged)
	}
	if codes := fmt.Sprintf("%d %s %d %s", plan.Failed[0].ID, plan.Failed[0].Code, plan.Failed[1].ID, plan.Failed[1].Code); codes != "3 invalid 9999 not_found" {
		t.Errorf("failed %+v", plan.Failed)
	}
	if n := store.Total("PUT /v3/customers"); n != 0 {
		t.Errorf("the dry run sent %d updates", n)
	}
}

func TestDiffTreatsFieldsTheCustomerDoesNotShowAsChanged(t *testing.T) {
	t.Parallel()
	c := bc.Customer{ID: 1, Company: "Acme", ChannelIDs: []int{1}, CustomerGroupID: 2}
	for _, tc := range []struct {
		name   string
		update bc.CustomerUpdate
		want   []string
	}{
		{"same values", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Company: new("Acme"), ChannelIDs: []int{1}, CustomerGroupID: new(2)}}, nil},
		{"new values", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{Company: new("Other"), ChannelIDs: []int{1, 2}}}, []string{"channel_ids", "company"}},
		{"store credit the list left out", bc.CustomerUpdate{CustomerFields: bc.CustomerFields{StoreCreditAmounts: []bc.StoreCredit{}}}, []string{"store_credit_amounts"}},
		{"authentication the list left out", bc.CustomerUpdate{Authentication: &bc.Authentication{}}, []string{"authentication.force_password_reset"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := slices.Sorted(maps.Keys(tc.update.Diff(c)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("changed %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTwoThousandCustomersThroughInjectedFaults(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithCustomers(2000), bcsim.WithSeed(3), bcsim.WithLatency(time.Millisecond, time.Millisecond),
		bcsim.WithFaults(bcsim.Faults{RateLimit429: 0.10, RetryAfter: time.Millisecond, Error500: 0.05,
			ResetBeforeApply: 0.01, ResetAfterApply: 0.01}))
	res := updateCompanies(t, store, 0, 2000)
	st := store.Stats()
	if st.MaxInFlight["customers_update"] > bc.MaxUpdateRequestsInFlight || st.ConcurrencyRejections["customers_update"] != 0 {
		t.Errorf("max in flight %d, concurrency rejections %d", st.MaxInFlight["customers_update"], st.ConcurrencyRejections["customers_update"])
	}
	if len(res.Updated) != 2000 {
		t.Errorf("updated %d of 2000; failed %v; not attempted %d (%s)", len(res.Updated), res.Failed, len(res.NotAttempted), res.NotAttemptedReason)
	}
	if in := st.Injected; in["429"] == 0 || in["500"] == 0 || in["reset_before"]+in["reset_after"] == 0 {
		t.Errorf("a kind of fault was never injected: %v", in)
	}
	t.Logf("%d batches, %d retries, %d 429s; injected %v", res.Batches, res.Retries, res.RateLimited, st.Injected)
}

func TestASlowProgressListenerDoesNotHoldUpTheWrites(t *testing.T) {
	t.Parallel()
	store := bcsim.New(bcsim.WithCustomers(100))
	c := bulkClient(t, store, nil)
	updates := companyUpdates(1, 100)
	var calls []int
	writtenWhileHeld := 0
	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{Progress: func(p bc.BulkProgress) {
		if len(calls) == 0 { // hold the first report until every batch has been written
			deadline := time.Now().Add(2 * time.Second)
			for store.Total("PUT /v3/customers 200") < 10 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			writtenWhileHeld = store.Total("PUT /v3/customers 200")
		}
		calls = append(calls, p.Batches)
	}})
	if err != nil || len(res.Updated) != 100 {
		t.Fatalf("updated %d, %v", len(res.Updated), err)
	}
	if writtenWhileHeld != 10 {
		t.Fatalf("the writes waited for the listener: %d of 10 batches written while it held the first report", writtenWhileHeld)
	}
	if !slices.Equal(calls, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) {
		t.Fatalf("progress reports %v, want one per batch, in order, before the result", calls)
	}
}

func TestOnlyWhatA2xxAnswerConfirmsIsReportedUpdated(t *testing.T) {
	t.Parallel()
	// Each misbehaviour sees one batch of 10 and answers for it: what it
	// returns is what the client is told, whatever the simulator applied.
	otherCustomers := badstore.EditData(func(data []map[string]any) []map[string]any {
		for _, c := range data {
			c["id"] = c["id"].(float64) + 1000
		}
		return data
	})
	for _, tc := range []struct {
		name    string
		answer  badstore.Misbehaviour
		updated []int
		codes   map[string]int // failure code to count
	}{
		{"a 200 listing one customer of each batch", badstore.ConfirmOnly(1), []int{1, 11, 21},
			map[string]int{bc.FailureUnconfirmed: 27}},
		{"a 200 listing other customers", otherCustomers, nil,
			map[string]int{bc.FailureUnconfirmed: 30}},
		{"a 207 naming one customer of each batch", badstore.MultiStatus(1, "company", "company is locked"), slices.DeleteFunc(ids(companyUpdates(1, 30)), func(id int) bool { return id%10 == 2 }),
			map[string]int{bc.FailureRejected: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := bcsim.New()
			c := tamperClient(t, store, badstore.On(http.MethodPut, "/v3/customers", tc.answer))
			updates := companyUpdates(1, 30)
			// A batch that confirms nothing stops a run, so each batch is a run of its own.
			res := bc.BulkResult{Requested: len(updates)}
			for batch := range slices.Chunk(updates, bc.MaxCustomersPerUpdate) {
				out, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(batch), bc.BulkOptions{})
				if err != nil {
					t.Fatal(err)
				}
				res.Updated, res.Failed = append(res.Updated, out.Updated...), append(res.Failed, out.Failed...)
				res.NotAttempted = append(res.NotAttempted, out.NotAttempted...)
			}
			mustAccount(t, store, &res, updates)
			if !slices.Equal(res.Updated, tc.updated) {
				t.Errorf("reported updated %v, want %v", res.Updated, tc.updated)
			}
			codes := map[string]int{}
			for _, f := range res.Failed {
				codes[f.Code]++
				if f.Code == bc.FailureRejected && (!strings.Contains(f.Message, "Some customers could not be updated") || f.Fields["company"] != "company is locked") {
					t.Errorf("customer %d failed without the store's message: %+v", f.ID, f)
				}
			}
			if !maps.Equal(codes, tc.codes) {
				t.Errorf("failures %v, want %v", codes, tc.codes)
			}
		})
	}
}

func TestAFieldTheReadLeavesOutCountsAsChanged(t *testing.T) {
	t.Parallel()
	var c bc.Customer
	if err := json.Unmarshal([]byte(`{"id":1,"company":"Acme","notes":null,"authentication":{}}`), &c); err != nil {
		t.Fatal(err)
	}
	update := bc.CustomerUpdate{ID: 1, CustomerFields: bc.CustomerFields{Company: new("Acme"), Notes: new(""), CustomerGroupID: new(0), AcceptsProductReviewAbandonedCartEmails: new(false)}, Authentication: &bc.Authentication{}}
	want := []string{"accepts_product_review_abandoned_cart_emails", "authentication.force_password_reset", "customer_group_id", "notes"}
	if got := slices.Sorted(maps.Keys(update.Diff(c))); !slices.Equal(got, want) {
		t.Errorf("changed %v, want %v", got, want)
	}
}

func TestAGroupTheReadLeavesOutIsSentNotSkipped(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	inTwo := matching(store, func(c bcsim.Customer) bool { return c.CustomerGroupID == 2 })[:5]
	c := tamperClient(t, store, badstore.On(http.MethodGet, "/v3/customers", badstore.EditData(func(data []map[string]any) []map[string]any {
		for _, c := range data {
			delete(c, "customer_group_id")
		}
		return data
	})))
	updates := make([]bc.CustomerUpdate, len(inTwo))
	for i, id := range inTwo {
		updates[i] = bc.CustomerUpdate{ID: id, CustomerFields: bc.CustomerFields{CustomerGroupID: new(0)}}
	}
	plan, err := c.Customers.PlanBulkUpdate(t.Context(), bc.Listed(updates))
	if err != nil || len(plan.Changes) != len(inTwo) {
		t.Fatalf("plan %+v, %v: want every customer to change", plan, err)
	}
	if got := plan.Changes[0].Fields["customer_group_id"]; got != (bc.FieldChange{After: 0}) {
		t.Errorf("change %+v, want an unknown group to 0", got)
	}
	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{SkipUnchanged: true})
	if err != nil || !slices.Equal(res.Updated, inTwo) {
		t.Fatalf("%+v, %v: want all updated", res, err)
	}
	for _, id := range inTwo {
		if got, _ := store.Customer(id); got.CustomerGroupID != 0 {
			t.Errorf("customer %d is still in group %d", id, got.CustomerGroupID)
		}
	}
	if _, _, err := c.Customers.Select(t.Context(), bc.CustomerSelector{CustomerGroupIDs: []int{2}}); !errors.Is(err, bc.ErrBadAnswer) {
		t.Errorf("selecting by group among customers without one: err = %v, want the answer refused", err)
	}
}

// failuresOf lists failures as "id code message fields", for comparing two accounts.
func failuresOf(failed []bc.BulkFailure) []string {
	out := make([]string, len(failed))
	for i, f := range failed {
		out[i] = fmt.Sprintf("%d %s %s %v", f.ID, f.Code, f.Message, f.Fields)
	}
	return out
}

func TestADryRunPredictsTheFailuresOfTheRealCall(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	two, _ := store.Customer(2)
	three, _ := store.Customer(3)
	eleven, _ := store.Customer(11)
	updates := []bc.CustomerUpdate{
		{ID: 1, CustomerFields: bc.CustomerFields{Company: new("Fine Co")}},
		{ID: 5, CustomerFields: bc.CustomerFields{CustomerGroupID: new(777)}}, // no such group
		{ID: 6, CustomerFields: bc.CustomerFields{CustomerGroupID: new(777)}},
		{ID: 7, CustomerFields: bc.CustomerFields{Email: new("shared@example.com")}}, // one email for two customers
		{ID: 8, CustomerFields: bc.CustomerFields{Email: new("Shared@example.com")}},
		{ID: 9, CustomerFields: bc.CustomerFields{Email: new(strings.ToUpper(two.Email))}}, // customer 2 has it
		{ID: 10, CustomerFields: bc.CustomerFields{Email: new(eleven.Email)}},              // customer 11 gives it up in the same batch
		{ID: 11, CustomerFields: bc.CustomerFields{Email: new("fresh@example.com")}},
		{ID: 12, CustomerFields: bc.CustomerFields{FirstName: new("")}},                                 // invalid
		{ID: 13, CustomerFields: bc.CustomerFields{CustomerGroupID: new(777), Email: new(three.Email)}}, // both
		{ID: 14, CustomerFields: bc.CustomerFields{CustomerGroupID: new(1)}},
		{ID: 9999, CustomerFields: bc.CustomerFields{Company: new("Nobody")}},
	}
	c := bulkClient(t, store, nil)

	plan, err := c.Customers.PlanBulkUpdate(t.Context(), bc.Listed(updates))
	if err != nil {
		t.Fatal(err)
	}
	if n := store.Total("GET /v2/customer_groups/{id}"); n != 2 {
		t.Errorf("%d group lookups, want one for each of the 2 groups named", n)
	}
	if n := store.Total("PUT /v3/customers"); n != 0 {
		t.Fatalf("the dry run sent %d updates", n)
	}
	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{SkipUnchanged: true})
	if err != nil {
		t.Fatal(err)
	}
	mustAccount(t, store, res, updates)
	predicted, happened := failuresOf(plan.Failed), failuresOf(res.Failed)
	if !slices.Equal(predicted, happened) {
		t.Errorf("the dry run predicted failures\n%s\nthe real call had\n%s", strings.Join(predicted, "\n"), strings.Join(happened, "\n"))
	}
	if got := slices.Sorted(maps.Keys(failureCodes(res))); !slices.Equal(got, []int{5, 6, 7, 8, 9, 12, 13, 9999}) {
		t.Errorf("failed %v", got)
	}
	for _, f := range res.Failed {
		if f.ID == 13 && (!strings.Contains(f.Fields["customer_group_id"], "777") || !strings.Contains(f.Fields["email"], "customer 3")) {
			t.Errorf("customer 13's failure does not name both problems: %+v", f)
		}
	}
	changes := make([]int, len(plan.Changes))
	for i, ch := range plan.Changes {
		changes[i] = ch.ID
	}
	if !slices.Equal(changes, res.Updated) {
		t.Errorf("the dry run would change %v, the real call updated %v", changes, res.Updated)
	}
	if n := store.Total("PUT /v3/customers 422"); n != 0 {
		t.Errorf("the store refused %d batches: the failures were sent", n)
	}
	if got, _ := store.Customer(10); got.Email != eleven.Email {
		t.Errorf("customer 10 has %q, want the email customer 11 gave up", got.Email)
	}
}

func TestAnEmailItsHolderKeepsFailsOnlyForTheOthers(t *testing.T) {
	t.Parallel()
	store := bcsim.New()
	two, _ := store.Customer(2)
	c := bulkClient(t, store, nil)
	updates := []bc.CustomerUpdate{{ID: 2, CustomerFields: bc.CustomerFields{Email: new(two.Email)}}, {ID: 5, CustomerFields: bc.CustomerFields{Email: new(two.Email)}}}
	res, err := c.Customers.BulkUpdate(t.Context(), bc.Listed(updates), bc.BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Updated, []int{2}) || len(res.Failed) != 1 || res.Failed[0].ID != 5 ||
		!strings.Contains(res.Failed[0].Fields["email"], "already belongs to customer 2") {
		t.Errorf("updated %v, failed %+v; want 2 updated and 5 failed, its email taken by 2", res.Updated, res.Failed)
	}
	if n := store.Total("PUT /v3/customers 422"); n != 0 {
		t.Errorf("the store refused %d batches", n)
	}
}
