package speke

import (
	"fmt"
	"net/http"
)

// Error is a SPEKE error answer: an HTTP status and the message the
// encryptor shows. Messages use SPEKE's wording where SPEKE defines one.
type Error struct {
	Status  int
	Message string
	// Err is the cause, for logs and for RFC 6750 challenges.
	Err error
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

func unprocessable(format string, a ...any) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Message: fmt.Sprintf(format, a...)}
}

// SPEKE v2 messages.
const (
	msgUnsupportedSPEKE   = "Unsupported SPEKE version"
	msgMissingContentID   = "Missing CPIX@contentId"
	msgMissingVersion     = "Missing CPIX@version"
	msgUnsupportedVersion = "Unsupported CPIX@version"
	msgSchemeCombination  = "Non compliant ContentKey@commonEncryptionScheme combination"
)
