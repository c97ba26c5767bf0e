package jobs

// Kill stops the engine the way a crash would: running encodes are
// killed and nothing more is written — no final state, no lease release —
// so the jobs' leases simply expire.
func (e *Engine) Kill() {
	if e.stop == nil {
		return
	}
	e.stop(errKilled)
	e.wg.Wait()
}

// ScratchRoot is the engine's own scratch directory.
func (e *Engine) ScratchRoot() string { return e.scratch }
