package azfront_test

import (
	"bytes"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/binary"
	"hash/crc64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	s3store "github.com/lockstream/lockstream/internal/blob/s3"
	"github.com/lockstream/lockstream/internal/test/s3test"
)

var key = []byte("azfront-handler-test-key-0123456789abcdef")

// front serves an S3 store (SeaweedFS, a real backend) through the
// handler and returns the store and a signed container URL maker.
func front(t *testing.T) (*s3store.Store, func(perm blob.Permission, expiry time.Time) string) {
	t.Helper()
	srv := s3test.Start(t)
	hs := httptest.NewUnstartedServer(nil)
	sig, err := azfront.NewSigner(key, "http://"+hs.Listener.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s3store.New(t.Context(), s3store.Config{Endpoint: srv.Endpoint, Region: srv.Region, PathStyle: true,
		AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey, Bucket: srv.NewBucket(t, "ls-front-"), SignURL: sig.Sign})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = azfront.NewHandler(st, sig, azfront.Options{MaxBlockListBlocks: 4, MaxPutBlobBytes: 1 << 20})
	hs.Start()
	t.Cleanup(hs.Close)
	if err := st.CreateContainer(t.Context(), "front"); err != nil {
		t.Fatal(err)
	}
	return st, func(perm blob.Permission, expiry time.Time) string {
		u, err := sig.Sign(t.Context(), "front", perm, expiry)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
}

// call sends one request to blob (or the container when blob is "")
// under the signed URL u, with extra query and headers.
func call(t *testing.T, method, u, blobName, query string, body []byte, hdr map[string]string) (int, string, []byte) {
	t.Helper()
	p, _ := url.Parse(u)
	if blobName != "" {
		p.Path += "/" + blobName
	}
	if query != "" {
		p.RawQuery += "&" + query
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, p.String(), bytes.NewReader(body))
	if body == nil {
		req.Body = nil
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("x-ms-error-code"), b
}

func crcHeader(b []byte) string {
	var out [8]byte
	binary.LittleEndian.PutUint64(out[:], crc64.Checksum(b, crc64.MakeTable(0x9A6C9329AC4BC9B5)))
	return base64.StdEncoding.EncodeToString(out[:])
}

// TestHandlerRefusals: the protocol errors the SDK conformance suite does
// not reach, each with Azure's status and code and nothing stored.
func TestHandlerRefusals(t *testing.T) {
	st, sign := front(t)
	ctx := t.Context()
	rw := sign(blob.PermReadWrite, time.Now().Add(time.Hour))
	put := map[string]string{"x-ms-blob-type": "BlockBlob"}
	if code, _, b := call(t, "PUT", rw, "a.txt", "", []byte("first"), put); code != 201 {
		t.Fatalf("Put Blob: %d %s", code, b)
	}
	etag := func() string {
		info, err := st.Stat(ctx, "front", "a.txt")
		if err != nil {
			t.Fatal(err)
		}
		return info.ETag
	}
	first := etag()
	body := []byte("second version")
	wrongCRC := crcHeader([]byte("other"))
	sum := md5.Sum([]byte("other")) //nolint:gosec // test data
	cases := []struct {
		name, method, blob, query string
		body                      []byte
		hdr                       map[string]string
		status                    int
		code                      string
	}{
		{"wrong crc64", "PUT", "a.txt", "", body, map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-content-crc64": wrongCRC}, 400, "Crc64Mismatch"},
		{"wrong blob md5 property", "PUT", "a.txt", "", body, map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-blob-content-md5": base64.StdEncoding.EncodeToString(sum[:])}, 400, "Md5Mismatch"},
		{"malformed md5", "PUT", "a.txt", "", body, map[string]string{"x-ms-blob-type": "BlockBlob", "Content-MD5": "nope"}, 400, "InvalidMd5"},
		{"no blob type", "PUT", "a.txt", "", body, nil, 400, "MissingRequiredHeader"},
		{"page blob", "PUT", "a.txt", "", body, map[string]string{"x-ms-blob-type": "PageBlob"}, 400, "InvalidHeaderValue"},
		{"too large", "PUT", "a.txt", "", make([]byte, 1<<20+1), put, 413, "RequestBodyTooLarge"},
		{"if-match stale", "PUT", "a.txt", "", body, map[string]string{"x-ms-blob-type": "BlockBlob", "If-Match": `"stale"`}, 412, "ConditionNotMet"},
		{"if-none-match star", "PUT", "a.txt", "", body, map[string]string{"x-ms-blob-type": "BlockBlob", "If-None-Match": "*"}, 409, "BlobAlreadyExists"},
		{"bad block id", "PUT", "a.txt", "comp=block&blockid=%21%21", body, nil, 400, "InvalidQueryParameterValue"},
		{"block wrong crc", "PUT", "a.txt", "comp=block&blockid=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("b1"))), body, map[string]string{"x-ms-content-crc64": wrongCRC}, 400, "Crc64Mismatch"},
		{"block list xml", "PUT", "a.txt", "comp=blocklist", []byte("<BlockList><Latest>"), nil, 400, "InvalidXmlDocument"},
		{"block list doctype", "PUT", "a.txt", "comp=blocklist", []byte(`<!DOCTYPE x><BlockList/>`), nil, 400, "InvalidXmlDocument"},
		{"block list too long", "PUT", "a.txt", "comp=blocklist", []byte(strings.Repeat("<Latest>YQ==</Latest>", 5)), nil, 0, ""},
		{"unknown block", "PUT", "a.txt", "comp=blocklist", []byte(`<BlockList><Latest>eno=</Latest></BlockList>`), nil, 400, "InvalidBlockList"},
		{"bad name", "PUT", "a/../b", "", body, put, 400, "InvalidResourceName"},
		{"missing container", "GET", "", "restype=container&comp=list", nil, nil, 0, ""},
		{"range past end", "GET", "a.txt", "", nil, map[string]string{"x-ms-range": "bytes=100-200"}, 416, "InvalidRange"},
		{"if-none-match read", "GET", "a.txt", "", nil, map[string]string{"If-None-Match": first}, 304, "ConditionNotMet"},
		{"verb", "POST", "a.txt", "", nil, nil, 405, "UnsupportedHttpVerb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.name {
			case "block list too long":
				tc.body = []byte("<BlockList>" + string(tc.body) + "</BlockList>")
				tc.status, tc.code = 409, "BlockCountExceedsLimit"
			case "missing container":
				// A valid signature for a container that does not exist.
				sig, _ := azfront.NewSigner(key, rw[:strings.Index(rw, "/front?")], nil)
				u, _ := sig.Sign(ctx, "gone", blob.PermReadWrite, time.Now().Add(time.Hour))
				code, ecode, b := call(t, tc.method, u, "", tc.query, nil, nil)
				if code != 404 || ecode != "ContainerNotFound" {
					t.Fatalf("%d %s %s; want 404 ContainerNotFound", code, ecode, b)
				}
				return
			}
			code, ecode, b := call(t, tc.method, rw, tc.blob, tc.query, tc.body, tc.hdr)
			if code != tc.status || ecode != tc.code {
				t.Fatalf("%d %s %s; want %d %s", code, ecode, b, tc.status, tc.code)
			}
		})
	}
	if etag() != first {
		t.Error("a refused write changed the blob")
	}
	// The refused block was not staged.
	if _, staged, err := st.Blocks(ctx, "front", "a.txt"); err != nil || len(staged) != 0 {
		t.Errorf("staged blocks after refusals: %v, %v", staged, err)
	}
	// Authentication comes before anything else: an expired URL learns
	// nothing, not even whether the container exists.
	expired := sign(blob.PermReadWrite, time.Now().Add(-time.Minute))
	for _, bn := range []string{"a.txt", "missing.txt"} {
		if code, ecode, _ := call(t, "GET", expired, bn, "", nil, nil); code != 403 || ecode != "AuthenticationFailed" {
			t.Errorf("expired URL GET %s: %d %s; want 403 AuthenticationFailed", bn, code, ecode)
		}
	}
	// The right CRC-64 is accepted and echoed.
	if code, _, b := call(t, "PUT", rw, "a.txt", "", body, map[string]string{"x-ms-blob-type": "BlockBlob", "x-ms-content-crc64": crcHeader(body)}); code != 201 {
		t.Fatalf("Put Blob with the right CRC-64: %d %s", code, b)
	}
}
