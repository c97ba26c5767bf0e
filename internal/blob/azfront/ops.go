package azfront

import (
	"bytes"
	"context"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
)

// maxRangeMD5 is Azure's limit for x-ms-range-get-content-md5.
const maxRangeMD5 = 4 * mib

func isNotFound(err error) bool { return errors.Is(err, blob.ErrNotFound) }

// current returns the conditional-request state of a blob.
func (h *handler) current(ctx context.Context, req *request) (state, error) {
	o, err := h.be.StatObject(ctx, req.container, req.name)
	if isNotFound(err) {
		return state{}, nil
	}
	if err != nil {
		return state{}, err
	}
	return state{exists: true, etag: o.ETag, mod: o.Modified}, nil
}

// preconditions evaluates conditional headers of a write; true means go.
// The check and the write are not one transaction (S3 has no conditional
// multipart commit everywhere); they guard against stale clients, not
// against a racing writer.
func (h *handler) preconditions(w http.ResponseWriter, r *http.Request, req *request, op string) bool {
	if !hasConditions(r) {
		return true
	}
	st, err := h.current(r.Context(), req)
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

// contentType picks a Put Blob's content type: x-ms-blob-content-type,
// else the request's Content-Type, as Azure does.
func contentType(r *http.Request, useRequestType bool) string {
	if ct := r.Header.Get("x-ms-blob-content-type"); ct != "" {
		return ct
	}
	if useRequestType {
		return r.Header.Get("Content-Type")
	}
	return ""
}

func writtenHeaders(w http.ResponseWriter, o Object) {
	hd := w.Header()
	hd.Set("ETag", o.ETag)
	hd.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
	hd.Set("x-ms-request-server-encrypted", "false")
}

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
	want, aerr := expectations(r.Header, true, true)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	if !h.preconditions(w, r, req, "PutBlob") {
		return
	}
	body := newCheckedBody(http.MaxBytesReader(w, r.Body, size), size, want)
	o, err := h.be.PutBlob(r.Context(), req.container, req.name, body, size, Props{ContentType: contentType(r, true), MD5: want.declaredMD5()})
	if err != nil {
		h.fail(w, r, "PutBlob", err)
		return
	}
	writtenHeaders(w, o)
	m, c := body.sums()
	w.Header().Set("Content-MD5", m)
	if r.Header.Get("x-ms-content-crc64") != "" {
		w.Header().Set("x-ms-content-crc64", c)
	}
	w.WriteHeader(http.StatusCreated)
}

func (h *handler) putBlock(w http.ResponseWriter, r *http.Request, req *request) {
	size, aerr := requireLength(r, h.opts.MaxBlockBytes)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	want, aerr := expectations(r.Header, true, false)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	id, err := decodeBlockID(req.query.Get("blockid"))
	if err != nil {
		h.fail(w, r, "PutBlock", err)
		return
	}
	body := newCheckedBody(http.MaxBytesReader(w, r.Body, size), size, want)
	if err := h.be.StageBlock(r.Context(), req.container, req.name, id, body, size, h.limits()); err != nil {
		h.fail(w, r, "PutBlock", err)
		return
	}
	m, c := body.sums()
	w.Header().Set("Content-MD5", m)
	if r.Header.Get("x-ms-content-crc64") != "" {
		w.Header().Set("x-ms-content-crc64", c)
	}
	w.Header().Set("x-ms-request-server-encrypted", "false")
	w.WriteHeader(http.StatusCreated)
}

func (h *handler) putBlockList(w http.ResponseWriter, r *http.Request, req *request) {
	maxBody := int64(h.opts.MaxBlockListBlocks)*maxListBodyPerBlock + 4096
	if r.ContentLength > maxBody {
		writeAzError(w, r, newAzError(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The block list is larger than %d bytes.", maxBody))
		return
	}
	// Small and bounded; Content-MD5 covers the XML itself.
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
			h.fail(w, r, "PutBlockList", ErrMD5Mismatch)
			return
		}
	}
	entries, err := parseBlockList(strings.NewReader(string(raw)), h.opts.MaxBlockListBlocks)
	if err != nil {
		h.fail(w, r, "PutBlockList", err)
		return
	}
	// x-ms-blob-content-md5 is the blob's property, checked against the
	// assembled content by backends that hash it.
	want, aerr := expectations(r.Header, false, true)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	if !h.preconditions(w, r, req, "PutBlockList") {
		return
	}
	refs, err := decodeBlockList(entries)
	if err != nil {
		h.fail(w, r, "PutBlockList", err)
		return
	}
	o, err := h.be.CommitBlocks(r.Context(), req.container, req.name, refs, Props{ContentType: contentType(r, false), MD5: want.declaredMD5()}, h.limits())
	if err != nil {
		h.fail(w, r, "PutBlockList", err)
		return
	}
	writtenHeaders(w, o)
	// Azure answers with the MD5 of the request body, the list.
	w.Header().Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	w.WriteHeader(http.StatusCreated)
}

// getBlob serves Get Blob (GET) and Get Blob Properties (HEAD), with one
// byte range via x-ms-range or Range.
func (h *handler) getBlob(w http.ResponseWriter, r *http.Request, req *request) {
	br, aerr := parseRange(r)
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	if r.Method == http.MethodHead {
		br = nil // Get Blob Properties ignores ranges
	}
	rangeMD5 := br != nil && strings.EqualFold(r.Header.Get("x-ms-range-get-content-md5"), "true")
	hd := w.Header()
	var (
		o     Object
		rc    io.ReadCloser
		start int64
		n     int64
		err   error
	)
	// A blob replaced between the stat and the read would send the new
	// bytes under the old ETag; backends that can read a given version
	// (VersionReader) refuse that, and the stat is redone.
	for attempt := 0; ; attempt++ {
		o, err = h.be.StatObject(r.Context(), req.container, req.name)
		if err != nil {
			h.fail(w, r, "GetBlob", err)
			return
		}
		if e := checkConditions(r, state{exists: true, etag: o.ETag, mod: o.Modified}, true); e != nil {
			writeAzError(w, r, e)
			return
		}
		hd.Set("ETag", o.ETag)
		hd.Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
		hd.Set("Content-Type", o.ContentType)
		hd.Set("Accept-Ranges", "bytes")
		hd.Set("x-ms-blob-type", "BlockBlob")
		hd.Set("x-ms-lease-state", "available")
		hd.Set("x-ms-lease-status", "unlocked")
		hd.Set("x-ms-server-encrypted", "false")
		hd.Del("Content-MD5")
		hd.Del("x-ms-blob-content-md5")
		start, n = 0, o.Size
		if br != nil {
			if br.start >= o.Size {
				hd.Set("Content-Range", "bytes */"+strconv.FormatInt(o.Size, 10))
				h.fail(w, r, "GetBlob", blob.ErrRange)
				return
			}
			end := br.end
			if end < 0 || end >= o.Size {
				end = o.Size - 1
			}
			start, n = br.start, end-br.start+1
			hd.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(o.Size, 10))
			if len(o.MD5) == 16 {
				hd.Set("x-ms-blob-content-md5", base64.StdEncoding.EncodeToString(o.MD5))
			}
			if rangeMD5 && n > maxRangeMD5 {
				writeAzError(w, r, newAzError(http.StatusBadRequest, "OutOfRangeInput", "x-ms-range-get-content-md5 needs a range of at most 4 MiB."))
				return
			}
		} else if len(o.MD5) == 16 {
			hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(o.MD5))
		}
		if r.Method == http.MethodHead || n == 0 {
			break
		}
		if vr, ok := h.be.(VersionReader); ok {
			rc, err = vr.ReadRangeVersion(r.Context(), req.container, req.name, o.ETag, start, n)
		} else {
			rc, err = h.be.ReadRange(r.Context(), req.container, req.name, start, n)
		}
		if errors.Is(err, ErrVersionChanged) && attempt < 2 {
			continue
		}
		if err != nil {
			h.fail(w, r, "GetBlob", err)
			return
		}
		defer func() { _ = rc.Close() }()
		break
	}
	status := http.StatusOK
	if br != nil {
		status = http.StatusPartialContent
	}
	if rangeMD5 && rc != nil {
		buf, err := io.ReadAll(io.LimitReader(rc, n))
		if err != nil {
			h.fail(w, r, "GetBlob", err)
			return
		}
		sum := md5.Sum(buf) //nolint:gosec // Azure's Content-MD5
		hd.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
		rc = io.NopCloser(bytes.NewReader(buf))
	}
	hd.Set("x-ms-blob-content-length", strconv.FormatInt(o.Size, 10))
	hd.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	if rc == nil {
		return
	}
	if _, err := io.Copy(w, io.LimitReader(rc, n)); err != nil {
		// Headers are gone; the short body tells the client (the SDK's
		// retry reader resumes with If-Match).
		h.opts.Logger.DebugContext(r.Context(), "azfront: send body", "err", err)
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
	committed, staged, err := h.be.Blocks(r.Context(), req.container, req.name)
	if err != nil {
		h.fail(w, r, "GetBlockList", err)
		return
	}
	if o, err := h.be.StatObject(r.Context(), req.container, req.name); err == nil {
		w.Header().Set("ETag", o.ETag)
		w.Header().Set("Last-Modified", o.Modified.UTC().Format(http.TimeFormat))
		w.Header().Set("x-ms-blob-content-length", strconv.FormatInt(o.Size, 10))
	}
	var out blockListXML
	if typ != "uncommitted" {
		out.Committed = entries(committed)
	}
	if typ != "committed" {
		out.Uncommitted = entries(staged)
	}
	writeXML(w, r, out)
}

// deleteBlob: a missing blob is 404, as in Azure (Store.Delete is
// idempotent).
func (h *handler) deleteBlob(w http.ResponseWriter, r *http.Request, req *request) {
	st, err := h.current(r.Context(), req)
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
	if err := h.be.Delete(r.Context(), req.container, req.name); err != nil {
		h.fail(w, r, "DeleteBlob", err)
		return
	}
	w.Header().Set("x-ms-delete-type-permanent", "true")
	w.WriteHeader(http.StatusAccepted)
}

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
