package bc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bigcommerce-mcp/bigcommerce-mcp/internal/drain"
)

// BulkOptions tune a bulk update.
type BulkOptions struct {
	// Progress, when set, is called once per finished batch with the running
	// totals, in order, from one goroutine (so it may lag behind the writes);
	// BulkUpdate returns after its last call.
	Progress func(BulkProgress)
	// SkipUnchanged reads the customers first (unless the input holds them,
	// see SetOn) and sends only the updates that would change something. The others are reported as Unchanged, and ids that
	// name no customer fail with FailureNotFound, without a write.
	SkipUnchanged bool
	// Stop, when closed, ends the run after the batches in flight: unlike
	// cancelling the context, it lets them finish, so none is left
	// unconfirmed. What was not sent is NotAttempted, for ErrStopped.
	Stop <-chan struct{}
	// BeforeSend, when set, is called with what the run will change on each
	// customer (every field's value as read and as it will be) before anything
	// is sent; an error stops the run with nothing sent. It needs the customers
	// read: SkipUnchanged, or an input that holds them (SetOn).
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
func (s *CustomersService) BulkUpdate(ctx context.Context, in BulkInput, opts BulkOptions) (*BulkResult, error) {
	res, pending, err := in.splitInvalid()
	if err != nil {
		return nil, err
	}
	var current map[int]Customer
	if opts.SkipUnchanged || in.read != nil {
		if current, err = s.current(ctx, in, pending); err != nil {
			return nil, err
		}
	}
	if opts.SkipUnchanged {
		pending = res.skipUnchanged(pending, current)
	}
	if pending, err = s.refuseCertain(ctx, res, pending); err != nil {
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
		return errors.New("bulk update: BeforeSend needs the customers read first (SkipUnchanged, or SetOn)")
	}
	changes := make([]CustomerChange, len(pending))
	for i, u := range pending {
		changes[i] = CustomerChange{ID: u.ID, Fields: u.Diff(current[u.ID])}
	}
	return o.BeforeSend(changes)
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
		answer, resp, err := s.update(ctx, batch) // validated by splitInvalid
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
