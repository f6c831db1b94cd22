package tools

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc/bcsim"
)

// person answers elicitation requests as told, and keeps what was asked.
type person struct {
	mu     sync.Mutex
	answer mcp.ElicitationResponse
	asked  []string
}

func (p *person) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, req.Params.Message)
	return &mcp.ElicitationResult{ElicitationResponse: p.answer}, nil
}

func (p *person) questions() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

var (
	yes      = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": true}}
	unticked = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": false}}
	decline  = mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}
)

// newAskingSession is a session whose client declares elicitation and
// answers through p, at the protocol version given.
func newAskingSession(t *testing.T, p *person, version string, cfg Config, opts ...bcsim.Option) *session {
	t.Helper()
	store := bcsim.New(append([]bcsim.Option{bcsim.WithAccessToken(testToken)}, opts...)...)
	return newSessionAt(t, store, testToken, cfg, version, client.WithElicitationHandler(p))
}

// protocolEras are the elicitation request (2025-11-25) and the multi
// round-trip input request (the latest version).
var protocolEras = []string{"2025-11-25", mcp.LATEST_PROTOCOL_VERSION}

func TestDeleteAsksThePersonWhenTheClientCan(t *testing.T) {
	for _, version := range protocolEras {
		t.Run(version, func(t *testing.T) {
			p := &person{answer: decline}
			s := newAskingSession(t, p, version, Config{}, bcsim.WithCustomers(100))
			members := len(membersOf(s.store, 3))
			for _, answer := range []mcp.ElicitationResponse{decline, unticked} {
				p.answer = answer
				if e := s.fail("delete_customer_group", map[string]any{"id": 3}); e.Code != codeCanceled || !strings.Contains(e.Message, "nothing was written") {
					t.Errorf("%s: %+v", answer.Action, e)
				}
				if _, ok := s.store.Group(3); !ok {
					t.Fatalf("the group was deleted after the person answered %+v", answer)
				}
			}
			asked := p.questions()
			if len(asked) != 2 || !strings.Contains(asked[0], `"VIP" (id 3)`) || !strings.Contains(asked[0], strconv.Itoa(members)+" customers") ||
				!strings.Contains(asked[0], "cannot be undone") {
				t.Fatalf("asked %q, want the group's name, its %d customers and what cannot be restored", asked, members)
			}
			p.answer = yes
			succeed[DeletedCustomerGroup](s, "delete_customer_group", map[string]any{"id": 3})
			if _, ok := s.store.Group(3); ok {
				t.Error("the person confirmed, yet the group is still there")
			}
		})
	}
}

func TestALargeUndoAsksThePerson(t *testing.T) {
	p := &person{answer: decline}
	s := newAskingSession(t, p, mcp.LATEST_PROTOCOL_VERSION, Config{Journal: openJournal(t, filepath.Join(t.TempDir(), "j.db"))}, bcsim.WithCustomers(1000))
	retail := membersOf(s.store, 1)
	succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{
		"where": map[string]any{"customer_group_ids": []int{1}}, "set": map[string]any{"customer_group_id": 2}, "expect_count": len(retail)})
	if len(retail) <= expectCountThreshold {
		t.Fatalf("the seed has %d Retail customers: too few for a large undo", len(retail))
	}
	args := map[string]any{"change_id": 1, "expect_count": len(retail)}
	if e := s.fail("undo_change", args); e.Code != codeCanceled {
		t.Fatalf("declined undo: %+v", e)
	}
	if groupOf(t, s.store, retail[0]) != 2 || len(p.questions()) != 1 || !strings.Contains(p.questions()[0], strconv.Itoa(len(retail))+" items") {
		t.Fatalf("after a declined undo, customer %d is in group %d; asked %q", retail[0], groupOf(t, s.store, retail[0]), p.questions())
	}
	p.answer = yes
	succeed[UndoChangeResult](s, "undo_change", args)
	if groupOf(t, s.store, retail[0]) != 1 {
		t.Error("the confirmed undo did not restore the customers")
	}
}

func TestASmallUndoAndAClientWithoutElicitationAreNotAsked(t *testing.T) {
	p := &person{answer: decline}
	s := newAskingSession(t, p, mcp.LATEST_PROTOCOL_VERSION, Config{Journal: openJournal(t, filepath.Join(t.TempDir(), "j.db"))}, bcsim.WithCustomers(20))
	succeed[BulkUpdateCustomersResult](s, "bulk_update_customers", map[string]any{"customers": []map[string]any{{"id": 1, "company": "Small"}}})
	succeed[UndoChangeResult](s, "undo_change", map[string]any{"change_id": 1})
	if asked := p.questions(); len(asked) != 0 {
		t.Errorf("a one-item undo asked %q", asked)
	}
	plain := newSession(t, Config{})
	succeed[DeletedCustomerGroup](plain, "delete_customer_group", map[string]any{"id": 3})
}
