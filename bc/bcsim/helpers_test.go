package bcsim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

const storePath = "/stores/abc123"

// api sends requests to a store, either over TCP or through the in-process client.
type api struct {
	t      *testing.T
	client *http.Client
	base   string
}

func overTCP(t *testing.T, s *bcsim.Store) api {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return api{t: t, client: srv.Client(), base: srv.URL + storePath}
}

func inProcess(t *testing.T, s *bcsim.Store) api {
	return api{t: t, client: s.Client(), base: "http://bcsim.test" + storePath}
}

// transports runs a test body against both ways of reaching the store.
var transports = []struct {
	name string
	open func(*testing.T, *bcsim.Store) api
}{
	{"over TCP", overTCP},
	{"in process", inProcess},
}

type result struct {
	status int
	header http.Header
	body   []byte
}

func (a api) request(method, path string, body any) (result, error) {
	a.t.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.base+path, reader)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	res, err := a.client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return result{}, err
	}
	return result{status: res.StatusCode, header: res.Header, body: data}, nil
}

func (a api) do(method, path string, body any) result {
	a.t.Helper()
	res, err := a.request(method, path, body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

func (a api) get(path string) result { return a.do(http.MethodGet, path, nil) }

func decode[T any](t *testing.T, res result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.body, &v); err != nil {
		t.Fatalf("decoding %q: %v", res.body, err)
	}
	return v
}

func wantStatus(t *testing.T, res result, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("status = %d, want %d; body %s", res.status, want, res.body)
	}
}

type wireGroup struct {
	ID             int    `json:"id"`
	Name           string `json:"name"`
	IsDefault      bool   `json:"is_default"`
	CategoryAccess struct {
		Type       string `json:"type"`
		Categories []int  `json:"categories"`
	} `json:"category_access"`
	DiscountRules    []map[string]any `json:"discount_rules"`
	DateCreated      string           `json:"date_created"`
	DateModified     string           `json:"date_modified"`
	IsGroupForGuests bool             `json:"is_group_for_guests"`
}

type v2Error []struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

type v3Error struct {
	Status int               `json:"status"`
	Title  string            `json:"title"`
	Type   string            `json:"type"`
	Errors map[string]string `json:"errors"`
}

type wireCustomer struct {
	ID              int    `json:"id"`
	Email           string `json:"email"`
	FirstName       string `json:"first_name"`
	CustomerGroupID int    `json:"customer_group_id"`
	DateCreated     string `json:"date_created"`
	DateModified    string `json:"date_modified"`
}

type customerList struct {
	Data []wireCustomer `json:"data"`
	Meta struct {
		Pagination struct {
			Total       int `json:"total"`
			Count       int `json:"count"`
			PerPage     int `json:"per_page"`
			CurrentPage int `json:"current_page"`
			TotalPages  int `json:"total_pages"`
		} `json:"pagination"`
	} `json:"meta"`
}

func groupIDs(groups []wireGroup) []int {
	ids := make([]int, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	return ids
}

func customerIDs(customers []wireCustomer) []int {
	ids := make([]int, len(customers))
	for i, c := range customers {
		ids[i] = c.ID
	}
	return ids
}
