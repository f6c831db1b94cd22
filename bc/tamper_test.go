package bc_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// tamper stands between the client and the simulator and alters the
// requests to one route, or rewrites the answers, as a misbehaving store or
// proxy would: the simulator does its work, and the client is told something else.
type tamper struct {
	next    http.RoundTripper
	method  string
	path    string                // after /stores/{hash}, e.g. "/v3/customers"
	alter   func(r *http.Request) // when set, changes the request the simulator sees
	rewrite func(req *http.Request, status int, body []byte) (int, []byte)
}

func (t tamper) RoundTrip(req *http.Request) (*http.Response, error) {
	ours := req.Method == t.method && req.URL.Path == "/stores/t"+t.path
	if ours && t.alter != nil {
		req = req.Clone(req.Context())
		t.alter(req)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil || !ours || t.rewrite == nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	status, body := t.rewrite(req, resp.StatusCode, body)
	resp.StatusCode, resp.Status = status, strconv.Itoa(status)+" "+http.StatusText(status)
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// tamperedClient is a bulkClient whose answers to method path pass through rewrite.
func tamperedClient(t testing.TB, store *bcsim.Store, method, path string, rewrite func(*http.Request, int, []byte) (int, []byte)) *bc.Client {
	return tamperClient(t, store, tamper{method: method, path: path, rewrite: rewrite})
}

// tamperClient is a bulkClient whose requests pass through tp.
func tamperClient(t testing.TB, store *bcsim.Store, tp tamper) *bc.Client {
	return bulkClient(t, store, func(cfg *bc.Config) {
		tp.next = cfg.HTTPClient.Transport
		cfg.HTTPClient.Transport = tp
	})
}

// ignoring is a store that ignores the query parameter filter of the customer list.
func ignoring(filter string) tamper {
	return tamper{method: http.MethodGet, path: "/v3/customers", alter: func(r *http.Request) {
		q := r.URL.Query()
		q.Del(filter)
		r.URL.RawQuery = q.Encode()
	}}
}

// answer is the loose shape of a V3 answer, for rewriting one.
type answer struct {
	Data   []map[string]any `json:"data"`
	Meta   map[string]any   `json:"meta,omitempty"`
	Title  string           `json:"title,omitempty"`
	Errors map[string]any   `json:"errors,omitempty"`
}

func mustDecode(t testing.TB, body []byte) answer {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		t.Errorf("the simulator's answer is not JSON: %v", err)
	}
	return a
}

func mustEncode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
