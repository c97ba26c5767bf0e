package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/store"
)

func assetIn(name string, files ...string) defs.JobInput {
	return defs.JobInput{ODataType: defs.ODataTypeJobInputAsset, AssetName: name, Files: files}
}

// blobs lists the names in a container.
func (e *env) blobs(container string) []string {
	e.t.Helper()
	infos, err := e.Blob.List(e.t.Context(), container, "")
	if err != nil {
		e.t.Fatal(err)
	}
	var n []string
	for _, i := range infos {
		n = append(n, i.Name)
	}
	return n
}

// TestEncodeAssetInput: a job runs Queued → Scheduled → Processing →
// Finished, progress only grows, times are set, the clip times reach the
// encoder and the outputs land in the output asset.
func TestEncodeAssetInput(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"Big Buck.mp4": clip(t, 4), "notes.json": []byte(`{}`)})
	out := e.asset("out", nil)
	e.transform("T")
	in := assetIn("in")
	in.Start = &defs.ClipTime{ODataType: defs.ODataTypeAbsoluteClipTime, Time: "PT1S"}
	k := e.submit("T", "j", in, "out")
	e.engine("n1", newFFmpegEncoder(t, false))
	seen := e.waitFor(k, "final", final)
	d := seen[len(seen)-1]
	if d.State != defs.JobStateFinished || d.StartTime == nil || d.EndTime == nil || d.EndTime.Before(d.StartTime.Time) {
		t.Fatalf("final job: %+v", d)
	}
	o := d.Outputs[0]
	if o.State != defs.JobStateFinished || *o.Progress != 100 || o.Error != nil || o.StartTime == nil || o.EndTime == nil {
		t.Fatalf("final output: %+v", o)
	}
	prev, order := int32(-1), map[defs.JobState]int{defs.JobStateQueued: 0, defs.JobStateScheduled: 1, defs.JobStateProcessing: 2, defs.JobStateFinished: 3}
	prevState := defs.JobStateQueued
	for _, s := range seen {
		if *s.Outputs[0].Progress < prev {
			t.Fatalf("progress went down: %d after %d", *s.Outputs[0].Progress, prev)
		}
		if order[s.State] < order[prevState] {
			t.Fatalf("state went back: %s after %s", s.State, prevState)
		}
		prev, prevState = *s.Outputs[0].Progress, s.State
	}
	got := strings.Join(e.blobs(out), ",")
	if got != "Big Buck.png_000001.png,Big Buck_AdaptiveStreaming_0.mp4" && got != "Big Buck_000001.png,Big Buck_AdaptiveStreaming_0.mp4" {
		t.Fatalf("output blobs: %s", got)
	}
	if _, err := e.Store.LeaseJob(t.Context(), "probe", time.Now().Add(time.Hour), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("finished job still queued: %v", err)
	}
}

// TestHTTPInput404: an HTTP input that answers 404 fails the job with
// DownloadNotAccessible; the message names the URL without its SAS.
func TestHTTPInput404(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }))
	t.Cleanup(srv.Close)
	e := newEnv(t, nil)
	e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", defs.JobInput{ODataType: defs.ODataTypeJobInputHTTP, BaseURI: srv.URL + "/media?sig=SECRET", Files: []string{"missing.mp4"}}, "out")
	e.engine("n1", newFFmpegEncoder(t, false), func(en *jobs.Engine) { en.HTTP = guard{srv.Client()} })
	d := e.waitFor(k, "final", final)[0:]
	j := d[len(d)-1]
	je := j.Outputs[0].Error
	if j.State != defs.JobStateError || je == nil || je.Code != defs.JobErrorDownloadNotAccessible || je.Category != "Download" || je.Retry != "DoNotRetry" {
		t.Fatalf("job: %+v, error %+v", j, je)
	}
	if !strings.Contains(je.Message, "404") || !strings.Contains(je.Message, "/media/missing.mp4") || strings.Contains(je.Message, "SECRET") {
		t.Fatalf("message: %q", je.Message)
	}
}

// TestHTTPInputDownloads: an HTTP input is fetched through the guard's
// client, with the sealed query string.
func TestHTTPInputDownloads(t *testing.T) {
	media := clip(t, 2)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sig") != "s3cret" || r.URL.Path != "/media/movie.mp4" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = w.Write(media)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, nil)
	out := e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", defs.JobInput{ODataType: defs.ODataTypeJobInputHTTP, BaseURI: srv.URL + "/media?sig=s3cret", Files: []string{"movie.mp4"}}, "out")
	e.engine("n1", newFFmpegEncoder(t, false), func(en *jobs.Engine) { en.HTTP = guard{srv.Client()} })
	d := e.waitFor(k, "final", final)
	if j := d[len(d)-1]; j.State != defs.JobStateFinished {
		t.Fatalf("job: %+v %+v", j, j.Outputs[0].Error)
	}
	if got := strings.Join(e.blobs(out), ","); !strings.Contains(got, "movie_AdaptiveStreaming_0.mp4") {
		t.Fatalf("outputs: %s", got)
	}
}

type guard struct{ c *http.Client }

func (g guard) Client() *http.Client { return g.c }

// TestInputNotMedia: a text file as input fails with ContentMalformed, an
// empty file too, and a missing file with DownloadNotAccessible.
func TestInputNotMedia(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"movie.mp4": []byte("this is not a video, just text\n"), "empty.mp4": {}})
	e.asset("out", nil)
	e.asset("out2", nil)
	e.asset("out3", nil)
	e.transform("T")
	k1 := e.submit("T", "text", assetIn("in", "movie.mp4"), "out")
	k2 := e.submit("T", "empty", assetIn("in", "empty.mp4"), "out2")
	k3 := e.submit("T", "missing", assetIn("in", "other.mp4"), "out3")
	e.engine("n1", newFFmpegEncoder(t, false))
	for k, want := range map[store.Key]string{k1: defs.JobErrorContentMalformed, k2: defs.JobErrorContentMalformed, k3: defs.JobErrorDownloadNotAccessible} {
		seen := e.waitFor(k, "final", final)
		d := seen[len(seen)-1]
		if d.State != defs.JobStateError || d.Outputs[0].Error == nil || d.Outputs[0].Error.Code != want {
			t.Errorf("%s: %+v %+v, want %s", k.Name, d.State, d.Outputs[0].Error, want)
			continue
		}
		if msg := d.Outputs[0].Error.Message; !strings.Contains(msg, ".mp4'") {
			t.Errorf("%s: message does not name the file: %q", k.Name, msg)
		}
	}
}

// TestCancelMidEncode: cancelJob while ffmpeg runs stops it; the job ends
// Canceled, nothing reaches the output asset and the scratch directory is
// emptied.
func TestCancelMidEncode(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"long.mp4": clip(t, 60)})
	out := e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	enc := newFFmpegEncoder(t, true)
	en := e.engine("n1", enc)
	e.waitFor(k, "encoding", func(d defs.JobProperties) bool { return *d.Outputs[0].Progress >= 2 })
	canceledAt := time.Now()
	e.cancel(k)
	seen := e.waitFor(k, "final", final)
	d := seen[len(seen)-1]
	if d.State != defs.JobStateCanceled || d.Outputs[0].State != defs.JobStateCanceled || d.EndTime == nil {
		t.Fatalf("after cancel: %+v", d)
	}
	t.Logf("canceled %v after the request", time.Since(canceledAt).Round(time.Millisecond))
	if got := e.blobs(out); len(got) != 0 {
		t.Fatalf("output asset holds %v after cancel", got)
	}
	if ents, err := os.ReadDir(en.ScratchRoot()); err != nil || len(ents) != 0 {
		t.Fatalf("scratch directory after cancel: %v, %v", ents, err)
	}
}

// TestNodeKilledMidJob: a node dies while encoding (its engine is killed
// without writing anything); another node leases the job once the lease
// expires and finishes it. With no attempts left it ends in Error
// instead. Never Processing forever, never two encodes at once.
func TestNodeKilledMidJob(t *testing.T) {
	for _, tt := range []struct {
		name        string
		maxAttempts int
		want        defs.JobState
	}{{"resumed", 3, defs.JobStateFinished}, {"out of attempts", 1, defs.JobStateError}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.asset("in", map[string][]byte{"movie.mp4": clip(t, 30)})
			out := e.asset("out", nil)
			e.transform("T")
			k := e.submit("T", "j", assetIn("in"), "out")
			ttl := func(en *jobs.Engine) { en.LeaseTTL, en.MaxAttempts = time.Second, tt.maxAttempts }
			slow := newFFmpegEncoder(t, true)
			a := e.engine("dying", slow, ttl)
			e.waitFor(k, "encoding", func(d defs.JobProperties) bool { return *d.Outputs[0].Progress >= 2 })
			a.Kill()
			if d := e.job(k); d.State != defs.JobStateProcessing {
				t.Fatalf("after the crash: %s", d.State)
			}
			fast := newFFmpegEncoder(t, false)
			fast.runs, fast.busy = slow.runs, slow.busy // one count across both nodes
			e.engine("survivor", fast, ttl)
			seen := e.waitFor(k, "final", final)
			d := seen[len(seen)-1]
			if d.State != tt.want {
				t.Fatalf("final state %s (%+v), want %s", d.State, d.Outputs[0].Error, tt.want)
			}
			switch tt.want {
			case defs.JobStateFinished:
				if n := slow.runs["movie"]; n != 2 || slow.max != 1 {
					t.Fatalf("encodes: %d started, %d at once; want 2 started, 1 at once", n, slow.max)
				}
				if got := strings.Join(e.blobs(out), ","); !strings.Contains(got, "movie_AdaptiveStreaming_0.mp4") {
					t.Fatalf("outputs: %s", got)
				}
			case defs.JobStateError:
				je := d.Outputs[0].Error
				if je == nil || je.Code != defs.JobErrorServiceError || !strings.Contains(je.Message, "started 1 times") {
					t.Fatalf("error: %+v", je)
				}
				if len(e.blobs(out)) != 0 {
					t.Fatalf("outputs of a failed job: %v", e.blobs(out))
				}
			}
		})
	}
}

// TestNoEncoder: a node whose encoder cannot start leases nothing and says
// why; the job waits for another node.
func TestNoEncoder(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"m.mp4": []byte("x")})
	e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	enc := newFFmpegEncoder(t, false)
	enc.failInit = errors.New(`exec: "ffmpeg": executable file not found in $PATH`)
	en := e.engine("n1", enc)
	if en.Ready() || !strings.HasPrefix(en.Status(), "unavailable: ") || !strings.Contains(en.Status(), "ffmpeg") {
		t.Fatalf("ready %v, status %q", en.Ready(), en.Status())
	}
	if !strings.Contains(e.log.String(), "will not lease") {
		t.Fatalf("no log line says why: %s", e.log.String())
	}
	// The job is still there for a node that can run it: first lease.
	l, err := e.Store.LeaseJob(context.Background(), "other", time.Now(), time.Minute)
	if err != nil || l.Name != "j" || l.Attempts != 1 {
		t.Fatalf("lease by another node: %+v, %v", l, err)
	}
	if d := e.job(k); d.State != defs.JobStateQueued {
		t.Fatalf("job state %s", d.State)
	}
}

// TestStopProcessingJob: with onError StopProcessingJob a failed output
// stops the job (Error, later outputs Canceled); with ContinueJob the
// next output still runs and the job finishes.
func TestStopProcessingJob(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"m.mp4": clip(t, 2)})
	for _, n := range []string{"a1", "a2", "b1", "b2"} {
		e.asset(n, nil)
	}
	e.transform("Stop", defs.OnErrorStopProcessingJob, defs.OnErrorStopProcessingJob)
	e.transform("Go", defs.OnErrorContinueJob, defs.OnErrorStopProcessingJob)
	ks := e.submit("Stop", "j", assetIn("in"), "a1", "a2")
	kg := e.submit("Go", "j", assetIn("in"), "b1", "b2")
	// Deleting the first output asset makes the first upload fail.
	for _, n := range []string{"a1", "b1"} {
		if err := e.Store.WithTx(t.Context(), func(tx store.Tx) error {
			return tx.Delete(t.Context(), store.Key{Kind: store.KindAsset, Scope: acctScope, Name: n})
		}); err != nil {
			t.Fatal(err)
		}
	}
	e.engine("n1", newFFmpegEncoder(t, false))
	s := e.waitFor(ks, "final", final)
	d := s[len(s)-1]
	if d.State != defs.JobStateError || d.Outputs[0].Error == nil || d.Outputs[0].Error.Code != defs.JobErrorUploadNotAccessible || d.Outputs[1].State != defs.JobStateCanceled {
		t.Fatalf("StopProcessingJob: %+v", d)
	}
	g := e.waitFor(kg, "final", final)
	d = g[len(g)-1]
	if d.State != defs.JobStateFinished || d.Outputs[0].State != defs.JobStateError || d.Outputs[1].State != defs.JobStateFinished {
		t.Fatalf("ContinueJob: %+v", d)
	}
}

// TestShutdownRequeues: a node shutting down gives its running job back
// at once (Queued, lease released, the attempt not counted) for another
// node, rather than leaving it to a lease timeout.
func TestShutdownRequeues(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"long.mp4": clip(t, 30)})
	out := e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	en := e.engine("n1", newFFmpegEncoder(t, true))
	e.waitFor(k, "encoding", func(d defs.JobProperties) bool { return *d.Outputs[0].Progress >= 2 })
	en.Close()
	d := e.job(k)
	if d.State != defs.JobStateQueued || d.Outputs[0].State != defs.JobStateQueued || *d.Outputs[0].Progress != 0 {
		t.Fatalf("after shutdown: %+v", d)
	}
	l, err := e.Store.LeaseJob(t.Context(), "next", time.Now(), time.Minute)
	if err != nil || l.Name != "j" || l.Attempts != 1 {
		t.Fatalf("lease after shutdown: %+v, %v", l, err)
	}
	if got := e.blobs(out); len(got) != 0 {
		t.Fatalf("outputs after shutdown: %v", got)
	}
}

// TestScratchLimit: a job whose inputs cannot fit the node's scratch
// space fails with a message naming the setting, and leaves nothing
// behind.
func TestScratchLimit(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"m.mp4": clip(t, 2)})
	e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	en := e.engine("n1", newFFmpegEncoder(t, false), func(en *jobs.Engine) { en.ScratchMax = 1000 })
	seen := e.waitFor(k, "final", final)
	d := seen[len(seen)-1]
	if je := d.Outputs[0].Error; d.State != defs.JobStateError || je == nil || je.Code != defs.JobErrorServiceError || !strings.Contains(je.Message, "--encode-scratch-max-mb") {
		t.Fatalf("job: %s %+v", d.State, d.Outputs[0].Error)
	}
	if ents, err := os.ReadDir(en.ScratchRoot()); err != nil || len(ents) != 0 {
		t.Fatalf("scratch directory: %v, %v", ents, err)
	}
}

// TestRelativeScratchDir: a relative scratch directory (from a relative
// --data-dir) still gives the encoder paths that work from any directory.
func TestRelativeScratchDir(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"m.mp4": clip(t, 2)})
	e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	t.Chdir(t.TempDir())
	enc := &chdirEncoder{newFFmpegEncoder(t, false)}
	e.engine("n1", enc, func(en *jobs.Engine) { en.ScratchDir = "relative/scratch" })
	seen := e.waitFor(k, "final", final)
	if d := seen[len(seen)-1]; d.State != defs.JobStateFinished {
		t.Fatalf("job: %s %+v", d.State, d.Outputs[0].Error)
	}
}

// chdirEncoder requires absolute paths, as an encoder running ffmpeg in
// its output directory does.
type chdirEncoder struct{ *ffmpegEncoder }

func (c *chdirEncoder) Encode(ctx context.Context, in []encode.Input, out encode.Output, p encode.Progress) (*encode.Result, error) {
	for _, i := range in {
		if !filepath.IsAbs(i.Path) {
			return nil, fmt.Errorf("input path %q is relative", i.Path)
		}
	}
	if !filepath.IsAbs(out.Dir) {
		return nil, fmt.Errorf("output directory %q is relative", out.Dir)
	}
	return c.ffmpegEncoder.Encode(ctx, in, out, p)
}

// TestLeaseLostStopsWorker: a worker whose lease was taken over (its node
// stalled past the lease; here its clock runs an hour late, so its
// renewals never reach the present) stops encoding and writes nothing
// more: no final state, no output, the new holder's lease intact.
func TestLeaseLostStopsWorker(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"long.mp4": clip(t, 30)})
	out := e.asset("out", nil)
	e.transform("T")
	k := e.submit("T", "j", assetIn("in"), "out")
	late := func() time.Time { return time.Now().Add(-time.Hour) }
	e.engine("stalled", newFFmpegEncoder(t, true), func(en *jobs.Engine) { en.Now = late })
	e.waitFor(k, "encoding", func(d defs.JobProperties) bool { return *d.Outputs[0].Progress >= 2 })
	l, err := e.Store.LeaseJob(t.Context(), "successor", time.Now(), time.Hour)
	if err != nil || l.Attempts != 2 {
		t.Fatalf("take over the lease: %+v, %v", l, err)
	}
	before := e.job(k)
	for !strings.Contains(e.log.String(), "lease lost") {
		if dl, ok := deadline(t); ok && time.Until(dl) < 5*time.Second {
			t.Fatal("the stalled worker never noticed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	after := e.job(k)
	if after.State != defs.JobStateProcessing || after.Outputs[0].State.Final() || *after.Outputs[0].Progress < *before.Outputs[0].Progress {
		t.Fatalf("the stalled worker wrote after losing its lease: %+v", after)
	}
	if got := e.blobs(out); len(got) != 0 {
		t.Fatalf("the stalled worker uploaded %v", got)
	}
	if err := e.Store.WithTx(t.Context(), func(tx store.Tx) error { return tx.HoldsLease(t.Context(), *l) }); err != nil {
		t.Fatalf("successor's lease: %v", err)
	}
}

// TestAssetInputFiles: without files, the asset's largest media file is
// the input (not its manifests, not every rendition); with files, those.
func TestAssetInputFiles(t *testing.T) {
	e := newEnv(t, nil)
	big, small := clip(t, 3), clip(t, 1)
	e.asset("in", map[string][]byte{"a_small.mp4": small, "b_big.mp4": big, "b_big.ism": []byte("<smil/>"), "b_big_manifest.json": []byte("{}")})
	e.asset("out1", nil)
	e.asset("out2", nil)
	e.transform("T")
	k1 := e.submit("T", "whole", assetIn("in"), "out1")
	k2 := e.submit("T", "named", assetIn("in", "a_small.mp4"), "out2")
	enc := newFFmpegEncoder(t, false)
	e.engine("n1", enc)
	for _, k := range []store.Key{k1, k2} {
		seen := e.waitFor(k, "final", final)
		if d := seen[len(seen)-1]; d.State != defs.JobStateFinished {
			t.Fatalf("%s: %s %+v", k.Name, d.State, d.Outputs[0].Error)
		}
	}
	enc.mu.Lock()
	defer enc.mu.Unlock()
	if enc.runs["b_big"] != 1 || enc.runs["a_small"] != 1 || len(enc.runs) != 2 {
		t.Fatalf("encoded inputs: %v", enc.runs)
	}
}

// TestOnChange: every change of a job's document reaches OnChange inside
// its transaction, in order — the job's states, each output's states
// (Queued, Scheduled, Processing, Finished) and progress —
// and so does cancelJob's (through CancelTx).
func TestOnChange(t *testing.T) {
	e := newEnv(t, nil)
	e.asset("in", map[string][]byte{"m.mp4": clip(t, 3), "long.mp4": clip(t, 30)})
	e.asset("out", nil)
	e.asset("out2", nil)
	e.transform("T")
	var (
		mu        sync.Mutex
		states    []string
		outStates []string
		prog      []int32
	)
	record := func(_ context.Context, tx store.Tx, k store.Key, before, after *defs.JobProperties) error {
		if tx == nil {
			return errors.New("no transaction")
		}
		mu.Lock()
		defer mu.Unlock()
		if before.State != after.State {
			states = append(states, k.Name+":"+string(before.State)+">"+string(after.State))
		}
		if k.Name == "j" && after.Outputs[0].Progress != nil {
			prog = append(prog, *after.Outputs[0].Progress)
		}
		if k.Name == "j" && before.Outputs[0].State != after.Outputs[0].State {
			outStates = append(outStates, string(before.Outputs[0].State)+">"+string(after.Outputs[0].State))
		}
		return nil
	}
	k := e.submit("T", "j", assetIn("in", "m.mp4"), "out")
	e.engine("n1", newFFmpegEncoder(t, false), func(en *jobs.Engine) { en.OnChange = record })
	e.waitFor(k, "final", final)
	k2 := e.submit("T", "c", assetIn("in", "long.mp4"), "out2")
	e.waitFor(k2, "processing", func(d defs.JobProperties) bool { return d.State == defs.JobStateProcessing })
	err := e.Store.WithTx(t.Context(), func(tx store.Tx) error {
		_, err := jobs.CancelTx(t.Context(), tx, k2, time.Now(), record)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.waitFor(k2, "final", final)
	mu.Lock()
	defer mu.Unlock()
	want := "j:Queued>Scheduled j:Scheduled>Processing j:Processing>Finished c:Queued>Scheduled c:Scheduled>Processing c:Processing>Canceling c:Canceling>Canceled"
	if got := strings.Join(states, " "); got != want {
		t.Fatalf("state changes:\n got %s\nwant %s", got, want)
	}
	// An output runs through the job's state machine too (JobOutputScheduled).
	if got, want := strings.Join(outStates, " "), "Queued>Scheduled Scheduled>Processing Processing>Finished"; got != want {
		t.Errorf("output state changes:\n got %s\nwant %s", got, want)
	}
	if len(prog) == 0 || prog[len(prog)-1] != 100 || !slices.IsSorted(prog) {
		t.Fatalf("progress seen: %v", prog)
	}
}
