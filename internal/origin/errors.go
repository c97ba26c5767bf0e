package origin

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// mpeError is an origin failure with AMS's MPE_* code.
type mpeError struct {
	Status int
	Code   string
	Msg    string
}

func (e *mpeError) Error() string { return e.Code + ": " + e.Msg }

func mpe(status int, code, format string, args ...any) *mpeError {
	return &mpeError{Status: status, Code: code, Msg: fmt.Sprintf(format, args...)}
}

// MPE codes the origin answers with (ams-v3-api.md §9.3).
const (
	codeResourceNotFound    = "MPE_RESOURCE_NOT_FOUND"
	codeUnauthorized        = "MPE_UNAUTHORIZED"
	codeTrackNotFound       = "MPE_EGRESS_TRACK_NOT_FOUND"
	codeTimestampNotFound   = "MPE_FRAGMENT_TIMESTAMP_NOT_FOUND"
	codeFilterNotFound      = "MPE_EGRESS_FILTER_NOT_FOUND"
	codeFilterRemovedAll    = "MPE_FILTER_REMOVED_ALL_STREAMS"
	codeFilterMultiFirstQ   = "MPE_FILTER_COMPOSITION_MULTIPLE_FIRST_QUALITY_OPERATOR_NOT_ALLOWED"
	codeFilterTooMany       = "MPE_FILTER_COMPOSITION_FILTER_COUNT_OVER_LIMIT"
	codeFormatBlocked       = "MPE_OUTPUT_FORMAT_BLOCKED"
	codeEncRequired         = "MPE_ENC_ENCRYPTION_REQUIRED"
	codeEncNotInPolicy      = "MPE_ENC_ENCRYPTION_NOT_SET_IN_DELIVERY_POLICY"
	codeEncNotSpecified     = "MPE_ENC_ENCRYPTION_NOT_SPECIFIED_IN_URL"
	codeEncNotSupported     = "MPE_ENCRYPTION_NOT_SUPPORTED"
	codeInputNotSupported   = "MPE_INPUT_FORMAT_NOT_SUPPORTED"
	codeInputEncrypted      = "MPE_ENC_ALREADY_ENCRYPTED"
	codeStorageNotFound     = "MPE_STORAGE_RESOURCE_NOT_FOUND"
	codeStorageFailure      = "MPE_STORAGE_FAILURE"
	codeOutputNotSupported  = "MPE_OUTPUT_FORMAT_NOT_SUPPORTED"
	codeManifestEntryAbsent = "MPE_MANIFEST_MEDIA_ENTRY_NOT_FOUND"
)

// writeError answers with the code in the body (ARM-like error shape) and
// in a header, since AMS never documented where it put it.
func writeError(w http.ResponseWriter, e *mpeError) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Lockstream-Error-Code", e.Code)
	h.Set("x-ms-error-code", e.Code)
	h.Del("ETag")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": e.Code, "message": e.Msg}})
}
