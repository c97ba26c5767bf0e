package azfront

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/lockstream/lockstream/internal/blob"
)

// azError is an Azure-style error: status, x-ms-error-code and a message
// safe to show to the client.
type azError struct {
	status  int
	code    string
	message string
}

func (e *azError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func newAzError(status int, code, format string, args ...any) *azError {
	return &azError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// Errors of the front's own checks.
var (
	errCRC64Mismatch = errors.New("CRC-64 of the content does not match the one the request declared")
	errInvalidXML    = errors.New("invalid XML document")
	errInvalidID     = errors.New("block id must be base64 of 1 to 64 bytes")
	errShortBody     = errors.New("request body shorter than its Content-Length")
)

// toAzError maps an error to Azure's code and status. Unknown errors
// become InternalError with a generic message (their text may name
// buckets or keys).
func toAzError(err error) (*azError, bool) {
	var ae *azError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.Is(err, ErrNameConflict):
		return newAzError(http.StatusConflict, "BlobNameConflict", "The blob name conflicts with an existing blob path (a name cannot be both a blob and a prefix followed by '/')."), true
	case errors.Is(err, blob.ErrInvalidName):
		return newAzError(http.StatusBadRequest, "InvalidResourceName", "The specified resource name contains invalid characters."), true
	case errors.Is(err, blob.ErrNotFound):
		return newAzError(http.StatusNotFound, "BlobNotFound", "The specified blob does not exist."), true
	case errors.Is(err, blob.ErrRange):
		return newAzError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The range specified is invalid for the current size of the resource."), true
	case errors.Is(err, errInvalidID):
		return newAzError(http.StatusBadRequest, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid: blockid."), true
	case errors.Is(err, ErrInvalidBlockList):
		return newAzError(http.StatusBadRequest, "InvalidBlockList", "The specified block list is invalid."), true
	case errors.Is(err, ErrBlockLimit):
		return newAzError(http.StatusConflict, "BlockCountExceedsLimit", "The uncommitted block count cannot exceed the maximum limit."), true
	case errors.Is(err, ErrTooLarge), errors.As(err, &mbe):
		return newAzError(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit."), true
	case errors.Is(err, errInvalidXML):
		return newAzError(http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid."), true
	case errors.Is(err, ErrMD5Mismatch):
		return newAzError(http.StatusBadRequest, "Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server."), true
	case errors.Is(err, errCRC64Mismatch):
		return newAzError(http.StatusBadRequest, "Crc64Mismatch", "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server."), true
	case errors.Is(err, errAuth):
		return newAzError(http.StatusForbidden, "AuthenticationFailed", "Server failed to authenticate the request: %s.", err.Error()), true
	case errors.Is(err, errShortBody), errors.Is(err, io.ErrUnexpectedEOF):
		return newAzError(http.StatusBadRequest, "InvalidInput", "The request body is shorter than its Content-Length."), true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return newAzError(http.StatusInternalServerError, "OperationTimedOut", "The operation could not be completed within the permitted time."), true
	}
	return newAzError(http.StatusInternalServerError, "InternalError", "The server encountered an internal error. Please retry the request."), false
}

type errorXML struct {
	XMLName xml.Name `xml:"Error"`
	Code    string   `xml:"Code"`
	Message string   `xml:"Message"`
}

// writeAzError sends x-ms-error-code (which the SDK reads first) and,
// except for HEAD and 304, the XML body.
func writeAzError(w http.ResponseWriter, r *http.Request, e *azError) {
	h := w.Header()
	h.Del("ETag")
	h.Del("Last-Modified")
	h.Del("Content-MD5")
	h.Set("x-ms-error-code", e.code)
	if r.Method == http.MethodHead || e.status == http.StatusNotModified {
		w.WriteHeader(e.status)
		return
	}
	body, _ := xml.Marshal(errorXML{Code: e.code, Message: e.message + "\nRequestId:" + h.Get("x-ms-request-id")})
	body = append([]byte(xml.Header), body...)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
