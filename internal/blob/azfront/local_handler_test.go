package azfront_test

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"hash/crc64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/local"
)

// testKey signs the local store's URLs in these tests, which run the
// local backend (a real file system) through the front.
var testKey = []byte("0123456789abcdef0123456789abcdef-test-only")

// fixture is a store with one container, its handler, and a signed query.
type fixture struct {
	t    *testing.T
	root string
	st   *local.Store
	h    http.Handler
	c    string
	sas  url.Values
}

func newFixture(t *testing.T, opts azfront.Options, perm blob.Permission) *fixture {
	t.Helper()
	root := t.TempDir()
	st, err := local.New(local.Config{Root: root, PublicBaseURL: "http://blob.test", SigningKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{t: t, root: root, st: st, h: local.NewBlobHandler(st, opts), c: "media"}
	if err := st.CreateContainer(context.Background(), f.c); err != nil {
		t.Fatal(err)
	}
	f.sas = f.signed(perm, time.Now().Add(time.Hour))
	return f
}

func (f *fixture) signed(perm blob.Permission, exp time.Time) url.Values {
	f.t.Helper()
	u, err := f.st.SignedContainerURL(context.Background(), f.c, perm, exp)
	if err != nil {
		f.t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		f.t.Fatal(err)
	}
	if pu.Path != "/blob/"+f.c || pu.Host != "blob.test" {
		f.t.Fatalf("signed URL %q has the wrong shape", u)
	}
	return pu.Query()
}

// do sends a request straight to the handler. rawPath is the escaped path
// after /blob/; extra is added to the signed query.
func (f *fixture) do(method, rawPath, extra string, hdr map[string]string, body []byte) *httptest.ResponseRecorder {
	f.t.Helper()
	q := f.sas.Encode()
	if extra != "" {
		q += "&" + extra
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(method, "http://blob.test/blob/"+rawPath+"?"+q, rd)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	if body == nil && method == http.MethodPut {
		r.ContentLength = 0
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// wantError checks status, x-ms-error-code, the XML body and the standard
// headers of an error response.
func wantError(t *testing.T, w *httptest.ResponseRecorder, method string, status int, code string) {
	t.Helper()
	if w.Code != status || w.Header().Get("x-ms-error-code") != code {
		t.Fatalf("got %d %q (%s); want %d %q", w.Code, w.Header().Get("x-ms-error-code"), w.Body.String(), status, code)
	}
	if w.Header().Get("x-ms-request-id") == "" || w.Header().Get("x-ms-version") != azfront.SignedVersion {
		t.Errorf("missing x-ms-request-id or x-ms-version: %v", w.Header())
	}
	if method == http.MethodHead || status == http.StatusNotModified {
		if w.Body.Len() != 0 {
			t.Errorf("%s error has a body", method)
		}
		return
	}
	var e struct {
		XMLName xml.Name `xml:"Error"`
		Code    string   `xml:"Code"`
		Message string   `xml:"Message"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != code || e.Message == "" {
		t.Errorf("error body %q: %v", w.Body.String(), err)
	}
}

func putHeaders(extra map[string]string) map[string]string {
	h := map[string]string{"x-ms-blob-type": "BlockBlob"}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

func tmpEntries(t *testing.T, root string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, ".lockstream", "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestHandlerAuth(t *testing.T) {
	f := newFixture(t, azfront.Options{}, blob.PermRead)
	// No signature at all.
	r := httptest.NewRequest(http.MethodGet, "http://blob.test/blob/media/x", nil)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	wantError(t, w, http.MethodGet, http.StatusForbidden, "AuthenticationFailed")
	// Signature for another container.
	other := newFixture(t, azfront.Options{}, blob.PermRead)
	other.c = "other"
	if err := other.st.CreateContainer(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	q := f.sas.Encode()
	r = httptest.NewRequest(http.MethodGet, "http://blob.test/blob/other/x?"+q, nil)
	w = httptest.NewRecorder()
	other.h.ServeHTTP(w, r)
	wantError(t, w, http.MethodGet, http.StatusForbidden, "AuthenticationFailed")
	// Expired, judged by the store's clock.
	exp := f.signed(blob.PermRead, time.Now().Add(-time.Second))
	r = httptest.NewRequest(http.MethodGet, "http://blob.test/blob/media/x?"+exp.Encode(), nil)
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	wantError(t, w, http.MethodGet, http.StatusForbidden, "AuthenticationFailed")
	// Read permission does not allow writing.
	w = f.do(http.MethodPut, "media/x", "", putHeaders(nil), []byte("x"))
	wantError(t, w, http.MethodPut, http.StatusForbidden, "AuthorizationPermissionMismatch")
	// HEAD errors carry the code in the header only.
	w = f.do(http.MethodHead, "media/missing", "", nil, nil)
	wantError(t, w, http.MethodHead, http.StatusNotFound, "BlobNotFound")
}

func TestHandlerNamesCannotEscape(t *testing.T) {
	f := newFixture(t, azfront.Options{}, blob.PermReadWriteDelete)
	if err := os.WriteFile(filepath.Join(f.root, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"media/..%2Fsecret", "media/..%2F..%2Fetc%2Fpasswd", "media/a%2F..%2F..%2Fsecret", "media/%2Fetc%2Fpasswd",
		"media/a%5C..%5Csecret", "media/a%00b", "media/a%2F%2Fb", "media/.", "media/..",
	} {
		w := f.do(http.MethodGet, p, "", nil, nil)
		wantError(t, w, http.MethodGet, http.StatusBadRequest, "InvalidResourceName")
		w = f.do(http.MethodPut, p, "", putHeaders(nil), []byte("pwned"))
		wantError(t, w, http.MethodPut, http.StatusBadRequest, "InvalidResourceName")
	}
	if b, _ := os.ReadFile(filepath.Join(f.root, "secret")); string(b) != "secret" {
		t.Fatal("a file outside the container was modified")
	}
	// The private area is not a container.
	w := f.do(http.MethodGet, ".lockstream/tmp", "", nil, nil)
	wantError(t, w, http.MethodGet, http.StatusForbidden, "AuthenticationFailed")
}

func TestHandlerPutBlobVerifiesDigests(t *testing.T) {
	f := newFixture(t, azfront.Options{}, blob.PermReadWrite)
	body := []byte("media segment bytes")
	sum := md5.Sum(body)            //nolint:gosec // test
	bad := md5.Sum([]byte("other")) //nolint:gosec // test

	for name, hdr := range map[string]map[string]string{
		"Content-MD5":           {"Content-MD5": base64.StdEncoding.EncodeToString(bad[:])},
		"x-ms-blob-content-md5": {"x-ms-blob-content-md5": base64.StdEncoding.EncodeToString(bad[:])},
	} {
		w := f.do(http.MethodPut, "media/seg.m4s", "", putHeaders(hdr), body)
		wantError(t, w, http.MethodPut, http.StatusBadRequest, "Md5Mismatch")
		if _, err := f.st.Stat(context.Background(), f.c, "seg.m4s"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("%s mismatch left a blob: %v", name, err)
		}
	}
	var crc [8]byte
	binary.LittleEndian.PutUint64(crc[:], crc64.Checksum(body, crc64.MakeTable(0x9A6C9329AC4BC9B5))+1)
	w := f.do(http.MethodPut, "media/seg.m4s", "", putHeaders(map[string]string{"x-ms-content-crc64": base64.StdEncoding.EncodeToString(crc[:])}), body)
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "Crc64Mismatch")
	w = f.do(http.MethodPut, "media/seg.m4s", "", putHeaders(map[string]string{"Content-MD5": "not base64"}), body)
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "InvalidMd5")
	if n := tmpEntries(t, f.root); n != 0 {
		t.Errorf("%d temp files left after refused uploads", n)
	}

	binary.LittleEndian.PutUint64(crc[:], crc64.Checksum(body, crc64.MakeTable(0x9A6C9329AC4BC9B5)))
	w = f.do(http.MethodPut, "media/seg.m4s", "", putHeaders(map[string]string{
		"Content-MD5":        base64.StdEncoding.EncodeToString(sum[:]),
		"x-ms-content-crc64": base64.StdEncoding.EncodeToString(crc[:]),
		"Content-Type":       "application/octet-stream",
	}), body)
	if w.Code != http.StatusCreated || w.Header().Get("ETag") == "" || w.Header().Get("Last-Modified") == "" ||
		w.Header().Get("Content-MD5") != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Fatalf("good upload: %d %v %s", w.Code, w.Header(), w.Body.String())
	}
	// No sidecar content type given: Content-Type of the request is used.
	info, err := f.st.Stat(context.Background(), f.c, "seg.m4s")
	if err != nil || info.ContentType != "application/octet-stream" || info.ETag != w.Header().Get("ETag") {
		t.Errorf("Stat = %+v, %v", info, err)
	}
}

func TestHandlerRangesAndConditions(t *testing.T) {
	f := newFixture(t, azfront.Options{}, blob.PermReadWrite)
	if err := f.st.Write(context.Background(), f.c, "v/index.m3u8", strings.NewReader("0123456789"), 10, ""); err != nil {
		t.Fatal(err)
	}
	// A valid signature for a container that does not exist.
	gone := *f
	gone.c = "gone"
	gone.sas = gone.signed(blob.PermRead, time.Now().Add(time.Hour))
	w := gone.do(http.MethodGet, "gone/v/index.m3u8", "", nil, nil)
	wantError(t, w, http.MethodGet, http.StatusNotFound, "ContainerNotFound")

	w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"Range": "bytes=2-4", "x-ms-range-get-content-md5": "true"}, nil)
	sum := md5.Sum([]byte("234")) //nolint:gosec // test
	if w.Code != http.StatusPartialContent || w.Body.String() != "234" || w.Header().Get("Content-Range") != "bytes 2-4/10" ||
		w.Header().Get("Content-MD5") != base64.StdEncoding.EncodeToString(sum[:]) || w.Header().Get("Content-Length") != "3" {
		t.Errorf("ranged GET: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"x-ms-range": "bytes=7-", "Range": "bytes=0-0"}, nil)
	if w.Code != http.StatusPartialContent || w.Body.String() != "789" {
		t.Errorf("x-ms-range must win over Range: %d %q", w.Code, w.Body.String())
	}
	w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"x-ms-range": "bytes=10-"}, nil)
	wantError(t, w, http.MethodGet, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"x-ms-range": "bytes=5-2"}, nil)
	wantError(t, w, http.MethodGet, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	for _, bad := range []string{"bytes=abc", "items=0-1", "bytes=-5", "bytes=0-1,3-4"} {
		w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"x-ms-range": bad}, nil)
		wantError(t, w, http.MethodGet, http.StatusBadRequest, "InvalidHeaderValue")
	}

	w = f.do(http.MethodHead, "media/v/index.m3u8", "", nil, nil)
	etag := w.Header().Get("ETag")
	if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "10" || etag == "" ||
		w.Header().Get("Content-Type") != "application/octet-stream" || w.Header().Get("x-ms-blob-type") != "BlockBlob" {
		t.Errorf("HEAD: %d %v", w.Code, w.Header())
	}
	w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"If-None-Match": etag}, nil)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match GET: %d", w.Code)
	}
	w = f.do(http.MethodGet, "media/v/index.m3u8", "", map[string]string{"If-Match": `"0xBAD"`}, nil)
	wantError(t, w, http.MethodGet, http.StatusPreconditionFailed, "ConditionNotMet")
	w = f.do(http.MethodPut, "media/v/index.m3u8", "", putHeaders(map[string]string{"If-None-Match": "*"}), []byte("new"))
	wantError(t, w, http.MethodPut, http.StatusConflict, "BlobAlreadyExists")
	w = f.do(http.MethodPut, "media/v/index.m3u8", "", putHeaders(map[string]string{"If-Match": etag}), []byte("new"))
	if w.Code != http.StatusCreated {
		t.Errorf("PUT If-Match current: %d %s", w.Code, w.Body.String())
	}
	w = f.do(http.MethodPut, "media/v/index.m3u8", "", putHeaders(map[string]string{"If-Match": etag}), []byte("newer"))
	wantError(t, w, http.MethodPut, http.StatusPreconditionFailed, "ConditionNotMet")

	// Delete needs the d permission; a missing blob is 404 over HTTP.
	w = f.do(http.MethodDelete, "media/v/index.m3u8", "", nil, nil)
	wantError(t, w, http.MethodDelete, http.StatusForbidden, "AuthorizationPermissionMismatch")
	f.sas = f.signed(blob.PermReadWriteDelete, time.Now().Add(time.Hour))
	if w = f.do(http.MethodDelete, "media/v/index.m3u8", "", nil, nil); w.Code != http.StatusAccepted {
		t.Errorf("DELETE: %d", w.Code)
	}
	w = f.do(http.MethodDelete, "media/v/index.m3u8", "", nil, nil)
	wantError(t, w, http.MethodDelete, http.StatusNotFound, "BlobNotFound")

	for _, tc := range []struct{ method, path, query string }{
		{http.MethodPost, "media/x", ""},
		{http.MethodGet, "media/x", "comp=metadata"},
		{http.MethodPut, "media", "restype=container"},
		{http.MethodGet, "media", ""},
	} {
		w = f.do(tc.method, tc.path, tc.query, nil, nil)
		if w.Code < 400 || w.Code >= 500 || w.Header().Get("x-ms-error-code") == "" {
			t.Errorf("%s %s?%s: %d; want a 4xx Azure error", tc.method, tc.path, tc.query, w.Code)
		}
	}
}

func TestListBlobsXML(t *testing.T) {
	f := newFixture(t, azfront.Options{}, blob.PermRead)
	for _, n := range []string{"a/1", "a/2", "b", "c/d/e"} {
		if err := f.st.Write(context.Background(), f.c, n, strings.NewReader(n), -1, "text/plain"); err != nil {
			t.Fatal(err)
		}
	}
	var res struct {
		Blobs []struct {
			Name string `xml:"Name"`
		} `xml:"Blobs>Blob"`
		Prefixes []struct {
			Name string `xml:"Name"`
		} `xml:"Blobs>BlobPrefix"`
		NextMarker string `xml:"NextMarker"`
	}
	w := f.do(http.MethodGet, "media", "restype=container&comp=list&delimiter=%2F", nil, nil)
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != http.StatusOK {
		t.Fatalf("list: %d %v %s", w.Code, err, w.Body.String())
	}
	if len(res.Blobs) != 1 || res.Blobs[0].Name != "b" || len(res.Prefixes) != 2 || res.Prefixes[0].Name != "a/" || res.Prefixes[1].Name != "c/" {
		t.Errorf("hierarchical list = %+v", res)
	}
	w = f.do(http.MethodGet, "media", "restype=container&comp=list&maxresults=0", nil, nil)
	wantError(t, w, http.MethodGet, http.StatusBadRequest, "OutOfRangeQueryParameterValue")
	w = f.do(http.MethodHead, "media", "restype=container", nil, nil)
	if w.Code != http.StatusOK || w.Header().Get("ETag") == "" {
		t.Errorf("container properties: %d %v", w.Code, w.Header())
	}
}
