package bc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

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

// BulkOptions tune a bulk update.
type BulkOptions struct {
	// Progress, when set, is called once per finished batch with the running
	// totals, in order, from one goroutine (so it may lag behind the writes);
	// BulkUpdate returns after its last call.
	Progress func(BulkProgress)
	// SkipUnchanged reads the customers first and sends only the updates that
	// would change something. The others are reported as Unchanged, and ids that
	// name no customer fail with FailureNotFound, without a write.
	SkipUnchanged bool
	// Stop, when closed, ends the run after the batches in flight: unlike
	// cancelling the context, it lets them finish, so none is left
	// unconfirmed. What was not sent is NotAttempted, for ErrStopped.
	Stop <-chan struct{}
	// BeforeSend, when set, is called with what the run will change on each
	// customer (every field's value as read and as it will be) before anything
	// is sent; an error stops the run with nothing sent. It needs the customers
	// read: SkipUnchanged, or BulkSet.
	BeforeSend func([]CustomerChange) error
}

// ErrStopped is why customers are NotAttempted after BulkOptions.Stop closed.
var ErrStopped = errors.New("the run was stopped on request")

// BulkProgress is the running state of a bulk update.
type BulkProgress struct {
	Done    int // customers accounted for so far
	Total   int // customers requested
	Batches int // batches finished
	// The customers accounted for so far, by outcome.
	Updated, Unchanged, Failed int
	Message                    string
}

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

// BulkUpdate applies any number of customer updates in batches of
// MaxCustomersPerUpdate, keeping MaxUpdateRequestsInFlight batches in flight
// (the cap is the client's, so it holds across every caller). Duplicate ids
// are the caller's mistake: a *ValidationError, before anything is sent. Every
// other problem is reported per customer in the result:
//
//   - an item that fails validation fails alone, without being sent, and so
//     does one the store would certainly refuse (see refuseCertain);
//   - a 422 that names items by index fails them and resubmits the rest; one
//     that names none is narrowed down by splitting the batch;
//   - a batch that fails otherwise (retries exhausted, 401, 403...) stops the
//     run: no new batch starts, beyond those already waiting for a slot. Its
//     customers fail with FailureUnconfirmed when an attempt may have been
//     applied (a 5xx, a broken connection, a cancellation in flight), are
//     NotAttempted when nothing was applied (429s), and fail with the status
//     otherwise;
//   - after cancellation or the deadline no new batch starts, and what was not
//     sent is NotAttempted; so too once a drain begins (see package drain),
//     but the batches in flight finish.
func (s *CustomersService) BulkUpdate(ctx context.Context, updates []CustomerUpdate, opts BulkOptions) (*BulkResult, error) {
	res, pending, err := screen(updates)
	if err != nil {
		return nil, err
	}
	var current map[int]Customer
	if opts.SkipUnchanged {
		if current, err = s.current(ctx, pending); err != nil {
			return nil, err
		}
	}
	if pending, err = s.sendable(ctx, res, pending, current); err != nil {
		return nil, err
	}
	if err := opts.beforeSend(pending, current); err != nil {
		return nil, err
	}
	return s.run(ctx, res, pending, opts), nil
}

// beforeSend hands BeforeSend the changes of the pending updates, judged
// against the customers as read.
func (o BulkOptions) beforeSend(pending []CustomerUpdate, current map[int]Customer) error {
	if o.BeforeSend == nil {
		return nil
	}
	if current == nil {
		return errors.New("bulk update: BeforeSend needs the customers read first (SkipUnchanged)")
	}
	changes := make([]CustomerChange, len(pending))
	for i, u := range pending {
		changes[i] = CustomerChange{ID: u.ID, Fields: u.Diff(current[u.ID])}
	}
	return o.BeforeSend(changes)
}

// sendable records the screened updates that need not or must not be sent
// (see skipUnchanged and refuseCertain) and returns the others. A nil current
// means the customers were not read: none is skipped as unchanged.
func (s *CustomersService) sendable(ctx context.Context, r *BulkResult, pending []CustomerUpdate, current map[int]Customer) ([]CustomerUpdate, error) {
	if current != nil {
		pending = r.skipUnchanged(pending, current)
	}
	return s.refuseCertain(ctx, r, pending)
}

// screen refuses duplicate ids and records the items that fail validation,
// returning the others.
func screen(updates []CustomerUpdate) (*BulkResult, []CustomerUpdate, error) {
	if err := checkDistinctIDs(updates); err != nil {
		return nil, nil, err
	}
	res := &BulkResult{Requested: len(updates)}
	valid := make([]CustomerUpdate, 0, len(updates))
	for _, u := range updates {
		var invalid *ValidationError
		if errors.As(u.Validate(), &invalid) {
			res.Failed = append(res.Failed, BulkFailure{ID: u.ID, Code: FailureInvalid,
				Message: "not sent: the update is not valid", Fields: invalid.Fields})
			continue
		}
		valid = append(valid, u)
	}
	return res, valid, nil
}

func checkDistinctIDs(updates []CustomerUpdate) error {
	seen := make(map[int]bool, len(updates))
	var repeated []string
	for _, u := range updates {
		if u.ID >= 1 && seen[u.ID] { // a missing id fails that item's validation instead
			repeated = append(repeated, strconv.Itoa(u.ID))
		}
		seen[u.ID] = true
	}
	if len(repeated) == 0 {
		return nil
	}
	const shown = 20
	list := strings.Join(repeated[:min(shown, len(repeated))], ", ")
	if len(repeated) > shown {
		list += fmt.Sprintf(" and %d more", len(repeated)-shown)
	}
	return &ValidationError{Fields: map[string]string{"customers": "give each customer once; repeated ids: " + list}}
}

// current reads the customers the updates name.
func (s *CustomersService) current(ctx context.Context, updates []CustomerUpdate) (map[int]Customer, error) {
	ids := make([]int, len(updates))
	for i, u := range updates {
		ids[i] = u.ID
	}
	found, _, err := s.GetByIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read the customers before updating them: %w", err)
	}
	return found, nil
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

// updateWorkers is twice the slots: while a batch waits out a concurrency
// refusal (429 with quota left, X-Retry-After: 1), the slot it gave up
// carries another batch instead of standing idle. The client's cap still
// bounds the batches in flight.
const updateWorkers = 2 * MaxUpdateRequestsInFlight

// batchQueue hands batches to the workers and gathers what they report.
type batchQueue struct {
	// progress carries a snapshot per finished batch to the one goroutine that
	// reports them, in order, so that a slow listener never holds up the
	// workers. It has room for every batch: sending never blocks.
	progress chan BulkProgress
	halt     <-chan struct{} // BulkOptions.Stop

	mu       sync.Mutex // guards the fields below
	res      *BulkResult
	batches  [][]CustomerUpdate // not yet started
	finished int
	stop     error // the batch failure that ended the run
	stopping error // an answer that will end the run, until its batch finishes
}

// run sends the pending updates with updateWorkers workers, and completes res
// with their outcome.
func (s *CustomersService) run(ctx context.Context, res *BulkResult, pending []CustomerUpdate, opts BulkOptions) *BulkResult {
	queue := &batchQueue{res: res, batches: slices.Collect(slices.Chunk(pending, MaxCustomersPerUpdate)), halt: opts.Stop}
	reported := make(chan struct{})
	if progress := opts.Progress; progress == nil {
		close(reported)
	} else {
		queue.progress = make(chan BulkProgress, len(queue.batches))
		go func() {
			defer close(reported)
			for p := range queue.progress {
				progress(p)
			}
		}()
	}
	var wg sync.WaitGroup
	for range min(updateWorkers, len(queue.batches)) {
		wg.Go(func() {
			for batch, ok := queue.next(ctx); ok; batch, ok = queue.next(ctx) {
				out := &BulkResult{}
				queue.finish(out, s.updateBatch(withGate(ctx, &batchGate{queue: queue, ctx: ctx}), batch, out))
			}
		})
	}
	wg.Wait()
	if queue.progress != nil {
		close(queue.progress)
	}
	<-reported // the result follows the last progress report
	why := queue.whyNot(ctx)
	for _, batch := range queue.batches {
		res.notAttempted(batch, why)
	}
	res.sort()
	return res
}

// next returns the next batch to send, unless the run is over.
func (q *batchQueue) next(ctx context.Context) ([]CustomerUpdate, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.batches) == 0 || q.whyNotLocked(ctx) != nil {
		return nil, false
	}
	batch := q.batches[0]
	q.batches = q.batches[1:]
	return batch, true
}

// whyNot is why no batch may start now (the batch failure that stopped the
// run, the end of ctx, a drain, BulkOptions.Stop), or nil when one may.
func (q *batchQueue) whyNot(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.whyNotLocked(ctx)
}

func (q *batchQueue) whyNotLocked(ctx context.Context) error {
	switch {
	case q.stop != nil:
		return q.stop
	case q.stopping != nil:
		return q.stopping
	case ctx.Err() != nil:
		return ctx.Err()
	case drain.Begun(ctx):
		return drain.ErrShuttingDown
	case closed(q.halt):
		return ErrStopped
	}
	return nil
}

// batchGate holds a batch's first request back, once it has a slot, if no
// batch may start by then: there are more workers than slots (see
// updateWorkers), so a batch may wait for one past the run's end. Once the
// batch has started, its requests go. An answer that will stop the run stops
// it before its slot is given back, so no waiting batch takes that slot.
type batchGate struct {
	queue   *batchQueue
	ctx     context.Context
	started bool // the batch's requests are sequential
}

func (g *batchGate) mayStart() error {
	if g.started {
		return nil
	}
	if why := g.queue.whyNot(g.ctx); why != nil {
		return notStarted{why}
	}
	g.started = true
	return nil
}

func (g *batchGate) answered(status int) {
	if stopsTheRun(status) {
		g.queue.mu.Lock()
		defer g.queue.mu.Unlock()
		if g.queue.stopping == nil {
			g.queue.stopping = fmt.Errorf("the store refused a batch with HTTP status %d", status)
		}
	}
}

// stopsTheRun says whether an answer with this status fails its batch as a
// whole and so ends the run (see updateBatch): a redirect or a 4xx that is
// neither about particular items (422, 413) nor retried (429).
func stopsTheRun(status int) bool {
	switch status {
	case http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return false
	}
	return status >= 300 && status < 500
}

// notStarted is the error of a batch that its batchGate held back.
type notStarted struct{ why error }

func (e notStarted) Error() string { return "not sent: " + e.why.Error() }
func (e notStarted) Unwrap() error { return e.why }

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// finish records a finished batch, and the failure that stops the run if any.
func (q *batchQueue) finish(out *BulkResult, stop error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.res.merge(out)
	q.finished++
	if q.stop == nil {
		q.stop = stop
	}
	if q.progress != nil {
		q.progress <- q.res.progress(q.finished)
	}
}

// updateBatch sends one batch until each of its customers is updated or has
// failed, recording the outcome in out. It returns the failure that should
// stop the run: one that is about the batch, not about particular items.
func (s *CustomersService) updateBatch(ctx context.Context, batch []CustomerUpdate, out *BulkResult) error {
	for len(batch) > 0 {
		if err := ctx.Err(); err != nil {
			out.notAttempted(batch, err)
			return err
		}
		answer, resp, err := s.Update(ctx, batch)
		if held := (notStarted{}); errors.As(err, &held) {
			out.notAttempted(batch, held.why)
			return held.why
		}
		out.countCall(resp)
		if err == nil {
			out.account(batch, answer)
			return nil
		}
		rejected := rejectedItems(err, len(batch))
		switch {
		case len(rejected) > 0:
			batch = out.failRejected(batch, rejected, err)
		case len(batch) > 1 && (errors.Is(err, ErrUnprocessable) || errors.Is(err, ErrTooLarge)):
			half := len(batch) / 2
			if stop := s.updateBatch(ctx, batch[:half], out); stop != nil {
				out.notAttempted(batch[half:], stop)
				return stop
			}
			return s.updateBatch(ctx, batch[half:], out)
		case errors.Is(err, ErrUnprocessable):
			out.failAll(batch, FailureRejected, err)
			return nil
		default:
			out.failBatch(ctx, batch, resp, err)
			return err
		}
	}
	return nil
}

// rejectedItems reads the "<index>.<field>" keys of a 422 into the field
// errors of each item it names.
func rejectedItems(err error, batchLen int) map[int]map[string]string {
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnprocessableEntity {
		return nil
	}
	return itemErrors(apiErr.Fields, batchLen)
}

// itemErrors groups field errors keyed "<index>.<field>" by the batch item
// they name; keys that name no item of the batch are left out.
func itemErrors(fields map[string]string, batchLen int) map[int]map[string]string {
	items := map[int]map[string]string{}
	for key, problem := range fields {
		index, field, ok := strings.Cut(key, ".")
		i, err := strconv.Atoi(index)
		if !ok || err != nil || i < 0 || i >= batchLen {
			continue
		}
		if items[i] == nil {
			items[i] = map[string]string{}
		}
		items[i][field] = problem
	}
	return items
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
	case resp != nil && (resp.maybeApplied || resp.StatusCode/100 == 2) || errors.Is(err, ErrUpstream) || errors.Is(err, ErrTransport):
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
