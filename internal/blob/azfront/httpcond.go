package azfront

import (
	"bytes"
	"crypto/md5" //nolint:gosec // Azure's Content-MD5
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// byteRange is an inclusive range; end < 0 means to the end.
type byteRange struct{ start, end int64 }

// parseRange reads x-ms-range (which wins, as in Azure) or Range: one
// range of the form bytes=start-[end].
func parseRange(r *http.Request) (*byteRange, *azError) {
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

// state is what conditional headers are evaluated against.
type state struct {
	exists bool
	etag   string
	mod    time.Time
}

// checkConditions evaluates If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since as Azure does; read selects 304 over 412 where
// Azure answers reads so.
func checkConditions(r *http.Request, st state, read bool) *azError {
	notMet := newAzError(http.StatusPreconditionFailed, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
	notModified := &azError{status: http.StatusNotModified, code: "ConditionNotMet", message: "Not modified."}
	if v := r.Header.Get("If-Match"); v != "" && (!st.exists || !etagMatches(v, st.etag)) {
		return notMet
	}
	if v := r.Header.Get("If-None-Match"); v != "" && st.exists {
		if strings.TrimSpace(v) == "*" && !read {
			return newAzError(http.StatusConflict, "BlobAlreadyExists", "The specified blob already exists.")
		}
		if etagMatches(v, st.etag) {
			if read {
				return notModified
			}
			return notMet
		}
	}
	mod := st.mod.Truncate(time.Second)
	if v := r.Header.Get("If-Modified-Since"); v != "" && st.exists {
		if t, err := http.ParseTime(v); err == nil && !mod.After(t) {
			if read {
				return notModified
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

func hasConditions(r *http.Request) bool {
	for _, k := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if r.Header.Get(k) != "" {
			return true
		}
	}
	return false
}

func etagMatches(list, etag string) bool {
	for e := range strings.SplitSeq(list, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == "*" || e == etag || `"`+e+`"` == etag {
			return true
		}
	}
	return false
}

// crcTable is Azure's CRC-64 (polynomial 0x9A6C9329AC4BC9B5), the one
// x-ms-content-crc64 carries, little-endian.
var crcTable = crc64.MakeTable(0x9A6C9329AC4BC9B5)

// expect holds the digests a request declared for its body.
type expect struct {
	md5s [][]byte
	crc  *uint64
}

// expectations parses Content-MD5 and x-ms-content-crc64 (transactional)
// and x-ms-blob-content-md5 (the property, when blobMD5), failing on
// malformed values before any byte is stored.
func expectations(hdr http.Header, transactional, blobMD5 bool) (expect, *azError) {
	var e expect
	var vals []string
	if transactional {
		vals = append(vals, hdr.Get("Content-MD5"))
	}
	if blobMD5 {
		vals = append(vals, hdr.Get("x-ms-blob-content-md5"))
	}
	for _, v := range vals {
		if v == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != 16 {
			return e, newAzError(http.StatusBadRequest, "InvalidMd5", "The MD5 value specified in the request is invalid. It must be 128 bits and Base64-encoded.")
		}
		e.md5s = append(e.md5s, b)
	}
	if v := hdr.Get("x-ms-content-crc64"); transactional && v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != 8 {
			return e, newAzError(http.StatusBadRequest, "InvalidHeaderValue", "The value for x-ms-content-crc64 is not a Base64-encoded 64-bit value.")
		}
		c := binary.LittleEndian.Uint64(b)
		e.crc = &c
	}
	return e, nil
}

// declaredMD5 is the MD5 the request declared for the content, if any.
func (e expect) declaredMD5() []byte {
	if len(e.md5s) > 0 {
		return e.md5s[0]
	}
	return nil
}

// checkedBody reads exactly size bytes of a request body, hashing them;
// at the end it checks the declared digests and returns an error instead
// of io.EOF when they or the length disagree, so the backend's upload
// fails before anything becomes visible.
type checkedBody struct {
	r     io.Reader
	size  int64
	n     int64
	md5   hash.Hash
	crc   hash.Hash64
	want  expect
	sumOK bool
}

func newCheckedBody(r io.Reader, size int64, want expect) *checkedBody {
	return &checkedBody{r: io.LimitReader(r, size), size: size, md5: md5.New(), crc: crc64.New(crcTable), want: want} //nolint:gosec // Azure's Content-MD5
}

func (c *checkedBody) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	c.md5.Write(p[:k])
	c.crc.Write(p[:k])
	if errors.Is(err, io.EOF) {
		if c.n != c.size {
			return k, fmt.Errorf("%w: %d of %d bytes", errShortBody, c.n, c.size)
		}
		sum := c.md5.Sum(nil)
		for _, m := range c.want.md5s {
			if !bytes.Equal(m, sum) {
				return k, ErrMD5Mismatch
			}
		}
		if c.want.crc != nil && *c.want.crc != c.crc.Sum64() {
			return k, errCRC64Mismatch
		}
		c.sumOK = true
	}
	return k, err
}

// sums returns the body's MD5 and CRC-64 headers once it was read whole.
func (c *checkedBody) sums() (md5b64, crc64b64 string) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], c.crc.Sum64())
	return base64.StdEncoding.EncodeToString(c.md5.Sum(nil)), base64.StdEncoding.EncodeToString(b[:])
}

// requireLength enforces a Content-Length within limit (Azure refuses
// chunked uploads).
func requireLength(r *http.Request, limit int64) (int64, *azError) {
	if r.ContentLength < 0 {
		return 0, newAzError(http.StatusLengthRequired, "MissingContentLengthHeader", "Content-Length header is required.")
	}
	if r.ContentLength > limit {
		return 0, newAzError(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit of %d bytes.", limit)
	}
	return r.ContentLength, nil
}
