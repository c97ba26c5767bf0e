package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/store"
)

// Error is an ARM error with its HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
	Target  string
	Err     error // cause, logged, never sent
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Err }

func newError(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

func badRequest(code, msg string) *Error { return newError(http.StatusBadRequest, code, msg) }

func notFound(what string) *Error {
	return newError(http.StatusNotFound, "ResourceNotFound", what+" was not found.")
}

// fieldError is implemented by validation errors that name a JSON field.
type fieldError interface {
	error
	FieldPath() string
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Target  string `json:"target,omitempty"`
	} `json:"error"`
}

// toError maps any error to an ARM error.
func toError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var fe fieldError
	switch {
	// Authentication first: a token error may wrap a lookup's not-found.
	case errors.Is(err, auth.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Code: "AuthenticationFailed", Message: "Authentication failed: a valid bearer token is required.", Err: err}
	case errors.Is(err, auth.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Code: "AuthorizationFailed", Message: "The client does not have authorization to perform this action.", Err: err}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, Code: "InvalidParameter", Message: fe.Error(), Target: fe.FieldPath(), Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: "The resource was not found.", Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "Conflict", Message: "A resource with this name or id already exists.", Err: err}
	case errors.Is(err, store.ErrReferenced):
		return &Error{Status: http.StatusConflict, Code: "Conflict", Message: "The resource is still referenced by other resources and cannot be deleted.", Err: err}
	case errors.Is(err, store.ErrStale):
		return &Error{Status: http.StatusConflict, Code: "Conflict", Message: "The resource was modified concurrently; retry.", Err: err}
	case errors.Is(err, store.ErrInvalid):
		// The store refuses what no backend can hold (NUL characters,
		// unpaired surrogates, documents nested too deep): the caller's
		// input, not a server fault.
		return &Error{Status: http.StatusBadRequest, Code: "InvalidRequestContent",
			Message: "The request contains a value that cannot be stored: strings must not contain NUL (\\u0000) or unpaired surrogates, and JSON must not be nested too deeply.", Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "InternalServerError", Message: "An internal error occurred.", Err: err}
}

// writeError sends err as an ARM error body, with x-ms-error-code so azcore
// reports the code even without parsing the body.
func writeError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	e := toError(err)
	if e.Status >= 500 {
		log.Error("request failed", "id", httpx.ID(r.Context()), "path", r.URL.Path, "err", err)
	} else if e.Err != nil {
		log.Debug("request rejected", "id", httpx.ID(r.Context()), "code", e.Code, "err", e.Err)
	}
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Target = e.Code, e.Message, e.Target
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("x-ms-error-code", e.Code)
	if e.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", auth.Challenge(auth.DefaultRealm, e.Err))
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"InternalServerError","message":"response encoding failed"}}`))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
