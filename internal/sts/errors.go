package sts

import (
	"encoding/json"
	"net/http"
)

// oauthError is a token endpoint error in the RFC 6749 §5.2 shape.
type oauthError struct {
	status int
	code   string // invalid_request, invalid_client, ...
	desc   string // safe to show to clients
	reason string // detail for logs only; never a secret
}

func errRequest(desc string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_request", desc: desc, reason: desc}
}

func errGrant(reason string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "unsupported_grant_type",
		desc: "grant_type must be password, client_credentials or " + GrantOnBehalfOf + ".", reason: reason}
}

// errClient is every failed authentication, whatever the cause, so that a
// response never tells an unknown user from a wrong secret.
func errClient(reason string) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client",
		desc: "The user name or secret is missing or incorrect.", reason: reason}
}

// errLocked answers attempts from a source locked after repeated
// failures, whether or not the credential is right (it is not checked).
func errLocked() *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: "invalid_grant",
		desc: "Too many failed sign-ins from this address; try again later.", reason: "source locked out"}
}

func errOperator(reason string) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client",
		desc: "The bearer token is missing, invalid or expired.", reason: reason}
}

func errForbidden(reason string) *oauthError {
	return &oauthError{status: http.StatusForbidden, code: "access_denied",
		desc: "The caller may not get tokens on behalf of users.", reason: reason}
}

func errMethod(allow string) *oauthError {
	return &oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request",
		desc: "The endpoint only accepts " + allow + " requests.", reason: "wrong method"}
}

func errNotFound() *oauthError {
	return &oauthError{status: http.StatusNotFound, code: "invalid_request",
		desc: "No such endpoint; the token service serves /token, /jwks and /.well-known/openid-configuration.", reason: "no such endpoint"}
}

func errServer() *oauthError {
	return &oauthError{status: http.StatusInternalServerError, code: "server_error",
		desc: "A transient error has occurred. Please try again.", reason: "internal error"}
}

// writeError sends e, uncacheable. A 401 carries a challenge in the scheme
// the client tried (RFC 6749 §5.2, RFC 6750 §3).
func writeError(w http.ResponseWriter, e *oauthError, bearer bool) {
	switch {
	case e.status == http.StatusUnauthorized && bearer:
		w.Header().Set("WWW-Authenticate", `Bearer realm="lockstream-sts", error="invalid_token"`)
	case e.status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="lockstream-sts"`)
	case e.status == http.StatusMethodNotAllowed:
		// set by the caller
	}
	writeJSON(w, e.status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{e.code, e.desc}, "no-store")
}

// writeJSON sends v as JSON with the given Cache-Control.
func writeJSON(w http.ResponseWriter, status int, v any, cache string) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"server_error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", cache)
	if cache == "no-store" {
		h.Set("Pragma", "no-cache")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
