package browser

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Players.
const (
	Shaka = "shaka" // Shaka Player: DASH (ClearKey), HLS, Smooth
	HLSJS = "hlsjs" // hls.js: HLS TS/fMP4, AES-128
)

// Token placements.
const (
	TokenHeader = "header" // Authorization: Bearer <token> (default)
	TokenQuery  = "query"  // ?token=<token>
	TokenNone   = "none"
)

// EnvArtifacts names a directory where Play keeps each run's screenshot
// (named after the test); by default it goes to the test's temp dir.
const EnvArtifacts = "LOCKSTREAM_BROWSER_ARTIFACTS"

// Exit codes of play.mjs.
const (
	exitPlayed    = 0
	exitNotPlayed = 1
	exitHarness   = 2
)

// errHarness marks a failure of the harness itself (bad options, browser
// did not start), as opposed to a stream that did not play.
var errHarness = errors.New("browser: harness failure")

// Options configure one playback run.
type Options struct {
	Player string // Shaka (default) or HLSJS
	URL    string // manifest URL
	// Seconds to play; default 8.
	Seconds float64
	// Timeout for the run to reach Seconds; default Seconds + 30 s.
	Timeout time.Duration
	// ClearKeyLicenseURL is the ClearKey license server (Shaka
	// drm.servers["org.w3.clearkey"]; hls.js drmSystems).
	ClearKeyLicenseURL string
	// Token is sent on license and key requests (all requests with
	// TokenScopeAll), placed by TokenPlacement (default TokenHeader).
	Token          string
	TokenPlacement string
	TokenScopeAll  bool
	// DRM is merged into Shaka's drm configuration (advanced, servers, …).
	DRM map[string]any
	// MaxRetries is the player's retries per request: 0 means the
	// default of 1, negative means none.
	MaxRetries int
	// Screenshot is where the final screenshot goes; default: the test's
	// temp dir, or $LOCKSTREAM_BROWSER_ARTIFACTS.
	Screenshot string
}

// input is play.mjs's JSON input.
type input struct {
	Player             string         `json:"player"`
	URL                string         `json:"url"`
	Seconds            float64        `json:"seconds"`
	TimeoutSeconds     float64        `json:"timeoutSeconds"`
	ClearKeyLicenseURL string         `json:"clearKeyLicenseUrl,omitempty"`
	Token              string         `json:"token,omitempty"`
	TokenPlacement     string         `json:"tokenPlacement"`
	TokenScope         string         `json:"tokenScope"`
	DRM                map[string]any `json:"drm,omitempty"`
	MaxRetries         int            `json:"maxRetries"`
	Screenshot         string         `json:"screenshot,omitempty"`
	Chromium           string         `json:"chromium"`
}

func (o Options) input(chromium string) input {
	in := input{
		Player: o.Player, URL: o.URL, Seconds: o.Seconds, ClearKeyLicenseURL: o.ClearKeyLicenseURL,
		Token: o.Token, TokenPlacement: o.TokenPlacement, TokenScope: "keys", DRM: o.DRM,
		MaxRetries: o.MaxRetries, Screenshot: o.Screenshot, Chromium: chromium,
	}
	if in.Player == "" {
		in.Player = Shaka
	}
	if in.Seconds <= 0 {
		in.Seconds = 8
	}
	in.TimeoutSeconds = in.Seconds + 30
	if o.Timeout > 0 {
		in.TimeoutSeconds = o.Timeout.Seconds()
	}
	if in.TokenPlacement == "" {
		in.TokenPlacement = TokenHeader
	}
	if o.TokenScopeAll {
		in.TokenScope = "all"
	}
	switch {
	case in.MaxRetries == 0:
		in.MaxRetries = 1
	case in.MaxRetries < 0:
		in.MaxRetries = 0
	}
	return in
}

// Play plays opts.URL in headless Chromium and returns the report. It
// skips (fails under CI=true) when the harness is not installed, fails the
// test on a harness failure, and logs the report's details when the
// stream did not play; asserting Pass is the caller's job, so a test can
// expect a failure.
func Play(t testing.TB, opts Options) Report {
	t.Helper()
	tl := requireTools(t)
	if opts.Screenshot == "" {
		dir := os.Getenv(EnvArtifacts)
		if dir == "" {
			dir = t.TempDir()
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("browser: %v", err)
		}
		name := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(t.Name(), "_")
		opts.Screenshot = filepath.Join(dir, name+".png")
	}
	in := opts.input(tl.chromium)
	rep, err := run(tl, in)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if !rep.Pass {
		t.Logf("browser: %s did not play: %s\n%s", opts.URL, rep, rep.Details())
	}
	return rep
}

// run executes play.mjs with in. The process gets the script's own timeout
// plus time to start and stop the browser; past that it is sent SIGTERM
// (Playwright then closes Chromium) and killed 10 s later.
func run(tl tools, in input) (Report, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return Report{}, fmt.Errorf("%w: %w", errHarness, err)
	}
	limit := time.Duration(in.TimeoutSeconds*float64(time.Second)) + 90*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, tl.node, tl.script)
	cmd.Dir = tl.root
	cmd.Stdin = bytes.NewReader(b)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	runErr := cmd.Run()
	code := cmd.ProcessState.ExitCode()

	var rep Report
	out := strings.TrimSpace(stdout.String())
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:] // the report is the last line
	}
	parseErr := json.Unmarshal([]byte(out), &rep)
	switch {
	case ctx.Err() != nil:
		return rep, fmt.Errorf("%w: play.mjs ran past %s\nstderr:\n%s", errHarness, limit, tail(stderr.String()))
	case parseErr != nil:
		return rep, fmt.Errorf("%w: play.mjs exit %d (%v), no report: %v\nstdout:\n%s\nstderr:\n%s",
			errHarness, code, runErr, parseErr, tail(stdout.String()), tail(stderr.String()))
	case code == exitHarness || rep.Outcome == "harness-error":
		return rep, fmt.Errorf("%w: %s\nstderr:\n%s\n%s", errHarness, rep.HarnessError, tail(stderr.String()), rep.Details())
	case code != exitPlayed && code != exitNotPlayed:
		return rep, fmt.Errorf("%w: play.mjs exit %d (%v)\nstderr:\n%s", errHarness, code, runErr, tail(stderr.String()))
	case (code == exitPlayed) != rep.Pass:
		return rep, fmt.Errorf("%w: play.mjs exit %d but pass=%v", errHarness, code, rep.Pass)
	}
	return rep, nil
}

func tail(s string) string {
	const n = 4000
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
