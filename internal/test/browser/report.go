package browser

import (
	"fmt"
	"strings"
)

// Report is play.mjs's account of one run (browser-testing.md §4).
type Report struct {
	Pass bool `json:"pass"`
	// Outcome is "pass", "fatal-error" (stopped 1.5 s after the first
	// fatal player error), "timeout", "ended-before-target",
	// "no-video-frames" (time advanced, nothing decoded) or
	// "harness-error".
	Outcome       string  `json:"outcome"`
	HarnessError  string  `json:"harnessError"`
	Player        string  `json:"player"`
	PlayerVersion string  `json:"playerVersion"`
	URL           string  `json:"url"`
	TargetSeconds float64 `json:"targetSeconds"`
	PlayedSeconds float64 `json:"playedSeconds"` // video.currentTime at the end

	TotalVideoFrames   int  `json:"totalVideoFrames"`
	DroppedVideoFrames int  `json:"droppedVideoFrames"`
	VideoWidth         int  `json:"videoWidth"`
	VideoHeight        int  `json:"videoHeight"`
	ReadyState         int  `json:"readyState"`
	Ended              bool `json:"ended"`

	Variant          *Variant `json:"variant"`
	KeySystem        string   `json:"keySystem"` // "org.w3.clearkey", "AES-128" (hls.js), ""
	LicenseServerURI string   `json:"licenseServerUri"`

	// Events counts the video element's events ("playing", "encrypted",
	// "waitingforkey", "error", …).
	Events map[string]int `json:"events"`
	// Errors are the player's errors, equal ones merged with a Count.
	Errors []PlayerError `json:"errors"`
	// FatalKinds are the Kinds of the fatal Errors.
	FatalKinds []string `json:"fatalKinds"`

	LicenseRequests     []Request `json:"licenseRequests"`
	LicenseRequestCount int       `json:"licenseRequestCount"`
	KeyRequests         []Request `json:"keyRequests"` // HLS AES-128 / Shaka KEY
	KeyRequestCount     int       `json:"keyRequestCount"`
	RequestCount        int       `json:"requestCount"` // to the server(s) under test
	// HTTPErrors are responses >= 400 and requests that failed outright
	// (Status 0: connection refused, blocked by CORS).
	HTTPErrors []Request `json:"httpErrors"`

	Console        []string `json:"console"` // "type: text" per console line
	Env            Env      `json:"env"`
	Screenshot     string   `json:"screenshot"`
	ElapsedSeconds float64  `json:"elapsedSeconds"`
}

// Variant is the variant playing at the end.
type Variant struct {
	Bandwidth  int    `json:"bandwidth"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Codecs     string `json:"codecs"`
	VideoCodec string `json:"videoCodec"`
	AudioCodec string `json:"audioCodec"`
	Language   string `json:"language"`
}

// PlayerError is one player error, flattened.
type PlayerError struct {
	Player string `json:"player"` // "shaka", "hlsjs", "video" (the element's MediaError)
	Source string `json:"source"` // "event", "load", "element"
	// Code is Shaka's numeric code ("6007"), hls.js's details
	// ("keyLoadError") or the MediaError code.
	Code     string `json:"code"`
	Name     string `json:"name"`     // "LICENSE_REQUEST_FAILED", "keyLoadError"
	Category string `json:"category"` // Shaka category, hls.js error type
	Severity string `json:"severity"`
	Fatal    bool   `json:"fatal"`
	// Kind is "license", "key", "drm", "network", "manifest", "media" or
	// another category.
	Kind        string `json:"kind"`
	HTTPStatus  int    `json:"httpStatus"`
	RequestType string `json:"requestType"` // "MANIFEST", "SEGMENT", "LICENSE", "KEY", "PLAYLIST"
	URI         string `json:"uri"`
	Message     string `json:"message"`
	Count       int    `json:"count"`
}

// Request is one request the page made to a server under test.
type Request struct {
	URL          string `json:"url"`
	Method       string `json:"method"`
	Status       int    `json:"status"` // 0 when it failed without a response
	ResourceType string `json:"resourceType"`
	Error        string `json:"error"` // Chromium's reason when Status is 0
}

// Env describes the browser.
type Env struct {
	UserAgent       string          `json:"userAgent"`
	BrowserVersion  string          `json:"browserVersion"`
	Executable      string          `json:"executable"`
	IsSecureContext bool            `json:"isSecureContext"`
	MSE             map[string]bool `json:"mse"` // MediaSource.isTypeSupported by codec
	EME             map[string]bool `json:"eme"` // requestMediaKeySystemAccess by key system
}

// HasError reports whether the player reported an error with code (Shaka
// "6007", hls.js "keyLoadError").
func (r Report) HasError(code string) bool {
	for _, e := range r.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

// String summarizes the run on one line.
func (r Report) String() string {
	s := fmt.Sprintf("%s: %s %.2f/%.0f s, %d frames (%d dropped), %dx%d", r.Outcome, r.Player,
		r.PlayedSeconds, r.TargetSeconds, r.TotalVideoFrames, r.DroppedVideoFrames, r.VideoWidth, r.VideoHeight)
	if r.KeySystem != "" {
		s += ", key system " + r.KeySystem
	}
	if r.LicenseRequestCount > 0 {
		s += fmt.Sprintf(", %d license requests", r.LicenseRequestCount)
	}
	if r.KeyRequestCount > 0 {
		s += fmt.Sprintf(", %d key requests", r.KeyRequestCount)
	}
	for _, e := range r.Errors {
		if e.Fatal {
			s += fmt.Sprintf(", fatal %s %s (%s)", e.Code, e.Name, e.Kind)
			if e.HTTPStatus != 0 {
				s += fmt.Sprintf(" HTTP %d", e.HTTPStatus)
			}
			break
		}
	}
	if r.HarnessError != "" {
		s += ", harness: " + r.HarnessError
	}
	return s
}

// Details lists the player errors, failed requests, license/key requests
// and console lines, for a test log.
func (r Report) Details() string {
	var b strings.Builder
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "player error: %s %s %s kind=%s fatal=%v http=%d request=%s uri=%s ×%d: %s\n",
			e.Player, e.Code, e.Name, e.Kind, e.Fatal, e.HTTPStatus, e.RequestType, e.URI, e.Count, e.Message)
	}
	for _, q := range r.LicenseRequests {
		fmt.Fprintf(&b, "license request: %s %s → %d %s\n", q.Method, q.URL, q.Status, q.Error)
	}
	for _, q := range r.KeyRequests {
		fmt.Fprintf(&b, "key request: %s %s → %d %s\n", q.Method, q.URL, q.Status, q.Error)
	}
	for _, q := range r.HTTPErrors {
		fmt.Fprintf(&b, "http error: %s %s → %d %s\n", q.Method, q.URL, q.Status, q.Error)
	}
	for _, c := range r.Console {
		fmt.Fprintf(&b, "console %s\n", c)
	}
	fmt.Fprintf(&b, "events: %v; env: %s secure=%v mse=%v eme=%v; screenshot: %s\n",
		r.Events, r.Env.UserAgent, r.Env.IsSecureContext, r.Env.MSE, r.Env.EME, r.Screenshot)
	return b.String()
}
