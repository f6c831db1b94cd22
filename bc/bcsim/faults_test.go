package bcsim_test

import (
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

func TestInjectedFaultsAnswerAndAreCounted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		faults    bcsim.Faults
		method    string
		path      string
		body      any
		status    int
		kind      string
		wantReset string // "-" means the header must be absent
	}{
		{"an injected 429 advertises RetryAfter", bcsim.Faults{RateLimit429: 1, RetryAfter: 30 * time.Millisecond},
			http.MethodGet, "/v2/customer_groups", nil, http.StatusTooManyRequests, "429", "30"},
		{"an injected 429 defaults to 20ms", bcsim.Faults{RateLimit429: 1},
			http.MethodGet, "/v3/customers", nil, http.StatusTooManyRequests, "429", "20"},
		{"an injected 429 can omit the reset header", bcsim.Faults{RateLimit429: 1, OmitRetryHeaders: true},
			http.MethodGet, "/v2/customer_groups/count", nil, http.StatusTooManyRequests, "429", "-"},
		{"an injected 500", bcsim.Faults{Error500: 1},
			http.MethodGet, "/v2/customer_groups/1", nil, http.StatusInternalServerError, "500", ""},
		{"an injected 503", bcsim.Faults{Error503: 1},
			http.MethodPut, "/v3/customers", []map[string]any{{"id": 1}}, http.StatusServiceUnavailable, "503", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := bcsim.New(bcsim.WithFaults(tt.faults))
			res := inProcess(t, s).do(tt.method, tt.path, tt.body)
			wantStatus(t, res, tt.status)
			if got := s.Stats().Injected[tt.kind]; got != 1 {
				t.Fatalf("Injected = %v", s.Stats().Injected)
			}
			if tt.status == http.StatusTooManyRequests && res.header.Get("X-Rate-Limit-Requests-Left") != "0" {
				t.Fatalf("requests left = %q, want 0: an injected 429 is a spent quota", res.header.Get("X-Rate-Limit-Requests-Left"))
			}
			reset, present := res.header["X-Rate-Limit-Time-Reset-Ms"]
			switch {
			case tt.wantReset == "-" && present:
				t.Fatalf("reset header = %v, want none", reset)
			case tt.wantReset != "-" && tt.wantReset != "" && res.header.Get("X-Rate-Limit-Time-Reset-Ms") != tt.wantReset:
				t.Fatalf("reset header = %v, want %s", reset, tt.wantReset)
			}
			if strings.HasPrefix(tt.path, "/v3/") {
				if e := decode[v3Error](t, res); e.Status != tt.status {
					t.Fatalf("body = %s", res.body)
				}
			} else if e := decode[v2Error](t, res); e[0].Status != tt.status {
				t.Fatalf("body = %s", res.body)
			}
		})
	}
}

func TestInjectedResetsSurfaceAsConnectionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		faults  bcsim.Faults
		kind    string
		applied bool
	}{
		{"a reset before applying loses the write", bcsim.Faults{ResetBeforeApply: 1}, "reset_before", false},
		{"a reset after applying keeps the write", bcsim.Faults{ResetAfterApply: 1}, "reset_after", true},
	}
	for _, open := range transports {
		for _, tt := range tests {
			t.Run(open.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				s := bcsim.New(bcsim.WithFaults(tt.faults))
				_, err := open.open(t, s).request(http.MethodPost, "/v2/customer_groups", map[string]any{"name": "Dropped"})
				if err == nil {
					t.Fatal("got a response, want a transport error")
				}
				if open.name == "in process" && !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("err = %v, want ECONNRESET", err)
				}
				if _, ok := s.Group(7); ok != tt.applied {
					t.Fatalf("group stored = %v, want %v", ok, tt.applied)
				}
				st := s.Stats()
				if st.Injected[tt.kind] != 1 || st.Requests["POST /v2/customer_groups reset"] != 1 {
					t.Fatalf("stats = %+v", st)
				}
			})
		}
	}
}

func TestResetsAfterApplyOnlyHitWrites(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithFaults(bcsim.Faults{ResetAfterApply: 1}))
	api := inProcess(t, s)
	wantStatus(t, api.get("/v2/customer_groups/1"), http.StatusOK)
	if _, err := api.request(http.MethodPut, "/v3/customers", []map[string]any{{"id": 1, "notes": "kept"}}); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("err = %v, want ECONNRESET", err)
	}
	if c, _ := s.Customer(1); c.Notes != "kept" {
		t.Fatal("the update was not applied before the reset")
	}
}

func TestAPartial207SavesTheGroupButOmitsIt(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithFaults(bcsim.Faults{Partial207: 1}))
	api := overTCP(t, s)

	res := api.do(http.MethodPost, "/v2/customer_groups", map[string]any{"name": "Partial"})
	wantStatus(t, res, http.StatusMultiStatus)
	body := decode[map[string]any](t, res)
	if _, hasID := body["id"]; hasID || body["status"] != 207.0 || !strings.Contains(body["message"].(string), "was created") {
		t.Fatalf("body = %s", res.body)
	}
	if g, ok := s.Group(7); !ok || g.Name != "Partial" {
		t.Fatal("the group was not saved")
	}

	res = api.do(http.MethodPut, "/v2/customer_groups/7", map[string]any{"name": "Partial 2"})
	wantStatus(t, res, http.StatusMultiStatus)
	if !strings.Contains(string(res.body), "was updated") {
		t.Fatalf("body = %s", res.body)
	}
	if g, _ := s.Group(7); g.Name != "Partial 2" {
		t.Fatal("the update was not saved")
	}
	wantStatus(t, api.do(http.MethodPost, "/v2/customer_groups", map[string]any{"name": "partial 2"}), http.StatusConflict)
	if got := s.Stats().Injected["207"]; got != 2 {
		t.Fatalf("Injected 207 = %d, want 2", got)
	}
}

func TestFaultsCanBeChangedAtRuntime(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithFaults(bcsim.Faults{Error503: 1}))
	api := inProcess(t, s)
	wantStatus(t, api.get("/v3/customers"), http.StatusServiceUnavailable)
	s.SetFaults(bcsim.Faults{})
	wantStatus(t, api.get("/v3/customers"), http.StatusOK)
}

func TestFaultProbabilitiesAreRoughlyHonoured(t *testing.T) {
	t.Parallel()
	s := bcsim.New(bcsim.WithFaults(bcsim.Faults{Error500: 0.25}))
	api := inProcess(t, s)
	for range 400 {
		api.get("/v2/customer_groups/count")
	}
	if got := s.Stats().Injected["500"]; got < 60 || got > 140 {
		t.Fatalf("%d of 400 requests failed, want about 100", got)
	}
}
