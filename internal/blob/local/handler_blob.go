package local

import (
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
)

// maxRangeMD5 is Azure's limit for x-ms-range-get-content-md5.
const maxRangeMD5 = 4 * mib

// currentState returns the conditional-request state of a blob.
func (h *handler) currentState(r *http.Request, req *request) (blobState, error) {
	info, err := h.s.Stat(r.Context(), req.container, req.name)
	if errors.Is(err, blob.ErrNotFound) {
		return blobState{}, nil
	}
	if err != nil {
		return blobState{}, err
	}
	return blobState{exists: true, etag: info.ETag, mod: info.Modified}, nil
}

// writeHeaders sets the common headers describing a just-written blob.
func writeHeaders(w http.ResponseWriter, fi os.FileInfo) {
	h := w.Header()
	h.Set("ETag", identityOf(fi).etag())
	h.Set("Last-Modified", fi.ModTime().UTC().Format(http.TimeFormat))
	h.Set("x-ms-request-server-encrypted", "false")
}

// contentTypeOf picks the blob content type of a Put Blob: the
// x-ms-blob-content-type property, else the request's Content-Type, as
// Azure does.
func contentTypeOf(r *http.Request, useRequestType bool) string {
	if ct := r.Header.Get("x-ms-blob-content-type"); ct != "" {
		return ct
	}
	if useRequestType {
		return r.Header.Get("Content-Type")
	}
	return ""
}

// preconditions evaluates conditional headers for a write; nil means go.
func (h *handler) preconditions(w http.ResponseWriter, r *http.Request, req *request, op string) bool {
	if !hasConditions(r) {
		return true
	}
	st, err := h.currentState(r, req)
	if err != nil {
		h.fail(w, r, op, err)
		return false
	}
	if e := checkConditions(r, st, false); e != nil {
		writeAzError(w, r, e)
		return false
	}
	return true
}

func hasConditions(r *http.Request) bool {
	for _, k := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if r.Header.Get(k) != "" {
			return true
		}
	}
	return false
}

// putBlob: PUT with x-ms-blob-type: BlockBlob stores the body as the whole
// blob, verifying Content-MD5 / x-ms-blob-content-md5 / x-ms-content-crc64
// before the new version becomes visible.
func (h *handler) putBlob(w http.ResponseWriter, r *http.Request, req *request) {
	switch bt := r.Header.Get("x-ms-blob-type"); bt {
	case "BlockBlob":
	case "":
		writeAzError(w, r, newAzError(http.StatusBadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type."))
		return
	default:
		writeAzError(w, r, newAzError(http.StatusBadRequest, "InvalidHeaderValue", "Only BlockBlob is supported, not %q.", bt))
		return
	}
	if r.Header.Get("x-ms-copy-source") != "" {
		writeAzError(w, r, newAzError(http.StatusBadRequest, "UnsupportedHeader", "Copy from URL is not supported."))
		return
	}
	size, aerr := requireLength(r, h.opts.MaxPutBlobBytes)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	check, aerr := contentChecks(r.Header, true, true)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	if !h.preconditions(w, r, req, "PutBlob") {
		return
	}
	body := http.MaxBytesReader(w, r.Body, size)
	fi, d, err := h.s.write(r.Context(), req.container, req.name, body, size, size, contentTypeOf(r, true), check)
	if err != nil {
		h.fail(w, r, "PutBlob", err)
		return
	}
	writeHeaders(w, fi)
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(d.md5))
	if r.Header.Get("x-ms-content-crc64") != "" {
		w.Header().Set("x-ms-content-crc64", crc64Header(d.crc64))
	}
	w.WriteHeader(http.StatusCreated)
}

// putBlock: PUT ?comp=block&blockid=… stages one block.
func (h *handler) putBlock(w http.ResponseWriter, r *http.Request, req *request) {
	size, aerr := requireLength(r, h.opts.MaxBlockBytes)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	check, aerr := contentChecks(r.Header, true, false)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	lim := stageLimits{maxBlocks: h.opts.MaxUncommittedBlocks, maxBytes: h.opts.MaxBlobBytes}
	body := http.MaxBytesReader(w, r.Body, size)
	d, err := h.s.stageBlock(r.Context(), req.container, req.name, req.query.Get("blockid"), body, size, lim, check)
	if err != nil {
		h.fail(w, r, "PutBlock", err)
		return
	}
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(d.md5))
	if r.Header.Get("x-ms-content-crc64") != "" {
		w.Header().Set("x-ms-content-crc64", crc64Header(d.crc64))
	}
	w.Header().Set("x-ms-request-server-encrypted", "false")
	w.WriteHeader(http.StatusCreated)
}

// putBlockList: PUT ?comp=blocklist commits <Latest>/<Committed>/
// <Uncommitted> blocks, in document order, as the new blob content.
func (h *handler) putBlockList(w http.ResponseWriter, r *http.Request, req *request) {
	maxBody := int64(h.opts.MaxBlockListBlocks)*maxBlockListBodyPerBlock + 4096
	if r.ContentLength > maxBody {
		writeAzError(w, r, newAzError(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The block list is larger than %d bytes.", maxBody))
		return
	}
	// The list is small and bounded, and Content-MD5 covers the XML
	// itself, so it is read into memory once, hashed, then parsed.
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		h.fail(w, r, "PutBlockList", err)
		return
	}
	sum := md5.Sum(raw) //nolint:gosec // Azure's Content-MD5
	if v := r.Header.Get("Content-MD5"); v != "" {
		want, derr := base64.StdEncoding.DecodeString(v)
		if derr != nil || len(want) != 16 {
			writeAzError(w, r, newAzError(http.StatusBadRequest, "InvalidMd5", "The MD5 value specified in the request is invalid."))
			return
		}
		if string(want) != string(sum[:]) {
			h.fail(w, r, "PutBlockList", errMD5Mismatch)
			return
		}
	}
	refs, err := parseBlockList(strings.NewReader(string(raw)), h.opts.MaxBlockListBlocks)
	if err != nil {
		h.fail(w, r, "PutBlockList", err)
		return
	}
	// Only the blob property is checked against the assembled content;
	// the transactional headers described the XML body, checked above.
	check, aerr := contentChecks(r.Header, false, true)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	if !h.preconditions(w, r, req, "PutBlockList") {
		return
	}
	fi, _, err := h.s.commitBlockList(r.Context(), req.container, req.name, refs, h.opts.MaxBlobBytes, contentTypeOf(r, false), check)
	if err != nil {
		h.fail(w, r, "PutBlockList", err)
		return
	}
	writeHeaders(w, fi)
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	w.WriteHeader(http.StatusCreated)
}

// getBlob serves Get Blob (GET) and Get Blob Properties (HEAD), with one
// byte range via x-ms-range or Range.
func (h *handler) getBlob(w http.ResponseWriter, r *http.Request, req *request) {
	br, err := parseRange(r)
	if err != nil {
		h.fail(w, r, "GetBlob", err)
		return
	}
	if r.Method == http.MethodHead {
		br = nil // Get Blob Properties ignores ranges
	}
	f, fi, err := h.s.open(r.Context(), req.container, req.name)
	if err != nil {
		h.fail(w, r, "GetBlob", err)
		return
	}
	defer func() { _ = f.Close() }()
	info, sc := h.s.infoOf(req.container, req.name, fi)
	if e := checkConditions(r, blobState{exists: true, etag: info.ETag, mod: info.Modified}, true); e != nil {
		writeAzError(w, r, e)
		return
	}
	hd := w.Header()
	hd.Set("ETag", info.ETag)
	hd.Set("Last-Modified", info.Modified.Format(http.TimeFormat))
	hd.Set("Content-Type", info.ContentType)
	hd.Set("Accept-Ranges", "bytes")
	hd.Set("x-ms-blob-type", "BlockBlob")
	hd.Set("x-ms-lease-state", "available")
	hd.Set("x-ms-lease-status", "unlocked")
	hd.Set("x-ms-server-encrypted", "false")
	size := info.Size
	start, n, status := int64(0), size, http.StatusOK
	if br != nil {
		if br.start >= size {
			hd.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
			h.fail(w, r, "GetBlob", blob.ErrRange)
			return
		}
		end := br.end
		if end < 0 || end >= size {
			end = size - 1
		}
		start, n, status = br.start, end-br.start+1, http.StatusPartialContent
		hd.Set("Content-Range", contentRange(start, end, size))
		if len(sc.MD5) == 16 {
			hd.Set("x-ms-blob-content-md5", base64.StdEncoding.EncodeToString(sc.MD5))
		}
		if strings.EqualFold(r.Header.Get("x-ms-range-get-content-md5"), "true") {
			if n > maxRangeMD5 {
				writeAzError(w, r, newAzError(http.StatusBadRequest, "OutOfRangeInput", "x-ms-range-get-content-md5 needs a range of at most 4 MiB."))
				return
			}
			m := md5.New() //nolint:gosec // Azure's Content-MD5
			if _, err := io.Copy(m, io.NewSectionReader(f, start, n)); err != nil {
				h.fail(w, r, "GetBlob", err)
				return
			}
			hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(m.Sum(nil)))
		}
	} else if len(sc.MD5) == 16 {
		hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(sc.MD5))
	}
	hd.Set("x-ms-blob-content-length", strconv.FormatInt(size, 10))
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, io.NewSectionReader(f, start, n)); err != nil {
		// Headers are gone; the short body tells the client (the SDK's
		// retry reader resumes with If-Match).
		h.log.DebugContext(r.Context(), "local blob handler: send body", "err", err)
	}
}

// getBlockList: GET ?comp=blocklist&blocklisttype=committed|uncommitted|all.
func (h *handler) getBlockList(w http.ResponseWriter, r *http.Request, req *request) {
	typ := strings.ToLower(req.query.Get("blocklisttype"))
	if typ == "" {
		typ = "committed"
	}
	if typ != "committed" && typ != "uncommitted" && typ != "all" {
		writeAzError(w, r, newAzError(http.StatusBadRequest, "InvalidQueryParameterValue", "blocklisttype must be committed, uncommitted or all."))
		return
	}
	var out blockListXML
	exists := false
	if f, fi, err := h.s.open(r.Context(), req.container, req.name); err == nil {
		_ = f.Close()
		exists = true
		w.Header().Set("ETag", identityOf(fi).etag())
		w.Header().Set("Last-Modified", fi.ModTime().UTC().Format(http.TimeFormat))
		w.Header().Set("x-ms-blob-content-length", strconv.FormatInt(fi.Size(), 10))
		if typ != "uncommitted" {
			cl, _ := h.s.readCommitted(req.container, req.name, identityOf(fi))
			for _, b := range cl.Blocks {
				out.Committed = append(out.Committed, blockEntryXML{Name: b.ID, Size: b.Size})
			}
		}
	} else if !errors.Is(err, blob.ErrNotFound) {
		h.fail(w, r, "GetBlockList", err)
		return
	}
	staged := h.s.listStaged(req.container, req.name)
	if typ != "committed" {
		for _, b := range staged {
			out.Uncommitted = append(out.Uncommitted, blockEntryXML{Name: b.ID, Size: b.Size})
		}
	}
	if !exists && len(staged) == 0 {
		h.fail(w, r, "GetBlockList", blob.ErrNotFound)
		return
	}
	writeXML(w, r, out)
}

// deleteBlob: DELETE removes the blob; unlike Store.Delete a missing blob
// is 404, as in Azure.
func (h *handler) deleteBlob(w http.ResponseWriter, r *http.Request, req *request) {
	st, err := h.currentState(r, req)
	if err != nil {
		h.fail(w, r, "DeleteBlob", err)
		return
	}
	if !st.exists {
		h.fail(w, r, "DeleteBlob", blob.ErrNotFound)
		return
	}
	if e := checkConditions(r, st, false); e != nil {
		writeAzError(w, r, e)
		return
	}
	if err := h.s.Delete(r.Context(), req.container, req.name); err != nil {
		h.fail(w, r, "DeleteBlob", err)
		return
	}
	w.Header().Set("x-ms-delete-type-permanent", "true")
	w.WriteHeader(http.StatusAccepted)
}

// writeXML sends a 200 response with an XML body.
func writeXML(w http.ResponseWriter, r *http.Request, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		e, _ := toAzError(err)
		writeAzError(w, r, e)
		return
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
