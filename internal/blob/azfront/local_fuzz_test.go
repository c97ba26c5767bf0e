package azfront_test

import (
	"bytes" //nolint:gosec // Azure's Content-MD5
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

// FuzzHandler throws arbitrary methods, paths, queries, headers and bodies
// at an authenticated handler: any answer is fine except a panic or an
// internal error.
func FuzzHandler(f *testing.F) {
	f.Add("PUT", "media/a", "", "x-ms-blob-type", "BlockBlob", []byte("x"))
	f.Add("PUT", "media/a", "comp=block&blockid=QUFB", "Content-MD5", "AAAA", []byte("x"))
	f.Add("PUT", "media/a", "comp=blocklist", "", "", []byte("<BlockList><Latest>QUFB</Latest></BlockList>"))
	f.Add("GET", "media/a", "", "x-ms-range", "bytes=0-", []byte(nil))
	f.Add("GET", "media", "restype=container&comp=list&prefix=a&delimiter=/&marker=a&maxresults=1", "", "", []byte(nil))
	f.Add("DELETE", "media/a", "", "If-Match", "*", []byte(nil))
	f.Add("HEAD", "media/..%2Fx", "", "Range", "bytes=9999999999999999999-", []byte(nil))
	f.Fuzz(func(t *testing.T, method, rawPath, query, hk, hv string, body []byte) {
		fx := newFixture(t, azfront.Options{MaxPutBlobBytes: 1 << 16, MaxBlockBytes: 1 << 16}, blob.PermReadWriteDelete)
		u, err := url.Parse("http://blob.test/blob/" + rawPath)
		if err != nil || !validMethod(method) {
			return
		}
		u.RawQuery = fx.sas.Encode() + "&" + query
		r, err := http.NewRequest(method, u.String(), bytes.NewReader(body))
		if err != nil {
			return
		}
		if hk != "" && validHeader(hk, hv) {
			r.Header.Set(hk, hv)
		}
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %s?%s (%s: %s): %d %s", method, rawPath, query, hk, hv, w.Code, w.Body.String())
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "HEAD", "PUT", "DELETE", "POST":
		return true
	}
	return false
}

func validHeader(k, v string) bool {
	for _, c := range k {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return !strings.ContainsAny(v, "\r\n\x00")
}
