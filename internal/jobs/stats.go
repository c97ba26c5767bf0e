package jobs

// Stats is what this node's engine is doing now, for metrics. It names no
// job: per-job detail belongs in the job documents, not in metric labels.
type Stats struct {
	// Workers is how many jobs the node may run at once (0 when the
	// encoder is unavailable and no worker runs).
	Workers int
	// Running counts the jobs this node holds a lease on and runs now.
	Running int
	// Progress is the mean progress (0 to 1) of the outputs these jobs
	// are encoding now; 0 when none runs.
	Progress float64
}

// Stats reports the engine's current load; safe for concurrent use.
func (e *Engine) Stats() Stats {
	e.liveMu.Lock()
	defer e.liveMu.Unlock()
	st := Stats{Running: len(e.live)}
	if e.ready {
		st.Workers = e.Workers
	}
	if len(e.live) > 0 {
		sum := 0
		for _, p := range e.live {
			sum += p
		}
		st.Progress = float64(sum) / float64(len(e.live)) / 100
	}
	return st
}

// track records r as running (at progress 0) until the returned func is
// called.
func (e *Engine) track(r *run) (untrack func()) {
	e.liveMu.Lock()
	if e.live == nil {
		e.live = map[*run]int{}
	}
	e.live[r] = 0
	e.liveMu.Unlock()
	return func() {
		e.liveMu.Lock()
		delete(e.live, r)
		e.liveMu.Unlock()
	}
}

// setProgress records the progress (0 to 100) of the output r encodes
// now; a run no longer tracked is left alone.
func (e *Engine) setProgress(r *run, p int) {
	e.liveMu.Lock()
	if _, ok := e.live[r]; ok {
		e.live[r] = p
	}
	e.liveMu.Unlock()
}
