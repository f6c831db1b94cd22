package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

// groupWrites makes the customer-group writes, each journaled as one change
// made by tool. With the journal off they are the client's calls as they are.
type groupWrites struct {
	client *bc.Client
	tool   string
}

func journaledGroups(client *bc.Client, tool string) groupWrites {
	return groupWrites{client: client, tool: tool}
}

func (w groupWrites) create(ctx context.Context, in bc.CustomerGroupInput) (*bc.CustomerGroup, *bc.Response, error) {
	if journalFrom(ctx) == nil {
		return w.client.CustomerGroups.Create(ctx, in)
	}
	item := journal.Item{Entity: journal.EntityGroup, Op: journal.OpCreate, Wrote: mustJSON(in)}
	id, err := record(ctx, journal.Change{Tool: w.tool, Summary: fmt.Sprintf("created customer group %q", *in.Name)}, []journal.Item{item})
	if err != nil {
		return nil, nil, err
	}
	g, resp, err := w.client.CustomerGroups.Create(ctx, in)
	if err != nil {
		settle(ctx, id, []journal.Outcome{{Outcome: journal.Unconfirmed}}, map[string]int{"unconfirmed": 1})
		return g, resp, err
	}
	settle(ctx, id, []journal.Outcome{{Outcome: journal.Applied, Key: g.ID, Wrote: mustJSON(g)}}, map[string]int{"created": 1})
	return g, resp, nil
}

func (w groupWrites) update(ctx context.Context, groupID int, in bc.CustomerGroupInput) (*bc.CustomerGroup, *bc.Response, error) {
	if journalFrom(ctx) == nil {
		return w.client.CustomerGroups.Update(ctx, groupID, in)
	}
	before, _, err := w.client.CustomerGroups.Get(ctx, groupID)
	if err != nil {
		return nil, nil, err
	}
	wrote := mustJSON(in)
	var fields map[string]json.RawMessage
	json.Unmarshal(wrote, &fields)
	summary := fmt.Sprintf("updated customer group %q (%d): %s", before.Name, groupID, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
	item := journal.Item{Entity: journal.EntityGroup, Op: journal.OpUpdate, Key: groupID, Wrote: wrote, Replaced: mustJSON(before)}
	id, err := record(ctx, journal.Change{Tool: w.tool, Summary: summary}, []journal.Item{item})
	if err != nil {
		return nil, nil, err
	}
	g, resp, err := w.client.CustomerGroups.Update(ctx, groupID, in)
	settleOne(ctx, id, err, "updated")
	return g, resp, err
}

// delete first records the group's settings and its members, so that undo
// can create it again and move them back.
func (w groupWrites) delete(ctx context.Context, groupID int) (*bc.Response, error) {
	if journalFrom(ctx) == nil {
		return w.client.CustomerGroups.Delete(ctx, groupID)
	}
	before, _, err := w.client.CustomerGroups.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	members, _, err := w.client.Customers.Select(ctx, bc.CustomerSelector{CustomerGroupIDs: []int{groupID}})
	if err != nil {
		return nil, fmt.Errorf("read the group's members, to journal them before the delete: %w", err)
	}
	items := []journal.Item{{Entity: journal.EntityGroup, Op: journal.OpDelete, Key: groupID, Replaced: mustJSON(before)}}
	for i, c := range members {
		items = append(items, customerItem(i+1, bc.CustomerChange{ID: c.ID,
			Fields: map[string]bc.FieldChange{"customer_group_id": {Before: groupID, After: 0}}}))
	}
	summary := fmt.Sprintf("deleted customer group %q (%d), which had %d customers", before.Name, groupID, len(members))
	id, err := record(ctx, journal.Change{Tool: w.tool, Summary: summary}, items)
	if err != nil {
		return nil, err
	}
	resp, err := w.client.CustomerGroups.Delete(ctx, groupID)
	outcome := journal.Applied
	if err != nil {
		outcome = journal.Unconfirmed
	}
	outcomes := make([]journal.Outcome, len(items))
	for i := range items {
		outcomes[i] = journal.Outcome{Seq: i, Outcome: outcome}
	}
	settle(ctx, id, outcomes, map[string]int{"deleted": 1, "members_unassigned": len(members)})
	return resp, err
}

// settleOne settles a change of one item after its write.
func settleOne(ctx context.Context, id int64, err error, done string) {
	if err != nil {
		settle(ctx, id, []journal.Outcome{{Outcome: journal.Unconfirmed}}, map[string]int{"unconfirmed": 1})
		return
	}
	settle(ctx, id, []journal.Outcome{{Outcome: journal.Applied}}, map[string]int{done: 1})
}
