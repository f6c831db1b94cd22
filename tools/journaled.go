package tools

// Journaling: every write is recorded before it is sent and settled after.
// A write whose record fails is not made; with the journal off
// (Config.Journal nil) nothing is recorded and writes go ahead.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

type journalKey struct{}

// withJournal hands the journal to every handler through its context, as
// logCalls does the logger.
func withJournal(j journal.Store) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return next(context.WithValue(ctx, journalKey{}, j), req)
		}
	}
}

// journalFrom is the server's journal; nil when it is off.
func journalFrom(ctx context.Context) journal.Store {
	j, _ := ctx.Value(journalKey{}).(journal.Store)
	return j
}

// record journals a change before it is sent, returning its id (0 with the
// journal off). An error is a *toolError saying that nothing was written.
func record(ctx context.Context, c journal.Change, items []journal.Item) (int64, error) {
	j := journalFrom(ctx)
	if j == nil {
		return 0, nil
	}
	id, err := j.Record(ctx, c, items)
	if err != nil {
		loggerFrom(ctx).ErrorContext(ctx, "journal: recording a change failed; the write was refused", "tool", c.Tool, "err", err)
		return 0, errUnjournaled
	}
	return id, nil
}

var errUnjournaled = &toolError{
	Code:    codeUnavailable,
	Message: "nothing was written: the change could not be recorded in the journal first (details in the server log)",
	Hint:    "the operator must fix the journal (disk space, file permissions, the database), or restart the server with --journal off to write without it",
}

// settle records what became of a journaled change, even when the call was
// canceled: the writes it made are to be accounted for all the same. A
// failure is logged: the write has happened, and the change, left open,
// shows as interrupted after a restart, when undo reads its items back.
func settle(ctx context.Context, id int64, outcomes []journal.Outcome, counts map[string]int) {
	if j := journalFrom(ctx); j != nil && id != 0 {
		if err := j.Settle(context.WithoutCancel(ctx), id, outcomes, counts); err != nil {
			loggerFrom(ctx).ErrorContext(ctx, "journal: recording a change's outcome failed", "change", id, "err", err)
		}
	}
}

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("journal: encoding %T: %v", v, err)) // only plain data types are journaled
	}
	return data
}

// bulkRun is one journaled bulk update: its change, recorded by BeforeSend,
// and each customer's item.
type bulkRun struct {
	client *bc.Client
	tool   string
	id     int64
	seqs   map[int]int // customer id -> item seq
}

// runJournaled runs a bulk update with the usual options, recording the
// change before any batch is sent and settling it after.
func runJournaled(ctx context.Context, run bulkRun, bulk func(bc.BulkOptions) (*bc.BulkResult, error)) (*bc.BulkResult, error) {
	opts := bulkOptions(ctx)
	opts.BeforeSend = func(changes []bc.CustomerChange) error { return run.begin(ctx, changes) }
	res, err := bulk(opts)
	if err == nil {
		settle(ctx, run.id, run.outcomes(res), bulkCounts(res))
	}
	return res, err
}

func (r *bulkRun) begin(ctx context.Context, changes []bc.CustomerChange) error {
	if len(changes) == 0 {
		return nil // nothing will be written
	}
	items := make([]journal.Item, len(changes))
	r.seqs = make(map[int]int, len(changes))
	for i, c := range changes {
		items[i] = customerItem(i, c)
		r.seqs[c.ID] = i
	}
	var err error
	r.id, err = record(ctx, journal.Change{Tool: r.tool, Summary: summarizeCustomers(ctx, r.client, changes)}, items)
	return err
}

// customerItem journals one customer's change: the fields' values as written
// and as they were.
func customerItem(seq int, c bc.CustomerChange) journal.Item {
	wrote, replaced := map[string]any{}, map[string]any{}
	for field, fc := range c.Fields {
		wrote[field], replaced[field] = fc.After, fc.Before
	}
	return journal.Item{Seq: seq, Entity: journal.EntityCustomer, Op: journal.OpUpdate, Key: c.ID,
		Wrote: mustJSON(wrote), Replaced: mustJSON(replaced)}
}

func (r *bulkRun) outcomes(res *bc.BulkResult) []journal.Outcome {
	out := make([]journal.Outcome, 0, len(r.seqs))
	add := func(id int, outcome string) {
		if seq, ok := r.seqs[id]; ok {
			out = append(out, journal.Outcome{Seq: seq, Outcome: outcome})
		}
	}
	for _, id := range res.Updated {
		add(id, journal.Applied)
	}
	for _, id := range res.NotAttempted {
		add(id, journal.NotAttempted)
	}
	for _, f := range res.Failed {
		add(f.ID, map[bool]string{true: journal.Unconfirmed, false: journal.Failed}[f.Code == bc.FailureUnconfirmed])
	}
	return out
}

func bulkCounts(res *bc.BulkResult) map[string]int {
	return map[string]int{"updated": len(res.Updated), "unchanged": len(res.Unchanged),
		"failed": len(res.Failed), "not_attempted": len(res.NotAttempted)}
}

// summarizeCustomers says in a line what a bulk change does, naming groups:
// "moved 312 customers from Retail (1) to Wholesale (2)".
func summarizeCustomers(ctx context.Context, client *bc.Client, changes []bc.CustomerChange) string {
	moves := map[[2]int]int{} // {from, to} -> customers
	fields := map[string]bool{}
	for _, c := range changes {
		for field, fc := range c.Fields {
			if field != "customer_group_id" {
				fields[argumentName(field)] = true
				continue
			}
			from, _ := fc.Before.(int)
			to, _ := fc.After.(int)
			moves[[2]int{from, to}]++
		}
	}
	var parts []string
	if len(moves) > 0 {
		parts = append(parts, describeMoves(moves, groupNames(ctx, client)))
	}
	if len(fields) > 0 {
		parts = append(parts, fmt.Sprintf("set %s on %d customers", strings.Join(slices.Sorted(maps.Keys(fields)), ", "), len(changes)))
	}
	return strings.Join(parts, "; ")
}

// groupNames reads the group names for a summary; without them, ids do.
func groupNames(ctx context.Context, client *bc.Client) map[int]string {
	groups, _, err := client.CustomerGroups.ListAll(ctx, bc.ListCustomerGroupsOptions{})
	names := map[int]string{}
	if err == nil {
		for _, g := range groups {
			names[g.ID] = g.Name
		}
	}
	return names
}

func groupLabel(id int, names map[int]string) string {
	switch {
	case id == 0:
		return "no group"
	case names[id] != "":
		return fmt.Sprintf("%s (%d)", names[id], id)
	}
	return fmt.Sprintf("group %d", id)
}

func describeMoves(moves map[[2]int]int, names map[int]string) string {
	byTarget := map[int][]string{}
	totals := map[int]int{}
	for _, move := range slices.SortedFunc(maps.Keys(moves), func(a, b [2]int) int { return moves[b] - moves[a] }) {
		n := moves[move]
		totals[move[1]] += n
		byTarget[move[1]] = append(byTarget[move[1]], fmt.Sprintf("%d from %s", n, groupLabel(move[0], names)))
	}
	var parts []string
	for _, to := range slices.Sorted(maps.Keys(byTarget)) {
		from := byTarget[to]
		if len(from) == 1 {
			_, source, _ := strings.Cut(from[0], " from ")
			parts = append(parts, fmt.Sprintf("moved %d customers from %s to %s", totals[to], source, groupLabel(to, names)))
			continue
		}
		if len(from) > 3 {
			from = append(from[:3], fmt.Sprintf("%d more groups", len(from)-3))
		}
		parts = append(parts, fmt.Sprintf("moved %d customers to %s (%s)", totals[to], groupLabel(to, names), strings.Join(from, ", ")))
	}
	return strings.Join(parts, "; ")
}
