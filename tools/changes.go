package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
	"github.com/bigcommerce-mcp/bigcommerce-mcp/journal"
)

// ListChangesInput filters the journal.
type ListChangesInput struct {
	Tool   string `json:"tool,omitempty" jsonschema:"enum=create_customer_group,enum=update_customer_group,enum=delete_customer_group,enum=bulk_update_customers,enum=undo_change"`
	Since  string `json:"since,omitempty" jsonschema_description:"YYYY-MM-DD or RFC 3339, UTC unless it says; until likewise."`
	Until  string `json:"until,omitempty"`
	Before int64  `json:"before,omitempty" jsonschema:"minimum=1" jsonschema_description:"Changes older than this id: pass next_before."`
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
}

var timeForms = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"}

func parseWhen(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range timeForms {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &bc.ValidationError{Fields: map[string]string{field: fmt.Sprintf("%q is not a date: use YYYY-MM-DD or RFC 3339", s)}}
}

func (in ListChangesInput) filter() (journal.Filter, error) {
	since, err := parseWhen("since", in.Since)
	if err != nil {
		return journal.Filter{}, err
	}
	until, err := parseWhen("until", in.Until)
	if err != nil {
		return journal.Filter{}, err
	}
	if len(in.Until) == len("2006-01-02") {
		until = until.Add(24*time.Hour - time.Millisecond) // the whole day
	}
	return journal.Filter{Tool: in.Tool, Since: since, Until: until, Before: in.Before, Limit: in.Limit}, nil
}

// ChangeRow is one journaled write.
type ChangeRow struct {
	ID       int64          `json:"id"`
	At       string         `json:"at" jsonschema:"format=date-time"`
	Tool     string         `json:"tool"`
	Summary  string         `json:"summary" jsonschema_description:"What the change did, in a line."`
	State    string         `json:"state" jsonschema:"enum=open,enum=done,enum=interrupted" jsonschema_description:"open: running now; done: its outcome is recorded; interrupted: the server stopped mid-write (undo reads its items back to settle them)."`
	Items    int            `json:"items" jsonschema_description:"Customers and groups the change wrote or meant to write."`
	Counts   map[string]int `json:"counts,omitempty" jsonschema_description:"Outcomes, e.g. updated, unchanged, failed."`
	UndoOf   int64          `json:"undo_of,omitempty" jsonschema_description:"The change this one undid."`
	UndoneBy int64          `json:"undone_by,omitempty" jsonschema_description:"The change that undid this one."`
}

// ChangeList is a page of the journal, newest first.
type ChangeList struct {
	Changes    []ChangeRow `json:"changes"`
	Count      int         `json:"count"`
	NextBefore int64       `json:"next_before,omitempty" jsonschema_description:"When the page is full: pass as before for older changes."`
}

func (l ChangeList) Summary() string {
	if l.Count == 0 {
		return "No journaled changes match."
	}
	s := fmt.Sprintf("%d changes, newest first.", l.Count)
	if l.NextBefore > 0 {
		s += fmt.Sprintf(" Older ones may follow: call again with before=%d.", l.NextBefore)
	}
	return s
}

var errJournalOff = &toolError{
	Code:    codeUnavailable,
	Message: "the journal is off (--journal off): writes are not recorded, so none can be listed or undone",
	Hint:    "the operator can turn it on by restarting the server without --journal off",
}

const listChangesDescription = `List the writes this server made, newest first, with what each did and whether it was undone: the change_id for undo_change.
An interrupted change was cut short; undo_change can still restore what it applied.`

func listChanges() server.ServerTool {
	return newTool("list_changes", "List changes", listChangesDescription, reads,
		func(ctx context.Context, in ListChangesInput) (ChangeList, error) {
			j := journalFrom(ctx)
			if j == nil {
				return ChangeList{}, errJournalOff
			}
			f, err := in.filter()
			if err != nil {
				return ChangeList{}, err
			}
			changes, err := j.List(ctx, f)
			if err != nil {
				return ChangeList{}, journalReadFailed(ctx, err)
			}
			list := ChangeList{Changes: make([]ChangeRow, len(changes)), Count: len(changes)}
			for i, c := range changes {
				list.Changes[i] = ChangeRow{ID: c.ID, At: c.At.Format(time.RFC3339), Tool: c.Tool, Summary: c.Summary,
					State: c.State, Items: c.Items, Counts: c.Counts, UndoOf: c.UndoOf, UndoneBy: c.UndoneBy}
			}
			if len(changes) > 0 && len(changes) == cmp.Or(f.Limit, journal.DefaultLimit) {
				list.NextBefore = changes[len(changes)-1].ID
			}
			return list, nil
		})
}

func journalReadFailed(ctx context.Context, err error) error {
	loggerFrom(ctx).ErrorContext(ctx, "journal: reading failed", "err", err)
	return &toolError{Code: codeUnavailable, Message: "the journal could not be read (details in the server log)", Retryable: true,
		Hint: "try again; if it persists, the operator must check the journal's file or database"}
}

// UndoChangeInput names the change to undo.
type UndoChangeInput struct {
	ChangeID    int64 `json:"change_id" jsonschema:"minimum=1"`
	DryRun      bool  `json:"dry_run,omitempty" jsonschema_description:"Report what would be restored or conflict, writing nothing."`
	ExpectCount *int  `json:"expect_count,omitempty" jsonschema:"minimum=0" jsonschema_description:"The dry run's restored count; if it differs, nothing is written."`
}

// UndoCounts sums up an undo.
type UndoCounts struct {
	Restored        int `json:"restored" jsonschema_description:"Items set back (on a dry run: that would be)."`
	AlreadyRestored int `json:"already_restored" jsonschema_description:"Items already as they were before the change: nothing to do."`
	Conflicts       int `json:"conflicts" jsonschema_description:"Items changed since the change: left alone."`
	NotApplied      int `json:"not_applied" jsonschema_description:"Items the change never applied (failed or not attempted)."`
	Failed          int `json:"failed" jsonschema_description:"Restores that failed: see failed."`
}

// UndoChangeResult is what undoing a change did, or would do.
type UndoChangeResult struct {
	ChangeID        int64            `json:"change_id"`
	ChangeSummary   string           `json:"change_summary"`
	DryRun          bool             `json:"dry_run"`
	UndoChangeID    int64            `json:"undo_change_id,omitempty" jsonschema_description:"The journaled change this undo made: undo it to redo the original."`
	Counts          UndoCounts       `json:"counts"`
	Conflicts       []UndoItem       `json:"conflicts" jsonschema_description:"Items left alone, with why; the first 20."`
	Failed          []UndoItem       `json:"failed" jsonschema_description:"Items whose restore failed, with why; the first 20."`
	RecreatedGroups []RecreatedGroup `json:"recreated_groups,omitempty" jsonschema_description:"Deleted groups created again: they have NEW ids; their customers were moved to the new id."`
	Note            string           `json:"note,omitempty"`
}

func (r UndoChangeResult) Summary() string {
	c := r.Counts
	if r.DryRun {
		s := fmt.Sprintf("Dry run, nothing written: undoing change %d (%s) would restore %d items; %d conflicts (changed since, left alone), %d already as before, %d never applied.",
			r.ChangeID, r.ChangeSummary, c.Restored, c.Conflicts, c.AlreadyRestored, c.NotApplied)
		if c.Restored > expectCountThreshold {
			s += fmt.Sprintf(" To apply, call again with dry_run=false and expect_count=%d.", c.Restored)
		}
		return s + " " + r.Note
	}
	return fmt.Sprintf("Undid change %d (%s) as change %d: %d items restored, %d conflicts left alone, %d failed, %d already as before. %s",
		r.ChangeID, r.ChangeSummary, r.UndoChangeID, c.Restored, c.Conflicts, c.Failed, c.AlreadyRestored, r.Note)
}

var undoChangeDescription = fmt.Sprintf(`Undo one change from list_changes: restore the values it replaced on every item still as it left them; an item changed since is a conflict, left alone.
A delete's undo creates the group again (NEW id, reported) and moves its customers back; a create's deletes the group if unchanged and empty.
Call with dry_run: true first; above %d items, apply with expect_count. Undoing an undo redoes the original.`, expectCountThreshold)

func undoChange(client *bc.Client) server.ServerTool {
	return confirmFirst(withProgressToken(newTool("undo_change", "Undo change", undoChangeDescription, creates,
		func(ctx context.Context, in UndoChangeInput) (UndoChangeResult, error) {
			j := journalFrom(ctx)
			if j == nil {
				return UndoChangeResult{}, errJournalOff
			}
			c, items, err := j.Get(ctx, in.ChangeID)
			switch {
			case errors.Is(err, journal.ErrNotFound):
				return UndoChangeResult{}, &toolError{Code: codeNotFound, Message: fmt.Sprintf("the journal has no change %d", in.ChangeID),
					Hint: "find the id with list_changes; changes older than the retention limit are no longer kept"}
			case err != nil:
				return UndoChangeResult{}, journalReadFailed(ctx, err)
			case c.UndoneBy != 0:
				return UndoChangeResult{}, &toolError{Code: codeConflict, Message: fmt.Sprintf("change %d was already undone by change %d", c.ID, c.UndoneBy),
					Hint: fmt.Sprintf("to redo it, undo change %d", c.UndoneBy)}
			case c.State == journal.StateOpen:
				return UndoChangeResult{}, &toolError{Code: codeConflict, Message: fmt.Sprintf("change %d is still running", c.ID), Retryable: true,
					Hint: "wait until it finishes (list_changes shows it done), then undo it"}
			}
			plan, err := planUndo(ctx, client, c, items)
			if err != nil {
				return UndoChangeResult{}, err
			}
			res := planResult(plan, in.DryRun)
			if in.DryRun || plan.size() == 0 {
				return res, nil
			}
			if err := checkCount(plan.size(), in.ExpectCount, "the undo would restore", "item"); err != nil {
				return UndoChangeResult{}, err
			}
			run, err := plan.run(ctx, client)
			if err != nil {
				return UndoChangeResult{}, err
			}
			return ranResult(res, plan, run), nil
		})), askUndo(client))
}

const maxListed = 20 // conflicts and failures shown at once

func planResult(p *undoPlan, dryRun bool) UndoChangeResult {
	res := UndoChangeResult{ChangeID: p.original.ID, ChangeSummary: p.original.Summary, DryRun: dryRun,
		Counts:    UndoCounts{Restored: p.size(), AlreadyRestored: p.already, Conflicts: len(p.conflicts), NotApplied: p.unapplied},
		Conflicts: p.conflicts[:min(len(p.conflicts), maxListed)], Failed: []UndoItem{}}
	if res.Conflicts == nil {
		res.Conflicts = []UndoItem{}
	}
	if p.size() == 0 {
		res.DryRun = true // nothing was, or would be, written
		res.Note = "Nothing to restore."
	}
	if len(p.recreate) > 0 {
		res.Note += " The deleted group is created again with a NEW id: anything that referred to the old id must be updated."
	}
	return res
}

func ranResult(res UndoChangeResult, p *undoPlan, r *undoRun) UndoChangeResult {
	res.UndoChangeID, res.RecreatedGroups = r.id, r.recreated
	res.Counts.Restored = 0
	for _, o := range r.outcomes {
		if o.Outcome == journal.Applied {
			res.Counts.Restored++
		}
	}
	res.Counts.Failed = p.size() - res.Counts.Restored
	res.Failed = append(res.Failed, r.failures...)
	if r.bulk != nil {
		for _, f := range r.bulk.Failed[:min(len(r.bulk.Failed), maxListed)] {
			res.Failed = append(res.Failed, UndoItem{Entity: journal.EntityCustomer, ID: f.ID, Reason: f.Code + ": " + f.Message})
		}
	}
	res.Failed = res.Failed[:min(len(res.Failed), maxListed)]
	res.Note += fmt.Sprintf(" Undo change %d to redo.", r.id)
	if res.Counts.Failed > 0 {
		res.Note += fmt.Sprintf(" Not everything was restored: undo change %d again to retry the failed items.", res.ChangeID)
	}
	return res
}
