package tools

// Undo: a change's items are checked against the store as it is now. An item
// whose current value is what the change wrote is restored; one already as it
// was before is left alone; any other is a conflict, named and never
// overwritten. The undo is itself one journaled change, whose items hold the
// inverse, so undoing it redoes the original.

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

// UndoItem is an item an undo left alone (a conflict: it changed after the
// change) or could not restore (a failure), with why.
type UndoItem struct {
	Entity string `json:"entity" jsonschema:"enum=customer,enum=customer_group"`
	ID     int    `json:"id"`
	Reason string `json:"reason"`
}

// groupStep is one group write of an undo.
type groupStep struct {
	seq   int
	id    int // the group's id; for a recreate, the id it had
	input bc.CustomerGroupInput
}

// undoPlan is what undoing a change will write, and what it leaves alone.
type undoPlan struct {
	original  journal.Change
	items     []journal.Item // the undo's own change
	recreate  []groupStep    // groups the change deleted
	restores  []bc.CustomerUpdate
	seqs      map[int]int // customer id -> seq in items
	revert    []groupStep // groups the change updated
	remove    []groupStep // groups the change created
	conflicts []UndoItem
	already   int // items as they were before the change: nothing to do
	unapplied int // items the change never applied
}

func (p *undoPlan) size() int {
	return len(p.recreate) + len(p.restores) + len(p.revert) + len(p.remove)
}

func (p *undoPlan) conflict(entity string, id int, format string, args ...any) {
	p.conflicts = append(p.conflicts, UndoItem{Entity: entity, ID: id, Reason: fmt.Sprintf(format, args...)})
}

func (p *undoPlan) add(it journal.Item) int {
	it.Seq = len(p.items)
	p.items = append(p.items, it)
	return it.Seq
}

// planUndo reads what the change's items look like now and decides, item by item.
func planUndo(ctx context.Context, client *bc.Client, c journal.Change, items []journal.Item) (*undoPlan, error) {
	p := &undoPlan{original: c, seqs: map[int]int{}}
	var customers, groups []journal.Item
	for _, it := range items {
		switch {
		case it.Outcome == journal.Failed || it.Outcome == journal.NotAttempted:
			p.unapplied++
		case it.Entity == journal.EntityCustomer:
			customers = append(customers, it)
		default:
			groups = append(groups, it)
		}
	}
	for _, it := range groups {
		if it.Op == journal.OpDelete {
			if err := p.planRecreate(ctx, client, it); err != nil {
				return nil, err
			}
		}
	}
	if err := p.planCustomers(ctx, client, customers); err != nil {
		return nil, err
	}
	for _, it := range groups {
		var err error
		switch it.Op {
		case journal.OpUpdate:
			err = p.planRevert(ctx, client, it)
		case journal.OpCreate:
			err = p.planRemove(ctx, client, it)
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// planRecreate undoes a delete: the group is created again, with a new id.
func (p *undoPlan) planRecreate(ctx context.Context, client *bc.Client, it journal.Item) error {
	var before bc.CustomerGroup
	if err := json.Unmarshal(it.Replaced, &before); err != nil {
		return fmt.Errorf("journal item of group %d: %w", it.Key, err)
	}
	taken, _, err := client.CustomerGroups.List(ctx, bc.ListCustomerGroupsOptions{Name: before.Name})
	if err != nil {
		return err
	}
	for _, g := range taken {
		if g.Name == before.Name {
			p.conflict(journal.EntityGroup, it.Key, "a group named %q exists now (id %d): rename it, then undo again to recreate the deleted group", g.Name, g.ID)
			return nil
		}
	}
	in := bc.InputOf(before)
	seq := p.add(journal.Item{Entity: journal.EntityGroup, Op: journal.OpCreate, Wrote: mustJSON(in)})
	p.recreate = append(p.recreate, groupStep{seq: seq, id: it.Key, input: in})
	return nil
}

// planCustomers restores each customer still as the change left it.
func (p *undoPlan) planCustomers(ctx context.Context, client *bc.Client, items []journal.Item) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int, len(items))
	for i, it := range items {
		ids[i] = it.Key
	}
	current, _, err := client.Customers.GetByIDs(ctx, ids)
	if err != nil {
		return fmt.Errorf("read the customers back before undoing: %w", err)
	}
	for _, it := range items {
		p.planCustomer(it, current)
	}
	return nil
}

func (p *undoPlan) planCustomer(it journal.Item, current map[int]bc.Customer) {
	wrote, _ := customerUpdate(it.Key, it.Wrote)
	before, unknown := customerUpdate(it.Key, it.Replaced)
	c, ok := current[it.Key]
	changedSince := wrote.Diff(c)
	switch {
	case !ok:
		p.conflict(journal.EntityCustomer, it.Key, "the customer no longer exists")
	case len(unknown) > 0:
		p.conflict(journal.EntityCustomer, it.Key, "the value before the change is not known for %s", namedAsArguments(unknown))
	case len(changedSince) == 0:
		seq := p.add(customerItem(0, bc.CustomerChange{ID: it.Key, Fields: before.Diff(c)}))
		p.seqs[it.Key] = seq
		p.restores = append(p.restores, before)
	case len(before.Diff(c)) == 0:
		p.already++
	default:
		p.conflict(journal.EntityCustomer, it.Key, "changed since: %s no longer what the change wrote", namedAsArguments(slices.Collect(maps.Keys(changedSince))))
	}
}

// namedAsArguments lists field paths by their argument names, in order.
func namedAsArguments(fields []string) string {
	names := make([]string, len(fields))
	for i, field := range fields {
		names[i] = argumentName(field)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// customerUpdate reads a journaled customer item's fields into an update,
// naming the fields whose value is unknown (null).
func customerUpdate(id int, raw json.RawMessage) (bc.CustomerUpdate, []string) {
	var fields map[string]json.RawMessage
	json.Unmarshal(raw, &fields)
	return bc.UpdateFrom(id, fields)
}

// planRevert undoes an update: the fields it wrote get their values back.
func (p *undoPlan) planRevert(ctx context.Context, client *bc.Client, it journal.Item) error {
	var wrote bc.CustomerGroupInput
	var before bc.CustomerGroup
	if err := json.Unmarshal(it.Wrote, &wrote); err != nil {
		return fmt.Errorf("journal item of group %d: %w", it.Key, err)
	}
	if err := json.Unmarshal(it.Replaced, &before); err != nil {
		return fmt.Errorf("journal item of group %d: %w", it.Key, err)
	}
	restore := wrote.Restoring(before)
	now, ok, err := currentGroup(ctx, client, it.Key)
	switch {
	case err != nil:
		return err
	case !ok:
		p.conflict(journal.EntityGroup, it.Key, "the group has been deleted since")
	case wrote.Matches(now):
		seq := p.add(journal.Item{Entity: journal.EntityGroup, Op: journal.OpUpdate, Key: it.Key, Wrote: mustJSON(restore), Replaced: mustJSON(now)})
		p.revert = append(p.revert, groupStep{seq: seq, id: it.Key, input: restore})
	case restore.Matches(now):
		p.already++
	default:
		p.conflict(journal.EntityGroup, it.Key, "the group %q has been changed since: its settings are no longer what the change wrote", now.Name)
	}
	return nil
}

// planRemove undoes a create: the group is deleted if it is still as created
// and no customer is in it once this undo has moved its own customers out.
func (p *undoPlan) planRemove(ctx context.Context, client *bc.Client, it journal.Item) error {
	var created bc.CustomerGroup
	if it.Key == 0 || json.Unmarshal(it.Wrote, &created) != nil {
		p.conflict(journal.EntityGroup, 0, "the create was never confirmed: look the group up by name with list_customer_groups")
		return nil
	}
	now, ok, err := currentGroup(ctx, client, it.Key)
	switch {
	case err != nil:
		return err
	case !ok:
		p.already++ // deleted since: nothing left to undo
		return nil
	}
	if !bc.InputOf(created).Matches(now) {
		p.conflict(journal.EntityGroup, it.Key, "the group %q has been changed since it was created", now.Name)
		return nil
	}
	members, _, err := client.Customers.Select(ctx, bc.CustomerSelector{CustomerGroupIDs: []int{it.Key}})
	if err != nil {
		return err
	}
	staying := slices.DeleteFunc(members, func(c bc.Customer) bool { _, moving := p.seqs[c.ID]; return moving })
	if len(staying) > 0 {
		p.conflict(journal.EntityGroup, it.Key, "the group %q has %d customers (customer %d among them): move them out first", now.Name, len(staying), staying[0].ID)
		return nil
	}
	seq := p.add(journal.Item{Entity: journal.EntityGroup, Op: journal.OpDelete, Key: it.Key, Replaced: mustJSON(now)})
	p.remove = append(p.remove, groupStep{seq: seq, id: it.Key})
	return nil
}

// currentGroup reads a group; ok is false when it no longer exists.
func currentGroup(ctx context.Context, client *bc.Client, id int) (bc.CustomerGroup, bool, error) {
	g, _, err := client.CustomerGroups.Get(ctx, id)
	switch {
	case err == nil:
		return *g, true, nil
	case toToolError(err).Code == codeNotFound:
		return bc.CustomerGroup{}, false, nil
	}
	return bc.CustomerGroup{}, false, err
}

// undoRun is what an undo did.
type undoRun struct {
	id        int64
	outcomes  []journal.Outcome
	recreated []RecreatedGroup
	bulk      *bc.BulkResult
	failures  []UndoItem // writes that failed
}

// RecreatedGroup is a deleted group created again by an undo.
type RecreatedGroup struct {
	OldID int    `json:"old_id"`
	NewID int    `json:"new_id"`
	Name  string `json:"name"`
}

// run records the undo, then writes: recreated groups first (their customers
// go back to the new ids), then customers, reverted groups, and last the
// removed groups, which their customers have left by then. A failed group
// write stops what depends on it.
func (p *undoPlan) run(ctx context.Context, client *bc.Client) (*undoRun, error) {
	summary := fmt.Sprintf("undid change %d (%s)", p.original.ID, p.original.Summary)
	id, err := record(ctx, journal.Change{Tool: "undo_change", Summary: summary, UndoOf: p.original.ID}, p.items)
	if err != nil {
		return nil, err
	}
	r := &undoRun{id: id}
	remap := map[int]int{}
	for _, step := range p.recreate {
		g, _, err := client.CustomerGroups.Create(ctx, step.input)
		if r.groupDone(step, err) {
			remap[step.id] = g.ID
			r.outcomes[len(r.outcomes)-1].Key, r.outcomes[len(r.outcomes)-1].Wrote = g.ID, mustJSON(g)
			r.recreated = append(r.recreated, RecreatedGroup{OldID: step.id, NewID: g.ID, Name: g.Name})
		}
	}
	r.restoreCustomers(ctx, client, p, remap)
	for _, step := range p.revert {
		_, _, err := client.CustomerGroups.Update(ctx, step.id, step.input)
		r.groupDone(step, err)
	}
	customersBack := len(p.restores) == 0 || r.bulk != nil && len(r.bulk.Updated) == len(p.restores)
	for _, step := range p.remove {
		if !customersBack {
			r.failures = append(r.failures, UndoItem{Entity: journal.EntityGroup, ID: step.id,
				Reason: "not deleted: not every customer of this undo could be moved back, and some may still be in the group"})
			r.outcomes = append(r.outcomes, journal.Outcome{Seq: step.seq, Outcome: journal.NotAttempted})
			continue
		}
		_, err := client.CustomerGroups.Delete(ctx, step.id)
		r.groupDone(step, err)
	}
	settle(ctx, id, r.outcomes, r.counts())
	r.markUndone(ctx, p.original.ID)
	return r, nil
}

// markUndone marks the original change undone once every item of the undo
// was restored; after a partial undo, undoing the original again retries
// what failed (what was restored is then found as it was before).
func (r *undoRun) markUndone(ctx context.Context, original int64) {
	j := journalFrom(ctx)
	if j == nil || len(r.failures) > 0 || r.bulk != nil && len(r.bulk.Failed)+len(r.bulk.NotAttempted) > 0 {
		return
	}
	if err := j.MarkUndone(context.WithoutCancel(ctx), original, r.id); err != nil {
		loggerFrom(ctx).ErrorContext(ctx, "journal: marking a change undone failed", "change", original, "err", err)
	}
}

// groupDone records a group write's outcome, reporting whether it succeeded.
func (r *undoRun) groupDone(step groupStep, err error) bool {
	outcome := journal.Applied
	if err != nil {
		outcome = journal.Unconfirmed
		r.failures = append(r.failures, UndoItem{Entity: journal.EntityGroup, ID: step.id, Reason: toToolError(err).Message})
	}
	r.outcomes = append(r.outcomes, journal.Outcome{Seq: step.seq, Outcome: outcome})
	return err == nil
}

// restoreCustomers sends the customers' restores through the bulk engine.
// Customers whose group was recreated go to its new id; those whose group
// could not be recreated are not sent.
func (r *undoRun) restoreCustomers(ctx context.Context, client *bc.Client, p *undoPlan, remap map[int]int) {
	recreated := map[int]bool{}
	for _, step := range p.recreate {
		recreated[step.id] = true
	}
	var send []bc.CustomerUpdate
	for _, u := range p.restores {
		seq := p.seqs[u.ID]
		if u.CustomerGroupID != nil && recreated[*u.CustomerGroupID] {
			newID, ok := remap[*u.CustomerGroupID]
			if !ok {
				r.outcomes = append(r.outcomes, journal.Outcome{Seq: seq, Outcome: journal.NotAttempted})
				continue
			}
			u.CustomerGroupID = &newID
			r.outcomes = append(r.outcomes, journal.Outcome{Seq: seq, Outcome: journal.Pending, Wrote: mustJSON(map[string]int{"customer_group_id": newID})})
		}
		send = append(send, u)
	}
	if len(send) == 0 {
		return
	}
	res, err := client.Customers.BulkUpdate(ctx, bc.Listed(send), bc.BulkOptions{Progress: progressNotifier(ctx)})
	if err != nil {
		r.failures = append(r.failures, UndoItem{Entity: journal.EntityCustomer, Reason: "no customer was restored: " + toToolError(err).Message})
		return
	}
	r.bulk = res
	run := bulkRun{seqs: p.seqs}
	settled := map[int]string{}
	for _, o := range run.outcomes(res) {
		settled[o.Seq] = o.Outcome
	}
	for i, o := range r.outcomes { // the remapped customers' outcomes so far say only where they went
		if s, ok := settled[o.Seq]; ok && o.Outcome == journal.Pending {
			r.outcomes[i].Outcome = s
			delete(settled, o.Seq)
		}
	}
	for seq, outcome := range settled {
		r.outcomes = append(r.outcomes, journal.Outcome{Seq: seq, Outcome: outcome})
	}
}

// counts sums the undo's items by outcome, applied ones as restored.
func (r *undoRun) counts() map[string]int {
	counts := map[string]int{}
	for _, o := range r.outcomes {
		name := o.Outcome
		if name == journal.Applied {
			name = "restored"
		}
		counts[name]++
	}
	return counts
}
