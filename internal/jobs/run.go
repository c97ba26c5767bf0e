package jobs

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/store"
)

// writeTimeout bounds one state write.
const writeTimeout = 30 * time.Second

// run is one leased job on one worker.
type run struct {
	e      *Engine
	l      store.Lease
	cancel context.CancelCauseFunc
	// acctScope is the account's scope (assets live there); transform is
	// the job's transform.
	acctScope string
	transform store.Key
	dir       string
	reserved  int64
}

// run executes one leased job and records its outcome.
func (e *Engine) run(l *store.Lease) {
	ctx, cancel := context.WithCancelCause(e.ctx)
	defer cancel(nil)
	r := &run{e: e, l: *l, cancel: cancel}
	defer e.track(r)()
	i := strings.LastIndex(l.Scope, "/transforms/")
	if i < 0 {
		e.Log.Error("queued job outside a transform; dropping it", "scope", l.Scope, "job", l.Name)
		_ = e.Store.WithTx(ctx, func(tx store.Tx) error { return tx.FinishJob(ctx, *l) })
		return
	}
	r.acctScope = l.Scope[:i]
	r.transform = store.Key{Kind: store.KindTransform, Scope: r.acctScope, Name: l.Scope[i+len("/transforms/"):]}
	r.dir = filepath.Join(e.scratch, fmt.Sprintf("job-%d-%s", l.Token, safeName(l.Name)))
	log := e.Log.With("job", l.Name, "transform", r.transform.Name, "attempt", l.Attempts)
	log.Info("job leased")

	hb := make(chan struct{})
	go r.heartbeat(ctx, hb)
	err := r.execute(ctx)
	cancel(nil)
	<-hb
	if rerr := os.RemoveAll(r.dir); rerr != nil {
		log.Warn("remove job scratch directory", "err", rerr)
	}
	r.e.reserved.release(r.reserved)

	cause := context.Cause(e.ctx)
	switch {
	case errors.Is(cause, errKilled):
		// A simulated crash: write nothing, the lease expires.
		return
	case err == nil:
		log.Info("job done")
		return
	case errors.Is(err, errLeaseLost) || errors.Is(err, store.ErrLeaseLost):
		log.Warn("lease lost: another worker owns the job now, or it was deleted; stopped without writing")
		return
	case errors.Is(cause, errClosed):
		// Give the job back for another node to run from the start.
		if werr := r.update(func(d *defs.JobProperties) {
			if d.State != defs.JobStateCanceling {
				d.State = defs.JobStateQueued
			}
			resetOutputs(d, defs.JobStateQueued)
		}); werr != nil {
			log.Warn("requeue job at shutdown", "err", werr)
		}
		wctx, done := context.WithTimeout(context.Background(), writeTimeout)
		defer done()
		if rerr := e.Store.ReleaseJob(wctx, r.l); rerr != nil {
			log.Warn("release job at shutdown", "err", rerr)
		}
		log.Info("job given back to the queue at shutdown")
		return
	case errors.Is(err, errCanceled):
		err = r.finish(func(d *defs.JobProperties, now time.Time) { markAll(d, defs.JobStateCanceled, now) })
		log.Info("job canceled")
	default:
		je := jobError(err)
		log.Info("job failed", "code", je.Code, "message", je.Message)
		err = r.finish(func(d *defs.JobProperties, now time.Time) {
			for k := range d.Outputs {
				o := &d.Outputs[k]
				if !o.State.Final() {
					o.State, o.Error, o.EndTime = defs.JobStateError, &je, defs.NewTime(now)
				}
			}
			d.State, d.EndTime = defs.JobStateError, defs.NewTime(now)
		})
	}
	if err != nil && !errors.Is(err, store.ErrLeaseLost) {
		log.Error("record job outcome", "err", err)
	}
}

// heartbeat renews the lease until ctx ends; a lost lease or a cancel
// request cancels the job's context.
func (r *run) heartbeat(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(r.e.RenewEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l := r.l
		err := r.e.Store.RenewLease(ctx, &l, r.e.now(), r.e.LeaseTTL)
		switch {
		case errors.Is(err, store.ErrLeaseLost):
			r.cancel(errLeaseLost)
			return
		case err != nil:
			if ctx.Err() == nil {
				r.e.Log.Warn("renew job lease", "job", r.l.Name, "err", err)
			}
		case l.Cancel:
			r.cancel(errCanceled)
			return
		}
	}
}

// execute runs the job; it returns nil once the job's final state is
// recorded, or why it stopped.
func (r *run) execute(ctx context.Context) error {
	jr, err := r.e.Store.Get(ctx, r.l.Key())
	if errors.Is(err, store.ErrNotFound) {
		return errLeaseLost // deleted; its queue row went with it
	}
	if err != nil {
		return fmt.Errorf("load job: %w", err)
	}
	var d defs.JobProperties
	if err := json.Unmarshal(jr.Doc, &d); err != nil {
		return fmt.Errorf("decode job: %w", err)
	}
	if r.l.Cancel || d.State == defs.JobStateCanceling {
		return errCanceled
	}
	if r.l.Attempts > r.e.MaxAttempts {
		return fail(defs.JobErrorServiceError, fmt.Sprintf("The job was started %d times and each time the node running it stopped before it finished; it will not be retried again. Check the encode nodes' logs (memory, disk), then resubmit it.", r.l.Attempts-1))
	}
	presets, onError, order, err := r.presets(ctx, &d)
	if err != nil {
		return err
	}
	now := r.e.now()
	if err := r.update(func(d *defs.JobProperties) {
		if d.State == defs.JobStateQueued {
			d.State = defs.JobStateScheduled
		}
		// Outputs follow the same state machine as the job (AMS fires
		// JobOutputScheduled): placed with it, they wait Scheduled for
		// their turn.
		for k := range d.Outputs {
			if o := &d.Outputs[k]; o.State == defs.JobStateQueued {
				o.State = defs.JobStateScheduled
			}
		}
	}); err != nil {
		return err
	}
	if err := r.update(func(d *defs.JobProperties) {
		if d.State != defs.JobStateCanceling {
			d.State = defs.JobStateProcessing
		}
		d.StartTime, d.EndTime = defs.NewTime(now), nil
		resetOutputs(d, defs.JobStateScheduled)
	}); err != nil {
		return err
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return fmt.Errorf("create scratch directory: %w", err)
	}
	inputs, duration, err := r.fetchInputs(ctx, jr, &d)
	if err != nil {
		return err
	}
	timeout := r.e.TimeoutBase + time.Duration(r.e.TimeoutFactor)*duration
	ectx, cancelTimeout := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancelTimeout()

	base := strings.TrimSuffix(inputs[0].name, filepath.Ext(inputs[0].name))
	encIn := make([]encode.Input, len(inputs))
	for k, in := range inputs {
		encIn[k] = in.Input
	}
	var stop *defs.JobError
	for _, i := range order {
		out := d.Outputs[i]
		// A run starting over after a node died keeps the outputs that
		// were already complete (uploaded) or failed.
		if out.State == defs.JobStateFinished {
			continue
		}
		if out.State == defs.JobStateError {
			if onError[i] != defs.OnErrorContinueJob {
				stop = out.Error
				break
			}
			continue
		}
		if err := r.update(func(d *defs.JobProperties) {
			o := &d.Outputs[i]
			if d.State != defs.JobStateCanceling {
				o.State = defs.JobStateProcessing
			}
			o.StartTime = defs.NewTime(r.e.now())
		}); err != nil {
			return err
		}
		r.e.setProgress(r, 0)
		dir := filepath.Join(r.dir, "out-"+strconv.Itoa(i))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create output directory: %w", err)
		}
		res, err := r.e.Encoder.Encode(ectx, encIn, encode.Output{Preset: presets[i], Dir: dir, BaseName: base, Label: out.Label}, r.progress(i))
		if err == nil {
			err = r.upload(ectx, out.AssetName, dir, res)
		}
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx) // canceled, lease lost, node stopping
			}
			if errors.Is(context.Cause(ectx), errTimeout) {
				err = fail(defs.JobErrorServiceTransientError, fmt.Sprintf("Encoding did not finish within %v (%v plus %d times the input duration of %v); the node may be overloaded: resubmit the job, or add encode nodes.",
					timeout.Round(time.Second), r.e.TimeoutBase, r.e.TimeoutFactor, duration.Round(time.Second)))
			}
			je := jobError(err)
			r.e.Log.Info("job output failed", "job", r.l.Name, "output", i, "code", je.Code, "message", je.Message)
			if err := r.update(func(d *defs.JobProperties) {
				o := &d.Outputs[i]
				o.State, o.Error, o.EndTime = defs.JobStateError, &je, defs.NewTime(r.e.now())
			}); err != nil {
				return err
			}
			if onError[i] != defs.OnErrorContinueJob {
				stop = &je
				break
			}
			continue
		}
		if err := r.update(func(d *defs.JobProperties) {
			o := &d.Outputs[i]
			hundred := int32(100)
			o.State, o.Progress, o.EndTime = defs.JobStateFinished, &hundred, defs.NewTime(r.e.now())
		}); err != nil {
			return err
		}
	}
	return r.finish(func(d *defs.JobProperties, now time.Time) {
		d.State, d.EndTime = defs.JobStateFinished, defs.NewTime(now)
		if stop != nil {
			// StopProcessingJob: the outputs not run yet are stopped and
			// the job ends in Error.
			d.State = defs.JobStateError
			for k := range d.Outputs {
				if o := &d.Outputs[k]; !o.State.Final() {
					o.State, o.EndTime = defs.JobStateCanceled, defs.NewTime(now)
				}
			}
		}
	})
}

// presets parses each output's preset (its override, else the
// transform's) and orders the outputs by relative priority.
func (r *run) presets(ctx context.Context, d *defs.JobProperties) ([]*encode.Preset, []defs.OnErrorType, []int, error) {
	tr, err := r.e.Store.Get(ctx, r.transform)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, errLeaseLost // deleted with its jobs
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("load transform: %w", err)
	}
	var tp defs.TransformProperties
	if err := json.Unmarshal(tr.Doc, &tp); err != nil {
		return nil, nil, nil, fmt.Errorf("decode transform: %w", err)
	}
	if len(tp.Outputs) != len(d.Outputs) {
		return nil, nil, nil, fail(defs.JobErrorConfigurationUnsupported, fmt.Sprintf("The transform '%s' now has %d outputs but the job has %d; submit the job again.", tr.Name, len(tp.Outputs), len(d.Outputs)))
	}
	presets := make([]*encode.Preset, len(d.Outputs))
	onError := make([]defs.OnErrorType, len(d.Outputs))
	order := make([]int, len(d.Outputs))
	rank := map[defs.Priority]int{defs.PriorityHigh: 0, defs.PriorityNormal: 1, "": 1, defs.PriorityLow: 2}
	for i, o := range d.Outputs {
		raw, path := tp.Outputs[i].Preset, fmt.Sprintf("transform '%s' properties.outputs[%d].preset", tr.Name, i)
		if len(o.PresetOverride) > 0 && string(o.PresetOverride) != "null" {
			raw, path = o.PresetOverride, fmt.Sprintf("properties.outputs[%d].presetOverride", i)
		}
		p, err := r.e.ParsePreset(path, raw)
		if err != nil {
			return nil, nil, nil, fail(defs.JobErrorConfigurationUnsupported, fmt.Sprintf("The preset of output %d cannot run: %v", i, err))
		}
		presets[i], onError[i], order[i] = p, tp.Outputs[i].OnError, i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(rank[tp.Outputs[a].RelativePriority], rank[tp.Outputs[b].RelativePriority])
	})
	return presets, onError, order, nil
}

// progress returns the encoder's progress callback for output i: it
// writes increases to the job document at most every ProgressEvery (and
// always 100), never a decrease.
func (r *run) progress(i int) encode.Progress {
	var (
		mu      sync.Mutex
		last    = -1
		written time.Time
	)
	return func(p int) {
		mu.Lock()
		defer mu.Unlock()
		p = min(max(p, 0), 100)
		if p <= last {
			return
		}
		last = p
		r.e.setProgress(r, p)
		now := time.Now()
		if p < 100 && now.Sub(written) < r.e.ProgressEvery {
			return
		}
		written = now
		if err := r.update(func(d *defs.JobProperties) {
			o := &d.Outputs[i]
			if o.Progress == nil || int32(p) > *o.Progress {
				v := int32(p)
				o.Progress = &v
			}
		}); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			r.e.Log.Warn("write job progress", "job", r.l.Name, "err", err)
		}
	}
}

// update applies fn to the job document in a transaction fenced by the
// lease; a lost lease cancels the run.
func (r *run) update(fn func(d *defs.JobProperties)) error {
	return r.write(func(d *defs.JobProperties, _ time.Time) { fn(d) }, false)
}

// finish records the final state and removes the job from the queue in
// one fenced transaction.
func (r *run) finish(fn func(d *defs.JobProperties, now time.Time)) error {
	return r.write(fn, true)
}

func (r *run) write(fn func(d *defs.JobProperties, now time.Time), final bool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.e.ctx), writeTimeout)
	defer cancel()
	err := r.e.Store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.HoldsLease(ctx, r.l); err != nil {
			return err
		}
		jr, err := tx.Get(ctx, r.l.Key())
		if err != nil {
			return err
		}
		var d defs.JobProperties
		if err := json.Unmarshal(jr.Doc, &d); err != nil {
			return fmt.Errorf("decode job: %w", err)
		}
		before := d
		before.Outputs = slices.Clone(d.Outputs)
		now := r.e.now()
		fn(&d, now)
		d.LastModified = defs.NewTime(now)
		if r.e.OnChange != nil {
			if err := r.e.OnChange(ctx, tx, r.l.Key(), &before, &d); err != nil {
				return err
			}
		}
		if jr.Doc, err = json.Marshal(&d); err != nil {
			return fmt.Errorf("encode job: %w", err)
		}
		jr.Modified = now
		if err := tx.Replace(ctx, jr, nil); err != nil {
			return err
		}
		if final {
			return tx.FinishJob(ctx, r.l)
		}
		return nil
	})
	if errors.Is(err, store.ErrLeaseLost) || errors.Is(err, store.ErrNotFound) {
		r.cancel(errLeaseLost)
		return fmt.Errorf("write job %s: %w", r.l.Name, store.ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("write job %s: %w", r.l.Name, err)
	}
	return nil
}

// resetOutputs puts every unfinished output back to state (Queued when
// the job goes back to the queue, Scheduled when a run starts over), with
// no progress.
func resetOutputs(d *defs.JobProperties, state defs.JobState) {
	for k := range d.Outputs {
		o := &d.Outputs[k]
		if o.State.Final() {
			continue
		}
		zero := int32(0)
		if d.State != defs.JobStateCanceling {
			o.State = state
		}
		o.Progress, o.Error, o.StartTime, o.EndTime = &zero, nil, nil, nil
	}
}

// markAll moves the job and its unfinished outputs to a final state.
func markAll(d *defs.JobProperties, state defs.JobState, now time.Time) {
	t := defs.NewTime(now)
	d.State, d.EndTime = state, t
	for k := range d.Outputs {
		if o := &d.Outputs[k]; !o.State.Final() {
			o.State, o.EndTime = state, t
		}
	}
}
