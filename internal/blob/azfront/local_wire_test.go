package azfront_test

import (
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/local"
)

// TestHandlerWireDetails: answers of the local blob endpoint that the
// other handler tests do not pin.
func TestHandlerWireDetails(t *testing.T) {
	f := newFixture(t, azfront.Options{MaxBlobBytes: 6}, blob.PermReadWriteDelete)
	id := func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(s))) }

	// A path outside the mount point.
	r := httptest.NewRequest(http.MethodGet, "http://blob.test/other/media/x?"+f.sas.Encode(), nil)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	wantError(t, w, http.MethodGet, http.StatusBadRequest, "InvalidUri")

	// A store without a signing key refuses everything.
	nokey, err := local.New(local.Config{Root: t.TempDir(), PublicBaseURL: "http://blob.test"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = nokey.Close() }()
	r = httptest.NewRequest(http.MethodGet, "http://blob.test/blob/media/x?"+f.sas.Encode(), nil)
	w = httptest.NewRecorder()
	local.NewBlobHandler(nokey, azfront.Options{}).ServeHTTP(w, r)
	wantError(t, w, http.MethodGet, http.StatusForbidden, "AuthenticationFailed")
	if !strings.Contains(w.Body.String(), "signed access is disabled") {
		t.Errorf("no-key body %s", w.Body.String())
	}

	// Get Block List of a blob with neither content nor staged blocks.
	w = f.do(http.MethodGet, "media/nothing", "comp=blocklist&blocklisttype=all", nil, nil)
	wantError(t, w, http.MethodGet, http.StatusNotFound, "BlobNotFound")

	// Staged bytes are bounded per blob by MaxBlobBytes.
	if w = f.do(http.MethodPut, "media/b", "comp=block&blockid="+id("1"), nil, []byte("abcd")); w.Code != http.StatusCreated {
		t.Fatalf("Put Block: %d %s", w.Code, w.Body.String())
	}
	w = f.do(http.MethodPut, "media/b", "comp=block&blockid="+id("2"), nil, []byte("efg"))
	wantError(t, w, http.MethodPut, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge")
	if w = f.do(http.MethodPut, "media/b", "comp=block&blockid="+id("2"), nil, []byte("ef")); w.Code != http.StatusCreated {
		t.Fatalf("Put Block: %d %s", w.Code, w.Body.String())
	}
	w = f.do(http.MethodGet, "media/b", "comp=blocklist&blocklisttype=uncommitted", nil, nil)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<UncommittedBlocks><Block><Name>"+base64.StdEncoding.EncodeToString([]byte("1"))+"</Name><Size>4</Size></Block>") {
		t.Errorf("Get Block List: %d %s", w.Code, w.Body.String())
	}
	// A wrong x-ms-blob-content-md5 on commit is refused before anything
	// becomes visible; the right one is accepted, and the answer carries
	// the MD5 of the block list itself.
	list := []byte("<BlockList><Latest>" + base64.StdEncoding.EncodeToString([]byte("1")) + "</Latest><Latest>" + base64.StdEncoding.EncodeToString([]byte("2")) + "</Latest></BlockList>")
	bad := md5.Sum([]byte("x")) //nolint:gosec // test
	w = f.do(http.MethodPut, "media/b", "comp=blocklist", map[string]string{"x-ms-blob-content-md5": base64.StdEncoding.EncodeToString(bad[:])}, list)
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "Md5Mismatch")
	good := md5.Sum([]byte("abcdef")) //nolint:gosec // test
	listSum := md5.Sum(list)          //nolint:gosec // test
	w = f.do(http.MethodPut, "media/b", "comp=blocklist", map[string]string{"x-ms-blob-content-md5": base64.StdEncoding.EncodeToString(good[:])}, list)
	if w.Code != http.StatusCreated || w.Header().Get("Content-MD5") != base64.StdEncoding.EncodeToString(listSum[:]) {
		t.Fatalf("Put Block List: %d %v %s", w.Code, w.Header(), w.Body.String())
	}
	w = f.do(http.MethodGet, "media/b", "", nil, nil)
	if w.Body.String() != "abcdef" || w.Header().Get("Content-MD5") != base64.StdEncoding.EncodeToString(good[:]) {
		t.Errorf("committed blob: %q %v", w.Body.String(), w.Header())
	}
	// The committed list names its blocks; an assembled blob over
	// MaxBlobBytes is refused.
	w = f.do(http.MethodGet, "media/b", "comp=blocklist", nil, nil)
	if !strings.Contains(w.Body.String(), "<CommittedBlocks><Block><Name>"+base64.StdEncoding.EncodeToString([]byte("1"))+"</Name><Size>4</Size></Block><Block>") {
		t.Errorf("committed list: %s", w.Body.String())
	}
	twice := []byte("<BlockList><Committed>" + base64.StdEncoding.EncodeToString([]byte("1")) + "</Committed><Committed>" + base64.StdEncoding.EncodeToString([]byte("1")) + "</Committed></BlockList>")
	w = f.do(http.MethodPut, "media/b", "comp=blocklist", nil, twice)
	wantError(t, w, http.MethodPut, http.StatusRequestEntityTooLarge, "RequestBodyTooLarge")
	// An empty id is not a well-formed list.
	w = f.do(http.MethodPut, "media/b", "comp=blocklist", nil, []byte("<BlockList><Latest> </Latest></BlockList>"))
	wantError(t, w, http.MethodPut, http.StatusBadRequest, "InvalidXmlDocument")

	// A name that is a blob and a prefix at once cannot exist on disk.
	w = f.do(http.MethodPut, "media/b/c", "", putHeaders(nil), []byte("x"))
	wantError(t, w, http.MethodPut, http.StatusConflict, "BlobNameConflict")

	// Listing names the endpoint the URLs were minted for.
	w = f.do(http.MethodGet, "media", "restype=container&comp=list", nil, nil)
	var res struct {
		Endpoint string `xml:"ServiceEndpoint,attr"`
		Blobs    []struct {
			Name string `xml:"Name"`
			MD5  string `xml:"Properties>Content-MD5"`
		} `xml:"Blobs>Blob"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &res); err != nil || res.Endpoint != "http://blob.test/blob/" || len(res.Blobs) != 1 ||
		res.Blobs[0].MD5 != base64.StdEncoding.EncodeToString(good[:]) {
		t.Errorf("list: %+v %v %s", res, err, w.Body.String())
	}

	// A range past the end: 416 with the size.
	w = f.do(http.MethodGet, "media/b", "", map[string]string{"x-ms-range": "bytes=6-"}, nil)
	wantError(t, w, http.MethodGet, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	if w.Header().Get("Content-Range") != "bytes */6" {
		t.Errorf("416 Content-Range %q", w.Header().Get("Content-Range"))
	}
}
