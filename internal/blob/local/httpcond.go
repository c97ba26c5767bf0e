package local

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is an inclusive HTTP byte range; end < 0 means "to the end".
type byteRange struct {
	start, end int64
}

// parseRange reads x-ms-range (which wins, as in Azure) or Range. Only the
// single-range forms "bytes=a-b" and "bytes=a-" are supported, like Azure.
func parseRange(r *http.Request) (*byteRange, error) {
	v := r.Header.Get("x-ms-range")
	if v == "" {
		v = r.Header.Get("Range")
	}
	if v == "" {
		return nil, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok {
		return nil, newAzError(http.StatusBadRequest, "InvalidHeaderValue", "The range header must be of the form bytes=start-end.")
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok || a == "" || strings.Contains(b, ",") {
		return nil, newAzError(http.StatusBadRequest, "InvalidHeaderValue", "Only a single range of the form bytes=start-end is supported.")
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return nil, newAzError(http.StatusBadRequest, "InvalidHeaderValue", "The range start is not a valid offset.")
	}
	br := &byteRange{start: start, end: -1}
	if b != "" {
		end, err := strconv.ParseInt(b, 10, 64)
		if err != nil || end < start {
			return nil, newAzError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The range specified is invalid for the current size of the resource.")
		}
		br.end = end
	}
	return br, nil
}

// blobState is what conditional headers are evaluated against.
type blobState struct {
	exists bool
	etag   string
	mod    time.Time
}

// checkConditions evaluates If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since the way Azure does. The SDK's retry reader relies on
// If-Match to make sure a resumed download reads the same version.
func checkConditions(r *http.Request, st blobState, read bool) *azError {
	notMet := newAzError(http.StatusPreconditionFailed, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
	if v := r.Header.Get("If-Match"); v != "" {
		if !st.exists || !etagListMatches(v, st.etag) {
			return notMet
		}
	}
	if v := r.Header.Get("If-None-Match"); v != "" && st.exists {
		if strings.TrimSpace(v) == "*" && !read {
			return newAzError(http.StatusConflict, "BlobAlreadyExists", "The specified blob already exists.")
		}
		if etagListMatches(v, st.etag) {
			if read {
				return &azError{status: http.StatusNotModified, code: "ConditionNotMet", message: "Not modified."}
			}
			return notMet
		}
	}
	mod := st.mod.Truncate(time.Second)
	if v := r.Header.Get("If-Modified-Since"); v != "" && st.exists {
		if t, err := http.ParseTime(v); err == nil && !mod.After(t) {
			if read {
				return &azError{status: http.StatusNotModified, code: "ConditionNotMet", message: "Not modified."}
			}
			return notMet
		}
	}
	if v := r.Header.Get("If-Unmodified-Since"); v != "" && st.exists {
		if t, err := http.ParseTime(v); err == nil && mod.After(t) {
			return notMet
		}
	}
	return nil
}

func etagListMatches(list, etag string) bool {
	for e := range strings.SplitSeq(list, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == "*" || e == etag || `"`+e+`"` == etag {
			return true
		}
	}
	return false
}

// contentChecks returns the digest check for a body: the transactional
// Content-MD5 and x-ms-content-crc64 when transactional is set, and the
// x-ms-blob-content-md5 property when blobMD5 is set. Malformed headers fail
// up front, before any byte is stored.
func contentChecks(hdr http.Header, transactional, blobMD5 bool) (func(digests) error, *azError) {
	var md5s []string
	if transactional {
		md5s = append(md5s, hdr.Get("Content-MD5"))
	}
	if blobMD5 {
		md5s = append(md5s, hdr.Get("x-ms-blob-content-md5"))
	}
	var wantMD5 [][]byte
	for _, v := range md5s {
		if v == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != 16 {
			return nil, newAzError(http.StatusBadRequest, "InvalidMd5", "The MD5 value specified in the request is invalid. It must be 128 bits and Base64-encoded.")
		}
		wantMD5 = append(wantMD5, b)
	}
	var wantCRC *uint64
	if v := hdr.Get("x-ms-content-crc64"); transactional && v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != 8 {
			return nil, newAzError(http.StatusBadRequest, "InvalidHeaderValue", "The value for x-ms-content-crc64 is not a Base64-encoded 64-bit value.")
		}
		c := binary.LittleEndian.Uint64(b)
		wantCRC = &c
	}
	return func(d digests) error {
		for _, m := range wantMD5 {
			if !bytes.Equal(m, d.md5) {
				return errMD5Mismatch
			}
		}
		if wantCRC != nil && *wantCRC != d.crc64 {
			return errCRC64Mismatch
		}
		return nil
	}, nil
}

// requireLength enforces a Content-Length (Azure refuses chunked uploads)
// within limit.
func requireLength(r *http.Request, limit int64) (int64, *azError) {
	if r.ContentLength < 0 {
		return 0, newAzError(http.StatusLengthRequired, "MissingContentLengthHeader", "Content-Length header is required.")
	}
	if r.ContentLength > limit {
		return 0, newAzError(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit of %d bytes.", limit)
	}
	return r.ContentLength, nil
}

func crc64Header(c uint64) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], c)
	return base64.StdEncoding.EncodeToString(b[:])
}

func contentRange(start, end, size int64) string {
	return fmt.Sprintf("bytes %d-%d/%d", start, end, size)
}
