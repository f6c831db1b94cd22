package tools

import "fmt"

// instructions are sent at initialize: what the server works on, then how
// to use its tools well.
func instructions(sandbox bool) string {
	store := liveStore
	if sandbox {
		store = sandboxStore
	}
	return store + "\n" + howTo
}

const (
	liveStore    = "This server manages one BigCommerce store's customer groups and bulk-updates its customers. Every call touches the live store."
	sandboxStore = "This server manages the customer groups and customers of a simulated BigCommerce store (sandbox mode): demo data, nothing real is read or changed, and changes are lost when the server stops."
)

var howTo = fmt.Sprintf(`
Customer groups
- Find groups with list_customer_groups (name, name_like and date filters; all_pages=true for everything) and read one with get_customer_group. Ids come from there; never guess them.
- update_customer_group: discount_rules REPLACES the group's whole set of rules. To add or change one rule, read the group first and send every rule to keep. discount_rules: [] removes all of them.
- Group names are unique. Only one group can be the guest group (is_group_for_guests): to move that role, unset it on the current guest group first. The store has one default group (is_default): setting it on a group takes it from the previous one.
- Discount rules: either a single price_list rule, or at most one "all" rule plus any category/product rules. Percent amounts are at most 100.
- delete_customer_group leaves its customers unassigned (in no group). Move them first with bulk_update_customers if they should stay grouped. undo_change can recreate a deleted group, but under a new id.
- A result with a "warning" was saved only in part (BigCommerce answered 207): do what the warning says to finish.

Customers
- Read them with list_customers: where is the same selector as bulk_update_customers; rows are compact (id, email, names, company, group, registration day) and total counts every match (limit: 1 to count a group's members). Use it to turn emails into ids and to check who a selector matches; it works on a read-only server.

Bulk customer updates (bulk_update_customers)
- Either customers (a list of {id, fields to change}) or where (a selector: customer_group_ids, ids, emails, date ranges, or all: true) plus set (the fields to change for every match).
- Always call it with dry_run: true first. Show the user what would change, then apply with the same arguments, dry_run: false and expect_count set to the number the dry run matched (required when more than %[1]d customers match); the call is refused if the count no longer matches.
- Report the failures: they come grouped by cause (code, message, count, a few ids); details: true lists every one. Retrying the same call is safe (it is idempotent).
- A long update runs as a job: the answer has job.job_id instead of counts. Tell the user it is running and about how long it should take (job.estimated_seconds), then call get_bulk_job with the job_id every check_after_seconds until status is done, cancelled or interrupted, and report its result. cancel_bulk_job stops it after the batches in flight. An interrupted or cancelled job is finished by repeating the same bulk_update_customers call: customers already updated are skipped.

Undo
- Every write is journaled: list_changes shows them (newest first) with a one-line summary. undo_change sets back what one change replaced: dry_run: true first, then expect_count when more than %[1]d items would be restored. Items changed since are conflicts, left alone: report them. Undoing an undo redoes the change.
- The person may be asked to confirm a delete or a large undo; if they decline, nothing is written: do not repeat the call unless they ask.

Errors
- Failed calls return isError with {"error": {code, message, fields, retryable, retry_after_ms, hint}}. Follow the hint. invalid_argument: fix the named fields. not_found: look the id up again. conflict: the name is taken. rate_limited: wait retry_after_ms. forbidden/unauthorized: the operator must fix the API account; do not retry. read_only: this server was started with --read-only; only reads work.`,
	expectCountThreshold)
