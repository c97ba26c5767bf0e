package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/store"
)

// TestStats: while a real encode writes progress, the engine reports one
// running job on its one worker with at least the progress written (the
// engine records every value before throttling the writes); once the
// engine has stopped it reports none.
func TestStats(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"m.mp4": clip(t, 4)})
	e.asset("out", nil)
	e.transform("T")
	var (
		en   atomic.Pointer[jobs.Engine]
		mu   sync.Mutex
		seen []string
	)
	record := func(_ context.Context, _ store.Tx, _ store.Key, before, after *defs.JobProperties) error {
		o := after.Outputs[0]
		if o.Progress == nil || *o.Progress == 0 || (before.Outputs[0].Progress != nil && *before.Outputs[0].Progress == *o.Progress) {
			return nil
		}
		st := en.Load().Stats()
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, string(o.State))
		if st.Running != 1 || st.Workers != 1 || st.Progress*100 < float64(*o.Progress) || st.Progress > 1 {
			t.Errorf("progress %d written: stats %+v; want 1 running on 1 worker at >= %d %%", *o.Progress, st, *o.Progress)
		}
		return nil
	}
	k := e.submit("T", "j", assetIn("in", "m.mp4"), "out")
	eng := e.engine("n1", newFFmpegEncoder(t, false), func(x *jobs.Engine) { x.OnChange = record; en.Store(x) })
	e.waitFor(k, "final", final)
	eng.Close()
	if st := eng.Stats(); st.Running != 0 || st.Progress != 0 || st.Workers != 1 {
		t.Fatalf("stopped engine: %+v; want none running", st)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no progress was written")
	}
}
