package jobs_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/local"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

const acctScope = "/subscriptions/s1/resourcegroups/rg1/providers/microsoft.media/mediaservices/acct"

// env is what engines share: one store, one blob store, one key ring.
type env struct {
	t     testing.TB
	Store store.Store
	Blob  blob.Store
	Ring  *keys.Keyring
	log   *logBuffer
}

type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func newEnv(t testing.TB, st store.Store) *env {
	t.Helper()
	if st == nil {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		st = s
	}
	bs, err := local.New(local.Config{Root: filepath.Join(t.TempDir(), "blobs")})
	if err != nil {
		t.Fatal(err)
	}
	kek, err := keys.NewKEK(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := keys.NewKeyring(rand.Reader, kek)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, Store: st, Blob: bs, Ring: ring, log: &logBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("engine log:\n%s", e.log.String())
		}
	})
	return e
}

// engine starts an engine on the environment; it is closed when the test
// ends (a no-op when the test killed it).
func (e *env) engine(node string, enc jobs.Encoder, mutate ...func(*jobs.Engine)) *jobs.Engine {
	e.t.Helper()
	en := &jobs.Engine{
		Store: e.Store, Blob: e.Blob, Sealer: e.Ring, Encoder: enc,
		Log:  slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", node),
		Node: node, ScratchDir: filepath.Join(e.t.TempDir(), "scratch"),
		FFprobe: mediatest.Tool(e.t, "ffprobe"), Poll: 50 * time.Millisecond, ProgressEvery: 50 * time.Millisecond,
		LeaseTTL: 5 * time.Second, RenewEvery: 100 * time.Millisecond,
		// The test encoder ignores presets, so any parsed preset does;
		// TestRealEncoder runs the real parser and encoder.
		ParsePreset: func(string, json.RawMessage) (*encode.Preset, error) { return &encode.Preset{}, nil },
	}
	for _, m := range mutate {
		m(en)
	}
	if err := en.Initialize(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(en.Close)
	return en
}

// asset creates an asset resource and its container, with files.
func (e *env) asset(name string, files map[string][]byte) string {
	e.t.Helper()
	container := "asset-" + strings.ToLower(strings.ReplaceAll(name, "_", "-"))
	if err := e.Blob.CreateContainer(e.t.Context(), container); err != nil {
		e.t.Fatal(err)
	}
	for n, b := range files {
		if err := e.Blob.Write(e.t.Context(), container, n, strings.NewReader(string(b)), int64(len(b)), ""); err != nil {
			e.t.Fatal(err)
		}
	}
	doc, _ := json.Marshal(map[string]string{"assetId": name, "container": container})
	now := time.Now().UTC()
	r := &store.Resource{Kind: store.KindAsset, Scope: acctScope, Name: name, Created: now, Modified: now, Doc: doc}
	if err := e.Store.WithTx(e.t.Context(), func(tx store.Tx) error { return tx.Create(e.t.Context(), r, nil) }); err != nil {
		e.t.Fatal(err)
	}
	return container
}

// transform stores a transform with n outputs (presets are AMS built-ins;
// see engine's ParsePreset).
func (e *env) transform(name string, onError ...defs.OnErrorType) {
	e.t.Helper()
	now := time.Now().UTC()
	p := defs.TransformProperties{Created: defs.NewTime(now), LastModified: defs.NewTime(now)}
	if len(onError) == 0 {
		onError = []defs.OnErrorType{defs.OnErrorStopProcessingJob}
	}
	for _, oe := range onError {
		p.Outputs = append(p.Outputs, defs.TransformOutput{OnError: oe, RelativePriority: defs.PriorityNormal,
			Preset: json.RawMessage(`{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}`)})
	}
	doc, _ := json.Marshal(p)
	r := &store.Resource{Kind: store.KindTransform, Scope: acctScope, Name: name, Created: now, Modified: now, Doc: doc}
	if err := e.Store.WithTx(e.t.Context(), func(tx store.Tx) error { return tx.Create(e.t.Context(), r, nil) }); err != nil {
		e.t.Fatal(err)
	}
}

func jobKey(transform, name string) store.Key {
	return store.Key{Kind: store.KindJob, Scope: acctScope + "/transforms/" + strings.ToLower(transform), Name: name}
}

// submit stores and queues a job as the API does: state Queued, outputs
// Queued at 0 %, HTTP inputs with query strings sealed.
func (e *env) submit(transform, name string, in defs.JobInput, outputs ...string) store.Key {
	e.t.Helper()
	now := time.Now().UTC()
	zero := int32(0)
	p := defs.JobProperties{Created: defs.NewTime(now), LastModified: defs.NewTime(now), State: defs.JobStateQueued, Priority: defs.PriorityNormal}
	for i, o := range outputs {
		p.Outputs = append(p.Outputs, defs.JobOutput{ODataType: defs.ODataTypeJobOutputAsset, AssetName: o, Label: "AdaptiveStreaming_" + strconv.Itoa(i), State: defs.JobStateQueued, Progress: &zero})
	}
	k := jobKey(transform, name)
	r := &store.Resource{Kind: store.KindJob, Scope: k.Scope, Name: name, Created: now, Modified: now}
	if in.HasSecretURLs() {
		sec, _ := json.Marshal(defs.JobSecret{Input: &in})
		var err error
		if r.Secret, err = e.Ring.Seal(sec, []byte(store.ResourceAAD(r.Kind, r.Scope, r.Name))); err != nil {
			e.t.Fatal(err)
		}
		in = in.RedactURLs()
	}
	p.Input = &in
	r.Doc, _ = json.Marshal(p)
	err := e.Store.WithTx(e.t.Context(), func(tx store.Tx) error {
		if err := tx.Create(e.t.Context(), r, nil); err != nil {
			return err
		}
		return tx.EnqueueJob(e.t.Context(), store.QueuedJob{Scope: k.Scope, Name: name, Priority: store.PriorityNormal, Created: now})
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return k
}

// cancel does what cancelJob does, on a running job.
func (e *env) cancel(k store.Key) {
	e.t.Helper()
	var state defs.JobState
	err := e.Store.WithTx(e.t.Context(), func(tx store.Tx) (err error) {
		state, err = jobs.CancelTx(e.t.Context(), tx, k, time.Now(), nil)
		return err
	})
	if err != nil || state != defs.JobStateCanceling {
		e.t.Fatalf("cancel %s: %s, %v", k.Name, state, err)
	}
}

func (e *env) job(k store.Key) defs.JobProperties {
	e.t.Helper()
	r, err := e.Store.Get(e.t.Context(), k)
	if err != nil {
		e.t.Fatal(err)
	}
	var d defs.JobProperties
	if err := json.Unmarshal(r.Doc, &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// waitFor polls the job until cond holds, returning every distinct
// document seen. It relies on the test's own deadline rather than a
// timer of its own.
func (e *env) waitFor(k store.Key, what string, cond func(defs.JobProperties) bool) []defs.JobProperties {
	e.t.Helper()
	var seen []defs.JobProperties
	last := ""
	for {
		d := e.job(k)
		if b, _ := json.Marshal(d); string(b) != last {
			last = string(b)
			seen = append(seen, d)
		}
		if cond(d) {
			return seen
		}
		if dl, ok := deadline(e.t); ok && time.Until(dl) < 5*time.Second {
			e.t.Fatalf("job %s: never %s; last state %s", k.Name, what, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func final(d defs.JobProperties) bool { return d.State.Final() }

// clip makes a test clip with ffmpeg (cached by the test's temp dir).
func clip(t testing.TB, seconds int) []byte {
	t.Helper()
	dir := t.TempDir()
	p, _ := mediatest.Make(t, dir, "clip.mp4", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration="+strconv.Itoa(seconds),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration="+strconv.Itoa(seconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-b:a", "64k", "-shortest")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ffmpegEncoder is a small real encoder for engine tests that must not
// depend on the preset coverage of package encode: it runs ffmpeg on the
// first input (clip times applied) into <base>_<label>.mp4 plus a
// thumbnail, reporting progress from ffmpeg's -progress output. With
// realtime it reads the input at its native rate (-re), so an encode of an
// N-second clip lasts N seconds, long enough to cancel or kill it midway.
type ffmpegEncoder struct {
	ffmpeg, ffprobe string
	realtime        bool
	failInit        error

	mu   sync.Mutex
	runs map[string]int // BaseName → encodes started
	busy map[string]int // BaseName → encodes running now
	max  int            // most encodes of one BaseName running at once
}

func newFFmpegEncoder(t testing.TB, realtime bool) *ffmpegEncoder {
	return &ffmpegEncoder{ffmpeg: mediatest.Tool(t, "ffmpeg"), ffprobe: mediatest.Tool(t, "ffprobe"), realtime: realtime,
		runs: map[string]int{}, busy: map[string]int{}}
}

func (f *ffmpegEncoder) Initialize() error {
	if f.failInit != nil {
		return f.failInit
	}
	_, err := exec.LookPath(f.ffmpeg)
	return err
}

func (f *ffmpegEncoder) Version() string { return "test-encoder" }

func (f *ffmpegEncoder) Encode(ctx context.Context, in []encode.Input, out encode.Output, progress encode.Progress) (*encode.Result, error) {
	f.mu.Lock()
	f.runs[out.BaseName]++
	f.busy[out.BaseName]++
	f.max = max(f.max, f.busy[out.BaseName])
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.busy[out.BaseName]--
		f.mu.Unlock()
	}()
	src := in[0]
	durOut, err := exec.CommandContext(ctx, f.ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", src.Path).Output()
	if err != nil {
		return nil, &encode.Error{Code: defs.JobErrorContentMalformed, Message: "ffprobe failed", Err: err}
	}
	secs, _ := strconv.ParseFloat(strings.TrimSpace(string(durOut)), 64)
	if src.End > 0 {
		secs = min(secs, src.End.Seconds())
	}
	secs -= src.Start.Seconds()
	name := out.BaseName + "_" + out.Label + ".mp4"
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-y"}
	if f.realtime {
		args = append(args, "-re")
	}
	if src.Start > 0 {
		args = append(args, "-ss", fmt.Sprint(src.Start.Seconds()))
	}
	if src.End > 0 {
		args = append(args, "-to", fmt.Sprint(src.End.Seconds()))
	}
	args = append(args, "-i", src.Path, "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-b:a", "64k",
		"-progress", "pipe:1", filepath.Join(out.Dir, name),
		"-frames:v", "1", "-update", "1", filepath.Join(out.Dir, out.BaseName+"_000001.png"))
	cmd := exec.CommandContext(ctx, f.ffmpeg, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "out_time_us="); ok && secs > 0 {
			us, _ := strconv.ParseFloat(v, 64)
			progress(int(us / 1e6 / secs * 100))
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &encode.Error{Code: defs.JobErrorContentMalformed, Message: "ffmpeg failed: " + stderr.String(), Err: err}
	}
	progress(100)
	return &encode.Result{Files: []string{out.BaseName + "_000001.png", name}}, nil
}

// deadline is the test's deadline; benchmarks have none.
func deadline(tb testing.TB) (time.Time, bool) {
	if d, ok := tb.(interface{ Deadline() (time.Time, bool) }); ok {
		return d.Deadline()
	}
	return time.Time{}, false
}
