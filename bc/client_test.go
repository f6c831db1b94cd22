package bc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

const groupJSON = `{"id":7,"name":"Wholesale","is_default":false,"category_access":{"type":"all"},
"discount_rules":[{"type":"all","method":"percent","amount":"5.0000"}],
"date_created":"Tue, 20 Nov 2012 00:00:00 +0000","date_modified":"2023-07-25 01:15:19","is_group_for_guests":false}`

func TestErrorsAreParsedFromBothFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		body       string
		sentinel   error
		wantMsg    string
		wantFields map[string]string
	}{
		{"a V2 array names the problem", 404, `[{"status":404,"message":"The requested resource was not found."}]`,
			ErrNotFound, "The requested resource was not found.", nil},
		{"a V3 object carries index-keyed field errors", 422,
			`{"status":422,"title":"JSON data is missing or invalid","type":"x","errors":{"0.email":"email is invalid","3.first_name":"too long"}}`,
			ErrUnprocessable, "JSON data is missing or invalid", map[string]string{"0.email": "email is invalid", "3.first_name": "too long"}},
		{"a V3 object may list messages per field", 422, `{"status":422,"title":"bad","errors":{"0.email":["taken","invalid"]}}`,
			ErrUnprocessable, "bad", map[string]string{"0.email": "taken; invalid"}},
		{"a non-JSON body keeps an excerpt", 502, `<html>Bad gateway</html>`, ErrUpstream, "<html>Bad gateway</html>", nil},
		{"a 409 is a conflict", 409, `[{"status":409,"message":"name taken"}]`, ErrConflict, "name taken", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := parseError(tt.status, []byte(tt.body), "")
			if !errors.Is(e, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", e, tt.sentinel)
			}
			if e.Message() != tt.wantMsg {
				t.Errorf("Message() = %q, want %q", e.Message(), tt.wantMsg)
			}
			if len(e.Fields) != len(tt.wantFields) {
				t.Fatalf("Fields = %v, want %v", e.Fields, tt.wantFields)
			}
			for k, v := range tt.wantFields {
				if e.Fields[k] != v {
					t.Errorf("Fields[%q] = %q, want %q", k, e.Fields[k], v)
				}
			}
		})
	}
}

func TestRequestsCarryTheTokenAndErrorsNeverDo(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "secret-token" || r.URL.Path != "/stores/abc123/v2/customer_groups/9" {
			t.Errorf("got token %q path %q", r.Header.Get("X-Auth-Token"), r.URL.Path)
		}
		respond(401, `[{"status":401,"message":"token secret-token is not valid"}]`)(w, r)
	}))
	_, _, err := c.CustomerGroups.Get(context.Background(), 9)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("error text leaks the token: %v", err)
	}
}

func TestGroupDatesAndAmountsParseInEveryFormat(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, respond(200, groupJSON))
	g, _, err := c.CustomerGroups.Get(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.DateCreated.Format(time.DateOnly); got != "2012-11-20" {
		t.Errorf("date_created = %s", got)
	}
	if got := g.DateModified.Format(time.DateTime); got != "2023-07-25 01:15:19" {
		t.Errorf("date_modified = %s", got)
	}
	if g.DiscountRules[0].Amount != 5 {
		t.Errorf("amount = %v, want 5", g.DiscountRules[0].Amount)
	}
}

func TestTimeAcceptsUnsetForms(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{}`, `null`, `""`} {
		var tm Time
		if err := tm.UnmarshalJSON([]byte(in)); err != nil || !tm.IsZero() {
			t.Errorf("%s: got %v, %v; want zero, nil", in, tm, err)
		}
	}
	var tm Time
	if err := tm.UnmarshalJSON([]byte(`"2024-01-15T09:30:00Z"`)); err != nil || tm.Year() != 2024 {
		t.Errorf("RFC 3339: %v, %v", tm, err)
	}
	if err := tm.UnmarshalJSON([]byte(`"yesterday"`)); err != nil || !tm.IsZero() {
		t.Errorf("an unknown format must be left unset, not fail the response: %v, %v", tm, err)
	}
}

func TestAPagePastTheEndIsEmpty(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, respond(http.StatusNoContent, ""))
	groups, resp, err := c.CustomerGroups.List(context.Background(), ListCustomerGroupsOptions{Page: 99})
	if err != nil || len(groups) != 0 || resp.StatusCode != 204 {
		t.Fatalf("got %v, %+v, %v; want empty page", groups, resp, err)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	rateLimited := respond(429, `[{"status":429,"message":"slow down"}]`, "X-Rate-Limit-Time-Reset-Ms", "5", "X-Rate-Limit-Requests-Left", "0")
	ok := respond(200, groupJSON)
	tests := []struct {
		name      string
		steps     []http.HandlerFunc
		wantCalls int32
		wantErr   error
		want429s  int
	}{
		{"a 429 is waited out and retried", []http.HandlerFunc{rateLimited, ok}, 2, nil, 1},
		{"a 429 with only X-Retry-After is retried", []http.HandlerFunc{respond(429, "", "X-Retry-After", "0"), ok}, 2, nil, 1},
		{"a 429 with no header backs off and retries", []http.HandlerFunc{respond(429, ""), respond(429, ""), ok}, 3, nil, 2},
		{"a 500 on a GET is retried", []http.HandlerFunc{respond(500, `[{"status":500,"message":"oops"}]`), ok}, 2, nil, 0},
		{"a 503 on a GET is retried", []http.HandlerFunc{respond(503, ""), respond(503, ""), ok}, 3, nil, 0},
		{"a reset on a GET is retried", []http.HandlerFunc{dropConnection, ok}, 2, nil, 0},
		{"a 400 is not retried", []http.HandlerFunc{respond(400, `[{"status":400,"message":"bad"}]`), ok}, 1, ErrBadRequest, 0},
		{"retries are bounded", []http.HandlerFunc{respond(500, "")}, 9, ErrUpstream, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &script{steps: tt.steps}
			c := newTestClient(t, s)
			_, resp, err := c.CustomerGroups.Get(context.Background(), 7)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := s.calls.Load(); got != tt.wantCalls {
				t.Errorf("requests = %d, want %d", got, tt.wantCalls)
			}
			if resp.RateLimited != tt.want429s {
				t.Errorf("RateLimited = %d, want %d", resp.RateLimited, tt.want429s)
			}
		})
	}
}

func TestAWaitLongerThanTheDeadlineFailsAtOnce(t *testing.T) {
	t.Parallel()
	s := &script{steps: []http.HandlerFunc{respond(429, "", "X-Rate-Limit-Time-Reset-Ms", "30000", "X-Rate-Limit-Requests-Left", "0")}}
	c := newTestClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, _, err := c.CustomerGroups.Get(ctx, 7)
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrRateLimited) {
		t.Fatalf("err = %v, want a rate-limited *Error", err)
	}
	if apiErr.RetryAfter < 29*time.Second {
		t.Errorf("RetryAfter = %v, want about 30s", apiErr.RetryAfter)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("took %v: it should not wait for a reset it cannot reach", elapsed)
	}
	if s.calls.Load() != 1 {
		t.Errorf("requests = %d, want 1", s.calls.Load())
	}
}

func TestACreateWhoseAnswerWasLostIsSettledByName(t *testing.T) {
	t.Parallel()
	asSent := CustomerGroupInput{Name: ptr("Wholesale"), GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "all", Method: "percent", Amount: 5})}}
	otherRules := CustomerGroupInput{Name: ptr("Wholesale"), GroupSettings: GroupSettings{DiscountRules: rules(DiscountRule{Type: "all", Method: "percent", Amount: 30})}}
	otherCase := CustomerGroupInput{Name: ptr("WHOLESALE"), GroupSettings: asSent.GroupSettings}
	found, none := respond(200, "["+groupJSON+"]"), respond(204, "")
	conflict := respond(409, `[{"status":409,"message":"name taken"}]`)
	tests := []struct {
		name      string
		in        CustomerGroupInput
		post      []http.HandlerFunc // answers to the POSTs, in turn
		lookup    []http.HandlerFunc // answers to the name lookups, in turn
		wantPosts int32
		wantErr   error
		wantText  string // in the error
	}{
		{"a group with the settings sent is the one the lost POST created", asSent, []http.HandlerFunc{dropConnection}, []http.HandlerFunc{found}, 1, nil, ""},
		{"a 5xx is settled the same way", asSent, []http.HandlerFunc{respond(503, "")}, []http.HandlerFunc{found}, 1, nil, ""},
		{"a group with other settings is a conflict, not a success", otherRules, []http.HandlerFunc{dropConnection}, []http.HandlerFunc{found}, 1, ErrConflict, "or this call created it without its discount rules"},
		{"a group whose name differs in case only was there before", otherCase, []http.HandlerFunc{dropConnection}, []http.HandlerFunc{found}, 1, ErrConflict, "names are unique ignoring case, so this group was not created"},
		{"when no group exists the POST is sent again", asSent, []http.HandlerFunc{dropConnection, respond(201, groupJSON)}, []http.HandlerFunc{none}, 2, nil, ""},
		{"a resent POST refused as a duplicate finds the first one's group", asSent, []http.HandlerFunc{dropConnection, conflict}, []http.HandlerFunc{none, found}, 2, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			posts, lookups := &script{steps: tt.post}, &script{steps: tt.lookup}
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					posts.ServeHTTP(w, r)
					return
				}
				if r.URL.Query().Get("name:like") != *tt.in.Name {
					t.Errorf("lookup by name got query %q", r.URL.RawQuery)
				}
				lookups.ServeHTTP(w, r)
			}))
			g, _, err := c.CustomerGroups.Create(context.Background(), tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
					t.Fatalf("err = %v, want %v saying %q", err, tt.wantErr, tt.wantText)
				}
			} else if err != nil || g.ID != 7 {
				t.Fatalf("got %+v, %v; want group 7", g, err)
			}
			if n := posts.calls.Load(); n != tt.wantPosts {
				t.Errorf("POSTs = %d, want %d", n, tt.wantPosts)
			}
		})
	}
}

func TestA207ReturnsTheSavedGroupWithAWarning(t *testing.T) {
	t.Parallel()
	partial := respond(207, `{"status":207,"message":"The customer group was created, but the sitewide discount update failed. You may retry the request."}`)
	name := "Wholesale"
	t.Run("after create the id is recovered by name", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, &script{steps: []http.HandlerFunc{partial, respond(200, "["+groupJSON+"]")}})
		g, resp, err := c.CustomerGroups.Create(context.Background(), CustomerGroupInput{Name: &name})
		if err != nil || g.ID != 7 || !resp.SitewideDiscountFailed {
			t.Fatalf("got %+v, %+v, %v", g, resp, err)
		}
	})
	t.Run("after update the group is re-read", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, &script{steps: []http.HandlerFunc{partial, respond(200, groupJSON)}})
		g, resp, err := c.CustomerGroups.Update(context.Background(), 7, CustomerGroupInput{Name: &name})
		if err != nil || g.ID != 7 || !resp.SitewideDiscountFailed {
			t.Fatalf("got %+v, %+v, %v", g, resp, err)
		}
	})
}

func TestADeleteRetriedAfterALostAnswerSucceeds(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, &script{steps: []http.HandlerFunc{dropConnection, respond(404, `[{"status":404,"message":"not found"}]`)}})
	if _, err := c.CustomerGroups.Delete(context.Background(), 7); err != nil {
		t.Fatalf("err = %v: the first attempt deleted it", err)
	}
	c = newTestClient(t, respond(404, `[{"status":404,"message":"not found"}]`))
	if _, err := c.CustomerGroups.Delete(context.Background(), 7); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v: deleting a missing group is not found", err)
	}
}

func TestAnUpdateAnsweredWithAnUnreadable2xxIsUnconfirmed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"<html>ok</html>", `{"data":[]}`} {
		c := newTestClient(t, respond(200, body))
		res, err := c.Customers.BulkUpdate(context.Background(), Listed([]CustomerUpdate{{ID: 1, CustomerFields: CustomerFields{Notes: ptr("n")}}}), BulkOptions{})
		if err != nil || len(res.Failed) != 1 || res.Failed[0].Code != FailureUnconfirmed {
			t.Fatalf("answer %s: got %+v, %v; want customer 1 unconfirmed", body, res, err)
		}
	}
}

func TestWithoutQuotaHeadersRequestsStillRunConcurrently(t *testing.T) {
	t.Parallel()
	var inFlight atomic.Int32
	var probed atomic.Bool
	fiveAtOnce := make(chan struct{})
	var once sync.Once
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probed.CompareAndSwap(false, true) { // the client's first request goes alone
			respond(200, groupJSON)(w, r)
			return
		}
		if inFlight.Add(1) >= 5 {
			once.Do(func() { close(fiveAtOnce) })
		}
		defer inFlight.Add(-1)
		select { // hold every request until five are in flight at once
		case <-fiveAtOnce:
		case <-time.After(2 * time.Second):
		}
		respond(200, groupJSON)(w, r)
	}))
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := c.CustomerGroups.Get(context.Background(), 7); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	select {
	case <-fiveAtOnce:
	default:
		t.Fatal("requests never ran five at a time: without quota headers the caps alone should pace")
	}
}

func TestARedirectedWriteIsNotFollowedAndFailsNamingWhereItPointed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, sameOrigin := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d same origin %v", status, sameOrigin), func(t *testing.T) {
				t.Parallel()
				store, elsewhere := badstore.New(t), badstore.NewElsewhere(t)
				target := elsewhere.URL
				if sameOrigin {
					target = store.URL
				}
				store.Misbehave(badstore.Redirect(status, target))
				updates := []CustomerUpdate{{ID: 1, CustomerFields: CustomerFields{Company: ptr("Redirected Co")}}, {ID: 2, CustomerFields: CustomerFields{Company: ptr("Redirected Co")}}}
				res, err := BadStoreClient(t, store, nil).Customers.BulkUpdate(context.Background(), Listed(updates), BulkOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Updated) != 0 || len(res.Failed) != 2 {
					t.Fatalf("updated %v, failed %+v: a write that was redirected was not applied", res.Updated, res.Failed)
				}
				for _, f := range res.Failed {
					if f.Code != "upstream_error" || !strings.Contains(f.Message, target+"/stores/bad/v3/customers") {
						t.Errorf("customer %d: code %q, message %q; want upstream_error naming %s", f.ID, f.Code, f.Message, target)
					}
				}
				if n, tokens, bodies := elsewhere.Seen(); n != 0 || len(tokens) != 0 || len(bodies) != 0 {
					t.Errorf("the other origin got %d requests, tokens %q, bodies %q", n, tokens, bodies)
				}
				if c, _ := store.Sim.Customer(1); c.Company == "Redirected Co" {
					t.Error("the redirected write reached the store")
				}
			})
		}
	}
}

func TestARedirectedReadIsFollowedOnlyWithinTheOrigin(t *testing.T) {
	t.Parallel()
	t.Run("to another origin it fails, and the token stays home", func(t *testing.T) {
		t.Parallel()
		store, elsewhere := badstore.New(t), badstore.NewElsewhere(t)
		store.Misbehave(badstore.Redirect(http.StatusTemporaryRedirect, elsewhere.URL))
		_, _, err := BadStoreClient(t, store, nil).CustomerGroups.Get(context.Background(), 1)
		if !errors.Is(err, ErrRedirected) || !strings.Contains(err.Error(), elsewhere.URL+"/stores/bad/v2/customer_groups/1") {
			t.Fatalf("err = %v, want a redirect error naming %s", err, elsewhere.URL)
		}
		if n, tokens, _ := elsewhere.Seen(); n != 0 || len(tokens) != 0 {
			t.Errorf("the other origin got %d requests, tokens %q", n, tokens)
		}
	})
	t.Run("within the origin it is followed", func(t *testing.T) {
		t.Parallel()
		store := badstore.New(t)
		store.Misbehave(badstore.Redirect(http.StatusMovedPermanently, store.URL))
		if _, _, err := BadStoreClient(t, store, nil).CustomerGroups.Get(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	})
}

func TestATokenEscapedInAnErrorBodyIsRedactedAllTheSame(t *testing.T) {
	t.Parallel()
	for _, format := range []string{
		`[{"status":500,"message":"token %s rejected"}]`,
		`{"status":500,"title":"token %s rejected"}`,
		`{"status":500,"title":"oops","detail":"token %s rejected"}`,
		`{"status":500,"title":"oops","errors":{"token":"%s"}}`,
		`{"status":500,"title":"oops","errors":{"%s":"the token"}}`,
		`{"status":500,"title":"oops","errors":{"token":{"value":"%s"}}}`,
	} {
		store := badstore.New(t)
		store.Misbehave(badstore.EchoToken(http.StatusInternalServerError, format))
		_, _, err := BadStoreClient(t, store, nil).CustomerGroups.Get(context.Background(), 1)
		if !errors.Is(err, ErrUpstream) {
			t.Fatalf("body %s: err = %v, want an upstream error", format, err)
		}
		if strings.Contains(err.Error(), badstore.Token) || !strings.Contains(err.Error(), "[REDACTED]") {
			t.Errorf("body %s: the token is not redacted from %q", format, err)
		}
	}
}

func TestATokenCutByTheExcerptIsRedactedWhole(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("x", 190) + " " + badstore.Token
	e := parseError(http.StatusBadGateway, []byte(body), badstore.Token)
	if strings.Contains(e.Error(), badstore.Token[:8]) {
		t.Fatalf("the excerpt shows the start of the token: %q", e.Error())
	}
}

// stalledClient is a client of a store that sends its answers' headers at
// once and their bodies a byte every 20ms, with a call deadline of 500ms and
// an attempt timeout of 100ms. ctx is the caller's, a generous guard.
func stalledClient(t *testing.T) (*badstore.Store, *Client, context.Context) {
	store := badstore.New(t)
	store.Misbehave(badstore.DripBody(20 * time.Millisecond))
	c := BadStoreClient(t, store, func(cfg *Config) { cfg.CallTimeout, cfg.AttemptTimeout = 500*time.Millisecond, 100*time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return store, c, ctx
}

func TestAStalledStoreFailsACallAtItsDeadline(t *testing.T) {
	t.Parallel()
	_, c, ctx := stalledClient(t)
	_, resp, err := c.CustomerGroups.Get(ctx, 1)
	if ctx.Err() != nil {
		t.Fatal("the call ran until the caller gave up: nothing bounded it")
	}
	// Whichever deadline ends the call names itself: the call's, or, when the
	// last attempt timed out with too little time left to retry, the attempt's.
	if !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), "call deadline of 500ms") && !strings.Contains(err.Error(), "attempt timeout of 100ms") {
		t.Fatalf("err = %v, want a connection failure naming the deadline that ended it", err)
	}
	if resp.Attempts < 2 {
		t.Errorf("attempts = %d: an attempt that timed out should have been retried within the call's time", resp.Attempts)
	}
}

func TestABulkUpdateOnAStalledStoreReportsWhatItDid(t *testing.T) {
	t.Parallel()
	store, c, ctx := stalledClient(t)
	updates := make([]CustomerUpdate, 100) // ten batches: the first go out, time out and stop the run
	for i := range updates {
		updates[i] = CustomerUpdate{ID: i + 1, CustomerFields: CustomerFields{Company: ptr("Stalled Co")}}
	}
	res, err := c.Customers.BulkUpdate(ctx, Listed(updates), BulkOptions{})
	if err != nil || ctx.Err() != nil {
		t.Fatalf("err = %v, caller's guard %v", err, ctx.Err())
	}
	ids := make([]int, len(updates))
	for i, u := range updates {
		ids[i] = u.ID
	}
	if err := res.AccountsFor(ids); err != nil {
		t.Fatal(err)
	}
	if len(res.Updated) != 0 || len(res.Failed) < 3*MaxCustomersPerUpdate || len(res.NotAttempted) < 4*MaxCustomersPerUpdate {
		t.Fatalf("updated %d, failed %d, not attempted %d; want none, at least the 3 batches that had slots, and at least the 4 no worker took",
			len(res.Updated), len(res.Failed), len(res.NotAttempted))
	}
	for _, id := range res.NotAttempted {
		if c, _ := store.Sim.Customer(id); c.Company == "Stalled Co" {
			t.Fatalf("customer %d is reported not attempted, but the store has the update", id)
		}
	}
	for _, f := range res.Failed {
		if f.Code != FailureUnconfirmed {
			t.Fatalf("customer %d: %s %q; want unconfirmed: the store got the write but never finished answering", f.ID, f.Code, f.Message)
		}
		if c, _ := store.Sim.Customer(f.ID); c.Company != "Stalled Co" {
			t.Fatalf("customer %d was not written: the stalled store should have applied it", f.ID)
		}
	}
}

func TestAFailureWhoseRetryTheDeadlineCannotFitFailsAsItself(t *testing.T) {
	t.Parallel()
	dropped := func(http.ResponseWriter, *http.Request, http.Handler) { panic(http.ErrAbortHandler) }
	for _, tc := range []struct {
		name    string
		answer  badstore.Misbehaviour
		is      error
		message string
	}{
		{"a 500", badstore.Answer(http.StatusInternalServerError, `[{"status":500,"message":"oops"}]`), ErrUpstream, "oops"},
		{"a dropped connection", dropped, ErrTransport, "EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := badstore.New(t)
			store.Misbehave(tc.answer)
			c := BadStoreClient(t, store, func(cfg *Config) {
				cfg.RetryBaseDelay, cfg.RetryMaxDelay, cfg.CallTimeout = 100*time.Millisecond, time.Second, 300*time.Millisecond
			})
			_, resp, err := c.CustomerGroups.Get(context.Background(), 1)
			if !errors.Is(err, tc.is) || errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("err = %v, want %v saying %q, not a rate limit", err, tc.is, tc.message)
			}
			if resp.Attempts > 4 {
				t.Errorf("attempts = %d: backoffs of 50ms and more cannot fit more in 300ms", resp.Attempts)
			}
		})
	}
}

func TestATokenEscapedInA207IsRedactedFromTheReport(t *testing.T) {
	t.Parallel()
	for _, format := range []string{
		`{"data":[],"title":"token %s rejected","errors":{"0.email":"taken"}}`,
		`{"data":[],"title":"some failed","errors":{"0.email":"token %s rejected"}}`,
	} {
		store := badstore.New(t)
		store.Misbehave(badstore.EchoToken(http.StatusMultiStatus, format))
		res, err := BadStoreClient(t, store, nil).Customers.BulkUpdate(context.Background(), Listed([]CustomerUpdate{{ID: 1, CustomerFields: CustomerFields{Company: ptr("Co")}}}), BulkOptions{})
		if err != nil || len(res.Failed) != 1 {
			t.Fatalf("body %s: got %+v, %v; want customer 1 failed", format, res, err)
		}
		if report := fmt.Sprintf("%+v", res.Failed[0]); strings.Contains(report, badstore.Token) || !strings.Contains(report, "[REDACTED]") {
			t.Errorf("body %s: the token is not redacted from %s", format, report)
		}
	}
}

func TestABatchWaitingForASlotWhenTheRunStopsIsNotSent(t *testing.T) {
	t.Parallel()
	store := badstore.New(t, bcsim.WithReadOnlyScope(), bcsim.WithLatency(5*time.Millisecond, 0))
	updates := make([]CustomerUpdate, 200)
	for i := range updates {
		updates[i] = CustomerUpdate{ID: i + 1, CustomerFields: CustomerFields{Company: ptr("Forbidden Co")}}
	}
	res, err := BadStoreClient(t, store, nil).Customers.BulkUpdate(context.Background(), Listed(updates), BulkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Batches > MaxUpdateRequestsInFlight || len(res.Failed) > MaxUpdateRequestsInFlight*MaxCustomersPerUpdate {
		t.Errorf("%d batches sent, %d customers failed: only those holding a slot when the first 403 came back should have gone",
			res.Batches, len(res.Failed))
	}
	if got := store.Sim.Stats().Requests["PUT /v3/customers 403"]; got > MaxUpdateRequestsInFlight {
		t.Errorf("the store got %d writes", got)
	}
}

func TestACreateOfSeveralRequestsAnswersWithinOneCallDeadline(t *testing.T) {
	t.Parallel()
	var posts atomic.Int32
	failSlowly := badstore.DripBody(20 * time.Millisecond) // the answer, a 500, comes too slowly to be read
	store := badstore.New(t)
	store.Misbehave(badstore.On(http.MethodPost, "/v2/customer_groups", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		posts.Add(1)
		failSlowly(w, r, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			badstore.Answer(http.StatusInternalServerError, `[{"status":500,"message":"try again"}]`)(w, r, nil)
		}))
	}))
	c := BadStoreClient(t, store, func(cfg *Config) { cfg.CallTimeout, cfg.AttemptTimeout = 300*time.Millisecond, 5*time.Second })
	_, _, err := c.CustomerGroups.Create(context.Background(), CustomerGroupInput{Name: ptr("Stalled")})
	if !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), "POST /v2/customer_groups: connection failed: no complete answer within the call deadline of 300ms") {
		t.Fatalf("err = %v, want the POST's own failure: no time was left to look for the group", err)
	}
	// The POST takes the whole deadline; with a deadline per request, the
	// create would look its name up and post again, 9 times over.
	if n := posts.Load(); n != 1 {
		t.Errorf("%d POSTs within one call deadline, want 1: %v", n, err)
	}
}

func TestAnUnreadable2xxIsAnErrorNeverAnEmptyAnswer(t *testing.T) {
	t.Parallel()
	for i, body := range []string{"", "  ", "<html>ok</html>", `{"count":`} {
		store := badstore.New(t)
		store.Misbehave(badstore.AnswerAfter(http.StatusOK, body))
		c := BadStoreClient(t, store, nil)
		calls := map[string]func() (any, error){
			"count": func() (any, error) { n, _, err := c.CustomerGroups.Count(t.Context()); return n, err },
			"get":   func() (any, error) { g, _, err := c.CustomerGroups.Get(t.Context(), 1); return g, err },
			"list": func() (any, error) {
				gs, _, err := c.CustomerGroups.List(t.Context(), ListCustomerGroupsOptions{})
				return gs, err
			},
			"create": func() (any, error) {
				g, _, err := c.CustomerGroups.Create(t.Context(), CustomerGroupInput{Name: ptr(fmt.Sprintf("Unread %d", i))})
				return g, err
			},
		}
		for name, call := range calls {
			got, err := call()
			var apiErr *Error
			if !errors.Is(err, ErrBadAnswer) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusOK {
				t.Errorf("%s answered %q: got %+v, %v; want a bad answer", name, body, got, err)
			}
		}
	}
}
