package bc

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/badstore"
)

// garbled lets the simulator do its work, then answers an unreadable 200.
var garbled = badstore.AnswerAfter(http.StatusOK, "<html>ok</html>")

// A write answered with a 2xx was most likely applied: it is never sent
// again, not even one that can settle first, and it reports that it may
// have been applied.
func TestAWriteAnsweredWithAnUnreadable2xxIsSentOnceAndMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	name := "Garbled"
	for _, tc := range []struct {
		name    string
		write   func(*Client) (*Response, error)
		sent    string // the write's route, as the simulator counts it
		applied func(*bcsim.Store) bool
	}{
		{"create, a POST that settles before resending",
			func(c *Client) (*Response, error) {
				_, resp, err := c.CustomerGroups.Create(t.Context(), CustomerGroupInput{Name: &name})
				return resp, err
			}, "POST /v2/customer_groups",
			func(s *bcsim.Store) bool {
				return slices.ContainsFunc(s.Groups(), func(g bcsim.Group) bool { return g.Name == name })
			}},
		{"update, a V2 PUT",
			func(c *Client) (*Response, error) {
				_, resp, err := c.CustomerGroups.Update(t.Context(), 1, CustomerGroupInput{Name: &name})
				return resp, err
			}, "PUT /v2/customer_groups/{id}",
			func(s *bcsim.Store) bool { g, _ := s.Group(1); return g.Name == name }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := badstore.New(t, bcsim.WithGroups(3))
			store.Misbehave(garbled)
			resp, err := tc.write(BadStoreClient(t, store, nil))
			if !errors.Is(err, ErrBadAnswer) || resp == nil || !resp.MaybeApplied {
				t.Errorf("err %v, response %+v: want a bad answer that may have been applied", err, resp)
			}
			if n := store.Sim.Total(tc.sent); n != 1 || !tc.applied(store.Sim) {
				t.Errorf("%s sent %d times, applied %v; want once, applied", tc.sent, n, tc.applied(store.Sim))
			}
		})
	}
	t.Run("a POST that settles and reads its answer itself", func(t *testing.T) {
		t.Parallel()
		store := badstore.New(t)
		c := BadStoreClient(t, store, nil)
		settles := 0
		req := c.CustomerGroups.request(http.MethodPost, "", nil, CustomerGroupInput{Name: &name})
		req.settle = func(context.Context) (bool, error) { settles++; return false, nil }
		req.accept = func([]byte) error { return errors.New("not what was asked for") }
		resp, err := c.do(t.Context(), req, nil)
		if !errors.Is(err, ErrBadAnswer) || !resp.MaybeApplied || store.Sim.Total("POST /v2/customer_groups") != 1 || settles != 0 {
			t.Errorf("err %v, response %+v, %d POSTs, %d settles: want one POST, maybe applied, never resent",
				err, resp, store.Sim.Total("POST /v2/customer_groups"), settles)
		}
	})
	t.Run("bulk update, a V3 PUT", func(t *testing.T) {
		t.Parallel()
		store := badstore.New(t)
		store.Misbehave(garbled)
		res, err := BadStoreClient(t, store, nil).Customers.BulkUpdate(t.Context(),
			Listed([]CustomerUpdate{{ID: 1, CustomerFields: CustomerFields{Company: &name}}}), BulkOptions{})
		if err != nil || len(res.Failed) != 1 || res.Failed[0].Code != FailureUnconfirmed {
			t.Errorf("got %+v, %v; want customer 1 unconfirmed", res, err)
		}
		if c, _ := store.Sim.Customer(1); store.Sim.Total("PUT /v3/customers") != 1 || c.Company != name {
			t.Errorf("sent %d times, company %q; want once, applied", store.Sim.Total("PUT /v3/customers"), c.Company)
		}
	})
	t.Run("delete, which reads no answer", func(t *testing.T) {
		t.Parallel()
		store := badstore.New(t, bcsim.WithGroups(3))
		store.Misbehave(garbled)
		if _, err := BadStoreClient(t, store, nil).CustomerGroups.Delete(t.Context(), 2); err != nil {
			t.Errorf("err %v: a 2xx to a delete says it is done", err)
		}
		if _, there := store.Sim.Group(2); store.Sim.Total("DELETE /v2/customer_groups/{id}") != 1 || there {
			t.Errorf("sent %d times, still there %v; want once, deleted", store.Sim.Total("DELETE /v2/customer_groups/{id}"), there)
		}
	})
}

// A read answered with an unreadable 2xx is asked again, like a 5xx, then
// fails as a bad answer, never as an empty one.
func TestAReadAnsweredWithAnUnreadable2xxIsRetriedThenFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		read  func(*Client) error
		route string
	}{
		{"a group", func(c *Client) error { _, _, err := c.CustomerGroups.Get(t.Context(), 1); return err }, "GET /v2/customer_groups/{id}"},
		{"a page of customers", func(c *Client) error {
			_, _, err := c.Customers.List(t.Context(), ListCustomersOptions{})
			return err
		}, "GET /v3/customers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := badstore.New(t)
			store.Misbehave(garbled)
			err := tc.read(BadStoreClient(t, store, func(cfg *Config) { cfg.MaxRetries = 3 }))
			if !errors.Is(err, ErrBadAnswer) {
				t.Errorf("err %v, want a bad answer", err)
			}
			if n := store.Sim.Total(tc.route); n != 4 {
				t.Errorf("%s asked %d times, want 4 (3 retries)", tc.route, n)
			}
		})
	}
}

// A group write answered with an unreadable 2xx is read back: found as
// asked, it is confirmed; not found, or found otherwise, it stays maybe
// applied, and the error names what differs.
func TestAGroupWriteWithAnUnreadableAnswerIsConfirmedByReadingItBack(t *testing.T) {
	t.Parallel()
	name := "Garbled"
	rules := []DiscountRule{{Type: RuleTypeAll, Method: MethodPercent, Amount: 5}}
	in := CustomerGroupInput{Name: &name, GroupSettings: GroupSettings{DiscountRules: &rules}}
	create := func(c *Client) (*CustomerGroup, *Response, error) { return c.CustomerGroups.Create(t.Context(), in) }
	update := func(c *Client) (*CustomerGroup, *Response, error) { return c.CustomerGroups.Update(t.Context(), 1, in) }
	recasedOnRead := badstore.GarbleWrites(func(body []byte) []byte {
		return bytes.ReplaceAll(body, []byte(`"Garbled"`), []byte(`"GARBLED"`))
	})
	garbled207 := badstore.AnswerAfter(http.StatusMultiStatus, "")
	for _, tc := range []struct {
		name     string
		write    func(*Client) (*CustomerGroup, *Response, error)
		answer   badstore.Misbehaviour
		differs  string // in the error, or "" for a confirmed write
		sitewide bool   // a 207: the sitewide discount update failed, whatever the read-back finds
	}{
		{"create found as asked", create, badstore.On(http.MethodPost, "/v2/customer_groups", garbled), "", false},
		{"create answered an unreadable 207", create, badstore.On(http.MethodPost, "/v2/customer_groups", garbled207), "", true},
		{"create found nowhere", create, badstore.On(http.MethodPost, "/v2/customer_groups", badstore.Answer(http.StatusOK, "<html>ok</html>")),
			`no customer group named "Garbled"`, false},
		{"create found otherwise", create, recasedOnRead, "has another name than sent", false},
		{"update found as asked", update, badstore.On(http.MethodPut, "/v2/customer_groups/1", garbled), "", false},
		{"update answered an unreadable 207", update, badstore.On(http.MethodPut, "/v2/customer_groups/1", garbled207), "", true},
		{"update found otherwise", update, recasedOnRead, "group 1 has another name than sent", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := badstore.New(t, bcsim.WithGroups(3))
			store.Misbehave(tc.answer)
			g, resp, err := tc.write(BadStoreClient(t, store, nil))
			if resp == nil || resp.SitewideDiscountFailed != tc.sitewide {
				t.Errorf("response %+v: want SitewideDiscountFailed %v", resp, tc.sitewide)
			}
			if tc.differs == "" {
				if err != nil || !resp.ConfirmedByReadBack || g.Name != name || !in.Matches(*g) {
					t.Fatalf("got %+v, %+v, %v; want the group as asked, confirmed by reading it back", g, resp, err)
				}
				return
			}
			if !errors.Is(err, ErrBadAnswer) || !strings.Contains(err.Error(), tc.differs) || !resp.MaybeApplied || resp.ConfirmedByReadBack || g != nil {
				t.Errorf("got %+v, %+v, %v; want a bad answer, maybe applied, saying %q", g, resp, err, tc.differs)
			}
		})
	}
}
