package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/postgres"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestTwoNodesDrainPostgres: two engines, each with its own connection
// pool to one PostgreSQL database (as two nodes have) and two workers,
// drain a queue of eight jobs: every job finishes, each is encoded exactly
// once, never twice at the same time.
func TestTwoNodesDrainPostgres(t *testing.T) {
	dsn := pgtest.Start(t)
	open := func() store.Store {
		s, err := postgres.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	e := newEnv(t, open())
	media := clip(t, 2)
	e.transform("T")
	const n = 8
	var keys []store.Key
	for i := range n {
		e.asset(fmt.Sprintf("in%d", i), map[string][]byte{fmt.Sprintf("clip-%d.mp4", i): media})
		e.asset(fmt.Sprintf("out%d", i), nil)
		keys = append(keys, e.submit("T", fmt.Sprintf("j%d", i), assetIn(fmt.Sprintf("in%d", i)), fmt.Sprintf("out%d", i)))
	}
	enc := newFFmpegEncoder(t, false)
	var mu sync.Mutex
	ranOn := map[string]string{}
	node := func(name string, st store.Store) {
		rec := recordingEncoder{ffmpegEncoder: enc, node: name, mu: &mu, ranOn: ranOn}
		e.engine(name, rec, func(en *jobs.Engine) { en.Store, en.Workers = st, 2 })
	}
	node("a", e.Store)
	node("b", open())
	for _, k := range keys {
		seen := e.waitFor(k, "final", final)
		if d := seen[len(seen)-1]; d.State != defs.JobStateFinished {
			t.Errorf("%s: %s %+v", k.Name, d.State, d.Outputs[0].Error)
		}
	}
	enc.mu.Lock()
	defer enc.mu.Unlock()
	for i := range n {
		if runs := enc.runs[fmt.Sprintf("clip-%d", i)]; runs != 1 {
			t.Errorf("clip-%d encoded %d times", i, runs)
		}
	}
	if enc.max != 1 {
		t.Errorf("a job ran %d times at once", enc.max)
	}
	t.Logf("jobs per node: %v", ranOn)
}

// recordingEncoder notes which node encoded which input.
type recordingEncoder struct {
	*ffmpegEncoder
	node  string
	mu    *sync.Mutex
	ranOn map[string]string
}

func (r recordingEncoder) Encode(ctx context.Context, in []encode.Input, out encode.Output, p encode.Progress) (*encode.Result, error) {
	r.mu.Lock()
	r.ranOn[out.BaseName] = r.node
	r.mu.Unlock()
	return r.ffmpegEncoder.Encode(ctx, in, out, p)
}

// TestRealEncoder runs a job through encode.Encoder with the built-in
// AdaptiveStreaming preset: it passes once package encode implements the
// contract (until then Initialize fails and the engine leases nothing).
func TestRealEncoder(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"movie.mp4": clip(t, 4)})
	out := e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	en := e.engine("n1", &encode.Encoder{}, func(en *jobs.Engine) { en.ParsePreset = nil })
	if !en.Ready() {
		t.Fatalf("encoder not ready: %s", en.Status())
	}
	seen := e.waitFor(k, "final", final)
	if d := seen[len(seen)-1]; d.State != defs.JobStateFinished {
		t.Fatalf("job: %s %+v", d.State, d.Outputs[0].Error)
	}
	got := strings.Join(e.blobs(out), ",")
	if !strings.Contains(got, "movie.ism") || !strings.Contains(got, ".mp4") {
		t.Fatalf("outputs: %s", got)
	}
}
