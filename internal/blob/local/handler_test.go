package local_test

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
	"github.com/lockstream/lockstream/internal/blob/local"
)

// fixture is a store with one container, its handler, and a signed query.
type fixture struct {
	t    *testing.T
	root string
	st   *local.Store
	h    http.Handler
	c    string
	sas  url.Values
}

func newFixture(t *testing.T, opts local.HandlerOptions, perm blob.Permission) *fixture {
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
	if w.Header().Get("x-ms-request-id") == "" || w.Header().Get("x-ms-version") != local.SignedVersion {
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
	f := newFixture(t, local.HandlerOptions{}, blob.PermRead)
	// No signature at all.
	r := httptest.NewRequest(http.MethodGet, "http://blob.test/blob/media/x", nil)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	wantError(t, w, http.MethodGet, http.StatusForbidden, "AuthenticationFailed")
	// Signature for another container.
	other := newFixture(t, local.HandlerOptions{}, blob.PermRead)
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
	f := newFixture(t, local.HandlerOptions{}, blob.PermReadWriteDelete)
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
	f := newFixture(t, local.HandlerOptions{}, blob.PermReadWrite)
	body := []byte("media segment bytes")
	sum := md5.Sum(body) //nolint:gosec // test
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

func TestHandlerRequestLimits(t *testing.T) {
	f := newFixture(t, local.HandlerOptions{MaxPutBlobBytes: 10, MaxBlockBytes: 10, MaxUncommittedBlocks: 2, MaxBlockListBlocks: 2}, blob.PermReadWrite)
	w := f.do(http.MethodPut, "media/big", "", putHeaders(nil), bytes.Repeat([]byte("x"), 11))
	wantError(t, w, http.MethodPut, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge")

	// Chunked bodies have no Content-Length.
	r := httptest.NewRequest(http.MethodPut, "http://blob.test/blob/media/chunked?"+f.sas.Encode(), strings.NewReader("abc"))
	r.Header.Set("x-ms-blob-type", "BlockBlob")
	r.ContentLength = -1
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	wantError(t, rec, http.MethodPut, http.StatusLengthRequired, "MissingContentLengthHeader")

	// A body shorter than its Content-Length leaves nothing behind.
	r = httptest.NewRequest(http.MethodPut, "http://blob.test/blob/media/short?"+f.sas.Encode(), strings.NewReader("abc"))
	r.Header.Set("x-ms-blob-type", "BlockBlob")
	r.ContentLength = 8
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	wantError(t, rec, http.MethodPut, http.StatusBadRequest, "InvalidInput")
	if _, err := f.st.Stat(context.Background(), f.c, "short"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("short body left a blob: %v", err)
	}

	w = f.do(http.MethodPut, "media/x", "", map[string]string{}, []byte("x"))
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "MissingRequiredHeader")
	w = f.do(http.MethodPut, "media/x", "", map[string]string{"x-ms-blob-type": "PageBlob"}, []byte("x"))
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "InvalidHeaderValue")

	id := func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(s))) }
	for _, b := range []string{"b1", "b2"} {
		if w := f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+id(b), nil, []byte(b)); w.Code != http.StatusCreated {
			t.Fatalf("Put Block %s: %d %s", b, w.Code, w.Body.String())
		}
	}
	// Re-staging an existing id does not count as a new block.
	if w := f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+id("b2"), nil, []byte("B2")); w.Code != http.StatusCreated {
		t.Fatalf("re-stage: %d %s", w.Code, w.Body.String())
	}
	w = f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+id("b3"), nil, []byte("b3"))
	wantError(t, w, http.MethodPut, http.StatusConflict, "BlockCountExceedsLimit")
	w = f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+id("big"), nil, bytes.Repeat([]byte("x"), 11))
	wantError(t, w, http.MethodPut, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge")
	for _, bad := range []string{"", "not%20base64!", url.QueryEscape(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), 65)))} {
		w = f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+bad, nil, []byte("x"))
		wantError(t, w, http.MethodPut, http.StatusBadRequest, "InvalidQueryParameterValue")
	}

	list := func(ids ...string) []byte {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><BlockList>`)
		for _, i := range ids {
			b.WriteString("<Latest>" + base64.StdEncoding.EncodeToString([]byte(i)) + "</Latest>")
		}
		b.WriteString("</BlockList>")
		return []byte(b.String())
	}
	w = f.do(http.MethodPut, "media/blocks", "comp=blocklist", nil, list("b1", "b2", "b1"))
	wantError(t, w, http.MethodPut, http.StatusConflict, "BlockCountExceedsLimit")
	for _, body := range []string{"<BlockList>", "not xml", "<BlockList><Latest><x/></Latest></BlockList>", `<!DOCTYPE x><BlockList/>`} {
		w = f.do(http.MethodPut, "media/blocks", "comp=blocklist", nil, []byte(body))
		wantError(t, w, http.MethodPut, http.StatusBadRequest, "InvalidXmlDocument")
	}
	bad := md5.Sum([]byte("x")) //nolint:gosec // test
	w = f.do(http.MethodPut, "media/blocks", "comp=blocklist", map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(bad[:])}, list("b1", "b2"))
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "Md5Mismatch")
	w = f.do(http.MethodPut, "media/blocks", "comp=blocklist", map[string]string{"x-ms-blob-content-type": "video/mp4"}, list("b1", "b2"))
	if w.Code != http.StatusCreated {
		t.Fatalf("Put Block List: %d %s", w.Code, w.Body.String())
	}
	rc, err := f.st.ReadRange(context.Background(), f.c, "blocks", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(got) != "b1B2" {
		t.Errorf("committed content %q; want b1B2", got)
	}
	if n := tmpEntries(t, f.root); n != 0 {
		t.Errorf("%d temp files left", n)
	}
}

func TestHandlerRangesAndConditions(t *testing.T) {
	f := newFixture(t, local.HandlerOptions{}, blob.PermReadWrite)
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
	f := newFixture(t, local.HandlerOptions{}, blob.PermRead)
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

func TestStoreDetails(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	now := time.Now()
	st, err := local.New(local.Config{Root: root, SigningKey: testKey, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err := st.CreateContainer(ctx, "media"); err != nil {
		t.Fatal(err)
	}

	// Names that cannot coexist on a file system.
	if err := st.Write(ctx, "media", "a", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "media", "a/b", strings.NewReader("x"), 1, ""); !errors.Is(err, local.ErrNameConflict) || !errors.Is(err, blob.ErrInvalidName) {
		t.Errorf("Write a/b over blob a: %v; want ErrNameConflict", err)
	}
	if err := st.Write(ctx, "media", "d/e", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "media", "d", strings.NewReader("x"), 1, ""); !errors.Is(err, local.ErrNameConflict) {
		t.Errorf("Write d over prefix d/: %v; want ErrNameConflict", err)
	}

	// A file replaced behind the store's back keeps no stale metadata: the
	// content type falls back to the extension.
	if err := st.Write(ctx, "media", "v/master.m3u8", strings.NewReader("#EXTM3U"), -1, "text/plain"); err != nil {
		t.Fatal(err)
	}
	if info, _ := st.Stat(ctx, "media", "v/master.m3u8"); info.ContentType != "text/plain" {
		t.Errorf("content type %q; want the stored text/plain", info.ContentType)
	}
	p := filepath.Join(root, "media", "v", "master.m3u8")
	if err := os.WriteFile(p+".new", []byte("#EXTM3U\n#changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p+".new", p); err != nil {
		t.Fatal(err)
	}
	if info, _ := st.Stat(ctx, "media", "v/master.m3u8"); info.ContentType != "application/vnd.apple.mpegurl" || info.Size != 16 {
		t.Errorf("after an out-of-band replace: %+v; want inferred type and new size", info)
	}

	// Symlinks left in a container are neither listed nor followed out.
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "media", "link")); err != nil {
		t.Fatal(err)
	}
	l, err := st.List(ctx, "media", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range l {
		if i.Name == "link" {
			t.Error("List includes a symlink")
		}
	}
	if _, err := st.ReadRange(ctx, "media", "link", 0, -1); err == nil {
		t.Error("ReadRange followed a symlink out of the root")
	}

	// Signing needs a PublicBaseURL; short keys are refused.
	if _, err := st.SignedContainerURL(ctx, "media", blob.PermRead, now.Add(time.Hour)); err == nil {
		t.Error("SignedContainerURL without PublicBaseURL succeeded")
	}
	if _, err := local.New(local.Config{Root: t.TempDir(), SigningKey: []byte("short")}); err == nil {
		t.Error("New accepted a short signing key")
	}
	if _, err := st.SignedContainerURL(ctx, "media", "Everything", now.Add(time.Hour)); err == nil {
		t.Error("SignedContainerURL accepted an unknown permission")
	}
}

func TestCleanupStaging(t *testing.T) {
	f := newFixture(t, local.HandlerOptions{}, blob.PermReadWrite)
	id := url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("blk")))
	if w := f.do(http.MethodPut, "media/abandoned", "comp=block&blockid="+id, nil, []byte("data")); w.Code != http.StatusCreated {
		t.Fatalf("Put Block: %d", w.Code)
	}
	staged := func() int {
		n := 0
		_ = filepath.WalkDir(filepath.Join(f.root, ".lockstream", "blocks"), func(_ string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	if staged() != 1 {
		t.Fatalf("staged blocks = %d; want 1", staged())
	}
	if err := f.st.CleanupStaging(context.Background(), time.Hour); err != nil || staged() != 1 {
		t.Fatalf("fresh upload removed: %v, %d left", err, staged())
	}
	if err := f.st.CleanupStaging(context.Background(), -time.Hour); err != nil || staged() != 0 {
		t.Fatalf("abandoned upload kept: %v, %d left", err, staged())
	}
	// Deleting the container removes everything it owned.
	if w := f.do(http.MethodPut, "media/abandoned", "comp=block&blockid="+id, nil, []byte("data")); w.Code != http.StatusCreated {
		t.Fatalf("Put Block: %d", w.Code)
	}
	if err := f.st.DeleteContainer(context.Background(), f.c); err != nil {
		t.Fatal(err)
	}
	if staged() != 0 {
		t.Error("DeleteContainer left staged blocks")
	}
	for _, d := range []string{"media", ".lockstream/meta/media", ".lockstream/trash"} {
		entries, _ := os.ReadDir(filepath.Join(f.root, d))
		if len(entries) != 0 {
			t.Errorf("%s not empty after DeleteContainer", d)
		}
	}
}

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
		fx := newFixture(t, local.HandlerOptions{MaxPutBlobBytes: 1 << 16, MaxBlockBytes: 1 << 16}, blob.PermReadWriteDelete)
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
