package jobs

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// Config tunes a Runner; the zero value is usable.
type Config struct {
	Store Store // default: a MemoryStore
	// Keep is how long a finished job's record stays readable; default 24h.
	Keep time.Duration
	// Heartbeat is how often a running job's record is saved; default 2s. A
	// running record left unsaved for staleHeartbeats of them belongs to a
	// process that stopped, and reads as Interrupted.
	Heartbeat time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

const staleHeartbeats = 5

// Runner starts jobs and answers for them. Jobs run on contexts of their
// own: they end when their work does, when Cancel or Shutdown stops them, and
// never because the call that started them ended.
type Runner struct {
	cfg        Config
	base       context.Context
	abort      context.CancelFunc // ends every job's context: the last resort of Shutdown
	mu         sync.Mutex
	live       map[string]*job
	shutDown   bool
	everyoneWG sync.WaitGroup
}

// job is a job running in this process.
type job struct {
	mu     sync.Mutex
	record Record
	stop   chan struct{} // closed once, by Cancel or Shutdown
	reason Status        // the status stopping leads to
	done   chan struct{} // closed when the record is final
}

// NewRunner returns a runner; call Shutdown when the server stops.
func NewRunner(cfg Config) *Runner {
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 24 * time.Hour
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	base, abort := context.WithCancel(context.Background())
	return &Runner{cfg: cfg, base: base, abort: abort, live: map[string]*job{}}
}

// ErrShutDown refuses a job once the server is stopping.
var ErrShutDown = errShutDown{}

type errShutDown struct{}

func (errShutDown) Error() string { return "the server is shutting down: no new job can start" }

// Start records a new job and runs work in the background. ctx gives the
// work its values (a logger, say), never its cancellation.
func (r *Runner) Start(ctx context.Context, tool string, total int, estimate time.Duration, work Work) (Record, error) {
	now := r.cfg.Now()
	j := &job{
		record: Record{ID: newID(), Tool: tool, Status: Running, Progress: Progress{Total: total},
			Estimate: estimate, StartedAt: now, UpdatedAt: now},
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	if err := r.cfg.Store.Prune(ctx, now.Add(-r.cfg.Keep)); err != nil {
		r.cfg.Logger.WarnContext(ctx, "pruning finished jobs failed", "err", err)
	}
	// Under the lock, so that Shutdown either sees the job or refuses it.
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.shutDown {
		return Record{}, ErrShutDown
	}
	if err := r.cfg.Store.Save(ctx, j.record); err != nil {
		return Record{}, err
	}
	started := j.record
	r.live[started.ID] = j
	r.everyoneWG.Add(1)
	go r.run(context.WithoutCancel(ctx), j, work)
	return started, nil
}

func (r *Runner) run(ctx context.Context, j *job, work Work) {
	defer r.everyoneWG.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(r.base, cancel)()
	heartbeat := time.NewTicker(r.cfg.Heartbeat)
	defer heartbeat.Stop()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		result, failure := work(ctx, j.stop, j.report)
		j.finish(r.cfg.Now(), result, failure)
	}()
	for {
		select {
		case <-heartbeat.C:
			r.save(ctx, j.snapshot(r.cfg.Now()))
		case <-finished:
			r.save(ctx, j.snapshot(r.cfg.Now()))
			r.mu.Lock()
			delete(r.live, j.record.ID)
			r.mu.Unlock()
			close(j.done)
			return
		}
	}
}

// save stores a record, logging a failure: the job goes on, and its final
// account is still given to whoever waits on it in this process.
func (r *Runner) save(ctx context.Context, rec Record) {
	if err := r.cfg.Store.Save(context.WithoutCancel(ctx), rec); err != nil {
		r.cfg.Logger.ErrorContext(ctx, "saving a job's state failed", "job", rec.ID, "err", err)
	}
}

func (j *job) report(p Progress) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.record.Progress = p
}

func (j *job) finish(now time.Time, result, failure json.RawMessage) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.record.Status = Done
	if j.reason != "" {
		j.record.Status = j.reason
	}
	j.record.FinishedAt, j.record.Result, j.record.Failure = now, result, failure
}

// snapshot is the record as of now, with now as its heartbeat.
func (j *job) snapshot(now time.Time) Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.record.UpdatedAt = now
	return j.record
}

func (j *job) current() Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.record
}

// halt asks the job to stop after the batches in flight, ending as reason.
// Only the first request counts: a job cancelled and then shut down is cancelled.
func (j *job) halt(reason Status) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.reason == "" {
		j.reason = reason
		close(j.stop)
	}
}

// Get returns the job's record: live from this process when it runs here,
// else from the store. A running record whose heartbeat stopped belongs to a
// process that is gone, and is reported (and saved) as Interrupted.
func (r *Runner) Get(ctx context.Context, id string) (Record, error) {
	if j := r.running(id); j != nil {
		return j.current(), nil
	}
	rec, err := r.cfg.Store.Load(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if !rec.Finished() && r.cfg.Now().Sub(rec.UpdatedAt) > staleHeartbeats*r.cfg.Heartbeat {
		rec.Status, rec.FinishedAt = Interrupted, rec.UpdatedAt
		r.save(ctx, rec)
	}
	if rec.Finished() && rec.FinishedAt.Before(r.cfg.Now().Add(-r.cfg.Keep)) {
		return Record{}, ErrNotFound
	}
	return rec, nil
}

func (r *Runner) running(id string) *job {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live[id]
}

// ErrElsewhere refuses to cancel a job that runs in another process.
var ErrElsewhere = errElsewhere{}

type errElsewhere struct{}

func (errElsewhere) Error() string {
	return "the job runs in another server process: only that process can stop it"
}

// Cancel stops a running job after the batches in flight and waits, until
// ctx ends, for its final record. A finished job is returned as it is.
func (r *Runner) Cancel(ctx context.Context, id string) (Record, error) {
	j := r.running(id)
	if j == nil {
		rec, err := r.Get(ctx, id)
		if err == nil && !rec.Finished() {
			return rec, ErrElsewhere
		}
		return rec, err
	}
	j.halt(Cancelled)
	return r.wait(ctx, j)
}

// Wait blocks until the job finishes or ctx ends, and returns its record.
func (r *Runner) Wait(ctx context.Context, id string) (Record, error) {
	if j := r.running(id); j != nil {
		return r.wait(ctx, j)
	}
	return r.Get(ctx, id)
}

func (r *Runner) wait(ctx context.Context, j *job) (Record, error) {
	select {
	case <-j.done:
		return j.current(), nil
	case <-ctx.Done():
		return j.current(), ctx.Err()
	}
}

// Shutdown refuses new jobs, stops the running ones after their batches in
// flight (they end Interrupted, with an exact account), and waits for them
// until ctx ends; then it cancels what is still in flight and waits for the
// records to be final.
func (r *Runner) Shutdown(ctx context.Context) {
	r.mu.Lock()
	r.shutDown = true
	for _, j := range r.live {
		j.halt(Interrupted)
	}
	r.mu.Unlock()
	stopped := make(chan struct{})
	go func() {
		r.everyoneWG.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-ctx.Done():
		r.abort()
		<-stopped
	}
	r.abort()
}
