package bc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
)

// Failure codes of a BulkFailure. Batch-level failures that BigCommerce answered
// definitively carry the snake_case HTTP status text instead, e.g. "forbidden".
const (
	FailureInvalid     = "invalid"     // failed local validation: nothing was sent
	FailureNotFound    = "not_found"   // no such customer (found by reading first): nothing was sent
	FailureRejected    = "rejected"    // BigCommerce refused this item (a 422, a 207 naming it), or certainly would: then it was not sent
	FailureUnconfirmed = "unconfirmed" // sent, perhaps applied, never confirmed: re-running is safe
)

// BulkResult accounts for every customer of a bulk update exactly once: in
// Updated, Unchanged, Failed or NotAttempted. The id lists are sorted.
type BulkResult struct {
	Requested          int
	Updated            []int         // BigCommerce confirmed the update
	Unchanged          []int         // already in the requested state, so not sent
	Failed             []BulkFailure // rejected, locally or by BigCommerce, or unconfirmed
	NotAttempted       []int         // never applied: see NotAttemptedReason
	NotAttemptedReason string
	// Counts of the Update Customers calls: one per batch sent, including the
	// resubmissions after a 422, and the retries and 429s those took.
	Batches, Retries, RateLimited int
}

// BulkFailure says why one customer was not updated. Fields maps a field name
// to what is wrong with it, when the failure is about particular fields.
type BulkFailure struct {
	ID      int               `json:"id"`
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// skipUnchanged records the updates that would change nothing and those that
// name no customer, returning the others.
func (r *BulkResult) skipUnchanged(updates []CustomerUpdate, current map[int]Customer) []CustomerUpdate {
	changed := make([]CustomerUpdate, 0, len(updates))
	for _, u := range updates {
		c, ok := current[u.ID]
		switch {
		case !ok:
			r.Failed = append(r.Failed, BulkFailure{ID: u.ID, Code: FailureNotFound,
				Message: fmt.Sprintf("not sent: customer %d does not exist", u.ID)})
		case len(u.Diff(c)) == 0:
			r.Unchanged = append(r.Unchanged, u.ID)
		default:
			changed = append(changed, u)
		}
	}
	return changed
}

// account records what a 2xx answer says of each customer of the batch: one
// its errors name failed, one its data lists was updated, and any other was
// sent without the store saying what became of it.
func (r *BulkResult) account(batch []CustomerUpdate, answer *UpdateAnswer) {
	for i, u := range batch {
		fields, rejected := answer.Rejected[i]
		switch {
		case rejected:
			r.Failed = append(r.Failed, BulkFailure{ID: u.ID, Code: FailureRejected,
				Message: "BigCommerce did not apply the update: " + cmp.Or(answer.Title, "its answer names this customer among the failures"), Fields: fields})
		case answer.Confirmed[u.ID]:
			r.Updated = append(r.Updated, u.ID)
		default:
			r.Failed = append(r.Failed, BulkFailure{ID: u.ID, Code: FailureUnconfirmed,
				Message: "BigCommerce's answer does not list this customer among those updated; the update may have been applied, and sending it again is safe"})
		}
	}
}

// failRejected fails the items a 422 named and returns the rest, which the
// 422 left unapplied along with them.
func (r *BulkResult) failRejected(batch []CustomerUpdate, rejected map[int]map[string]string, err error) []CustomerUpdate {
	rest := make([]CustomerUpdate, 0, len(batch))
	for i, u := range batch {
		fields, ok := rejected[i]
		if !ok {
			rest = append(rest, u)
			continue
		}
		r.Failed = append(r.Failed, BulkFailure{ID: u.ID, Code: FailureRejected,
			Message: "BigCommerce rejected the update: " + errorTitle(err), Fields: fields})
	}
	return rest
}

// failBatch records a batch whose failure is about the whole batch.
func (r *BulkResult) failBatch(ctx context.Context, batch []CustomerUpdate, resp *Response, err error) {
	switch {
	case resp != nil && resp.MaybeApplied:
		r.failAll(batch, FailureUnconfirmed, fmt.Errorf("BigCommerce did not confirm the update, which may have been applied; sending it again is safe: %w", err))
	case ctx.Err() != nil || errors.Is(err, ErrRateLimited) || errors.Is(err, ErrLimitsUnavailable):
		r.notAttempted(batch, err)
	default:
		r.failAll(batch, statusCode(err), err)
	}
}

func (r *BulkResult) failAll(batch []CustomerUpdate, code string, err error) {
	var fields map[string]string
	var apiErr *Error
	if errors.As(err, &apiErr) {
		fields = apiErr.Fields
	}
	for _, u := range batch {
		r.Failed = append(r.Failed, BulkFailure{ID: u.ID, Code: code, Message: err.Error(), Fields: fields})
	}
}

func (r *BulkResult) notAttempted(batch []CustomerUpdate, why error) {
	for _, u := range batch {
		r.NotAttempted = append(r.NotAttempted, u.ID)
	}
	if r.NotAttemptedReason == "" && len(batch) > 0 {
		r.NotAttemptedReason = notSentReason(why)
	}
}

func notSentReason(why error) string {
	switch {
	case errors.Is(why, context.Canceled):
		return "the request was canceled before these were sent"
	case errors.Is(why, context.DeadlineExceeded):
		return "the deadline passed before these were sent"
	case errors.Is(why, drain.ErrShuttingDown):
		return "the server began shutting down before these were sent; sending them again is safe"
	case errors.Is(why, ErrStopped):
		return "the run was stopped before these were sent"
	}
	return "nothing was applied: the run stopped because a batch could not be completed: " + why.Error()
}

// statusCode names an HTTP failure in snake_case, e.g. "forbidden".
func statusCode(err error) string {
	var apiErr *Error
	if errors.Is(err, ErrRedirected) {
		return FailureUpstream
	}
	if errors.As(err, &apiErr) && apiErr.Status > 0 {
		return strings.ReplaceAll(strings.ToLower(http.StatusText(apiErr.Status)), " ", "_")
	}
	return "error"
}

func errorTitle(err error) string {
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.Message() != "" {
		return apiErr.Message()
	}
	return http.StatusText(http.StatusUnprocessableEntity)
}

func (r *BulkResult) countCall(resp *Response) {
	r.Batches++
	if resp != nil {
		r.Retries += resp.Attempts - 1
		r.RateLimited += resp.RateLimited
	}
}

func (r *BulkResult) merge(o *BulkResult) {
	r.Updated = append(r.Updated, o.Updated...)
	r.Unchanged = append(r.Unchanged, o.Unchanged...)
	r.Failed = append(r.Failed, o.Failed...)
	r.NotAttempted = append(r.NotAttempted, o.NotAttempted...)
	if r.NotAttemptedReason == "" {
		r.NotAttemptedReason = o.NotAttemptedReason
	}
	r.Batches += o.Batches
	r.Retries += o.Retries
	r.RateLimited += o.RateLimited
}

func (r *BulkResult) progress(batches int) BulkProgress {
	done := len(r.Updated) + len(r.Unchanged) + len(r.Failed) + len(r.NotAttempted)
	return BulkProgress{Done: done, Total: r.Requested, Batches: batches,
		Updated: len(r.Updated), Unchanged: len(r.Unchanged), Failed: len(r.Failed),
		Message: fmt.Sprintf("%d of %d customers done: %d updated, %d unchanged, %d failed",
			done, r.Requested, len(r.Updated), len(r.Unchanged), len(r.Failed))}
}

func (r *BulkResult) sort() {
	slices.Sort(r.Updated)
	slices.Sort(r.Unchanged)
	slices.Sort(r.NotAttempted)
	slices.SortStableFunc(r.Failed, func(a, b BulkFailure) int { return a.ID - b.ID })
}

// AccountsFor reports an error unless every id of the request appears exactly
// once across Updated, Unchanged, Failed and NotAttempted, and nothing else does.
func (r *BulkResult) AccountsFor(ids []int) error {
	balance := map[int]int{}
	for _, id := range ids {
		balance[id]++
	}
	for _, list := range [][]int{r.Updated, r.Unchanged, r.NotAttempted} {
		for _, id := range list {
			balance[id]--
		}
	}
	for _, f := range r.Failed {
		balance[f.ID]--
	}
	var wrong []string
	for _, id := range slices.Sorted(maps.Keys(balance)) {
		if n := balance[id]; n != 0 {
			wrong = append(wrong, fmt.Sprintf("%d (%+d)", id, -n))
		}
	}
	if len(wrong) > 0 || r.Requested != len(ids) {
		return fmt.Errorf("bulk result of %d for %d ids miscounts: %s", r.Requested, len(ids), strings.Join(wrong, ", "))
	}
	return nil
}
