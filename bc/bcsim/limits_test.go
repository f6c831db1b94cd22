package bcsim_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/fakeclock"
)

var rateHeaders = []string{
	"X-Rate-Limit-Requests-Left",
	"X-Rate-Limit-Requests-Quota",
	"X-Rate-Limit-Time-Reset-Ms",
	"X-Rate-Limit-Time-Window-Ms",
}

func TestEveryResponseCarriesRateLimitHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"a list", http.MethodGet, "/v2/customer_groups", nil, http.StatusOK},
		{"an empty page", http.MethodGet, "/v2/customer_groups?page=9", nil, http.StatusNoContent},
		{"a count", http.MethodGet, "/v2/customer_groups/count", nil, http.StatusOK},
		{"a missing group", http.MethodGet, "/v2/customer_groups/99", nil, http.StatusNotFound},
		{"an unknown route", http.MethodGet, "/v2/products", nil, http.StatusNotFound},
		{"a bad filter", http.MethodGet, "/v2/customer_groups?is_default=x", nil, http.StatusBadRequest},
		{"a conflict", http.MethodPost, "/v2/customer_groups", map[string]any{"name": "VIP"}, http.StatusConflict},
		{"a delete", http.MethodDelete, "/v2/customer_groups/6", nil, http.StatusNoContent},
		{"a customer list", http.MethodGet, "/v3/customers", nil, http.StatusOK},
		{"an invalid update", http.MethodPut, "/v3/customers", []map[string]any{{"id": 0}}, http.StatusUnprocessableEntity},
	}
	for _, open := range transports {
		for _, tt := range tests {
			t.Run(open.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				res := open.open(t, bcsim.New()).do(tt.method, tt.path, tt.body)
				wantStatus(t, res, tt.status)
				for _, h := range rateHeaders {
					if _, err := strconv.Atoi(res.header.Get(h)); err != nil {
						t.Errorf("%s = %q, want a number", h, res.header.Get(h))
					}
				}
			})
		}
	}
}

func TestASpentQuotaAnswers429UntilTheWindowResets(t *testing.T) {
	t.Parallel()
	clock := fakeclock.At(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	s := bcsim.New(bcsim.WithQuota(3, time.Minute), bcsim.WithClock(clock.Now))
	api := inProcess(t, s)

	for want := 2; want >= 0; want-- {
		res := api.get("/v2/customer_groups/count")
		wantStatus(t, res, http.StatusOK)
		if got := res.header.Get("X-Rate-Limit-Requests-Left"); got != strconv.Itoa(want) {
			t.Fatalf("requests left = %s, want %d", got, want)
		}
	}
	clock.Advance(20 * time.Second)
	for _, path := range []string{"/v2/customer_groups", "/v3/customers"} {
		res := api.get(path)
		wantStatus(t, res, http.StatusTooManyRequests)
		if got := res.header.Get("X-Rate-Limit-Time-Reset-Ms"); got != "40000" {
			t.Fatalf("reset = %s ms, want 40000", got)
		}
		if got := res.header.Get("X-Rate-Limit-Time-Window-Ms"); got != "60000" {
			t.Fatalf("window = %s ms, want 60000", got)
		}
	}
	if got := s.Stats().QuotaRejections; got != 2 {
		t.Fatalf("QuotaRejections = %d, want 2", got)
	}
	clock.Advance(40 * time.Second)
	res := api.get("/v2/customer_groups/count")
	wantStatus(t, res, http.StatusOK)
	if got := res.header.Get("X-Rate-Limit-Requests-Left"); got != "2" {
		t.Fatalf("requests left in the new window = %s, want 2", got)
	}
}

func TestQuota429sUseTheVersionsErrorFormat(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New(bcsim.WithQuota(1, time.Hour)))
	api.get("/v2/customer_groups/count")
	if e := decode[v2Error](t, api.get("/v2/customer_groups/count")); e[0].Status != http.StatusTooManyRequests {
		t.Fatalf("V2 body = %+v", e)
	}
	if e := decode[v3Error](t, api.get("/v3/customers")); e.Status != http.StatusTooManyRequests {
		t.Fatalf("V3 body = %+v", e)
	}
}

// burst sends n copies of a request at once and returns their statuses.
func burst(t *testing.T, api api, n int, method, path string, body func(i int) any) []int {
	t.Helper()
	statuses := make([]int, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			res, err := api.request(method, path, body(i))
			if err != nil {
				t.Error(err)
				return
			}
			statuses[i] = res.status
		})
	}
	start.Done()
	done.Wait()
	return statuses
}

func count(statuses []int, status int) (n int) {
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

func TestExceedingAConcurrencyCapAnswers429(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		class  string
		cap    int
		n      int
		method string
		path   string
		body   func(int) any
	}{
		{"five concurrent customer updates exceed three", "customers_update", 3, 5, http.MethodPut, "/v3/customers",
			func(i int) any { return []map[string]any{{"id": i + 1}} }},
		{"forty-five concurrent group reads exceed forty", "customer_groups", 40, 45, http.MethodGet, "/v2/customer_groups/1",
			func(int) any { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := bcsim.New(bcsim.WithLatency(200*time.Millisecond, 0))
			statuses := burst(t, inProcess(t, s), tt.n, tt.method, tt.path, tt.body)
			st := s.Stats()
			if ok := count(statuses, http.StatusOK); ok > tt.cap || ok+count(statuses, http.StatusTooManyRequests) != tt.n {
				t.Fatalf("statuses = %v, want at most %d successes and the rest 429", statuses, tt.cap)
			}
			if st.ConcurrencyRejections[tt.class] == 0 || st.MaxInFlight[tt.class] <= tt.cap {
				t.Fatalf("rejections %v, max in flight %v", st.ConcurrencyRejections, st.MaxInFlight)
			}
		})
	}
}

func TestRequestsWithinTheCapsAreNeverRejected(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithLatency(20*time.Millisecond, 10*time.Millisecond))
	statuses := burst(t, overTCP(t, s), 3, http.MethodPut, "/v3/customers", func(i int) any {
		return []map[string]any{{"id": i + 1}}
	})
	if count(statuses, http.StatusOK) != 3 {
		t.Fatalf("statuses = %v, want three 200s", statuses)
	}
	if got := s.Stats().MaxInFlight["customers_update"]; got > 3 {
		t.Fatalf("MaxInFlight = %d", got)
	}
}

func TestAnAccessTokenIsRequiredWhenConfigured(t *testing.T) {
	t.Parallel()
	api := inProcess(t, bcsim.New(bcsim.WithAccessToken("secret")))
	if e := decode[v2Error](t, api.get("/v2/customer_groups")); e[0].Status != http.StatusUnauthorized {
		t.Fatalf("V2 body = %+v", e)
	}
	res := api.get("/v3/customers")
	wantStatus(t, res, http.StatusUnauthorized)
	if e := decode[v3Error](t, res); e.Status != http.StatusUnauthorized {
		t.Fatalf("V3 body = %+v", e)
	}

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, api.base+"/v2/customer_groups/count", nil)
	req.Header.Set("X-Auth-Token", "secret")
	ok, err := api.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ok.Body.Close()
	if ok.StatusCode != http.StatusOK {
		t.Fatalf("with the token: status %d", ok.StatusCode)
	}
}

func TestAReadOnlyScopeForbidsWrites(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithReadOnlyScope())
	api := inProcess(t, s)
	wantStatus(t, api.get("/v2/customer_groups/1"), http.StatusOK)
	wantStatus(t, api.do(http.MethodPost, "/v2/customer_groups", map[string]any{"name": "X"}), http.StatusForbidden)
	wantStatus(t, api.do(http.MethodDelete, "/v2/customer_groups/1", nil), http.StatusForbidden)
	res := api.do(http.MethodPut, "/v3/customers", []map[string]any{{"id": 1}})
	wantStatus(t, res, http.StatusForbidden)
	if e := decode[v3Error](t, res); e.Status != http.StatusForbidden {
		t.Fatalf("V3 body = %s", res.body)
	}
	if len(s.Groups()) != 6 {
		t.Fatal("a forbidden write changed the store")
	}
}

func TestLatencyGivesWayToACanceledRequest(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithLatency(10*time.Second, 0))
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://bcsim.test"+storePath+"/v3/customers", nil)
	begun := time.Now()
	_, err := s.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(begun) > 5*time.Second {
		t.Fatalf("err = %v after %v, want a prompt deadline error", err, time.Since(begun))
	}
	if got := s.Stats().Requests["GET /v3/customers canceled"]; got != 1 {
		t.Fatalf("requests = %v", s.Stats().Requests)
	}
}

func TestStatsCountRequestsByRouteAndStatus(t *testing.T) {
	t.Parallel()
	s := bcsim.New()
	api := inProcess(t, s)
	api.get("/v2/customer_groups/1")
	api.get("/v2/customer_groups/2")
	api.get("/v2/customer_groups/99")
	api.get("/v2/customer_groups?page=9")
	st := s.Stats()
	if st.Requests["GET /v2/customer_groups/{id} 200"] != 2 || st.Requests["GET /v2/customer_groups/{id} 404"] != 1 ||
		st.Requests["GET /v2/customer_groups 204"] != 1 {
		t.Fatalf("requests = %v", st.Requests)
	}
	if got := s.Total("GET /v2/customer_groups"); got != 4 {
		t.Fatalf("Total = %d, want 4", got)
	}
	st.Requests["GET /v2/customer_groups 204"] = 100
	if s.Stats().Requests["GET /v2/customer_groups 204"] != 1 {
		t.Fatal("Stats did not return a copy")
	}
	s.ResetStats()
	if got := s.Total(""); got != 0 {
		t.Fatalf("Total after ResetStats = %d", got)
	}
}

func TestConcurrentUseIsSafe(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithFaults(bcsim.Faults{Error500: 0.1}))
	api := overTCP(t, s)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for j := range 5 {
				api.request(http.MethodPut, "/v3/customers", []map[string]any{{"id": i*5 + j + 1, "notes": "x"}})
				api.request(http.MethodGet, "/v2/customer_groups", nil)
				s.Stats()
			}
		})
	}
	wg.Go(func() { s.SetFaults(bcsim.Faults{}) })
	wg.Wait()
	if s.Total("PUT /v3/customers") != 100 {
		t.Fatalf("requests = %v", s.Stats().Requests)
	}
}
