package azfront_test

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

func TestHandlerRequestLimits(t *testing.T) {
	f := newFixture(t, azfront.Options{MaxPutBlobBytes: 10, MaxBlockBytes: 10, MaxUncommittedBlocks: 2, MaxBlockListBlocks: 2}, blob.PermReadWrite)
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
		if rw := f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+id(b), nil, []byte(b)); rw.Code != http.StatusCreated {
			t.Fatalf("Put Block %s: %d %s", b, rw.Code, rw.Body.String())
		}
	}
	// Re-staging an existing id does not count as a new block.
	if rw := f.do(http.MethodPut, "media/blocks", "comp=block&blockid="+id("b2"), nil, []byte("B2")); rw.Code != http.StatusCreated {
		t.Fatalf("re-stage: %d %s", rw.Code, rw.Body.String())
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
