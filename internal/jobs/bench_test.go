package jobs_test

import (
	"os"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// BenchmarkAdaptiveStreamingJob runs mediatest.Bench1080p (30 s 1080p)
// through the engine with the real encoder and the AdaptiveStreaming
// preset. It reports the time from submit to Finished (when the .ism and
// every rendition are in the output asset, i.e. the first playable
// manifest), the encoder's own time (the output's startTime to endTime,
// upload included) and the engine's share: queue pickup, input copy,
// probe, state writes. Needs package encode's implementation.
//
//	go test ./internal/jobs -run - -bench AdaptiveStreamingJob -benchtime 1x
func BenchmarkAdaptiveStreamingJob(b *testing.B) {
	set := mediatest.Bench1080p(b)
	media, err := os.ReadFile(set.Path(set.Names()[0]))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		e := newEnv(b, nil)
		e.asset("in", map[string][]byte{"bench.mp4": media})
		e.asset("out", nil)
		e.transform("T")
		en := e.engine("n1", &encode.Encoder{}, func(en *jobs.Engine) { en.ParsePreset = nil; en.Poll = 100 * time.Millisecond })
		if !en.Ready() {
			b.Fatalf("encoder: %s", en.Status())
		}
		start := time.Now()
		k := e.submit("T", "j", assetIn("in"), "out")
		seen := e.waitFor(k, "final", final)
		total := time.Since(start)
		d := seen[len(seen)-1]
		if d.State != defs.JobStateFinished {
			b.Fatalf("job: %s %+v", d.State, d.Outputs[0].Error)
		}
		o := d.Outputs[0]
		enc := o.EndTime.Sub(o.StartTime.Time)
		b.ReportMetric(total.Seconds(), "s-submit-to-manifest")
		b.ReportMetric(enc.Seconds(), "s-encode+upload")
		b.ReportMetric(100*(total-enc).Seconds()/total.Seconds(), "%-engine")
	}
}
