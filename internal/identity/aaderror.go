package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// aadError is a token-endpoint error in Microsoft Entra ID's shape. MSAL
// and azidentity surface error, error_description and error_codes to
// users, so they follow AAD's codes and wording where one exists.
type aadError struct {
	status int
	code   string // OAuth error: invalid_request, invalid_client, ...
	aadsts int
	msg    string // AADSTS message text, safe for clients
	reason string // detail for logs and the audit log only
}

// Errors used by the handler. Unknown clients and wrong secrets share one
// error on purpose.
func errMissing(param string) *aadError {
	return &aadError{status: 400, code: "invalid_request", aadsts: 900144,
		msg: fmt.Sprintf("The request body must contain the following parameter: '%s'.", param), reason: "missing " + param}
}

func errMalformed(reason string) *aadError {
	return &aadError{status: 400, code: "invalid_request", aadsts: 9002313,
		msg: "Invalid request. Request is malformed or invalid.", reason: reason}
}

func errTenant() *aadError {
	return &aadError{status: 400, code: "invalid_request", aadsts: 90002,
		msg: "Tenant not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", reason: "unknown tenant"}
}

func errGrant(reason string) *aadError {
	return &aadError{status: 400, code: "unsupported_grant_type", aadsts: 70003,
		msg: "The app requested an unsupported grant type. Only 'client_credentials' is supported.", reason: reason}
}

func errScope(reason string) *aadError {
	return &aadError{status: 400, code: "invalid_scope", aadsts: 1002012,
		msg: "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", reason: reason}
}

func errMultiScope() *aadError {
	return &aadError{status: 400, code: "invalid_scope", aadsts: 70011,
		msg: "The provided request must include exactly one resource with the /.default scope.", reason: "several resources requested"}
}

func errResource(reason string) *aadError {
	return &aadError{status: 400, code: "invalid_resource", aadsts: 500011,
		msg: "The resource principal was not found in the tenant. Check the audience (scope or resource) requested.", reason: reason}
}

func errNoCredential() *aadError {
	return &aadError{status: 401, code: "invalid_client", aadsts: 7000216,
		msg: "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.", reason: "no client credential"}
}

// msgBadCredentials is the answer to an unknown client id and to a wrong
// secret alike, so a caller cannot probe which client ids exist. The log
// and audit detail start with the same words and add which it was, so an
// operator reading both sees one story.
const msgBadCredentials = "Invalid client credentials: the client id is unknown or the secret is not one of its client secret values."

func errBadSecret(reason string) *aadError {
	return &aadError{status: 401, code: "invalid_client", aadsts: 7000215,
		msg:    msgBadCredentials + " Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to the app.",
		reason: "invalid client credentials (" + reason + ")"}
}

func errBadAssertion(reason string) *aadError {
	return &aadError{status: 401, code: "invalid_client", aadsts: 700027,
		msg: "Client assertion failed signature validation, or is expired, replayed or not addressed to this token endpoint.", reason: reason}
}

func errLocked() *aadError {
	return &aadError{status: 400, code: "invalid_client", aadsts: 50053,
		msg: "Your account is locked because of too many failed sign-in attempts. Try again later.", reason: "locked out"}
}

func errMethod() *aadError {
	return &aadError{status: 405, code: "invalid_request", aadsts: 900561,
		msg: "The endpoint only accepts POST requests.", reason: "wrong method"}
}

func errNotFound() *aadError {
	return &aadError{status: 404, code: "invalid_request", aadsts: 9002313,
		msg: "Invalid request. The endpoint does not exist; only the client credentials flow is supported.", reason: "no such endpoint"}
}

func errServer() *aadError {
	return &aadError{status: 500, code: "server_error", aadsts: 90033,
		msg: "A transient error has occurred. Please try again.", reason: "internal error"}
}

// writeError sends e with AAD's body and no-store caching.
func (rq *request) writeError(e *aadError) {
	ts := rq.now.Format("2006-01-02 15:04:05Z")
	body := struct {
		Error         string `json:"error"`
		Description   string `json:"error_description"`
		Codes         []int  `json:"error_codes"`
		Timestamp     string `json:"timestamp"`
		TraceID       string `json:"trace_id"`
		CorrelationID string `json:"correlation_id"`
		URI           string `json:"error_uri,omitempty"`
	}{
		Error: e.code,
		Description: fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			e.aadsts, e.msg, rq.traceID, rq.correlationID, ts),
		Codes: []int{e.aadsts}, Timestamp: ts, TraceID: rq.traceID, CorrelationID: rq.correlationID,
	}
	if rq.base != "" {
		body.URI = rq.base + "/error?code=" + strconv.Itoa(e.aadsts)
	}
	if e.status == http.StatusMethodNotAllowed {
		rq.w.Header().Set("Allow", "POST")
	}
	if e.status == http.StatusUnauthorized && rq.basic {
		// RFC 6749 §5.2: a client that authenticated with the
		// Authorization header gets a matching challenge.
		rq.w.Header().Set("WWW-Authenticate", `Basic realm="`+rq.tenant+`"`)
	}
	rq.writeJSON(e.status, body)
}

// writeJSON sends v as JSON, uncacheable (RFC 6749 §5.1).
func (rq *request) writeJSON(status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":"server_error"}`)
	}
	h := rq.w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	rq.w.WriteHeader(status)
	_, _ = rq.w.Write(b)
}
