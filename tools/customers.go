package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/invopop/jsonschema"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/bc"
)

// CustomerFields are a customer's writable fields: bc's, and the password
// reset flat rather than under authentication. The limits are described
// rather than enforced by the schema, so that in a list an item that breaks
// them fails alone while the others go through.
type CustomerFields struct {
	bc.CustomerFields
	ForcePasswordReset *bool `json:"force_password_reset,omitempty"`

	// The read-only fields are accepted only to be refused with a reason;
	// the published schema leaves them out (see published.go).
	RegistrationIPAddress any `json:"registration_ip_address,omitempty"`
	DateCreated           any `json:"date_created,omitempty"`
	DateModified          any `json:"date_modified,omitempty"`
	OriginChannelID       any `json:"origin_channel_id,omitempty"`
}

var readOnlyCustomerFields = []string{"registration_ip_address", "date_created", "date_modified", "origin_channel_id"}

// JSONSchemaExtend describes the object with the lengths bc enforces on its
// text fields, so that the schema cannot promise other limits: one sentence
// for all of them, shorter than one per field. It also describes a store
// credit's amount as a decimal, which bc.Amount reads. It is promoted to
// CustomerUpdateItem, which embeds the fields.
func (CustomerFields) JSONSchemaExtend(s *jsonschema.Schema) {
	var lengths []string
	for name := range s.Properties.KeysFromOldest() {
		if minLen, maxLen, ok := bc.TextFieldLengths(name); ok {
			lengths = append(lengths, fmt.Sprintf("%s %d-%d", name, minLen, maxLen))
		}
	}
	s.Description = "Text lengths: " + strings.Join(lengths, ", ") + "."
	property(s, "store_credit_amounts").Items.Properties.Set("amount", decimalSchema(`A number or a decimal string ("10.00"); 0 or more.`))
}

// JSONSchemaExtend bounds the explicit list.
func (BulkUpdateCustomersInput) JSONSchemaExtend(s *jsonschema.Schema) {
	if customers, ok := s.Properties.Get("customers"); ok {
		customers.MaxItems = new(uint64(maxListedCustomers))
	}
}

func (f CustomerFields) toAPI(id int) bc.CustomerUpdate {
	u := bc.CustomerUpdate{ID: id, CustomerFields: f.CustomerFields}
	if f.ForcePasswordReset != nil {
		u.Authentication = &bc.Authentication{ForcePasswordReset: *f.ForcePasswordReset}
	}
	return u
}

// argumentOfField names what bc and the store nest under authentication as
// the argument toAPI reads it from; every other field path is its argument's
// name already.
var argumentOfField = map[string]string{
	"authentication":                      "force_password_reset",
	"authentication.force_password_reset": "force_password_reset",
}

func argumentName(field string) string { return cmp.Or(argumentOfField[field], field) }

// byArgumentName, as rekeyed's edit, keys an entry bc keys by field path by
// its argument; of authentication and authentication.force_password_reset,
// the later and more precise wins.
func byArgumentName[V any](name string, v V) (string, V) { return argumentName(name), v }

// failuresByArgumentName is failures with their fields named as the arguments.
func failuresByArgumentName(failures []bc.BulkFailure) []bc.BulkFailure {
	out := slices.Clone(failures)
	for i := range out {
		out[i].Fields = rekeyed(out[i].Fields, byArgumentName)
	}
	return out
}

// rekeyed is a copy of m with each entry as edit makes it, taken in key
// order: of two that edit gives one key, the later wins.
func rekeyed[V any](m map[string]V, edit func(string, V) (string, V)) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		k, v := edit(key, m[key])
		out[k] = v
	}
	return out
}

// maxProblems bounds the problems reported at once: a mistake repeated in
// 10,000 items needs saying only a few times.
const maxProblems = 20

func (f CustomerFields) refuseReadOnly(path string, problems map[string]string) {
	values := []any{f.RegistrationIPAddress, f.DateCreated, f.DateModified, f.OriginChannelID}
	for i, name := range readOnlyCustomerFields {
		if values[i] != nil && len(problems) < maxProblems {
			problems[path+"."+name] = name + " is read-only in BigCommerce and cannot be updated: leave it out"
		}
	}
}

// CustomerUpdateItem is one customer of an explicit list. Its id, like its
// fields, is checked per item, so a bad one fails alone.
type CustomerUpdateItem struct {
	ID int `json:"id"`
	CustomerFields
}

// BulkUpdateCustomersInput takes either customers, or where with set.
type BulkUpdateCustomersInput struct {
	Customers   []CustomerUpdateItem `json:"customers,omitempty" jsonschema:"minItems=1" jsonschema_description:"email is unique; customer_group_id 0 is no group; channel_ids and store_credit_amounts replace the lists ([{\"amount\": 0}] clears credit)."`
	Where       *bc.CustomerSelector `json:"where,omitempty" jsonschema_description:"As list_customers' where; needs set."`
	Set         *CustomerFields      `json:"set,omitempty" jsonschema_description:"A customers item's fields but id, set on every match."`
	DryRun      bool                 `json:"dry_run,omitempty" jsonschema_description:"Report what would change and fail, writing nothing."`
	ExpectCount *int                 `json:"expect_count,omitempty" jsonschema:"minimum=0" jsonschema_description:"With where: the dry run's match count; if it differs, nothing is written."`
	Details     bool                 `json:"details,omitempty" jsonschema_description:"For scripts: every id, failure and value in full."`
	Background  bool                 `json:"background,omitempty" jsonschema_description:"Run as a job even if short. Not with dry_run."`
}

const formsHint = `use either customers: [{"id": 12, "company": "Acme"}, ...] or where: {"customer_group_ids": [1]} with set: {"customer_group_id": 2}`

func (in BulkUpdateCustomersInput) Validate() error {
	problems := map[string]string{}
	listed, selected := in.Customers != nil, in.Where != nil || in.Set != nil
	switch {
	case listed && selected:
		problems["customers"] = "give either customers or where with set, not both"
	case !listed && !selected:
		problems["arguments"] = "say which customers to change: customers, or where with set"
	case selected && in.Where == nil:
		problems["where"] = "is required with set: say which customers to change, or all: true for every customer"
	case selected && in.Set == nil:
		problems["set"] = "is required with where: the fields to change on every match"
	case listed && in.ExpectCount != nil:
		problems["expect_count"] = "guards a where selector: leave it out with customers"
	case in.Background && in.DryRun:
		problems["background"] = "a dry run only reads and answers at once: leave background out"
	}
	for i, item := range in.Customers {
		item.refuseReadOnly(fmt.Sprintf("customers[%d]", i), problems)
	}
	if in.Set != nil {
		in.Set.refuseReadOnly("set", problems)
		var invalid *bc.ValidationError
		if errors.As(bc.ValidateSet(in.Set.toAPI(0)), &invalid) {
			maps.Copy(problems, fieldsUnder("set", invalid.Fields))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return invalidArguments(problems, formsHint)
}

// placed reports bc's validation error under the argument it is about, and
// passes any other error on.
func placed(argument string, err error) error {
	var invalid *bc.ValidationError
	if errors.As(err, &invalid) {
		return invalidArguments(fieldsUnder(argument, invalid.Fields), formsHint)
	}
	return err
}

// fieldsUnder places bc's field names under the argument they came from; bc's
// "body" (the whole item) is the argument itself.
func fieldsUnder(argument string, fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for field, problem := range fields {
		switch field {
		case "body", argument:
			out[argument] = problem
		default:
			out[argument+"."+argumentName(field)] = problem
		}
	}
	return out
}

// BulkCounts sums up a bulk update.
type BulkCounts struct {
	Updated      int `json:"updated"`
	Unchanged    int `json:"unchanged"`
	Failed       int `json:"failed"`
	NotAttempted int `json:"not_attempted"`
	WouldChange  int `json:"would_change,omitempty" jsonschema_description:"Dry run: customers that would be updated."`
}

// BulkUpdateCustomersResult accounts for every customer of the call exactly
// once: updated, unchanged, failed or not attempted (on a dry run: would
// change, unchanged or failed).
type BulkUpdateCustomersResult struct {
	DryRun             bool                `json:"dry_run"`
	Total              int                 `json:"total" jsonschema_description:"Customers the call covers: the items of customers, or the customers where matched."`
	Counts             BulkCounts          `json:"counts"`
	Updated            []int               `json:"updated" jsonschema_description:"Ids BigCommerce confirmed as updated."`
	Unchanged          []int               `json:"unchanged" jsonschema_description:"Ids already in the requested state: not sent."`
	Failures           []FailureGroup      `json:"failures" jsonschema_description:"The customers not updated, grouped by why."`
	Failed             []bc.BulkFailure    `json:"failed,omitempty" jsonschema_description:"With details: every failure, one per customer."`
	NotAttempted       []int               `json:"not_attempted" jsonschema_description:"Ids never applied; repeating the call finishes them."`
	NotAttemptedReason string              `json:"not_attempted_reason,omitempty"`
	LeftOut            string              `json:"left_out,omitempty" jsonschema_description:"What this answer shortened, and how to get it in full."`
	Changes            []bc.CustomerChange `json:"changes,omitempty" jsonschema_description:"Dry run: per customer, each field's value before and after; a sample when many would change."`
	Batches            int                 `json:"batches,omitempty" jsonschema_description:"Update calls made."`
	Retries            int                 `json:"retries,omitempty"`
	RateLimited        int                 `json:"rate_limited,omitempty" jsonschema_description:"429 answers waited out."`
	Job                *BulkJobTicket      `json:"job,omitempty" jsonschema_description:"Set when the update runs as a job: the counts and lists are then empty until it finishes; follow it with get_bulk_job."`
	expectCount        bool                // a selector over the threshold: the next step needs expect_count
}

func (r BulkUpdateCustomersResult) Summary() string {
	if r.Job != nil && r.Job.Status == "running" {
		return r.Job.summary(r.Total)
	}
	c := r.Counts
	if r.DryRun {
		s := fmt.Sprintf("Dry run, nothing written: of %s, %d would change, %d unchanged, %d would fail.",
			plural(r.Total, "customer"), c.WouldChange, c.Unchanged, c.Failed)
		if r.expectCount {
			s += fmt.Sprintf(" To apply, call again with dry_run=false and expect_count=%d.", r.Total)
		}
		return s
	}
	s := fmt.Sprintf("Of %s: %d updated, %d unchanged, %d failed, %d not attempted (%s; retries: %d; rate-limited: %d).",
		plural(r.Total, "customer"), c.Updated, c.Unchanged, c.Failed, c.NotAttempted, plural(r.Batches, "update call"), r.Retries, r.RateLimited)
	if c.NotAttempted > 0 {
		s += " Not attempted: " + r.NotAttemptedReason + ". Repeating the call is safe."
	}
	return s
}

// Beyond expectCountThreshold matches, a selector only writes when the caller
// says how many it expects, so a wrong or empty filter cannot rewrite the store.
const (
	expectCountThreshold = 100
	selectorSample       = 20  // diffs shown by a dry run with where
	listSample           = 100 // diffs shown by a dry run with customers
	maxListedCustomers   = 10_000
)

var bulkDescription = fmt.Sprintf(`Update up to %d customers at once.
Two forms, never both: customers: [{"id": 12, "customer_group_id": 2}, ...]; or where with set: {"customer_group_id": 2}.
Call with dry_run: true first; when where matches over %d, apply with expect_count.
Customers already as requested are skipped: repeating is safe. Failures come grouped by cause; unconfirmed ones may have been applied (repeat the call).
%s are read-only.
A long update (thousands of customers) or background: true runs as a job: the answer comes at once with job.job_id and empty counts; poll get_bulk_job after job.check_after_seconds; cancel_bulk_job stops it.`,
	maxListedCustomers, expectCountThreshold, strings.Join(readOnlyCustomerFields, ", "))

func bulkUpdateCustomers(client *bc.Client, jobs *Jobs) server.ServerTool {
	return withTaskCalls(withProgressToken(newTool("bulk_update_customers", "Bulk update", bulkDescription, updates,
		func(ctx context.Context, in BulkUpdateCustomersInput) (BulkUpdateCustomersResult, error) {
			if jobs.background(ctx, client, in) {
				return jobs.start(ctx, client, in)
			}
			return runBulk(ctx, client, in)
		})))
}

// runBulk makes the update, shortening its answer unless details are asked for.
func runBulk(ctx context.Context, client *bc.Client, in BulkUpdateCustomersInput) (BulkUpdateCustomersResult, error) {
	update := updateListed
	if in.Where != nil {
		update = updateSelected
	}
	out, err := update(ctx, client, in)
	if err != nil {
		return out, err
	}
	return out.shortened(in.Details), nil
}

func updateListed(ctx context.Context, client *bc.Client, in BulkUpdateCustomersInput) (BulkUpdateCustomersResult, error) {
	updates, ids := make([]bc.CustomerUpdate, len(in.Customers)), make([]int, len(in.Customers))
	for i, item := range in.Customers {
		updates[i], ids[i] = item.toAPI(item.ID), item.ID
	}
	if in.DryRun {
		plan, err := client.Customers.PlanBulkUpdate(ctx, bc.Listed(updates))
		if err != nil {
			return BulkUpdateCustomersResult{}, placed("customers", err)
		}
		return dryRunReport(plan, listSample), nil
	}
	res, err := runJournaled(ctx, bulkRun{client: client, tool: "bulk_update_customers"}, func(opts bc.BulkOptions) (*bc.BulkResult, error) {
		return client.Customers.BulkUpdate(ctx, bc.Listed(updates), opts)
	})
	return runReport(ctx, ids, res, placed("customers", err))
}

func updateSelected(ctx context.Context, client *bc.Client, in BulkUpdateCustomersInput) (BulkUpdateCustomersResult, error) {
	set := in.Set.toAPI(0)
	matched, _, err := client.Customers.Select(ctx, *in.Where)
	if err != nil {
		return BulkUpdateCustomersResult{}, placed("where", err)
	}
	if in.DryRun {
		plan, err := client.Customers.PlanBulkUpdate(ctx, bc.SetOn(matched, set))
		if err != nil {
			return BulkUpdateCustomersResult{}, placed("set", err)
		}
		res := dryRunReport(plan, selectorSample)
		res.expectCount = len(matched) > expectCountThreshold
		return res, nil
	}
	if err := checkExpectCount(len(matched), in.ExpectCount); err != nil {
		return BulkUpdateCustomersResult{}, err
	}
	ids := make([]int, len(matched))
	for i, c := range matched {
		ids[i] = c.ID
	}
	res, err := runJournaled(ctx, bulkRun{client: client, tool: "bulk_update_customers"}, func(opts bc.BulkOptions) (*bc.BulkResult, error) {
		return client.Customers.BulkUpdate(ctx, bc.SetOn(matched, set), opts)
	})
	return runReport(ctx, ids, res, placed("set", err))
}

func checkExpectCount(matched int, expected *int) error {
	return checkCount(matched, expected, "where matches", "customer")
}

// checkCount refuses a write of n items (described as "<subject> n <noun>s")
// when expect_count disagrees with n, or is missing and n is over the threshold.
func checkCount(n int, expected *int, subject, noun string) error {
	var message string
	switch {
	case expected != nil && *expected != n:
		message = fmt.Sprintf("%s %s, not the %d expect_count says: nothing was written", subject, plural(n, noun), *expected)
	case expected == nil && n > expectCountThreshold:
		message = fmt.Sprintf("%s %s, more than %d, and expect_count was not given: nothing was written", subject, plural(n, noun), expectCountThreshold)
	default:
		return nil
	}
	return &toolError{Code: codeInvalidArgument, Message: message,
		Fields: map[string]string{"expect_count": fmt.Sprintf("must be %d, the number of %ss %s now", n, noun, subject)},
		Hint:   fmt.Sprintf("check them with dry_run=true, then call again with expect_count=%d if they are the %ss meant", n, noun)}
}

// bulkOptions skips customers already in the requested state, so that a
// repeated call writes nothing, and reports progress when the caller asked.
func bulkOptions(ctx context.Context) bc.BulkOptions {
	return withJob(ctx, bc.BulkOptions{SkipUnchanged: true, Progress: progressNotifier(ctx)})
}

func dryRunReport(plan *bc.BulkPlan, sample int) BulkUpdateCustomersResult {
	return BulkUpdateCustomersResult{
		DryRun:       true,
		Total:        plan.Requested,
		Counts:       BulkCounts{WouldChange: len(plan.Changes), Unchanged: len(plan.Unchanged), Failed: len(plan.Failed)},
		Updated:      []int{},
		Unchanged:    orEmpty(plan.Unchanged),
		Failed:       failuresByArgumentName(plan.Failed),
		NotAttempted: []int{},
		Changes:      eachField(plan.Changes[:min(sample, len(plan.Changes))], byArgumentName),
	}
}

// eachField is a copy of changes with every field as edit makes it.
func eachField(changes []bc.CustomerChange, edit func(string, bc.FieldChange) (string, bc.FieldChange)) []bc.CustomerChange {
	out := make([]bc.CustomerChange, len(changes))
	for i, c := range changes {
		out[i] = bc.CustomerChange{ID: c.ID, Fields: rekeyed(c.Fields, edit)}
	}
	return out
}

// runReport reports a bulk run over ids. A result that does not account for
// each id exactly once is a bug, never a store's doing: its counts would
// mislead, so the call fails instead and says that writes were made.
func runReport(ctx context.Context, ids []int, res *bc.BulkResult, err error) (BulkUpdateCustomersResult, error) {
	if err != nil {
		return BulkUpdateCustomersResult{}, err
	}
	if err := res.AccountsFor(ids); err != nil {
		loggerFrom(ctx).ErrorContext(ctx, "bulk update result fails its invariant", "err", err)
		return BulkUpdateCustomersResult{}, errMiscounted
	}
	return BulkUpdateCustomersResult{
		Total: res.Requested,
		Counts: BulkCounts{Updated: len(res.Updated), Unchanged: len(res.Unchanged),
			Failed: len(res.Failed), NotAttempted: len(res.NotAttempted)},
		Updated:            orEmpty(res.Updated),
		Unchanged:          orEmpty(res.Unchanged),
		Failed:             failuresByArgumentName(res.Failed),
		NotAttempted:       orEmpty(res.NotAttempted),
		NotAttemptedReason: res.NotAttemptedReason,
		Batches:            res.Batches,
		Retries:            res.Retries,
		RateLimited:        res.RateLimited,
	}, nil
}

// shortened groups the failures and, unless details are asked for, leaves
// out the per-customer failures and cuts each id list to maxListedIDs, saying
// so: a model's context holds the answer however many customers it covers.
func (r BulkUpdateCustomersResult) shortened(details bool) BulkUpdateCustomersResult {
	groups, hiddenGroups, hiddenCustomers := groupFailures(r.Failed)
	r.Failures = groups
	if details {
		return r
	}
	var cuts []string
	if len(r.Failed) > 0 {
		cut := fmt.Sprintf("failures are grouped by cause, with the first %d ids of each", failureSampleIDs)
		if hiddenGroups > 0 {
			cut += fmt.Sprintf(" (%s of %s not shown)", plural(hiddenGroups, "more cause"), plural(hiddenCustomers, "customer"))
		}
		cuts = append(cuts, cut)
	}
	r.Failed = nil
	var clipped bool
	if r.Changes, clipped = clipChanges(r.Changes); clipped {
		cuts = append(cuts, fmt.Sprintf("text values in changes are cut at %d characters", maxChangeRunes))
	}
	for _, list := range []*[]int{&r.Updated, &r.Unchanged, &r.NotAttempted} {
		if len(*list) > maxListedIDs {
			*list = (*list)[:maxListedIDs]
			cuts = append(cuts, fmt.Sprintf("id lists show their first %d ids", maxListedIDs))
		}
	}
	if len(cuts) > 0 {
		r.LeftOut = strings.Join(slices.Compact(cuts), "; ") + ". details: true lists every id and every failure in full (repeating a call is safe: customers already updated show as unchanged)."
	}
	return r
}

// clipChanges cuts long text values (notes run to 64 KB) in a dry run's
// sample of changes, saying whether it cut any.
func clipChanges(changes []bc.CustomerChange) ([]bc.CustomerChange, bool) {
	cut := false
	clipValue := func(v any) any {
		if s, ok := v.(string); ok && utf8.RuneCountInString(s) > maxChangeRunes {
			cut = true
			return clip(s, maxChangeRunes)
		}
		return v
	}
	out := eachField(changes, func(name string, f bc.FieldChange) (string, bc.FieldChange) {
		return name, bc.FieldChange{Before: clipValue(f.Before), After: clipValue(f.After)}
	})
	return out, cut
}

// orEmpty keeps a list an array in the output, which its schema requires.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
