package core

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// selfTransport answers key delivery's OpenID Connect fetches of the
// node's own playback STS in-process, and passes every other fetch to next.
//
// Why: a content key policy that trusts Lockstream's own STS names
// <issuer>/.well-known/openid-configuration. Fetching that over the network
// would make key delivery depend on the node reaching its own listener —
// plain http:// on the default (development) setup, which discovery
// refuses, a self-signed certificate it does not trust with
// --tls-self-signed, and a loopback address an outbound guard must refuse.
// The node is the authority for its own keys, so it asks itself without a
// socket. Every other URL keeps the strict rule: https only, unless the
// operator allowed http discovery.
type selfTransport struct {
	prefixes  []string // own STS issuer URLs, without trailing slash
	handler   http.Handler
	next      http.RoundTripper
	allowHTTP bool
}

// own reports whether u is the own STS's issuer or below it.
func (t *selfTransport) own(u string) (rest string, ok bool) {
	for _, p := range t.prefixes {
		if r, found := strings.CutPrefix(u, p); found && (r == "" || strings.HasPrefix(r, "/")) {
			return r, true
		}
	}
	return "", false
}

func (t *selfTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.RawQuery, u.Fragment = "", ""
	if rest, ok := t.own(u.String()); ok && t.handler != nil {
		return t.serveLocal(req, rest)
	}
	if req.URL.Scheme != "https" && !t.allowHTTP {
		// The policy evaluator admits http:// so that the own STS works on
		// a plain-HTTP node; for everyone else https stays required,
		// redirects included (each hop comes through here).
		return nil, fmt.Errorf("URL scheme %s not allowed (only https, or --keydelivery-allow-http-discovery)", req.URL.Scheme)
	}
	return t.next.RoundTrip(req)
}

// serveLocal runs the STS handler for path rest (below the issuer) and
// returns its answer as a response.
func (t *selfTransport) serveLocal(req *http.Request, rest string) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return nil, errors.New("own STS: only GET is served in-process")
	}
	in := req.Clone(req.Context())
	in.URL.Path, in.URL.RawPath = rest, ""
	in.RequestURI = ""
	rec := &recorder{header: http.Header{}}
	t.handler.ServeHTTP(rec, in)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", rec.status, http.StatusText(rec.status)),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()),
		Request:       req,
	}, nil
}

// recorder is the response writer of an in-process request.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
