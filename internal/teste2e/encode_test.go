package teste2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"

	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/test/browser"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// Names of the encoding scenario's resources.
const (
	encRG        = "enc-rg"
	encAccount   = "encacct"
	encInput     = "mezzanine"
	encClipName  = "e2e-clip.mp4"
	encOutAdapt  = "out-adaptive"
	encOutCustom = "out-custom"
	encPolicy    = "enc-open"
	encCencCK    = "enc-cenc-clearkey"
)

// TestSDKEncode is the AMS encoding workflow through the official SDK, as
// Microsoft's samples run it: a built-in AdaptiveStreaming transform and
// a custom StandardEncoderPreset transform (two H.264 layers, AAC, PNG
// thumbnails, filename patterns), an ffmpeg-generated mezzanine uploaded
// through a container SAS, one job per transform polled to Finished with
// progress that never goes down; then the outputs are checked with ffprobe
// (layers, resolutions, bitrates, aligned keyframes, thumbnails, names),
// published through a clear locator, through Predefined_MultiDrmCencStreaming
// and through cenc with Clear Key, their manifests and segments fetched and,
// with Chromium available, played.
func TestSDKEncode(t *testing.T) {
	mediatest.Require(t)
	h := startServer(t, nil)
	ctx := testCtx(t, 20*time.Minute)
	s := &scenario{h: h, rg: encRG, acct: encAccount}
	acct := s.createAccount(t, ctx, encAccount)
	transforms, err := armmediaservices.NewTransformsClient(h.Sub, h.Cred, h.Options)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := armmediaservices.NewJobsClient(h.Sub, h.Cred, h.Options)
	if err != nil {
		t.Fatal(err)
	}

	// Transforms.
	adaptive := armmediaservices.Transform{Properties: &armmediaservices.TransformProperties{
		Description: to.Ptr("built-in adaptive ladder"),
		Outputs: []*armmediaservices.TransformOutput{{Preset: &armmediaservices.BuiltInStandardEncoderPreset{
			PresetName: to.Ptr(armmediaservices.EncoderNamedPresetAdaptiveStreaming),
		}}},
	}}
	custom := armmediaservices.Transform{Properties: &armmediaservices.TransformProperties{
		Outputs: []*armmediaservices.TransformOutput{{
			OnError:          to.Ptr(armmediaservices.OnErrorTypeStopProcessingJob),
			RelativePriority: to.Ptr(armmediaservices.PriorityNormal),
			Preset: &armmediaservices.StandardEncoderPreset{
				Codecs: []armmediaservices.CodecClassification{
					&armmediaservices.AacAudio{Channels: to.Ptr[int32](2), SamplingRate: to.Ptr[int32](48000), Bitrate: to.Ptr[int32](128000), Profile: to.Ptr(armmediaservices.AacAudioProfileAacLc)},
					&armmediaservices.H264Video{
						KeyFrameInterval: to.Ptr("PT2S"),
						Layers: []*armmediaservices.H264Layer{
							{Bitrate: to.Ptr[int32](1200000), Width: to.Ptr("1280"), Height: to.Ptr("720"), Label: to.Ptr("HD")},
							{Bitrate: to.Ptr[int32](600000), Width: to.Ptr("640"), Height: to.Ptr("360"), Label: to.Ptr("SD")},
						},
					},
					&armmediaservices.PNGImage{
						Start: to.Ptr("25%"), Step: to.Ptr("25%"), Range: to.Ptr("80%"),
						Layers: []*armmediaservices.PNGLayer{{Width: to.Ptr("50%"), Height: to.Ptr("50%")}},
					},
				},
				Formats: []armmediaservices.FormatClassification{
					&armmediaservices.Mp4Format{FilenamePattern: to.Ptr("Video-{Basename}-{Label}-{Bitrate}{Extension}")},
					&armmediaservices.PNGFormat{FilenamePattern: to.Ptr("Thumbnail-{Basename}-{Index}{Extension}")},
				},
			},
		}},
	}}
	for name, tr := range map[string]armmediaservices.Transform{"adaptive": adaptive, "custom": custom} {
		got, err := transforms.CreateOrUpdate(ctx, encRG, encAccount, name, tr, nil)
		if err != nil {
			t.Fatalf("create transform %s: %v", name, err)
		}
		if deref(got.Name) != name || got.Properties == nil || len(got.Properties.Outputs) != 1 || got.Properties.Created == nil {
			t.Fatalf("created transform %s: %+v", name, got)
		}
	}
	pager := transforms.NewListPager(encRG, encAccount, &armmediaservices.TransformsClientListOptions{Filter: to.Ptr("name eq 'custom'")})
	page, err := pager.NextPage(ctx)
	if err != nil || len(page.Value) != 1 || deref(page.Value[0].Name) != "custom" {
		t.Fatalf("list transforms by name: %+v %v", page.Value, err)
	}

	// The mezzanine: 10 s of 1280x720 with audio, uploaded as AMS
	// clients upload.
	dir := t.TempDir()
	clip, _ := mediatest.Make(t, dir, encClipName, "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=10",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=10",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "3M", "-c:a", "aac", "-b:a", "128k", "-shortest")
	s.acct = encAccount
	for _, a := range []string{encInput, encOutAdapt, encOutCustom} {
		if _, err := h.Assets.CreateOrUpdate(ctx, encRG, encAccount, a, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
			t.Fatalf("create asset %s: %v", a, err)
		}
	}
	cc := s.blobClient(t, s.containerSAS(t, ctx, encInput, armmediaservices.AssetContainerPermissionReadWrite))
	f, err := os.Open(clip)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cc.NewBlockBlobClient(encClipName).UploadFile(ctx, f, nil)
	f.Close()
	if err != nil {
		t.Fatalf("upload mezzanine: %v", err)
	}

	// Jobs.
	submit := func(transform, job, out string) {
		t.Helper()
		cctx, status := capture(ctx)
		created, err := jobs.Create(cctx, encRG, encAccount, transform, job, armmediaservices.Job{Properties: &armmediaservices.JobProperties{
			Input:           &armmediaservices.JobInputAsset{AssetName: to.Ptr(encInput), Files: []*string{to.Ptr(encClipName)}},
			Outputs:         []armmediaservices.JobOutputClassification{&armmediaservices.JobOutputAsset{AssetName: to.Ptr(out)}},
			Priority:        to.Ptr(armmediaservices.PriorityHigh),
			CorrelationData: map[string]*string{"tenant": to.Ptr("t1")},
		}}, nil)
		if err != nil {
			t.Fatalf("create job %s: %v", job, err)
		}
		if st := status(); st != 201 {
			t.Errorf("create job status %d, want 201", st)
		}
		if st := deref(created.Properties.State); st != armmediaservices.JobStateQueued && st != armmediaservices.JobStateScheduled && st != armmediaservices.JobStateProcessing {
			t.Errorf("new job state %s", st)
		}
	}
	submit("adaptive", "job-adaptive", encOutAdapt)
	submit("custom", "job-custom", encOutCustom)
	for _, j := range []struct{ transform, name string }{{"adaptive", "job-adaptive"}, {"custom", "job-custom"}} {
		waitJob(t, ctx, jobs, j.transform, j.name)
	}

	// Outputs.
	custOut := download(t, ctx, s, encOutCustom, filepath.Join(dir, "custom"))
	checkCustomOutput(t, custOut)
	adaptOut := download(t, ctx, s, encOutAdapt, filepath.Join(dir, "adaptive"))
	if !slices.ContainsFunc(adaptOut, func(n string) bool { return filepath.Base(n) == "e2e-clip.ism" }) {
		t.Errorf("adaptive output has no e2e-clip.ism: %v", adaptOut)
	}

	// Publishing.
	start, err := h.StreamingEndpoints.BeginStart(ctx, encRG, encAccount, "default", nil)
	if err != nil {
		t.Fatalf("start streaming endpoint: %v", err)
	}
	if _, err := start.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("start streaming endpoint: %v", err)
	}
	p := &playback{h: h}
	publishPolicies(t, ctx, h)
	for name, sp := range map[string]string{"clear": "Predefined_ClearStreamingOnly", "drm": "Predefined_MultiDrmCencStreaming", "ck": encCencCK} {
		loc := armmediaservices.StreamingLocatorProperties{AssetName: to.Ptr(encOutAdapt), StreamingPolicyName: to.Ptr(sp)}
		if name != "clear" {
			loc.DefaultContentKeyPolicyName = to.Ptr(encPolicy)
		}
		if _, err := h.StreamingLocators.Create(ctx, encRG, encAccount, name, armmediaservices.StreamingLocator{Properties: &loc}, nil); err != nil {
			t.Fatalf("create locator %s: %v", name, err)
		}
	}
	origin := "http://" + h.OriginAddr
	if c := h.Core.Conf; c.TLS.Origin && c.TLSEnabled() {
		origin = "https://" + h.OriginAddr
	}
	hls := origin + encPath(t, ctx, h, "clear", armmediaservices.StreamingPolicyStreamingProtocolHls, "format=m3u8-aapl")
	dashClear := origin + encPath(t, ctx, h, "clear", armmediaservices.StreamingPolicyStreamingProtocolDash, "format=mpd-time-csf")
	dashDRM := origin + encPath(t, ctx, h, "drm", armmediaservices.StreamingPolicyStreamingProtocolDash, "format=mpd-time-csf")
	dashCK := origin + encPath(t, ctx, h, "ck", armmediaservices.StreamingPolicyStreamingProtocolDash, "format=mpd-time-csf")
	master := p.get(t, ctx, hls)
	if n := strings.Count(master, "#EXT-X-STREAM-INF"); n < 2 {
		t.Errorf("HLS master has %d variants, want the ladder:\n%s", n, master)
	}
	for _, u := range []string{hls, dashClear} {
		if r := mediatest.Probe(t, u); len(r.Video()) < 2 || len(r.Audio()) < 1 {
			t.Errorf("%s: %d video and %d audio renditions", u, len(r.Video()), len(r.Audio()))
		}
	}
	mpd := p.get(t, ctx, dashDRM)
	for _, sys := range []string{"edef8ba9-79d6-4ace-a3c8-27dcd51d21ed", "9a04f079-9840-4286-ab92-e65be0885f95"} { // Widevine, PlayReady
		if !strings.Contains(strings.ToLower(mpd), sys) {
			t.Errorf("Predefined_MultiDrmCencStreaming MPD does not signal %s", sys)
		}
	}
	ckURL := protect.URLs{Base: h.APIURL, Account: deref(acct.Properties.MediaServiceID)}.ClearKey()
	if m := p.get(t, ctx, dashCK); !strings.Contains(m, ckURL) {
		t.Errorf("cenc Clear Key MPD does not name %s", ckURL)
	}

	t.Run("chromium", func(t *testing.T) {
		browser.Require(t)
		for _, o := range []browser.Options{{Player: browser.HLSJS, URL: hls}, {Player: browser.Shaka, URL: dashClear}} {
			o.Seconds = 8
			if r := browser.Play(t, o); !r.Pass || r.TotalVideoFrames == 0 {
				t.Errorf("%s did not play: %s", o.URL, r)
			}
		}
		wantPlays(t, browser.Options{Player: browser.Shaka, URL: dashCK, ClearKeyLicenseURL: ckURL})
	})
}

// waitJob polls a job to Finished, failing on Error, and checks that
// every output's progress only grows.
func waitJob(t *testing.T, ctx context.Context, jobs *armmediaservices.JobsClient, transform, name string) {
	t.Helper()
	last := map[int]int32{}
	seen := map[armmediaservices.JobState]bool{}
	for {
		j, err := jobs.Get(ctx, encRG, encAccount, transform, name, nil)
		if err != nil {
			t.Fatalf("get job %s: %v", name, err)
		}
		p := j.Properties
		seen[deref(p.State)] = true
		for i, o := range p.Outputs {
			oa := o.GetJobOutput()
			pr := deref(oa.Progress)
			if pr < last[i] {
				t.Fatalf("job %s output %d: progress went from %d to %d", name, i, last[i], pr)
			}
			last[i] = pr
		}
		switch deref(p.State) {
		case armmediaservices.JobStateFinished:
			if deref(p.CorrelationData["tenant"]) != "t1" || p.StartTime == nil || p.EndTime == nil {
				t.Errorf("finished job %s: %+v", name, p)
			}
			if o := p.Outputs[0].GetJobOutput(); deref(o.Progress) != 100 || deref(o.State) != armmediaservices.JobStateFinished {
				t.Errorf("finished job %s output: %+v", name, o)
			}
			t.Logf("job %s: states %v", name, seen)
			return
		case armmediaservices.JobStateError, armmediaservices.JobStateCanceled:
			for _, o := range p.Outputs {
				if e := o.GetJobOutput().Error; e != nil {
					t.Fatalf("job %s: %s: %s %s", name, deref(p.State), deref(e.Code), deref(e.Message))
				}
			}
			t.Fatalf("job %s: %s", name, deref(p.State))
		}
		select {
		case <-ctx.Done():
			t.Fatalf("job %s: %v (last state %s)", name, ctx.Err(), deref(p.State))
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// download copies an asset's blobs into dir and returns their paths.
func download(t *testing.T, ctx context.Context, s *scenario, asset, dir string) []string {
	t.Helper()
	cc := s.blobClient(t, s.containerSAS(t, ctx, asset, armmediaservices.AssetContainerPermissionRead))
	var out []string
	pager := cc.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list %s: %v", asset, err)
		}
		for _, b := range page.Segment.BlobItems {
			name := deref(b.Name)
			dst := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(dst)
			if err != nil {
				t.Fatal(err)
			}
			_, err = cc.NewBlobClient(name).DownloadFile(ctx, f, nil)
			f.Close()
			if err != nil {
				t.Fatalf("download %s/%s: %v", asset, name, err)
			}
			out = append(out, dst)
		}
	}
	if len(out) == 0 {
		t.Fatalf("asset %s is empty", asset)
	}
	return out
}

// checkCustomOutput checks the custom transform's files: names from the
// filename patterns, two H.264 layers at the requested sizes and bitrates
// (±35 %) with the same keyframe times, AAC, three thumbnails.
func checkCustomOutput(t *testing.T, files []string) {
	t.Helper()
	videoRE := regexp.MustCompile(`^Video-e2e-clip-(HD|SD)-(\d+)\.mp4$`)
	thumbRE := regexp.MustCompile(`^Thumbnail-e2e-clip-\d+\.png$`)
	want := map[string][3]int{"HD": {1280, 720, 1200000}, "SD": {640, 360, 600000}}
	var keyframes [][]string
	thumbs, audio := 0, 0
	for _, f := range files {
		base := filepath.Base(f)
		switch m := videoRE.FindStringSubmatch(base); {
		case m != nil:
			w := want[m[1]]
			delete(want, m[1])
			r := mediatest.Probe(t, f)
			v := r.Video()
			if len(v) != 1 || v[0].Codec != "h264" || v[0].Width != w[0] || v[0].Height != w[1] {
				t.Errorf("%s: video %+v, want one h264 %dx%d", base, v, w[0], w[1])
				continue
			}
			if br := v[0].BitRate; br < w[2]*65/100 || br > w[2]*135/100 {
				t.Errorf("%s: %d bit/s, want %d ±35 %%", base, br, w[2])
			}
			audio += len(r.Audio())
			keyframes = append(keyframes, keyframeTimes(t, f))
		case thumbRE.MatchString(base):
			thumbs++
		case strings.HasSuffix(base, ".mp4"):
			audio += len(mediatest.Probe(t, f).Audio())
		case strings.HasSuffix(base, ".ism") || strings.HasSuffix(base, ".ismc") || strings.HasSuffix(base, ".json"):
		default:
			t.Errorf("unexpected output file %s", base)
		}
	}
	if len(want) != 0 {
		t.Errorf("layers missing: %v (files %v)", want, files)
	}
	if audio == 0 {
		t.Errorf("no AAC audio in the output")
	}
	if thumbs != 3 {
		t.Errorf("%d thumbnails, want 3 (25 %%, 50 %%, 75 %%)", thumbs)
	}
	for i := 1; i < len(keyframes); i++ {
		if !slices.Equal(keyframes[i], keyframes[0]) {
			t.Errorf("keyframes differ between layers:\n%v\n%v", keyframes[0], keyframes[i])
		}
	}
}

// keyframeTimes lists a file's video keyframe timestamps.
func keyframeTimes(t *testing.T, path string) []string {
	t.Helper()
	out, err := exec.Command(mediatest.Tool(t, "ffprobe"), "-v", "error", "-select_streams", "v:0", "-skip_frame", "nokey",
		"-show_entries", "frame=pts_time", "-of", "csv=p=0", path).Output()
	if err != nil {
		t.Fatalf("ffprobe keyframes of %s: %v", path, err)
	}
	var ts []string
	for _, l := range strings.Fields(string(out)) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(l, ","), 64)
		if err != nil {
			t.Fatalf("keyframe time %q: %v", l, err)
		}
		ts = append(ts, fmt.Sprintf("%.2f", v))
	}
	if len(ts) < 3 {
		t.Fatalf("%s: %d keyframes in 10 s with a 2 s GOP", path, len(ts))
	}
	return ts
}

// publishPolicies creates an open content key policy with Clear Key,
// Widevine and PlayReady options and a cenc streaming policy signalling
// Clear Key.
func publishPolicies(t *testing.T, ctx context.Context, h *harness) {
	t.Helper()
	open := &armmediaservices.ContentKeyPolicyOpenRestriction{}
	_, err := h.ContentKeyPolicies.CreateOrUpdate(ctx, encRG, encAccount, encPolicy, armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
		Options: []*armmediaservices.ContentKeyPolicyOption{
			{Name: to.Ptr("clearkey"), Configuration: &armmediaservices.ContentKeyPolicyClearKeyConfiguration{}, Restriction: open},
			{Name: to.Ptr("widevine"), Configuration: &armmediaservices.ContentKeyPolicyWidevineConfiguration{WidevineTemplate: to.Ptr(widevineTemplate)}, Restriction: open},
			{Name: to.Ptr("playready"), Configuration: &armmediaservices.ContentKeyPolicyPlayReadyConfiguration{Licenses: []*armmediaservices.ContentKeyPolicyPlayReadyLicense{{
				AllowTestDevices:   to.Ptr(false),
				LicenseType:        to.Ptr(armmediaservices.ContentKeyPolicyPlayReadyLicenseTypeNonPersistent),
				ContentKeyLocation: &armmediaservices.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader{},
				ContentType:        to.Ptr(armmediaservices.ContentKeyPolicyPlayReadyContentTypeUnspecified),
			}}}, Restriction: open},
		},
	}}, nil)
	if err != nil {
		t.Fatalf("create content key policy: %v", err)
	}
	off := to.Ptr(false)
	_, err = h.StreamingPolicies.Create(ctx, encRG, encAccount, encCencCK, armmediaservices.StreamingPolicy{Properties: &armmediaservices.StreamingPolicyProperties{
		CommonEncryptionCenc: &armmediaservices.CommonEncryptionCenc{
			EnabledProtocols:                &armmediaservices.EnabledProtocols{Dash: to.Ptr(true), Hls: off, Download: off, SmoothStreaming: off},
			ClearKeyEncryptionConfiguration: &armmediaservices.ClearKeyEncryptionConfiguration{},
		},
	}}, nil)
	if err != nil {
		t.Fatalf("create streaming policy: %v", err)
	}
}

// encPath returns a locator's listPaths entry of protocol containing substr.
func encPath(t *testing.T, ctx context.Context, h *harness, locator string, protocol armmediaservices.StreamingPolicyStreamingProtocol, substr string) string {
	t.Helper()
	res, err := h.StreamingLocators.ListPaths(ctx, encRG, encAccount, locator, nil)
	if err != nil {
		t.Fatalf("listPaths %s: %v", locator, err)
	}
	for _, sp := range res.StreamingPaths {
		if deref(sp.StreamingProtocol) != protocol {
			continue
		}
		for _, u := range sp.Paths {
			if strings.Contains(deref(u), substr) {
				return deref(u)
			}
		}
	}
	t.Fatalf("listPaths %s has no %s path with %q", locator, protocol, substr)
	return ""
}
