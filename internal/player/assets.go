package player

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

// staticAssets are the files served below Prefix+"/" (index.html is the
// page itself, served at Prefix).
var staticAssets = []string{"player.js", "player.css", "shaka-player.compiled.js", "shaka-player.LICENSE.txt"}

// asset is one response body, with a strong ETag from its content and a
// gzip copy made on first use (Shaka Player shrinks from about 830 KB to
// 250 KB; compressing it only when someone opens the page keeps node
// start-up, and every test that starts one, free of the cost).
type asset struct {
	body        []byte
	contentType string
	etag        string

	gzipOnce sync.Once
	gzipped  []byte // nil when compression did not help or failed
}

func newAsset(body []byte, contentType string) *asset {
	sum := sha256.Sum256(body)
	return &asset{body: body, contentType: contentType, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// mustStatic loads an embedded file. A missing file is a build mistake,
// caught by every test that constructs a Handler.
func mustStatic(name string) *asset {
	b, err := static.ReadFile("static/" + name)
	if err != nil {
		panic("player: embedded asset: " + err.Error())
	}
	ct := mime.TypeByExtension(path.Ext(name))
	switch path.Ext(name) {
	// Fixed rather than taken from the host's MIME tables, which vary.
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".html":
		ct = "text/html; charset=utf-8"
	case ".txt":
		ct = "text/plain; charset=utf-8"
	}
	return newAsset(b, ct)
}

func (a *asset) gzip(log *slog.Logger) []byte {
	a.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err == nil {
			_, err = zw.Write(a.body)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			log.Warn("player: gzip asset", "err", err)
			return
		}
		if buf.Len() < len(a.body) {
			a.gzipped = buf.Bytes()
		}
	})
	return a.gzipped
}

// serve writes the asset. Clients revalidate every time (no-cache): the
// page and Lockstream change together on upgrade, and a 304 costs a
// round trip, not a download.
func (a *asset) serve(w http.ResponseWriter, r *http.Request, log *slog.Logger) {
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Encoding")
	body, etag := a.body, a.etag
	if len(body) > 1024 && acceptsGzip(r) {
		if gz := a.gzip(log); gz != nil {
			// A distinct strong ETag per encoding (RFC 9110 §8.8.3).
			body, etag = gz, strings.TrimSuffix(a.etag, `"`)+`-gzip"`
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (listed without q=0).
func acceptsGzip(r *http.Request) bool {
	for _, e := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(e, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		v, err := strconv.ParseFloat(q, 64)
		return err == nil && v > 0
	}
	return false
}
