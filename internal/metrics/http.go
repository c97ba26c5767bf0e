package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// Middleware counts and times the requests of one listener ("api",
// "origin" or "blob"). Labels come from fixed sets only; at the origin
// the format and scheme are those of the parsed streaming URL.
func (m *Metrics) Middleware(listener string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	inFlight := m.inFlight.WithLabelValues(listener)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		inFlight.Inc()
		defer inFlight.Dec()
		l := classify(listener, r)
		var note *string
		if l.family == "keydelivery" {
			r, note = httpx.WithNote(r)
		}
		sw := &httpx.StatusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		code := sw.Status()
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(listener, l.family, l.kind, l.format, l.scheme, strconv.Itoa(code)).Inc()
		m.duration.WithLabelValues(listener, l.family, l.kind).Observe(time.Since(start).Seconds())
		m.bytesOut.WithLabelValues(listener, l.family, l.kind).Add(float64(sw.Bytes()))
		if note != nil && r.Method != http.MethodOptions {
			m.keyReqs.WithLabelValues(l.kind, keyOutcome(code, *note)).Inc()
		}
	})
}

// Family is the request's route family ("origin", "keydelivery", "sts",
// "management", …), a bounded value for other instrumentation (spans).
func Family(listener string, r *http.Request) string {
	if listener == "origin" {
		return "origin" // without parsing: the metrics parse it for format and scheme
	}
	return classify(listener, r).family
}

// labels are one request's bounded label values.
type labels struct {
	family, kind, format, scheme string
}

// classify maps a request to its labels without ever copying a path
// element into them.
func classify(listener string, r *http.Request) labels {
	p := r.URL.Path
	l := labels{family: "other", kind: "none", format: "none", scheme: "none"}
	switch {
	case p == "/healthz" || p == "/readyz":
		l.family = "health"
	case listener == "blob":
		l.family = "blob"
	case listener == "origin":
		l.family = "origin"
		classifyOrigin(r, &l)
	case strings.HasPrefix(p, "/keydelivery/"):
		l.family, l.kind = "keydelivery", keyRoute(p)
	case strings.HasPrefix(p, "/subscriptions/") || strings.HasPrefix(p, "/providers/"):
		l.family = "management"
	case strings.HasPrefix(p, "/sts/"):
		l.family, l.kind = "sts", tokenKind(p)
	case strings.HasPrefix(p, "/speke/"):
		l.family = "speke"
	case strings.HasPrefix(p, "/player"):
		l.family = "player"
	case strings.HasPrefix(p, "/blob/"):
		l.family = "blob"
	case strings.Contains(p, "/oauth2/") || strings.Contains(p, "/.well-known/") || strings.Contains(p, "/discovery/"):
		l.family, l.kind = "identity", tokenKind(p)
	}
	return l
}

func classifyOrigin(r *http.Request, l *labels) {
	req, err := streamurl.Parse(r.URL.EscapedPath())
	if err != nil {
		l.kind = "invalid"
		return
	}
	l.kind = req.Kind.String()
	if req.Kind == streamurl.KindDownload {
		return
	}
	l.format = req.Format.String()
	if l.format == "" {
		l.format = "smooth" // no format= argument: Smooth Streaming
	}
	if req.Encryption != streamurl.EncNone {
		l.scheme = req.Encryption.String()
	}
}

// tokenKind tells token endpoints (the volume a rate limit watches)
// from discovery and key sets.
func tokenKind(p string) string {
	switch {
	case strings.HasSuffix(p, "/token"):
		return "token"
	case strings.Contains(p, "/.well-known/") || strings.Contains(p, "keys"):
		return "discovery"
	}
	return "other"
}

// keyRoute names the key-delivery endpoint of "/keydelivery/{msid}/…".
func keyRoute(p string) string {
	rest := strings.TrimPrefix(p, "/keydelivery/")
	_, rest, ok := strings.Cut(rest, "/")
	if !ok {
		return "other"
	}
	name, _, _ := strings.Cut(rest, "/")
	switch strings.ToLower(name) {
	case "":
		return "aes"
	case "clearkey":
		return "clearkey"
	case "playready":
		return "playready"
	case "widevine":
		return "widevine"
	case "fairplay":
		return "fairplay"
	}
	return "other"
}

// keyOutcome maps a key request's status (and key delivery's note, for
// what the status does not tell) to its outcome.
func keyOutcome(code int, note string) string {
	if note == httpx.NoteReplayed {
		return "replayed"
	}
	switch {
	case code >= 200 && code < 300:
		return "granted"
	case code == http.StatusUnauthorized:
		return "unauthenticated"
	case code == http.StatusForbidden:
		return "forbidden"
	case code == http.StatusNotFound:
		return "not_found"
	case code == http.StatusTooManyRequests:
		return "rate_limited"
	case code >= 400 && code < 500:
		return "bad_request"
	}
	return "error"
}
